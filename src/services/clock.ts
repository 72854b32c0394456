/** Local wall-clock formats used by the guides' TIME replies (Python's time.strftime). */
const pad = (n: number): string => String(n).padStart(2, "0");

/** `HH:MM:SS`, local time. */
export function clockTime(now: Date = new Date()): string {
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

/** `YYYY-mm-dd HH:MM:SS`, local time. */
export function clockDateTime(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${clockTime(now)}`;
}

/** Wall-clock checks for the TIME services (local time, in a given zone). */

/** Seconds since local midnight in `timeZone` for `date`. */
export function secondsOfDay(date: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return get("hour") * 3600 + get("minute") * 60 + get("second");
}

/** `YYYY-mm-dd` in `timeZone`. */
export function dateIn(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** Is `HH:MM:SS` within `slack` seconds of now in `timeZone`? (wraps at midnight) */
export function isNowIn(hms: string, timeZone: string, slack = 5): boolean {
  const m = hms.match(/^(\d\d):(\d\d):(\d\d)$/);
  if (!m) return false;
  const got = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const want = secondsOfDay(new Date(), timeZone);
  const diff = Math.abs(got - want);
  return Math.min(diff, 86400 - diff) <= slack;
}

/** A zone far from UTC without DST, so a UTC answer cannot pass for local time. */
export const TEST_TZ = "Asia/Kathmandu"; // UTC+05:45

/** The environment for a server process whose local time is TEST_TZ. */
export function envWithTz(timeZone = TEST_TZ): NodeJS.ProcessEnv {
  return { ...process.env, TZ: timeZone };
}

export const DATETIME_LINE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)$/;
export const HMS = /^\d\d:\d\d:\d\d$/;

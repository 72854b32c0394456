/**
 * `--progress` (pv-style) on standard error: bytes each way, rate, elapsed time, and, when the
 * size to send is known (a regular file on standard input), the percentage and the time left.
 *
 *   > 12.0MiB < 1.5KiB 4.0MiB/s 0:00:03 [ 40% ETA 0:00:05]
 *
 * `>` is what we sent, `<` what we received. On a terminal the line is redrawn in place (a
 * carriage return and "erase to end of line") a few times a second; otherwise one line is
 * written per second, so a log stays readable. A last line is written at stop, always.
 * Shared by `connect` and `listen`.
 */
import { fstatSync } from "node:fs";

export interface ProgressSample {
  sent: number;
  received: number;
}

export interface ProgressOptions {
  /** The counters now (called at every redraw). */
  sample: () => ProgressSample;
  /** Bytes that will be sent in all, when known: adds the percentage and the time left. */
  total?: number | undefined;
  /** Where to draw (default: standard error). */
  out?: { write(text: string): unknown; isTTY?: boolean };
  /** Redraw in place (default: whether `out` is a terminal). */
  tty?: boolean;
  /** Time between lines (default 200 ms on a terminal, 1000 ms otherwise). */
  intervalMs?: number;
  /** The clock, in ms (tests). */
  now?: () => number;
}

export interface Progress {
  /** Draw the last line and stop (idempotent). */
  stop(): void;
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** A byte count as pv writes it: 512B, 1.5KiB, 12.0MiB. */
export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}${UNITS[0]}` : `${value.toFixed(1)}${UNITS[unit]}`;
}

/** Seconds as H:MM:SS. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** One progress line (without line ending) from the counters, the elapsed time and the rate. */
export function renderProgress(sample: ProgressSample, elapsedMs: number, rate: number, total?: number): string {
  const parts = [`> ${formatBytes(sample.sent)}`, `< ${formatBytes(sample.received)}`, `${formatBytes(Math.round(rate))}/s`, formatDuration(elapsedMs / 1000)];
  if (total !== undefined && total > 0) {
    const fraction = Math.min(1, sample.sent / total);
    const left = rate > 0 ? (total - Math.min(total, sample.sent)) / rate : undefined;
    const eta = left === undefined ? "-:--:--" : formatDuration(Math.ceil(left));
    parts.push(`[${String(Math.floor(fraction * 100)).padStart(3)}% ETA ${eta}]`);
  }
  return parts.join(" ");
}

/** The size of standard input when it is a regular file (known in advance), else undefined. */
export function stdinSize(): number | undefined {
  try {
    const st = fstatSync(0);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

export function startProgress(options: ProgressOptions): Progress {
  const out = options.out ?? process.stderr;
  const tty = options.tty ?? out.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? (tty ? 200 : 1000);
  const started = now();
  let lastAt = started;
  let lastBytes = 0;
  let rate = 0;
  let stopped = false;

  // On a terminal, other lines written meanwhile (events) would land on the progress line:
  // each write to `out` first erases it and then draws it again below what was written.
  const target = out as { write: (...args: unknown[]) => unknown };
  const originalWrite = target.write;
  const write = (text: string): unknown => originalWrite.call(out, text);
  let shown = "";
  if (tty) {
    target.write = function (this: unknown, ...args: unknown[]): unknown {
      if (shown !== "") originalWrite.call(out, "\r\x1b[K");
      const result = originalWrite.apply(out, args);
      if (shown !== "") originalWrite.call(out, shown);
      return result;
    };
  }

  const draw = (final: boolean): void => {
    const sample = options.sample();
    const at = now();
    const bytes = sample.sent + sample.received;
    if (final) rate = at > started ? (bytes / (at - started)) * 1000 : 0;
    else if (at > lastAt) rate = ((bytes - lastBytes) / (at - lastAt)) * 1000;
    lastAt = at;
    lastBytes = bytes;
    const line = renderProgress(sample, at - started, rate, options.total);
    if (!tty) {
      write(`${line}\n`);
      return;
    }
    shown = final ? "" : `\r${line}\x1b[K`;
    write(final ? `\r${line}\x1b[K\n` : shown);
  };
  const timer = setInterval(() => draw(false), interval);
  timer.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw(true);
      if (tty) target.write = originalWrite;
    },
  };
}

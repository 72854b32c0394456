/**
 * Where the CLI writes: payload to stdout untouched (with backpressure), diagnostics to
 * stderr one line at a time. A closed stdout (e.g. `| head`) ends the program quietly.
 */
import { Writable } from "node:stream";
import { SocklabError } from "../errors.js";
import { errorEvent, type SocklabEvent } from "../events.js";
import type { PayloadEncoding } from "../format/payload.js";
import type { TapGate } from "../format/tap.js";
import { describeErrorIn, formatEvent, langFromEnv, type Lang } from "../i18n/format.js";

/** How diagnostics are shown: text in a language, or one JSON object per event (`--json`). */
export interface OutputMode {
  json: boolean;
  lang: Lang;
}

const mode: OutputMode = { json: false, lang: langFromEnv() };
let seq = 0;
const t0 = performance.now();

export function setOutputMode(next: Partial<OutputMode>): void {
  Object.assign(mode, next);
}

export function outputMode(): Readonly<OutputMode> {
  return mode;
}

/**
 * Report one event: a JSON line (`{"event":TYPE,"seq":N,"t":MS,…}`) with --json, else its
 * line of text from the catalogue. Every diagnostic of the CLI goes through here.
 */
export function emit(event: SocklabEvent): void {
  seq++;
  if (mode.json) {
    const { type, ...fields } = event;
    diag(JSON.stringify({ event: type, seq, t: Math.round((performance.now() - t0) * 1000) / 1000, ...fields }), carriesBytes(event));
    return;
  }
  // A busy datagram server passes the same event object for a run of identical datagrams
  // (src/datagram/server.ts): its line is formatted once.
  let line: string;
  if (event === lastEvent && mode.lang === lastLang) line = lastLine;
  else {
    line = formatEvent(event, mode.lang);
    lastEvent = event;
    lastLang = mode.lang;
    lastLine = line;
  }
  if (line !== "") diag(line);
}
/**
 * emit, plus `repeat(event, count)`: the event `count` times in a row, as `count` calls to
 * emit would report it (a busy datagram server's run of identical datagrams: the
 * DatagramServer's onEvent, src/datagram/server.ts). In text mode one line is formatted and
 * appended `count` times, without a call per datagram.
 */
export const emitRepeating = Object.assign((event: SocklabEvent): void => emit(event), {
  repeat: (event: SocklabEvent, count: number): void => {
    if (mode.json || count < 2) {
      for (let i = 0; i < count; i++) emit(event);
      return;
    }
    emit(event);
    seq += count - 1;
    if (lastLine !== "") diag(lastLine, false, count - 1);
  },
});
let lastEvent: SocklabEvent | undefined;
let lastLang: Lang | undefined;
let lastLine = "";

/**
 * The byte views under --json: each chunk is a `sent`/`received` event carrying its bytes,
 * `hex` for -x (unless the dump goes to --hexdump-file, which stays text) and `python` for
 * --show (docs/EVENTS.md). Text mode: none (the views print text).
 */
export function jsonPayload(view: { hexdump: boolean; hexdumpFile: boolean; show: boolean }): PayloadEncoding[] {
  if (!mode.json) return [];
  const encodings: PayloadEncoding[] = [];
  if (view.hexdump && !view.hexdumpFile) encodings.push("hex");
  if (view.show) encodings.push("python");
  return encodings;
}

/**
 * A sent/received event with the bytes in it (-x/--show under --json): the user asked for
 * every byte, so from the first of these on no line is dropped for a slow reader of standard
 * error (that costs memory instead, as the text dump of `connect -x` always has).
 */
function carriesBytes(event: SocklabEvent): boolean {
  return (event.type === "sent" || event.type === "received") && (event.hex !== undefined || event.python !== undefined || event.base64 !== undefined);
}

/** An error as one line in the user's language (no stack). */
export function describe(err: unknown, fallbackAddress?: string): string {
  return describeErrorIn(err, mode.lang, fallbackAddress);
}

/*
 * Diagnostics are batched: lines logged in one turn of the event loop go out in one write.
 * A busy server logs a line per event; a write(2) per line cost it a third of its CPU
 * per datagram. The CLI drains them (drainOutput) before it exits; the 'exit' hook is a
 * last resort for paths that exit abruptly.
 */
let pending = "";
let scheduled = false;

/** Past this much unwritten stderr (a reader that does not keep up), log lines are counted, not kept. */
const STDERR_BACKLOG = 1024 * 1024;
let dropped = 0;

function flushDiag(): void {
  scheduled = false;
  if (pending === "") return;
  let out = pending;
  pending = "";
  if (dropped > 0) {
    const count = dropped;
    dropped = 0;
    const line = mode.json
      ? JSON.stringify({ event: "dropped", seq: ++seq, what: "log-lines", count })
      : formatEvent({ type: "dropped", what: "log-lines", count }, mode.lang);
    out = `${line}\n${out}`;
  }
  process.stderr.write(out);
}

process.on("exit", flushDiag);

/**
 * Set by the first line kept: once standard error carries the bytes of a connection, no
 * line is dropped any more (the events around them, `closed` or `error`, say how it ended).
 */
let lossless = false;

/**
 * Queue one line for standard error (`times` times in a row: a busy datagram server's run of
 * equal lines); past the backlog it is counted and dropped, unless `keep`.
 */
export function diag(line: string, keep = false, times = 1): void {
  if (stderrBroken) return;
  if (keep) lossless = true;
  // The backlog only grows when flushDiag writes: checked once per flush, not per line.
  if (!lossless && !scheduled && process.stderr.writableLength > STDERR_BACKLOG) {
    dropped += times;
    return;
  }
  pending += times === 1 ? `${line}\n` : `${line}\n`.repeat(times);
  if (pending.length > 64 * 1024) return flushDiag();
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushDiag);
  }
}

/**
 * Past this much standard error not yet written, a connection whose bytes are shown there
 * (-x, --show, --json payload events) waits: a reader of standard error that does not keep
 * up slows the connection, as one of standard output does, instead of growing memory.
 */
const STDERR_HOLD = 1024 * 1024;
const drainWaiters: (() => void)[] = [];

function wakeDrainWaiters(): void {
  process.stderr.off("drain", wakeDrainWaiters);
  process.stderr.off("close", wakeDrainWaiters);
  for (const resume of drainWaiters.splice(0)) resume();
}

/** The gate for tap() (src/format/tap.ts) on what is shown on standard error. */
export const stderrGate: TapGate = {
  full: () => !stderrBroken && pending.length + process.stderr.writableLength > STDERR_HOLD,
  whenDrained(resume) {
    drainWaiters.push(resume);
    if (drainWaiters.length > 1) return; // already waiting
    flushDiag();
    const stderr = process.stderr;
    if (stderrBroken || stderr.destroyed || !stderr.writableNeedDrain) setImmediate(wakeDrainWaiters);
    else {
      stderr.once("drain", wakeDrainWaiters);
      stderr.once("close", wakeDrainWaiters);
    }
  },
};

/**
 * Standard error that can't be written any more (its reader went away: EPIPE; or it fails,
 * e.g. `2>/dev/full`): diagnostics are not the data, so the run goes on without them, as
 * nc's does: nothing more is written there (each write would fail again, and reporting
 * that failure is one more write: a busy loop), and a connection held for it is released.
 * The exit status still says how the transfer ended.
 */
let stderrBroken = false;
process.stderr.on("error", () => {
  if (stderrBroken) return;
  stderrBroken = true;
  pending = "";
  dropped = 0;
  wakeDrainWaiters();
});

/** Text for standard error written as is (a byte dump, a progress line), unless it is broken. */
export function writeStderr(text: string): void {
  if (!stderrBroken) process.stderr.write(text);
}

let stdoutBroken = false;
/** Standard output failed for another reason than its reader leaving (ENOSPC on `>/dev/full`). */
let stdoutFailure: SocklabError | undefined;
const stdoutClosedListeners = new Set<() => void>();
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  // Once is enough: later writes to the failed stream fail again, and saying so each time helps nobody.
  if (stdoutBroken) return;
  stdoutBroken = true;
  if (err.code !== "EPIPE") {
    // Not the reader leaving on purpose: bytes meant for standard output were lost, so the
    // run fails (exit 1, see stdoutFailed), said once, now (a server may run on for long).
    const code = err.code ?? "ERROR";
    stdoutFailure = new SocklabError(code, `standard output: ${err.message}`, { messageKey: "stdout-failed", params: { code, detail: err.message } });
    emit(errorEvent(stdoutFailure));
  }
  // The reader went away (`| head -c 10`): a normal end, not a failure (docs/CLI.md).
  // Either way nothing more goes there: what was being copied to it stops.
  for (const listener of [...stdoutClosedListeners]) listener();
  stdoutClosedListeners.clear();
});

/**
 * The failure of standard output, if it failed otherwise than by its reader leaving (it has
 * been reported already): the CLI then exits 1 even if the command itself ended well.
 */
export function stdoutFailed(): SocklabError | undefined {
  return stdoutFailure;
}

export function isStdoutBroken(): boolean {
  return stdoutBroken;
}

/**
 * Call `listener` once when standard output's reader goes away (EPIPE) or it fails (ENOSPC:
 * stdoutFailed says which), at once if it already has. Returns a function that removes the listener.
 */
export function onStdoutClosed(listener: () => void): () => void {
  if (stdoutBroken) {
    queueMicrotask(listener);
    return () => {};
  }
  stdoutClosedListeners.add(listener);
  return () => stdoutClosedListeners.delete(listener);
}

/** Datagrams can't be slowed down: past this much unwritten stdout, payloads are dropped (and counted). */
const STDOUT_BACKLOG = 16 * 1024 * 1024;
let droppedDatagrams = 0;

/** Write one datagram's payload to stdout unless stdout is hopelessly behind; false if dropped. */
export function writeDatagram(data: Buffer): boolean {
  if (stdoutBroken) return false;
  if (process.stdout.writableLength > STDOUT_BACKLOG) {
    if (droppedDatagrams++ % 1000 === 0) emit({ type: "dropped", what: "datagrams", count: droppedDatagrams });
    return false;
  }
  process.stdout.write(data);
  return true;
}

/** Flush pending diagnostics and wait (at most `limitMs`) for stdout and stderr to drain. */
export async function drainOutput(limitMs: number): Promise<void> {
  flushDiag();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([flushed(process.stdout), flushed(process.stderr)]),
    new Promise((resolve) => (timer = setTimeout(resolve, limitMs))),
  ]);
  clearTimeout(timer);
}

/** Wait until everything written to `stream` so far is flushed. */
export function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || (stream === process.stdout && stdoutBroken) || (stream === process.stderr && stderrBroken)) return resolve();
    stream.write("", () => resolve());
  });
}

/** Show control characters and non-ASCII bytes of a payload as escapes, for one-line display. */
export function printable(data: Buffer, max = 200): string {
  let out = "";
  const text = data.toString("utf8");
  for (const ch of text) {
    if (out.length >= max) return `${out}…`;
    const code = ch.codePointAt(0)!;
    if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\\") out += "\\\\";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

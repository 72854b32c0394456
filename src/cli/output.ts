/**
 * Where the CLI writes: payload to stdout untouched (with backpressure), diagnostics to
 * stderr one line at a time. A closed stdout (e.g. `| head`) ends the program quietly.
 */
import { Writable } from "node:stream";

/*
 * Diagnostics are batched: lines logged in one turn of the event loop go out in one write.
 * A busy server logs a line per event; a write(2) per line cost it a third of its CPU
 * per datagram. Pending lines are flushed at exit (stderr is synchronous for files, pipes
 * and terminals on Linux), so nothing is lost on process.exit().
 */
let pending = "";
let scheduled = false;

function flushDiag(): void {
  scheduled = false;
  if (pending === "") return;
  const out = pending;
  pending = "";
  process.stderr.write(out);
}

process.on("exit", flushDiag);

export function diag(line: string): void {
  pending += `${line}\n`;
  if (pending.length > 64 * 1024) return flushDiag();
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushDiag);
  }
}

let stdoutBroken = false;
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") {
    stdoutBroken = true;
    return;
  }
  diag(`socklab: standard output: ${err.message}`);
});

export function isStdoutBroken(): boolean {
  return stdoutBroken;
}

/** Wait until everything written to `stream` so far is flushed. */
export function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stdoutBroken) return resolve();
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

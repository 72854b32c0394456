/**
 * `socklab connect ADDRESS`: the client role, for stream and datagram addresses.
 * See docs/CLI.md for the exact contract.
 */
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { formatAddress, isInetAddress, isStreamAddress, type Address } from "../../address.js";
import { fstatSync } from "node:fs";
import { describeError, SocklabError, type AttemptRecord } from "../../errors.js";
import { lfToCrlf, crlf } from "../../format/crlf.js";
import { allSinks, byteViewSink, tap, type ByteViewOptions, type Direction, type TapSink } from "../../format/tap.js";
import { payloadEvents, withoutChunkEvents, type PayloadEncoding } from "../../format/payload.js";
import { en } from "../../i18n/en.js";
import { messageTools } from "../../i18n/format.js";
import { errorEvent, type SocklabEvent } from "../../events.js";
import { formatEvent } from "../../i18n/format.js";
import { openStream, type OpenStreamOptions } from "../../stream/connect.js";
import { halfClose, keepReadingAfterWriteError, readChunk, readLines, readUntilClose, sendAll, type ReadOptions } from "../../stream/io.js";
import { traceReads, traceWrites } from "../../stream/trace.js";
import { withRetries, type ConnectAnyOptions } from "../../tcp/connect.js";
import type { DatagramClientBase as DatagramClient } from "../../datagram/client.js";
import { openDatagramClient } from "../../transports/registry.js";
import "../../udp/request.js";
import { address, count, decodeEscapes, exclusive, flag, list, parseCommand, seconds, str, usage } from "../args.js";
import { tlsSettings, tlsOptions } from "../tls-options.js";
import { appendDumpSync, type DumpFile } from "../dump-file.js";
import type { TlsClientConfig } from "../../tls/client.js";
import { sessionEvents } from "../../tls/session.js";
import { emit, jsonPayload, outputMode, writeDatagram, flushed, isStdoutBroken, onStdoutClosed, stderrGate, writeStderr } from "../output.js";
import { holdReading, releaseReading } from "../../read-holds.js";

export const connectOptions = {
  send: { type: "string", multiple: true },
  lines: { type: "boolean" },
  "half-close": { type: "boolean" },
  "until-close": { type: "boolean" },
  "recv-only": { type: "boolean", short: "d" },
  "send-only": { type: "boolean" },
  "no-shutdown": { type: "boolean" },
  "idle-timeout": { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  backoff: { type: "string" },
  "4": { type: "boolean", short: "4" },
  "6": { type: "boolean", short: "6" },
  bind: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  trace: { type: "boolean" },
  hexdump: { type: "boolean", short: "x" },
  "hexdump-file": { type: "string" },
  show: { type: "boolean" },
  crlf: { type: "boolean", short: "C" },
  progress: { type: "boolean" },
  udp: { type: "boolean", short: "u" },
  unix: { type: "boolean", short: "U" },
  ...tlsOptions,
} as const;

interface ConnectSettings {
  where: Address;
  label: string;
  payloads: Buffer[];
  linesSent: number;
  halfClose: boolean;
  untilClose: boolean;
  /** -d: never read stdin, never half-close. */
  recvOnly: boolean;
  /** --send-only: received bytes are discarded, not printed. */
  sendOnly: boolean;
  /** --no-shutdown: no FIN at stdin EOF; the peer's close ends the connection. */
  noShutdown: boolean;
  /** --idle-timeout: give up when nothing moves either way for this long (ms). */
  idleTimeoutMs: number | undefined;
  timeoutMs: number | undefined;
  attempts: number;
  backoffMs: number;
  family: 0 | 4 | 6;
  verbose: boolean;
  trace: boolean;
  bind: string | undefined;
  /** -x, --hexdump-file, --show as text. */
  view: ByteView | undefined;
  /** --json with -x / --show: each chunk is a sent/received event carrying its bytes in these encodings. */
  payload: readonly PayloadEncoding[];
  /** -C: \n from stdin (and --send) goes out as \r\n. */
  crlf: boolean;
  /** --progress: pv-style line on stderr. */
  progress: boolean;
  /** tls://: the client's TLS settings, checked once. */
  tls: TlsClientConfig | undefined;
}

export function reportAttempt(record: AttemptRecord, total: number): void {
  emit({ type: "attempt-failed", total, ...record });
}

/** A URL scheme or a Unix form: the text is an address as socklab writes them. */
const ADDRESS_FORM = /^([a-z][a-z0-9+-]*:\/\/|unix:|unix-dgram:|abstract:|@)/i;

/**
 * nc-style arguments, where they are unambiguous: `HOST PORT` (tcp), `-u HOST PORT` (udp),
 * `-U PATH` (unix). Each becomes the URL form; anything else that looks like a guess gets a
 * usage error that shows the URL form. Returns the address text and the arguments left.
 */
export function ncStyleAddress(positionals: string[], udp: boolean, unix: boolean): { text: string | undefined; extra: string[] } {
  const [first, second, ...rest] = positionals;
  if (udp && unix) throw usage("usage.exclusive", { a: "-u", b: "-U" });
  if (unix) {
    if (first === undefined) throw usage("usage.missing-argument", { what: "PATH" });
    if (ADDRESS_FORM.test(first)) throw usage("usage.nc-form", { given: `-U ${first}`, example: first.startsWith("unix:") ? first : "unix:PATH" });
    return { text: `unix:${first}`, extra: positionals.slice(1) };
  }
  const example = (host: string, port: string): string => {
    const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    return `${udp ? "udp" : "tcp"}://${h}:${port}`;
  };
  if (first !== undefined && !ADDRESS_FORM.test(first) && (udp || second !== undefined)) {
    if (second === undefined) throw usage("usage.nc-form", { given: `-u ${first}`, example: example(first, "PORT") });
    if (!/^\d{1,5}$/.test(second) || Number(second) < 1 || Number(second) > 65535) {
      throw usage("usage.nc-port", { port: second, example: example(first, "PORT") });
    }
    return { text: example(first, second), extra: rest };
  }
  if (udp && first !== undefined) throw usage("usage.nc-form", { given: `-u ${first}`, example: first.replace(/^[a-z]+:\/\//i, "udp://") });
  return { text: first, extra: positionals.slice(1) };
}

export async function connect(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, connectOptions);
  if (flag(values, "help")) return "help";
  const { text: addressText, extra } = ncStyleAddress(positionals, flag(values, "udp"), flag(values, "unix"));
  const where = address(addressText);
  if (extra.length > 0) throw usage("usage.unexpected-text", { argument: extra[0]! });
  exclusive(values, "4", "6");
  if (isInetAddress(where) && where.port === 0) throw usage("usage.port-zero", { address: formatAddress(where) });
  const lines = flag(values, "lines");
  const crlfOn = flag(values, "crlf");
  const payloads = list(values, "send").map((text) => {
    const data = decodeEscapes(text);
    const line = lines && data[data.length - 1] !== 0x0a ? Buffer.concat([data, Buffer.from("\n")]) : data;
    return crlfOn ? lfToCrlf(line, false) : line;
  });
  const hexdumpFile = str(values, "hexdump-file");
  // --json: the views are event fields; only the --hexdump-file dump stays text (in its file).
  const json = outputMode().json;
  const payload = jsonPayload({ hexdump: flag(values, "hexdump"), hexdumpFile: hexdumpFile !== undefined, show: flag(values, "show") });
  const settings: ConnectSettings = {
    where,
    label: formatAddress(where),
    payloads,
    linesSent: lines ? payloads.length : 0,
    halfClose: flag(values, "half-close"),
    untilClose: flag(values, "until-close"),
    recvOnly: flag(values, "recv-only"),
    sendOnly: flag(values, "send-only"),
    noShutdown: flag(values, "no-shutdown"),
    idleTimeoutMs: seconds(values, "idle-timeout"),
    timeoutMs: seconds(values, "timeout"),
    attempts: count(values, "retries", 1, 1000) ?? 1,
    backoffMs: seconds(values, "backoff") ?? 500,
    family: flag(values, "4") ? 4 : flag(values, "6") ? 6 : 0,
    verbose: flag(values, "verbose"),
    trace: flag(values, "trace"),
    bind: str(values, "bind"),
    view: json
      ? byteView(hexdumpFile !== undefined, false, hexdumpFile)
      : byteView(flag(values, "hexdump") || hexdumpFile !== undefined, flag(values, "show"), hexdumpFile),
    payload,
    crlf: crlfOn,
    progress: flag(values, "progress"),
    tls: tlsSettings(values, "client", where),
  };
  if (settings.timeoutMs === 0) throw usage("usage.positive", { option: "--timeout" });
  if (settings.idleTimeoutMs === 0) throw usage("usage.positive", { option: "--idle-timeout" });
  const stdinModes = ["recv-only", "send-only", "no-shutdown", ...(settings.progress ? ["progress"] : [])].filter((name) => flag(values, name));
  if (!isStreamAddress(where)) {
    const streamOnly = [...stdinModes, ...(settings.idleTimeoutMs !== undefined ? ["idle-timeout"] : [])];
    if (streamOnly.length > 0) throw usage("usage.stream-only", { option: `--${streamOnly[0]}` });
    return datagramClient(settings);
  }
  exclusive(values, "recv-only", "send-only");
  if (payloads.length > 0 && stdinModes.length > 0) throw usage("usage.stdin-mode-only", { option: `--${stdinModes[0]}` });
  if ((settings.halfClose || settings.untilClose) && payloads.length === 0) throw usage("usage.needs-send");
  return payloads.length > 0 ? sendAndReceive(settings) : pipeStdio(settings);
}

/** -x / --hexdump-file / --show: where the byte view goes (stderr, or appended to FILE). */
interface ByteView {
  options: ByteViewOptions;
  write: (text: string) => void;
}

function byteView(hexdump: boolean, show: boolean, file: string | undefined): ByteView | undefined {
  if (!hexdump && !show) return undefined;
  let dump: DumpFile | undefined;
  if (file !== undefined) {
    try {
      dump = appendDumpSync(file);
    } catch (err) {
      throw usage("usage.bad-option", { detail: `--hexdump-file ${file}: ${describeError(err)}` });
    }
  }
  // A failed write is reported once for the file; the transfer goes on (dump-file.ts).
  return { options: { hexdump, show }, write: dump ? (text) => dump.write(text) : writeStderr };
}

/** Report every chunk of `socket` to the byte views (if any): what we sent and what arrived. */
function viewStream(s: ConnectSettings, socket: Socket, address: string): void {
  const sink = allSinks(
    s.view ? byteViewSink(address, s.view.options, s.view.write) : undefined,
    s.payload.length > 0 ? payloadEvents(address, emit, { encodings: s.payload }) : undefined,
  );
  // Shown on standard error (unless --hexdump-file): a reader that falls behind holds the connection.
  if (sink) tap(socket, sink, stderrGate);
}

/** Where --trace reports: beside payload events, without its own byte counts (each chunk is reported once). */
function traceSink(s: ConnectSettings): typeof emit {
  return s.payload.length > 0 ? withoutChunkEvents(emit) : emit;
}

/** Bytes of one connection: read from stdin (or given with --send), handed to the kernel, received. */
interface Counts {
  read: number;
  sent: number;
  received: number;
  /** Standard input had not ended yet: there was more to send. */
  unfinished?: boolean;
}

/**
 * The one error for a connection that ended badly after it was established (peer closed
 * before taking all we sent, reset): says how many bytes went out of how many we had, and
 * how many arrived. `code` stays the system's (EPIPE, ECONNRESET).
 */
function cutShort(err: unknown, address: string, counts: Counts, source: "stdin" | "send"): SocklabError {
  const code = (err as { code?: unknown }).code;
  const params = {
    address,
    code: typeof code === "string" ? code : "ERROR",
    detail: describeError(err),
    sent: counts.sent,
    read: counts.read,
    received: counts.received,
    source,
    unfinished: counts.unfinished ? 1 : 0,
  };
  return new SocklabError(params.code, en.errors["transfer-cut-short"](params, messageTools("en")), {
    cause: err,
    address,
    messageKey: "transfer-cut-short",
    params,
  });
}

function idleError(address: string, idleMs: number, counts: Counts): SocklabError {
  const params = { address, idleMs, received: counts.received, sent: counts.sent };
  return new SocklabError("ERR_IDLE_TIMEOUT", en.errors["client-idle-timeout"](params, messageTools("en")), {
    address,
    messageKey: "client-idle-timeout",
    params,
  });
}

/**
 * --idle-timeout: fires when nothing moved in either direction for `ms`. A socket we paused
 * ourselves (stdout not keeping up) is not idle.
 */
class IdleWatch {
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly ms: number,
    private readonly socket: Socket,
    private readonly fire: () => void,
  ) {
    this.touch();
  }
  touch(): void {
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.expired(), this.ms);
  }
  private expired(): void {
    if (this.socket.isPaused() && !this.socket.destroyed) return this.touch();
    this.fire();
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

/**
 * Write to stdout with backpressure: hold the socket while stdout is full (a hold of its
 * own: a -x dump waiting for stderr holds it too, src/read-holds.ts). A reader that went
 * away (stdout closed) releases it too; the caller ends the connection then.
 */
function toStdout(socket: Socket): (chunk: Buffer) => void {
  return (chunk) => {
    if (isStdoutBroken()) return;
    if (!process.stdout.write(chunk)) {
      holdReading(socket, "stdout");
      const resume = (): void => {
        process.stdout.removeListener("drain", resume);
        off();
        releaseReading(socket, "stdout");
      };
      const off = onStdoutClosed(resume);
      process.stdout.once("drain", resume);
    }
  };
}

function instrument(socket: Socket, s: ConnectSettings, address: string): void {
  viewStream(s, socket, address);
  if (s.verbose || s.trace) emit({ type: "connected", address });
  if (s.trace) traceWrites(socket, address, traceSink(s));
}

function summary(s: ConnectSettings, socket: Socket, started: bigint): void {
  if (!s.verbose) return;
  const secondsTaken = Number(process.hrtime.bigint() - started) / 1e9;
  emit({ type: "summary", received: socket.bytesRead, sent: socket.bytesWritten, seconds: secondsTaken });
}

async function open(s: ConnectSettings, record: (address: string, err: unknown) => void): Promise<{ socket: Socket; address: string }> {
  // Not an object literal: openStream hands these to connectAny, whose race reports each attempt.
  const options: OpenStreamOptions & ConnectAnyOptions = { family: s.family, timeoutMs: s.timeoutMs ?? 10_000 };
  if (s.tls) options.tls = s.tls;
  if (s.verbose) options.onAttempt = (report) => emit({ type: "connect-attempt", ...report });
  const opened = await openStream(s.where, options, record);
  // TLS: the session with -v; "not verified" (--insecure) on every connection.
  if (opened.tls) for (const event of sessionEvents(opened.address, opened.tls, true)) if (s.verbose || event.type !== "tls-established") emit(event);
  return opened;
}

/** The exit status when standard output's reader went away (`| head -c 10`): a normal end. */
const STDOUT_CLOSED_STATUS = 0;

/**
 * --send: each attempt connects, sends, and waits for the reply; retried (when the failure is
 * retryable) until a reply byte is printed. What the peer sent is always printed, even when
 * our write failed because it had already closed; a failure after that is final.
 */
async function sendAndReceive(s: ConnectSettings): Promise<number> {
  const payload = Buffer.concat(s.payloads);
  const started = process.hrtime.bigint();
  const { value } = await withRetries(
    s.label,
    { attempts: s.attempts, backoffMs: s.backoffMs, onAttemptFailed: reportAttempt },
    async (_attempt, record): Promise<{ socket: Socket; address: string; failure?: Error; stdoutClosed?: boolean }> => {
      const { socket, address } = await open(s, record);
      instrument(socket, s, address);
      keepReadingAfterWriteError(socket);
      const counts: Counts = { read: payload.length, sent: 0, received: 0 };
      const write = toStdout(socket);
      let idleFired = false;
      const idle =
        s.idleTimeoutMs === undefined
          ? undefined
          : new IdleWatch(s.idleTimeoutMs, socket, () => {
              idleFired = true;
              socket.destroy(idleError(address, s.idleTimeoutMs!, counts));
            });
      let stdoutClosed = false;
      const offStdout = onStdoutClosed(() => {
        stdoutClosed = true;
        socket.destroy();
      });
      const options: ReadOptions = {
        idleTimeoutMs: s.timeoutMs,
        onData: (chunk) => {
          counts.received += chunk.length;
          idle?.touch();
          write(chunk);
        },
      };
      if (s.trace) {
        traceReads(socket, address, traceSink(s));
        // traceReads' listener switched the socket to flowing: no byte may pass before ours.
        socket.pause();
      }
      let stage = "send";
      try {
        try {
          await sendAll(socket, payload);
          counts.sent = payload.length;
          idle?.touch();
          stage = "half-close";
          if (s.halfClose) await halfClose(socket);
        } catch (err) {
          if (idleFired || stdoutClosed) throw err;
          // The peer went away before taking our bytes: print what it had sent, then say so.
          await readUntilClose(socket, options).catch(() => {});
          return { socket, address, failure: cutShort(err, address, counts, "send"), stdoutClosed };
        }
        stage = "receive";
        if (s.halfClose || s.untilClose) await readUntilClose(socket, options);
        else if (s.linesSent > 0) await readLines(socket, s.linesSent, options);
        else await readChunk(socket, options);
        return { socket, address, stdoutClosed };
      } catch (err) {
        socket.destroy();
        if (stdoutClosed) return { socket, address, stdoutClosed };
        if (idleFired) return { socket, address, failure: err as Error };
        // Nothing arrived and nothing is lost: the attempt may be retried.
        if (counts.received === 0 && stage === "receive") {
          record(address, err);
          throw err;
        }
        return { socket, address, failure: cutShort(err, address, counts, "send") };
      } finally {
        idle?.stop();
        offStdout();
      }
    },
  );
  const { socket, failure, stdoutClosed } = value;
  summary(s, socket, started);
  socket.destroy();
  await flushed(process.stdout);
  if (stdoutClosed) return STDOUT_CLOSED_STATUS;
  if (failure) throw failure;
  return 0;
}

/**
 * No --send: stdin to the socket, the socket to stdout, like nc -N: at stdin EOF the write
 * side is shut down (unless --no-shutdown) and the connection ends once the peer has closed
 * too. -d never reads stdin; --send-only discards what arrives. A connection that ends
 * badly (reset, peer gone before taking what we sent) says how many bytes went each way.
 */
async function pipeStdio(s: ConnectSettings): Promise<number> {
  const { value } = await withRetries(
    s.label,
    { attempts: s.attempts, backoffMs: s.backoffMs, onAttemptFailed: reportAttempt },
    (_attempt, record) => open(s, record),
  );
  const { socket, address } = value;
  const started = process.hrtime.bigint();
  instrument(socket, s, address);
  const counts: Counts = { read: 0, sent: 0, received: 0 };
  const progress = s.progress ? new Progress(counts, s.recvOnly ? undefined : stdinSize()) : undefined;
  // -d never touches stdin: not even opening it (it may be a terminal the user needs).
  const stdin: NodeJS.ReadableStream & { destroy(): void } | undefined = s.recvOnly ? undefined : s.crlf ? process.stdin.pipe(crlf()) : process.stdin;
  type Outcome = { kind: "done" } | { kind: "failed"; err: Error } | { kind: "stdout-closed" };
  const outcome = await new Promise<Outcome>((resolve) => {
    let settled = false;
    let readDone = false;
    let writeDone = stdin === undefined;
    let stdinEnded = false;
    let inFlight = 0;
    let writeFailure: Error | undefined;
    const finish = (result: Outcome): void => {
      if (settled) return;
      settled = true;
      idle?.stop();
      offStdout();
      resolve(result);
    };
    const cut = (err: Error): Error => {
      counts.unfinished = stdin !== undefined && !stdinEnded;
      return cutShort(err, address, counts, "stdin");
    };
    const check = (): void => {
      if (!readDone || !writeDone) return;
      finish(writeFailure ? { kind: "failed", err: cut(writeFailure) } : { kind: "done" });
    };
    const idle =
      s.idleTimeoutMs === undefined
        ? undefined
        : new IdleWatch(s.idleTimeoutMs, socket, () => finish({ kind: "failed", err: idleError(address, s.idleTimeoutMs!, counts) }));
    const offStdout = onStdoutClosed(() => finish({ kind: "stdout-closed" }));

    // Read side: the socket to stdout (or nowhere with --send-only) until the peer closes.
    const write = toStdout(socket);
    socket.on("data", (chunk: Buffer) => {
      counts.received += chunk.length;
      idle?.touch();
      if (!s.sendOnly) write(chunk);
    });
    if (s.trace) traceReads(socket, address, traceSink(s));
    socket.once("end", () => {
      const settle = (): void => {
        readDone = true;
        // An interactive user can't be expected to type EOF after the peer left.
        if (stdin && process.stdin.isTTY && !writeDone) endWriteSide();
        check();
      };
      // libuv reports a reset that follows a short read as EOF. While our write side is open,
      // a zero-byte write tells them apart on TCP: it fails only on a connection that was
      // reset. (Unix sockets have no reset: a closed peer fails any write with EPIPE.)
      if (s.where.kind !== "tcp" || socket.writableEnded || writeFailure !== undefined) return settle();
      socket.write(Buffer.alloc(0), (err) => {
        if (err) writeFailure ??= Object.assign(new Error("connection reset by peer"), { code: "ECONNRESET", cause: err });
        settle();
      });
    });
    // A reset (read side), or a write error once the read side was over.
    socket.once("error", (err: Error) => {
      if (err === writeFailure) return;
      finish({ kind: "failed", err: cut(err) });
    });
    socket.once("close", () => {
      readDone = true;
      writeDone = true;
      check();
    });

    // Write side: stdin to the socket, counting what we read and what the kernel took.
    keepReadingAfterWriteError(socket, (err) => {
      writeFailure ??= err;
      stopStdin();
      writeDone = true;
      check();
    });
    // --no-shutdown: the write side is done once stdin ended and every write is out.
    const writeDoneWhenFlushed = (): void => {
      if (s.noShutdown && stdinEnded && inFlight === 0 && !writeDone) {
        writeDone = true;
        check();
      }
    };
    function endWriteSide(): void {
      stopStdin();
      stdinEnded = true;
      if (s.noShutdown) return writeDoneWhenFlushed();
      // shutdown(SHUT_WR) once every pending write is out: the peer sees EOF.
      socket.end(() => {
        if (writeFailure) return;
        writeDone = true;
        check();
      });
    }
    function stopStdin(): void {
      if (!stdin) return;
      stdin.removeListener("data", onStdin);
      stdin.removeListener("end", endWriteSide);
      stdin.pause();
    }
    const onStdin = (chunk: Buffer): void => {
      counts.read += chunk.length;
      inFlight++;
      const more = socket.write(chunk, (err) => {
        inFlight--;
        if (err) return;
        counts.sent += chunk.length;
        idle?.touch();
        writeDoneWhenFlushed();
      });
      if (!more && !writeFailure) {
        stdin!.pause();
        socket.once("drain", () => {
          if (!stdinEnded && !writeFailure) stdin!.resume();
        });
      }
    };
    if (stdin) {
      stdin.on("data", onStdin);
      stdin.once("end", endWriteSide);
      // An unreadable stdin counts as an empty one.
      stdin.once("error", endWriteSide);
    }
  });
  if (stdin) {
    stdin.pause();
    stdin.destroy();
    if (stdin !== process.stdin) process.stdin.destroy();
  }
  progress?.stop();
  summary(s, socket, started);
  socket.destroy();
  await flushed(process.stdout);
  if (outcome.kind === "stdout-closed") return STDOUT_CLOSED_STATUS;
  if (outcome.kind === "failed") throw outcome.err;
  return 0;
}

/** The size of standard input when it is a regular file (`< file`), else undefined. */
function stdinSize(): number | undefined {
  try {
    const st = fstatSync(0);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * --progress (pv-style): bytes each way, rate, elapsed, and the percentage and time left when
 * the size is known. On a terminal the line is redrawn in place (\r, clear to end of line);
 * otherwise (or with --json) one report per second, and a last one at the end.
 */
class Progress {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private readonly inPlace = process.stderr.isTTY === true && !outputMode().json;

  constructor(
    private readonly counts: Counts,
    private readonly size: number | undefined,
  ) {
    this.timer = setInterval(() => this.report(false), 1000);
    this.timer.unref();
  }

  private report(final: boolean): void {
    const event: SocklabEvent = {
      type: "progress",
      sent: this.counts.sent,
      received: this.counts.received,
      seconds: Math.round(performance.now() - this.started) / 1000,
      ...(this.size !== undefined ? { size: this.size } : {}),
      ...(final ? { final: true } : {}),
    };
    if (!this.inPlace) return emit(event);
    writeStderr(`\r${formatEvent(event, outputMode().lang)}\x1b[K${final ? "\n" : ""}`);
  }

  stop(): void {
    clearInterval(this.timer);
    this.report(true);
  }
}

/** Datagram addresses: one datagram per --send (or per stdin line), replies printed. */
async function datagramClient(s: ConnectSettings): Promise<number> {
  const client: DatagramClient = await openDatagramClient(s.where, { family: s.family, bind: s.bind });
  const sinks = new Map<string, TapSink>();
  const viewed = (direction: Direction, peer: string, data: Buffer): void => {
    if (!s.view && s.payload.length === 0) return;
    let sink = sinks.get(peer);
    if (!sink) {
      sink = allSinks(
        s.view ? byteViewSink(peer, s.view.options, s.view.write) : undefined,
        s.payload.length > 0 ? payloadEvents(peer, emit, { encodings: s.payload, datagram: true }) : undefined,
      )!;
      sinks.set(peer, sink);
    }
    sink.chunk(direction, data);
  };
  const show = (data: Buffer, from: string): void => {
    viewed("in", from, data);
    writeDatagram(data);
    emit({ type: "reply", peer: from, bytes: data.length });
  };
  /** The last datagram sent in stdin mode (sent again to the next address after a refusal). */
  let last: Buffer | undefined;
  const send = async (payload: Buffer): Promise<void> => {
    last = payload;
    viewed("out", client.target, payload);
    await client.send(payload);
  };
  const timeoutMs = s.timeoutMs ?? 5000;
  let exitCode = 0;
  try {
    if (s.payloads.length > 0) {
      for (const payload of s.payloads) {
        viewed("out", client.target, payload);
        const reply = await client.request(payload, {
          timeoutMs,
          attempts: s.attempts,
          onAttemptFailed: (record, total) => emit({ type: "attempt-failed", total, ...record, datagram: true, timeoutMs }),
        });
        show(reply.data, reply.from);
      }
    } else {
      // Each stdin line (with its \n, as nc sends it) is one datagram; replies are printed as they come.
      let receiving = true;
      let failed = false;
      const started = performance.now();
      const receiver = (async () => {
        while (receiving) {
          const got = await client.receive(100).catch(async (err: unknown) => {
            // A name with several addresses: one that refuses hands over to the next, which
            // gets the last datagram again (request mode does the same per request).
            const code = (err as { code?: unknown }).code;
            const where = client.target;
            if (code === "ECONNREFUSED" && client.failOver()) {
              emit({ type: "connect-attempt", address: where, state: "failed", ms: Math.round(performance.now() - started), code, message: describeError(err) });
              if (last) await send(last).catch(() => {});
              return null;
            }
            emit(errorEvent(err, { address: s.label }));
            failed = true;
            return null;
          });
          if (got) show(got.data, got.from);
        }
      })();
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of rl) await send(Buffer.from(`${line}${s.crlf ? "\r\n" : "\n"}`));
      await new Promise((r) => setTimeout(r, s.timeoutMs ?? 1000));
      receiving = false;
      await receiver;
      if (failed) exitCode = 1;
    }
  } finally {
    await client.close();
  }
  await flushed(process.stdout);
  return exitCode;
}

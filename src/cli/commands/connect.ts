/**
 * `socklab connect ADDRESS`: the client role, for stream and datagram addresses.
 * See docs/CLI.md for the exact contract.
 */
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { formatAddress, isStreamAddress, type Address } from "../../address.js";
import { describeError, SocklabError, UsageError, type AttemptRecord } from "../../errors.js";
import { errorEvent } from "../../events.js";
import { openStream } from "../../stream/connect.js";
import { halfClose, readChunk, readLines, readUntilClose, sendAll, type ReadOptions } from "../../stream/io.js";
import { traceReads, traceWrites } from "../../stream/trace.js";
import { withRetries } from "../../tcp/connect.js";
import { openDatagramClient, type DatagramClientBase as DatagramClient } from "../../datagram/client.js";
import "../../udp/request.js";
import { address, count, decodeEscapes, flag, list, parseCommand, seconds, str } from "../args.js";
import { emit, writeDatagram, flushed } from "../output.js";

export const connectOptions = {
  send: { type: "string", multiple: true },
  lines: { type: "boolean" },
  "half-close": { type: "boolean" },
  "until-close": { type: "boolean" },
  timeout: { type: "string" },
  retries: { type: "string" },
  backoff: { type: "string" },
  "4": { type: "boolean", short: "4" },
  "6": { type: "boolean", short: "6" },
  bind: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  trace: { type: "boolean" },
} as const;

interface ConnectSettings {
  where: Address;
  label: string;
  payloads: Buffer[];
  linesSent: number;
  halfClose: boolean;
  untilClose: boolean;
  timeoutMs: number | undefined;
  attempts: number;
  backoffMs: number;
  family: 0 | 4 | 6;
  verbose: boolean;
  trace: boolean;
  bind: string | undefined;
}

/** Failure codes that mean "reply started, then stopped": never retried (output was printed). */
const PARTIAL = "ERR_REPLY_INCOMPLETE";

export function reportAttempt(record: AttemptRecord, total: number): void {
  emit({ type: "attempt-failed", total, ...record });
}

export async function connect(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, connectOptions);
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  const where = address(addressText);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (texts go with --send)`);
  if (flag(values, "4") && flag(values, "6")) throw new UsageError("-4 and -6 exclude each other");
  const lines = flag(values, "lines");
  const payloads = list(values, "send").map((text) => {
    const data = decodeEscapes(text);
    return lines && data[data.length - 1] !== 0x0a ? Buffer.concat([data, Buffer.from("\n")]) : data;
  });
  const settings: ConnectSettings = {
    where,
    label: formatAddress(where),
    payloads,
    linesSent: lines ? payloads.length : 0,
    halfClose: flag(values, "half-close"),
    untilClose: flag(values, "until-close"),
    timeoutMs: seconds(values, "timeout"),
    attempts: count(values, "retries", 1, 1000) ?? 1,
    backoffMs: seconds(values, "backoff") ?? 500,
    family: flag(values, "4") ? 4 : flag(values, "6") ? 6 : 0,
    verbose: flag(values, "verbose"),
    trace: flag(values, "trace"),
    bind: str(values, "bind"),
  };
  if (settings.timeoutMs === 0) throw new UsageError("--timeout must be more than 0");
  if (!isStreamAddress(where)) return datagramClient(settings);
  if ((settings.halfClose || settings.untilClose) && payloads.length === 0) {
    throw new UsageError("--half-close and --until-close go with --send (without --send, stdin EOF half-closes)");
  }
  return payloads.length > 0 ? sendAndReceive(settings) : pipeStdio(settings);
}

/** Write to stdout with backpressure: pause the socket while stdout is full. */
function toStdout(socket: Socket): (chunk: Buffer) => void {
  return (chunk) => {
    if (!process.stdout.write(chunk)) {
      socket.pause();
      process.stdout.once("drain", () => socket.resume());
    }
  };
}

function instrument(socket: Socket, s: ConnectSettings, address: string): void {
  if (s.verbose || s.trace) emit({ type: "connected", address });
  if (s.trace) traceWrites(socket, address, emit);
}

function summary(s: ConnectSettings, socket: Socket, started: bigint): void {
  if (!s.verbose) return;
  const secondsTaken = Number(process.hrtime.bigint() - started) / 1e9;
  emit({ type: "summary", received: socket.bytesRead, sent: socket.bytesWritten, seconds: secondsTaken });
}

async function open(s: ConnectSettings, record: (address: string, err: unknown) => void): Promise<{ socket: Socket; address: string }> {
  return openStream(s.where, { family: s.family, timeoutMs: s.timeoutMs ?? 10_000 }, record);
}

/** --send: each attempt connects, sends, and waits for the reply; retried until a reply byte is printed. */
async function sendAndReceive(s: ConnectSettings): Promise<number> {
  const payload = Buffer.concat(s.payloads);
  const started = process.hrtime.bigint();
  const { value: socket } = await withRetries(
    s.label,
    { attempts: s.attempts, backoffMs: s.backoffMs, onAttemptFailed: reportAttempt },
    async (_attempt, record) => {
      const { socket, address } = await open(s, record);
      instrument(socket, s, address);
      let printed = 0;
      const write = toStdout(socket);
      const options: ReadOptions = {
        idleTimeoutMs: s.timeoutMs,
        onData: (chunk) => {
          printed += chunk.length;
          write(chunk);
        },
      };
      if (s.trace) traceReads(socket, address, emit);
      try {
        await sendAll(socket, payload);
        if (s.halfClose) await halfClose(socket);
        if (s.halfClose || s.untilClose) await readUntilClose(socket, options);
        else if (s.linesSent > 0) await readLines(socket, s.linesSent, options);
        else await readChunk(socket, options);
        return socket;
      } catch (err) {
        socket.destroy();
        record(address, err);
        if (printed > 0) {
          const code = (err as { code?: string }).code ?? "ERROR";
          throw new SocklabError(PARTIAL, `reply cut short: ${describeError(err)}`, {
            cause: err,
            address,
            messageKey: "reply-incomplete",
            params: { code, detail: describeError(err) },
          });
        }
        throw err;
      }
    },
  );
  summary(s, socket, started);
  socket.destroy();
  await flushed(process.stdout);
  return 0;
}

/** No --send: stdin to the socket (half-close at EOF), the socket to stdout, like nc -N. */
async function pipeStdio(s: ConnectSettings): Promise<number> {
  const { value } = await withRetries(
    s.label,
    { attempts: s.attempts, backoffMs: s.backoffMs, onAttemptFailed: reportAttempt },
    (_attempt, record) => open(s, record),
  );
  const { socket, address } = value;
  const started = process.hrtime.bigint();
  instrument(socket, s, address);
  const stdin = process.stdin;
  const failure = await new Promise<Error | null>((resolve) => {
    socket.on("data", toStdout(socket));
    if (s.trace) traceReads(socket, address, emit);
    let peerDone = false;
    socket.once("end", () => {
      peerDone = true;
      // An interactive user can't be expected to type EOF after the peer left.
      if (stdin.isTTY) socket.end();
    });
    // 'close' comes once both directions are finished (allowHalfOpen), or on reset.
    socket.once("close", () => resolve(null));
    // EPIPE: the peer closed while stdin was still flowing; it has said all it will say.
    socket.once("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "EPIPE" || (peerDone && err.code === "ECONNRESET") ? null : err),
    );
    // pipe() ends the socket when stdin ends: that is the half-close (shutdown SHUT_WR).
    stdin.pipe(socket);
    stdin.once("error", () => socket.end());
  });
  stdin.unpipe(socket);
  stdin.destroy();
  summary(s, socket, started);
  socket.destroy();
  await flushed(process.stdout);
  if (failure) throw Object.assign(failure, { address });
  return 0;
}

/** Datagram addresses: one datagram per --send (or per stdin line), replies printed. */
async function datagramClient(s: ConnectSettings): Promise<number> {
  const client: DatagramClient = await openDatagramClient(s.where, { family: s.family, bind: s.bind });
  const show = (data: Buffer, from: string): void => {
    writeDatagram(data);
    emit({ type: "reply", peer: from, bytes: data.length });
  };
  const timeoutMs = s.timeoutMs ?? 5000;
  let exitCode = 0;
  try {
    if (s.payloads.length > 0) {
      for (const payload of s.payloads) {
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
      const receiver = (async () => {
        while (receiving) {
          const got = await client.receive(100).catch((err: unknown) => {
            emit(errorEvent(err, { address: s.label }));
            failed = true;
            return null;
          });
          if (got) show(got.data, got.from);
        }
      })();
      const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of rl) await client.send(Buffer.from(`${line}\n`));
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

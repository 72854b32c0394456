/**
 * `socklab recv-fd ADDRESS` (B4 client): receive descriptors passed with SCM_RIGHTS and
 * print the file through the first one.
 *
 * Every received descriptor is closed exactly once, here, on the main thread, whatever
 * arrives: a regular file is read from offset 0 with pread (nothing else ever owns or
 * closes it: a file stream would close it a second time when destroyed); a socket, pipe,
 * directory or device is closed unread (reading one could block forever or never end).
 * One event (one line on stderr, or JSON) says what arrived and what was done with it.
 */
import { read } from "node:fs";
import { formatAddress } from "../../address.js";
import { SocklabError } from "../../errors.js";
import { descriptorKind, receiveDescriptors } from "../../unix/descriptors.js";
import { connectUnixStream } from "../../unix/stream.js";
import { address, flag, noExtra, parseCommand, seconds, usage } from "../args.js";
import { emit, isStdoutBroken } from "../output.js";

const MAX_DESCRIPTORS = 16;

/** Copy a regular file to stdout through `fd`, from offset 0, with backpressure; bytes copied. */
async function printThrough(fd: number): Promise<number> {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  let position = 0;
  for (;;) {
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, chunk, 0, chunk.length, position, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
    if (n === 0 || isStdoutBroken()) return position;
    position += n;
    // A copy: the chunk is reused for the next read while stdout may still hold this one.
    if (!process.stdout.write(Buffer.from(chunk.subarray(0, n)))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          process.stdout.off("drain", done);
          process.stdout.off("close", done);
          resolve();
        };
        process.stdout.once("drain", done);
        process.stdout.once("close", done);
      });
    }
  }
}

export const recvFdOptions = { timeout: { type: "string" }, verbose: { type: "boolean", short: "v" }, trace: { type: "boolean" } } as const;

export async function recvFdCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, recvFdOptions);
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  const where = address(addressText);
  noExtra(extra);
  if (where.kind !== "unix" && where.kind !== "abstract") throw usage("usage.recv-fd-needs-unix");
  const verbose = flag(values, "verbose");
  const label = formatAddress(where);
  const timeoutMs = seconds(values, "timeout") ?? 10_000;
  const target = "path" in where ? { path: where.path } : { abstract: where.name };
  // Paused from creation: bytes read by libuv would lose their descriptors.
  const started = process.hrtime.bigint();
  const socket = await connectUnixStream(target, { paused: true, timeoutMs });
  // As connect: with -v or --trace, in text and JSON alike (the lab's ladder, which draws the
  // connection from it, runs recv-fd with --trace, as it runs connect).
  if (verbose || flag(values, "trace")) emit({ type: "connected", address: label });
  try {
    const received = await receiveDescriptors(socket, { maxDescriptors: MAX_DESCRIPTORS, timeoutMs });
    try {
      const payload = received.payload.toString();
      const [fd, ...others] = received.fds;
      if (fd === undefined) {
        const end = received.end ? 1 : 0;
        throw new SocklabError("ERR_NO_DESCRIPTOR", `${label}: no descriptor arrived (${end ? "the server closed the connection without sending anything" : `only a payload ${JSON.stringify(payload)}`})`, {
          address: label,
          messageKey: "no-descriptor",
          params: { address: label, payload, end },
        });
      }
      const kind = descriptorKind(fd);
      const printedBytes = kind === "file" ? await printThrough(fd) : undefined;
      emit({
        type: "descriptors-received",
        address: label,
        count: received.fds.length,
        fds: [...received.fds],
        payload,
        truncated: received.truncated,
        kind,
        ...(printedBytes === undefined ? {} : { printedBytes }),
        othersClosed: others.length,
      });
      // -v: what came through the descriptor (printed) and over the socket, as connect -v says it.
      if (verbose) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        emit({ type: "summary", received: (printedBytes ?? 0) + received.payload.length, sent: 0, seconds });
      }
    } finally {
      received.close();
    }
  } finally {
    socket.destroy();
  }
  return 0;
}

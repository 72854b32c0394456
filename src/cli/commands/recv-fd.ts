/**
 * `socklab recv-fd ADDRESS` (B4 client): receive descriptors passed with SCM_RIGHTS and
 * print the file through the first one.
 *
 * Every received descriptor is closed exactly once, here, on the main thread, whatever
 * arrives: a regular file is read from offset 0 with pread (nothing else ever owns or
 * closes it: a file stream would close it a second time when destroyed); a socket, pipe,
 * directory or device is closed unread (reading one could block forever or never end).
 * One line on stderr says what arrived and what was done with it.
 */
import { read } from "node:fs";
import { formatAddress } from "../../address.js";
import { SocklabError, UsageError } from "../../errors.js";
import { descriptorKind, receiveDescriptors, type DescriptorKind } from "../../unix/descriptors.js";
import { connectUnixStream } from "../../unix/stream.js";
import { address, flag, parseCommand, seconds } from "../args.js";
import { diag, isStdoutBroken, printable } from "../output.js";

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

function article(kind: DescriptorKind): string {
  return /^[aeiou]/.test(kind) ? "an" : "a";
}

export async function recvFdCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, { timeout: { type: "string" } });
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  const where = address(addressText);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (where.kind !== "unix" && where.kind !== "abstract") throw new UsageError("recv-fd needs a Unix stream address (unix:PATH or abstract:NAME)");
  const label = formatAddress(where);
  const timeoutMs = seconds(values, "timeout") ?? 10_000;
  const target = "path" in where ? { path: where.path } : { abstract: where.name };
  // Paused from creation: bytes read by libuv would lose their descriptors.
  const socket = await connectUnixStream(target, { paused: true, timeoutMs });
  try {
    const received = await receiveDescriptors(socket, { maxDescriptors: MAX_DESCRIPTORS, timeoutMs });
    try {
      const payload = `payload "${printable(received.payload)}"`;
      const truncated = received.truncated ? `; the message was truncated (descriptors beyond ${MAX_DESCRIPTORS} were closed unread)` : "";
      const [fd, ...others] = received.fds;
      if (fd === undefined) {
        const what = received.end ? "the server closed the connection without sending anything" : `only a ${payload}`;
        throw new SocklabError("ERR_NO_DESCRIPTOR", `${label}: no descriptor arrived (${what})${truncated}`, { address: label });
      }
      const count = `received ${received.fds.length} descriptor${received.fds.length === 1 ? "" : "s"} with ${payload}`;
      const rest = others.length > 0 ? `; closed the other ${others.length} unread` : "";
      const kind = descriptorKind(fd);
      let action: string;
      if (kind === "regular file") {
        const bytes = await printThrough(fd);
        action = `printed ${bytes} byte${bytes === 1 ? "" : "s"} of the file through it, then closed it`;
      } else {
        action = `closed it unread (only a regular file is printed)`;
      }
      diag(`${count}: ${article(kind)} ${kind}; ${action}${rest}${truncated}`);
    } finally {
      received.close();
    }
  } finally {
    socket.destroy();
  }
  return 0;
}

/** `socklab recv-fd ADDRESS` (B4 client): receive a descriptor and print the file through it. */
import { closeSync, createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { formatAddress } from "../../address.js";
import { SocklabError, UsageError } from "../../errors.js";
import { receiveDescriptors, closeDescriptors } from "../../unix/descriptors.js";
import { connectUnixStream } from "../../unix/stream.js";
import { address, flag, parseCommand, seconds } from "../args.js";
import { diag } from "../output.js";

export const recvFdOptions = { timeout: { type: "string" } } as const;

export async function recvFdCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, recvFdOptions);
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
    const received = await receiveDescriptors(socket, { maxDescriptors: 16, timeoutMs });
    const [fd, ...others] = received.fds;
    closeDescriptors(others);
    if (fd === undefined) {
      throw new SocklabError("ERR_NO_DESCRIPTOR", `${label}: no descriptor arrived (payload ${JSON.stringify(received.payload.toString())})`);
    }
    diag(`received ${received.fds.length} descriptor${received.fds.length === 1 ? "" : "s"} with payload ${JSON.stringify(received.payload.toString())}`);
    if (received.truncated) diag("warning: the message was truncated (extra descriptors were closed)");
    try {
      // Read from offset 0, like the guide's lseek(fd, 0) + read; stream it, whatever its size.
      await pipeline(createReadStream("", { fd, start: 0, autoClose: false }), process.stdout, { end: false });
    } finally {
      closeSync(fd);
    }
  } finally {
    socket.destroy();
  }
  return 0;
}

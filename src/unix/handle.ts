/**
 * The descriptor behind a net.Socket / net.Server (Node keeps it on the libuv handle).
 */
import type { Server, Socket } from "node:net";
import { SocklabError } from "../errors.js";

interface HandleWithFd {
  fd?: unknown;
  reading?: boolean;
  readStop?: () => number;
}

/** The libuv handle of a socket; internal to Node, so reached through a narrow type. */
export function socketHandle(socket: Socket | Server): HandleWithFd | undefined {
  const handle = (socket as unknown as { _handle?: HandleWithFd | null })._handle;
  return handle ?? undefined;
}

/** The open descriptor of a connected (or listening) Unix socket, or EBADF. */
export function socketDescriptor(socket: Socket | Server, what = "the socket"): number {
  const fd = socketHandle(socket)?.fd;
  if (typeof fd !== "number" || fd < 0) {
    throw new SocklabError("EBADF", `${what} has no open descriptor (not connected, or already closed)`, {
      errno: -9,
    });
  }
  return fd;
}

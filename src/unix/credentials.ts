/**
 * SO_PEERCRED: who is on the other end of a connected Unix stream socket, as the kernel
 * recorded it at connect() time (not something the peer can claim).
 */
import type { Socket } from "node:net";
import { errnoError } from "../errors.js";
import { socketDescriptor } from "./handle.js";
import { nativeBinding } from "./native.js";

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** The peer's pid, uid and gid. Works on sockets accepted by net.Server or connected by net. */
export function peerCredentials(socket: Socket | number): PeerCredentials {
  const native = nativeBinding("SO_PEERCRED");
  const fd = typeof socket === "number" ? socket : socketDescriptor(socket);
  const out = new Int32Array(3);
  const r = native.peercred(fd, out);
  if (r < 0) throw errnoError(r, "getsockopt(SO_PEERCRED)");
  // uid/gid are unsigned in the kernel.
  return { pid: out[0]!, uid: out[1]! >>> 0, gid: out[2]! >>> 0 };
}

/** The Unix-only stream services: peer credentials (B3) and descriptor passing (B4). */
import { open } from "node:fs/promises";
import type { StreamHandler } from "../stream/server.js";
import { peerCredentials } from "../unix/credentials.js";
import { sendDescriptors } from "../unix/descriptors.js";

/** B3: reply with the peer's uid and pid as the kernel reports them. */
export function peercredService(): StreamHandler {
  return (socket, context) => {
    const { pid, uid, gid } = peerCredentials(socket);
    context.emit({ type: "peer-credentials", peer: context.peer, pid, uid, gid });
    // Close once the reply is handed to the kernel, as the guide does (no wait for the peer's FIN).
    socket.end(`Hola UID=${uid} PID=${pid}\n`, () => socket.destroy());
  };
}

/** B4: send the payload `FD` with a descriptor of `file` (opened once, shared by every client). */
export async function fdService(file: string): Promise<StreamHandler> {
  const handle = await open(file, "r");
  return async (socket, context) => {
    const sent = await sendDescriptors(socket, Buffer.from("FD"), [handle.fd]);
    context.emit({ type: "descriptor-sent", peer: context.peer, file, fd: sent.fds[0] as number });
    socket.end(() => socket.destroy());
  };
}

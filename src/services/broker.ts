/**
 * `serve broker` (ncat --broker): raw bytes from each client go to every other client,
 * unchanged, with no framing. A slow reader is dropped rather than allowed to hold up the
 * rest (see fanout.ts). A client that half-closes leaves the room; its connection is then
 * closed from our side too.
 */
import { Room, DEFAULT_MAX_BUFFERED } from "./fanout.js";
import type { StreamHandler } from "./types.js";

export interface BrokerOptions {
  /** Bytes held for one client that does not read before it is dropped (default 1 MiB). */
  maxBuffered?: number;
}

/** A broker: one room shared by every connection this handler serves. */
export function brokerService(options: BrokerOptions = {}): StreamHandler {
  const room = new Room(options.maxBuffered ?? DEFAULT_MAX_BUFFERED);
  return (socket, context) => {
    const member = room.join(socket, context);
    socket.on("data", (chunk: Buffer) => room.send(chunk, member, context));
    socket.on("end", () => {
      room.leave(member);
      socket.end();
    });
  };
}

/**
 * The room under `chat` and `broker`: every member's bytes go to all the others.
 *
 * A member that does not read must not hold up the rest, and must not make us buffer without
 * limit: each member has a bounded output buffer (`maxBuffered`, bytes Node holds for it
 * beyond what the kernel took). A write that would pass it drops that member, with a
 * `client-dropped` event that says why. The sender is never paused for a slow reader: its
 * bytes are handed to every other member at once, so one stuck client costs the room at
 * most `maxBuffered` bytes, and then it is gone. Keep `maxBuffered` well above one read
 * (64 KiB, plus chat prefixes): one read is handed out at once, so a limit below that would
 * drop clients that do read.
 */
import type { Socket } from "node:net";
import type { ConnectionContext } from "../stream/server.js";

export const DEFAULT_MAX_BUFFERED = 1024 * 1024;

export interface Member {
  readonly socket: Socket;
  readonly peer: string;
  /** A short name for chat (`user1`, `user2`…), given in the order clients join. */
  readonly name: string;
}

export class Room {
  private readonly members = new Set<Member>();
  private joined = 0;

  constructor(readonly maxBuffered: number = DEFAULT_MAX_BUFFERED) {}

  get size(): number {
    return this.members.size;
  }

  /** Names of everyone in the room but `except`. */
  names(except?: Member): string[] {
    return [...this.members].filter((m) => m !== except).map((m) => m.name);
  }

  join(socket: Socket, context: ConnectionContext): Member {
    const member: Member = { socket, peer: context.peer, name: `user${++this.joined}` };
    this.members.add(member);
    socket.once("close", () => this.members.delete(member));
    return member;
  }

  leave(member: Member): void {
    this.members.delete(member);
  }

  /** Give `data` to every member but `from` (undefined: to all); drop those that cannot take it. */
  send(data: Buffer, from: Member | undefined, context: ConnectionContext): void {
    if (data.length === 0) return;
    for (const member of [...this.members]) {
      if (member === from) continue;
      const socket = member.socket;
      if (socket.destroyed || socket.writableEnded) continue;
      const buffered = socket.writableLength;
      if (buffered + data.length > this.maxBuffered) {
        this.members.delete(member);
        context.emit({ type: "client-dropped", peer: member.peer, reason: "slow-reader", buffered, limit: this.maxBuffered });
        socket.destroy();
        continue;
      }
      socket.write(data);
    }
  }
}

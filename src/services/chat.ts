/**
 * `serve chat` (ncat --chat): each line a client sends goes to every other client, prefixed
 * with the sender's name: `<user1> hola\n`. Names are given in the order clients join.
 * Joins and leaves are announced to the others (`<announce> user2 joined`), and a new client
 * is told its name and who is there, as ncat does. Lines end in `\n` (one trailing `\r` is
 * dropped, as in the line services); a last line without `\n` before EOF is sent too.
 *
 * Slow readers are dropped, never waited for (see fanout.ts). A line longer than
 * `maxLineLength` ends the sender's connection (`line-too-long`), so a client that never
 * sends `\n` cannot make us buffer without limit.
 */
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, LineTooLongError } from "../framing/line-splitter.js";
import { DEFAULT_MAX_BUFFERED, Room, type Member } from "./fanout.js";
import type { StreamHandler } from "./types.js";

export interface ChatOptions {
  /** Bytes held for one client that does not read before it is dropped (default 1 MiB). */
  maxBuffered?: number;
  /** Longest line accepted (default 64 KiB). */
  maxLineLength?: number;
}

function announce(text: string): Buffer {
  return Buffer.from(`<announce> ${text}\n`);
}

/** The bytes the others receive for one line of `member`. */
export function chatLine(member: Pick<Member, "name">, line: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<${member.name}> `), line, Buffer.from("\n")]);
}

/** A chat: one room shared by every connection this handler serves. */
export function chatService(options: ChatOptions = {}): StreamHandler {
  const room = new Room(options.maxBuffered ?? DEFAULT_MAX_BUFFERED);
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  return (socket, context) => {
    const member = room.join(socket, context);
    const here = room.names(member);
    socket.write(announce(`you are ${member.name}; ${here.length === 0 ? "nobody else is here" : `here: ${here.join(", ")}`}`));
    room.send(announce(`${member.name} joined`), member, context);
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      room.leave(member);
      room.send(announce(`${member.name} left`), member, context);
    };
    socket.once("close", leave);

    const splitter = new LineSplitter(maxLineLength);
    const relay = (lines: Buffer[]): void => {
      if (lines.length === 0) return;
      // One write per read for everyone, not one per line.
      room.send(lines.length === 1 ? chatLine(member, lines[0]!) : Buffer.concat(lines.map((l) => chatLine(member, l))), member, context);
    };
    const tooLong = (err: LineTooLongError): void => {
      relay(err.before);
      context.emit({ type: "line-too-long", peer: context.peer, limit: maxLineLength });
      leave();
      socket.destroy();
    };
    socket.on("data", (chunk: Buffer) => {
      if (left) return;
      try {
        relay(splitter.push(chunk));
      } catch (err) {
        if (err instanceof LineTooLongError) tooLong(err);
        else socket.destroy(err as Error);
      }
    });
    socket.on("end", () => {
      try {
        const last = splitter.end();
        if (last && !left) relay([last]);
      } catch (err) {
        if (err instanceof LineTooLongError) return tooLong(err);
      }
      leave();
      socket.end();
    });
  };
}

/**
 * The machinery under every line-based service: frame lines, answer them, and write the
 * replies produced by one read as ONE write (a write per line is ~20× slower when the peer
 * pipelines). Backpressure: while a write is pending past the high-water mark, reading stops.
 * An over-long line gets an error reply and the connection is closed; nothing grows unbounded.
 */
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, LineTooLongError } from "../framing/line-splitter.js";
import type { StreamHandler } from "./types.js";

export const LINE_TOO_LONG_REPLY = Buffer.from("ERR línea demasiado larga\n");

export interface LineServiceOptions {
  maxLineLength?: number;
  tooLongReply?: Buffer;
}

/** Builds a stream handler that answers each line with `respond(line)` (line without `\n`). */
export function lineService(respond: (line: Buffer) => Buffer, options: LineServiceOptions = {}): StreamHandler {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const tooLongReply = options.tooLongReply ?? LINE_TOO_LONG_REPLY;
  return (socket, context) => {
    const splitter = new LineSplitter(maxLineLength);
    let broken = false;

    const answer = (lines: Buffer[]): void => {
      if (lines.length === 0) return;
      const out = lines.length === 1 ? respond(lines[0]!) : Buffer.concat(lines.map(respond));
      if (!socket.write(out)) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    };

    const refuse = (err: LineTooLongError): void => {
      broken = true;
      answer(err.before);
      context.emit({ type: "line-too-long", peer: context.peer, limit: maxLineLength });
      // Drain and drop what the peer still sends, so our error reply is not lost to a reset.
      socket.end(tooLongReply);
      setTimeout(() => socket.destroy(), 2000).unref();
    };

    socket.on("data", (chunk: Buffer) => {
      if (broken) return;
      try {
        answer(splitter.push(chunk));
      } catch (err) {
        if (err instanceof LineTooLongError) refuse(err);
        else socket.destroy(err as Error);
      }
    });

    socket.on("end", () => {
      if (broken) return;
      try {
        const last = splitter.end();
        if (last) answer([last]);
        socket.end();
      } catch (err) {
        if (err instanceof LineTooLongError) refuse(err);
        else socket.destroy(err as Error);
      }
    });
  };
}

/**
 * The machinery under every line-based service: frame lines, answer them, and write the
 * replies produced by one read as ONE write (a write per line is ~20× slower when the peer
 * pipelines). Backpressure: while a write is pending past the high-water mark, reading stops.
 * An over-long line gets an error reply and the connection is closed; nothing grows unbounded.
 */
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, LineTooLongError, type TextReply } from "../framing/line-splitter.js";
import { servesLinesNatively, type LineRules, type NativeLineService } from "../stream/native-echo.js";
import type { StreamHandler } from "./types.js";

export type { LineRules, TextReply };

export const LINE_TOO_LONG_REPLY = Buffer.from("ERR línea demasiado larga\n");

export interface LineServiceOptions {
  maxLineLength?: number;
  tooLongReply?: Buffer;
}

/**
 * The reply to one line (without `\n`). With `text`, a service's fast path: the same reply
 * computed on latin1 text (one character per byte), so a read's lines are answered without
 * a Buffer per line and written as one string; `text` must answer exactly as the function.
 * With `rules`, the same protocol as data: where nothing needs JavaScript per connection the
 * stream server has the native engine answer by them (they must answer exactly as the
 * function; test/native-lines.test.ts holds both to it).
 */
export type LineResponder = ((line: Buffer) => Buffer) & { text?: TextReply; rules?: LineRules };

/** Builds a stream handler that answers each line with `respond(line)` (line without `\n`). */
export function lineService(respond: LineResponder, options: LineServiceOptions = {}): StreamHandler {
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const tooLongReply = options.tooLongReply ?? LINE_TOO_LONG_REPLY;
  const text = respond.text;
  const handler: StreamHandler = (socket, context) => {
    const splitter = new LineSplitter(maxLineLength);
    let broken = false;

    const send = (out: Buffer | string): void => {
      if (!socket.write(out, "latin1")) {
        socket.pause();
        socket.once("drain", () => socket.resume());
      }
    };

    const answer = (lines: Buffer[]): void => {
      if (lines.length === 0) return;
      send(lines.length === 1 ? respond(lines[0]!) : Buffer.concat(lines.map(respond)));
    };

    const refuse = (err: LineTooLongError): void => {
      broken = true;
      answer(err.before);
      if (err.replies.length > 0) send(err.replies);
      context.emit({ type: "line-too-long", peer: context.peer, limit: maxLineLength });
      // Drain and drop what the peer still sends, so our error reply is not lost to a reset.
      socket.end(tooLongReply);
      setTimeout(() => socket.destroy(), 2000).unref();
    };

    socket.on("data", (chunk: Buffer) => {
      if (broken) return;
      try {
        if (text === undefined) {
          answer(splitter.push(chunk));
        } else {
          const out = splitter.respond(chunk, text);
          if (out !== "") send(out);
        }
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
  if (respond.rules === undefined) return handler;
  // What this handler does, the engine does from these (src/stream/native-echo.ts).
  const native: NativeLineService = { rules: respond.rules, maxLineLength, tooLongReply };
  return Object.assign(handler, { [servesLinesNatively]: native });
}

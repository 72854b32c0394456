/** Exercises 10, 12, 13, 2.3, 2.4: echo bytes back unchanged. */
import type { Socket } from "node:net";
import { echoesNatively } from "../stream/native-echo.js";
import type { DatagramBatch, DatagramResponder, StreamHandler } from "./types.js";

/**
 * Stream echo: every chunk read is written back. Backpressure as pipe() has it: while a
 * write is pending past the high-water mark, reading pauses until 'drain' (a peer that
 * does not read cannot make us buffer); when the peer half-closes, our side ends after
 * the last echo. Two listeners per connection instead of pipe()'s seven or so, which
 * showed in the cost of a short connection. Plain pause()/resume(), not a read hold: while
 * the -x dump holds the socket (standard error full, src/read-holds.ts), these calls only
 * record what echo wants, so the peer catching up cannot restart a held socket, and the
 * hot path stays free of the hold's bookkeeping (a hold per full write cost 13% more CPU
 * per MiB over TLS, where every 64 KiB write fills the buffer).
 */
export const streamEcho: StreamHandler = Object.assign(
  (socket: Socket): void => {
    socket.on("data", (chunk: Buffer) => {
      if (!socket.write(chunk)) {
        socket.pause();
        socket.once("drain", resumeOnDrain);
      }
    });
    socket.once("end", endOnEnd);
  },
  // What this does, the native engine does in C (src/stream/native-echo.ts): the stream
  // server uses it when nothing else needs JavaScript per connection.
  { [echoesNatively]: true as const },
);

function resumeOnDrain(this: Socket): void {
  this.resume();
}

function endOnEnd(this: Socket): void {
  this.end();
}

/** Datagram echo: every datagram back to its sender, unchanged. */
export const datagramEcho: DatagramResponder = Object.assign((data: Buffer): Buffer => data, {
  // Batch fast path: the replies are the received slots themselves (no copy, no call per datagram).
  batch: (batch: DatagramBatch): void => batch.echoAll(),
});

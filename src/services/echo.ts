/** Exercises 10, 12, 13, 2.3, 2.4: echo bytes back unchanged. */
import type { Socket } from "node:net";
import { holdReading, releaseReading } from "../read-holds.js";
import { echoesNatively } from "../stream/native-echo.js";
import type { DatagramBatch, DatagramResponder, StreamHandler } from "./types.js";

/**
 * Stream echo: every chunk read is written back. Backpressure as pipe() has it: while a
 * write is pending past the high-water mark, reading pauses until 'drain' (a peer that
 * does not read cannot make us buffer); when the peer half-closes, our side ends after
 * the last echo. Two listeners per connection instead of pipe()'s seven or so, which
 * showed in the cost of a short connection. The pause is a read hold (src/read-holds.ts):
 * a socket also held for its -x dump (standard error full) stays paused when the peer
 * catches up.
 */
export const streamEcho: StreamHandler = Object.assign(
  (socket: Socket): void => {
    socket.on("data", (chunk: Buffer) => {
      if (!socket.write(chunk)) {
        holdReading(socket, "echo");
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
  releaseReading(this, "echo");
}

function endOnEnd(this: Socket): void {
  this.end();
}

/** Datagram echo: every datagram back to its sender, unchanged. */
export const datagramEcho: DatagramResponder = Object.assign((data: Buffer): Buffer => data, {
  // Batch fast path: the replies are the received slots themselves (no copy, no call per datagram).
  batch: (batch: DatagramBatch): void => batch.echoAll(),
});

/** Exercises 10, 12, 13, 2.3, 2.4: echo bytes back unchanged. */
import type { DatagramBatch, DatagramResponder, StreamHandler } from "./types.js";

/**
 * Stream echo: pipe the socket into itself. pipe() pauses reading while a write is pending
 * past the high-water mark (a peer that does not read cannot make us buffer), and when the
 * peer half-closes it flushes and closes our side too.
 */
export const streamEcho: StreamHandler = (socket) => {
  socket.pipe(socket);
};

/** Datagram echo: every datagram back to its sender, unchanged. */
export const datagramEcho: DatagramResponder = Object.assign((data: Buffer): Buffer => data, {
  // Batch fast path: the replies are the received slots themselves (no copy, no call per datagram).
  batch: (batch: DatagramBatch): void => batch.echoAll(),
});

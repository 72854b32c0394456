/**
 * `--trace`: report each socket-level step of a stream (send/recv sizes, shutdown, EOF).
 * Attach traceReads only after the real consumer has attached its own 'data' listener,
 * so no byte is emitted before it listens.
 */
import type { Socket } from "node:net";
import type { EventSink } from "../events.js";

export function traceWrites(socket: Socket, peer: string, emit: EventSink): void {
  const write = socket.write;
  socket.write = function tracedWrite(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
    // A string is counted in its encoding (the line services write latin1 strings).
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk, typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : "utf8") : (chunk as Uint8Array).length;
    if (size > 0) emit({ type: "sent", peer, bytes: size });
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Socket["write"];
  // end(data) writes without going through socket.write.
  const end = socket.end;
  socket.end = function tracedEnd(this: Socket, ...args: unknown[]): Socket {
    const [chunk] = args;
    if (typeof chunk === "string" || chunk instanceof Uint8Array) {
      const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      if (size > 0) emit({ type: "sent", peer, bytes: size });
    }
    return (end as (...a: unknown[]) => Socket).apply(this, args);
  } as Socket["end"];
  socket.once("finish", () => emit({ type: "half-closed", peer }));
}

export function traceReads(socket: Socket, peer: string, emit: EventSink): void {
  socket.prependListener("data", (chunk: Buffer) => emit({ type: "received", peer, bytes: chunk.length }));
  socket.prependOnceListener("end", () => emit({ type: "eof", peer }));
}

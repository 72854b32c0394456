/**
 * `--trace`: log each socket-level step of a stream (send/recv sizes, shutdown, EOF).
 * Attach traceReads only after the real consumer has attached its own 'data' listener,
 * so no byte is emitted before it listens.
 */
import type { Socket } from "node:net";

export function traceWrites(socket: Socket, peer: string, trace: (line: string) => void): void {
  const write = socket.write;
  socket.write = function tracedWrite(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : (chunk as Uint8Array).length;
    if (size > 0) trace(`send ${peer} ${size} bytes`);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Socket["write"];
  // end(data) writes without going through socket.write.
  const end = socket.end;
  socket.end = function tracedEnd(this: Socket, ...args: unknown[]): Socket {
    const [chunk] = args;
    if (typeof chunk === "string" || chunk instanceof Uint8Array) {
      const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      if (size > 0) trace(`send ${peer} ${size} bytes`);
    }
    return (end as (...a: unknown[]) => Socket).apply(this, args);
  } as Socket["end"];
  socket.once("finish", () => trace(`shutdown ${peer} (write side closed, FIN sent)`));
}

export function traceReads(socket: Socket, peer: string, trace: (line: string) => void): void {
  socket.prependListener("data", (chunk: Buffer) => trace(`recv ${peer} ${chunk.length} bytes`));
  socket.prependOnceListener("end", () => trace(`recv ${peer} EOF (peer closed its write side)`));
}

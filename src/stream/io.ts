/**
 * Promise helpers over a connected stream socket (TCP or Unix): send, half-close,
 * read until EOF, read exactly N bytes, read N lines. Each takes an AbortSignal and an
 * optional timeout, and always removes its listeners.
 */
import type { Socket } from "node:net";
import { abortError } from "../abort.js";
import { SocklabError, TimeoutError } from "../errors.js";

export interface ReadOptions {
  signal?: AbortSignal;
  /** Give up if nothing arrives for this long (ms). */
  idleTimeoutMs?: number;
  /** Called for every chunk as it arrives (e.g. to stream it to stdout). */
  onData?: (chunk: Buffer) => void;
}

/** Write `data` and resolve once it is handed to the kernel. */
export function sendAll(socket: Socket, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.errored) return reject(socket.errored);
    // The callback reports a failed write; the listener keeps the 'error' event from going unhandled.
    const onError = (): void => {};
    socket.on("error", onError);
    socket.write(data, (err) => {
      socket.removeListener("error", onError);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Shut down the write side (FIN) after pending writes; the read side stays open. */
export function halfClose(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.writableFinished) return resolve();
    const onError = (err: Error): void => reject(err);
    socket.once("error", onError);
    socket.end(() => {
      socket.removeListener("error", onError);
      resolve();
    });
  });
}

type Verdict = { done: true; keep: number } | { done: false };

/**
 * The shared read loop: feed chunks to `decide` until it says done (keeping `keep` bytes of
 * the last chunk, the rest goes back with unshift) or the peer closes.
 */
function readUntil(
  socket: Socket,
  options: ReadOptions,
  decide: (chunk: Buffer) => Verdict,
): Promise<{ data: Buffer; eof: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let timer: NodeJS.Timeout | undefined;
    const { signal, idleTimeoutMs, onData } = options;
    if (signal?.aborted) return reject(abortError(signal));
    // An error that arrived while nobody was reading, or EOF seen by an earlier read.
    if (socket.errored) return reject(socket.errored);
    if (socket.readableEnded || socket.destroyed) return resolve({ data: Buffer.alloc(0), eof: true });
    const cleanup = (): void => {
      if (timer) clearTimeout(timer);
      socket.removeListener("data", onChunk);
      socket.removeListener("end", onEnd);
      socket.removeListener("error", onError);
      socket.removeListener("close", onClose);
      signal?.removeEventListener("abort", onAbort);
    };
    const done = (eof: boolean): void => {
      cleanup();
      socket.pause();
      resolve({ data: Buffer.concat(chunks, length), eof });
    };
    const fail = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const arm = (): void => {
      if (idleTimeoutMs === undefined) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        // Paused by our own consumer (e.g. a slow stdout): that is not the peer being idle.
        if (socket.isPaused()) return arm();
        fail(new TimeoutError(`no data for ${idleTimeoutMs / 1000}s`));
      }, idleTimeoutMs);
    };
    const onChunk = (chunk: Buffer): void => {
      const verdict = decide(chunk);
      const used = verdict.done ? chunk.subarray(0, verdict.keep) : chunk;
      if (used.length > 0) {
        onData?.(used);
        if (!onData) chunks.push(used);
        length += onData ? 0 : used.length;
      }
      if (verdict.done) {
        done(false);
        // After our listener is gone and the socket paused, or unshift would re-emit to us.
        if (verdict.keep < chunk.length) socket.unshift(chunk.subarray(verdict.keep));
      } else {
        arm();
      }
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => done(true);
    const onError = (err: Error): void => fail(err);
    const onAbort = (): void => fail(abortError(signal!));
    socket.on("data", onChunk);
    socket.once("end", onEnd);
    socket.once("close", onClose);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    arm();
    socket.resume();
  });
}

/** Read until the peer closes (EOF). With `onData`, chunks are streamed and not kept. */
export async function readUntilClose(socket: Socket, options: ReadOptions = {}): Promise<Buffer> {
  return (await readUntil(socket, options, () => ({ done: false }))).data;
}

/**
 * The guide's recv_all: read until EOF or until exactly `nbytes` bytes (extra bytes stay
 * in the socket for the next read). Resolves with fewer bytes only if the peer closed first.
 */
export async function recvAll(socket: Socket, nbytes?: number, options: ReadOptions = {}): Promise<Buffer> {
  if (nbytes === undefined) return readUntilClose(socket, options);
  if (!Number.isInteger(nbytes) || nbytes < 0) throw new RangeError(`nbytes must be a non-negative integer, got ${nbytes}`);
  if (nbytes === 0) return Buffer.alloc(0);
  let remaining = nbytes;
  const result = await readUntil(socket, options, (chunk) => {
    if (chunk.length >= remaining) return { done: true, keep: remaining };
    remaining -= chunk.length;
    return { done: false };
  });
  return result.data;
}

/** Read exactly `nbytes`; a peer that closes early is an error (ERR_SHORT_READ). */
export async function readExactly(socket: Socket, nbytes: number, options: ReadOptions = {}): Promise<Buffer> {
  const data = await recvAll(socket, nbytes, options);
  if (data.length < nbytes) {
    throw new SocklabError("ERR_SHORT_READ", `peer closed after ${data.length} of ${nbytes} bytes`);
  }
  return data;
}

/** Read until `count` `\n` bytes have arrived (or EOF); returns the bytes, lines included. */
export async function readLines(socket: Socket, count: number, options: ReadOptions = {}): Promise<{ data: Buffer; eof: boolean }> {
  let seen = 0;
  if (count <= 0) return { data: Buffer.alloc(0), eof: false };
  return readUntil(socket, options, (chunk) => {
    let at = chunk.indexOf(0x0a);
    while (at !== -1) {
      if (++seen === count) return { done: true, keep: at + 1 };
      at = chunk.indexOf(0x0a, at + 1);
    }
    return { done: false };
  });
}

/** Read the first chunk that arrives (the guide's single `recv`), or empty at EOF. */
export async function readChunk(socket: Socket, options: ReadOptions = {}): Promise<{ data: Buffer; eof: boolean }> {
  return readUntil(socket, options, (chunk) => ({ done: true, keep: chunk.length }));
}

/**
 * Keep the read side of `socket` alive after a failed write.
 *
 * Node destroys a socket as soon as a write fails (EPIPE, ECONNRESET), and with it whatever
 * the peer sent before closing that is still waiting in our receive buffer: a server that
 * replies and closes before our request arrives (`serve greet`, `serve peercred` on a Unix
 * socket) would see its reply thrown away. After this call a write error only ends the
 * write side: `onWriteError` is told once, reading goes on, and the socket is destroyed
 * when the read side is over (EOF or a read error). Returns the write error seen, if any.
 */
export function keepReadingAfterWriteError(socket: Socket, onWriteError: (err: Error) => void = () => {}): () => Error | undefined {
  let writeError: Error | undefined;
  const destroy = socket.destroy;
  const readSideOpen = (): boolean => !socket.readableEnded && !socket.destroyed;
  socket.destroy = function deferringDestroy(this: Socket, err?: Error): Socket {
    const syscall = (err as NodeJS.ErrnoException | undefined)?.syscall;
    // A failed write, or any later error of the already failed write side (not of the read side).
    const fromWrite = err !== undefined && syscall !== "read" && (syscall === "write" || writeError !== undefined);
    if (!fromWrite) return destroy.call(this, err);
    const first = writeError === undefined;
    if (first) writeError = err;
    if (!readSideOpen()) {
      destroy.call(this, err);
    } else if (first) {
      // The failed write marked the readable side errored too, which would drop what is
      // still buffered: the read side is fine, so clear that mark (Node 20 stream state).
      const readable = (socket as unknown as { _readableState?: { errored: unknown } })._readableState;
      if (readable && readable.errored === err) readable.errored = null;
      socket.once("end", () => destroy.call(socket));
    }
    if (first) onWriteError(err);
    return socket;
  } as Socket["destroy"];
  return () => writeError;
}

/**
 * SCM_RIGHTS: lend open descriptors to the process at the other end of a Unix stream
 * socket, with a payload (guide exercise B4).
 *
 * libuv also reads and writes a net.Socket, so both directions keep out of its way:
 * sending waits until Node's write queue is empty; receiving stops libuv's reading first
 * and polls a dup() of the descriptor (libuv allows one watcher per descriptor number;
 * both numbers share one open socket, so readiness is the same).
 */
import { closeSync, fstatSync, read } from "node:fs";
import type { Socket } from "node:net";
import { constants as osConstants } from "node:os";
import { abortError, throwIfAborted } from "../abort.js";
import { startDeadline, type Deadline } from "../deadline.js";
import { errnoError, SocklabError, TimeoutError } from "../errors.js";
import { socketDescriptor, socketHandle } from "./handle.js";
import { nativeBinding, type NativeBinding } from "./native.js";
import { Poller } from "./poller.js";

const { EAGAIN } = osConstants.errno;

/** The kernel's limit of descriptors per message (SCM_MAX_FD). */
export const MAX_DESCRIPTORS = 253;

export interface DescriptorOptions {
  signal?: AbortSignal;
  /** Give up after this long. Default: no limit. */
  timeoutMs?: number;
}

export interface ReceiveDescriptorsOptions extends DescriptorOptions {
  /** Most descriptors accepted from one message; extra ones are closed. Default 16. */
  maxDescriptors?: number;
  /** Largest payload read with them. Default 4096. */
  maxPayload?: number;
}

export interface ReceivedDescriptors {
  payload: Buffer;
  /**
   * Descriptors now open in this process (close-on-exec), owned by the caller: close each
   * exactly once, with close() below (or closeDescriptors) — never also through a stream
   * or FileHandle that closes its descriptor itself.
   */
  fds: number[];
  /** Some descriptors (MSG_CTRUNC, or beyond maxDescriptors) or payload bytes were dropped. */
  truncated: boolean;
  /** The peer closed the connection without sending anything. */
  end: boolean;
  /** Close every descriptor in `fds` that this method has not closed yet. Idempotent. */
  close(): void;
}

/** What sendDescriptors() handed to the kernel. */
export interface SentDescriptors {
  /** The descriptor numbers, in this process, that went in the SCM_RIGHTS message, in order. */
  fds: number[];
  /** Payload bytes written (all of it: a short sendmsg() is completed with ordinary writes). */
  bytes: number;
}

/** What a descriptor refers to, as fstat(2) reports it (stable identifiers, for events too). */
export type DescriptorKind = "file" | "directory" | "socket" | "pipe" | "char-device" | "block-device" | "symlink" | "unknown";

/** The kind of an open descriptor (fstat; never reads from it or blocks). */
export function descriptorKind(fd: number): DescriptorKind {
  const stat = fstatSync(fd);
  if (stat.isFile()) return "file";
  if (stat.isDirectory()) return "directory";
  if (stat.isSocket()) return "socket";
  if (stat.isFIFO()) return "pipe";
  if (stat.isCharacterDevice()) return "char-device";
  if (stat.isBlockDevice()) return "block-device";
  if (stat.isSymbolicLink()) return "symlink";
  return "unknown";
}

/** Run `attempt` until it stops answering EAGAIN, waiting for readiness on a dup of `fd`. */
async function withReadiness<T>(
  native: NativeBinding,
  fd: number,
  direction: "readable" | "writable",
  options: DescriptorOptions,
  attempt: (fd: number) => T | typeof EAGAIN_RESULT,
): Promise<T> {
  throwIfAborted(options.signal);
  const first = attempt(fd);
  if (first !== EAGAIN_RESULT) return first;
  const dup = native.dup(fd);
  if (dup < 0) throw errnoError(dup, "dup");
  return new Promise<T>((resolve, reject) => {
    let deadline: Deadline | undefined;
    const finish = (err: Error | undefined, value?: T): void => {
      deadline?.clear();
      poller.close(); // stops the poll, then closes the dup
      if (err) reject(err);
      else resolve(value as T);
    };
    const onReady = (): void => {
      try {
        const value = attempt(fd);
        if (value !== EAGAIN_RESULT) finish(undefined, value);
      } catch (err) {
        finish(err as Error);
      }
    };
    let poller: Poller;
    try {
      poller = new Poller(native, dup, true, { [direction]: onReady, error: (err: Error) => finish(err) });
    } catch (err) {
      native.close(dup);
      reject(err);
      return;
    }
    const ms = options.timeoutMs;
    deadline = startDeadline(
      { ms, signal: options.signal, timeoutError: () => new TimeoutError(`timed out after ${ms} ms waiting for descriptors`) },
      finish,
    );
    if (deadline.error === undefined) poller.watch(direction === "readable", direction === "writable");
  });
}

const EAGAIN_RESULT = Symbol("EAGAIN");

/** Wait for 'drain'; a socket that closes first rejects instead of hanging. */
function drained(socket: Socket, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      socket.off("drain", onDrain);
      socket.off("close", onClose);
      signal?.removeEventListener("abort", onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new SocklabError("EPIPE", "the socket closed before its queued data was sent"));
    const onAbort = (): void => done(abortError(signal!));
    socket.on("drain", onDrain);
    socket.on("close", onClose);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Send `payload` with the descriptors `fds` attached (they stay open here too). The
 * payload must not be empty: on a stream socket the descriptors ride on its first byte.
 * Resolves with the numbers sent (this process's; the receiver gets numbers of its own).
 */
export async function sendDescriptors(
  socket: Socket,
  payload: Buffer,
  fds: number[],
  options: DescriptorOptions = {},
): Promise<SentDescriptors> {
  const native = nativeBinding("SCM_RIGHTS descriptor passing");
  if (payload.length === 0) {
    throw new SocklabError("ERR_INVALID_ARG_VALUE", "sendDescriptors needs a payload of at least one byte");
  }
  if (fds.length === 0 || fds.length > MAX_DESCRIPTORS || !fds.every((fd) => Number.isInteger(fd) && fd >= 0)) {
    throw new SocklabError("ERR_INVALID_ARG_VALUE", `sendDescriptors needs 1 to ${MAX_DESCRIPTORS} open descriptors`);
  }
  // Bytes Node has queued must go first, or the stream would be reordered.
  if (socket.writableLength > 0) await drained(socket, options.signal);
  const fd = socketDescriptor(socket);
  const list = Int32Array.from(fds);
  const sent = await withReadiness(native, fd, "writable", options, (target) => {
    const r = native.sendfds(target, payload, list);
    if (r === -EAGAIN) return EAGAIN_RESULT;
    if (r < 0) throw errnoError(r, "sendmsg");
    return r;
  });
  // A short send: the descriptors went with the first bytes; the rest is ordinary data.
  if (sent < payload.length) {
    const rest = payload.subarray(sent);
    await new Promise<void>((resolve, reject) => socket.write(rest, (err) => (err ? reject(err) : resolve())));
  }
  return { fds: Array.from(list), bytes: payload.length };
}

/**
 * Receive one message with its descriptors. The socket is paused and libuv's reading
 * stopped (resume() it afterwards to read on); it must not have read anything before
 * (create it with connectUnixStream(…, { paused: true })), since bytes libuv reads lose
 * their descriptors.
 */
export async function receiveDescriptors(
  socket: Socket,
  options: ReceiveDescriptorsOptions = {},
): Promise<ReceivedDescriptors> {
  const native = nativeBinding("SCM_RIGHTS descriptor passing");
  const maxDescriptors = options.maxDescriptors ?? 16;
  if (!Number.isInteger(maxDescriptors) || maxDescriptors < 1 || maxDescriptors > MAX_DESCRIPTORS) {
    throw new SocklabError("ERR_INVALID_ARG_VALUE", `maxDescriptors must be 1 to ${MAX_DESCRIPTORS}`);
  }
  socket.pause();
  const handle = socketHandle(socket);
  if (handle?.reading) {
    handle.reading = false;
    handle.readStop?.();
  }
  if (socket.readableLength > 0) {
    throw new SocklabError(
      "ERR_ALREADY_READ",
      `the socket already read ${socket.readableLength} bytes, whose descriptors are lost; create it paused`,
    );
  }
  const fd = socketDescriptor(socket);
  const payload = Buffer.alloc(options.maxPayload ?? 4096);
  const fdsOut = new Int32Array(maxDescriptors);
  const out = new Int32Array(3);
  const { MSG_CTRUNC, MSG_TRUNC } = native.constants;
  return withReadiness(native, fd, "readable", options, (target) => {
    const r = native.recvfds(target, payload, fdsOut, out);
    if (r === -EAGAIN) return EAGAIN_RESULT;
    if (r < 0) throw errnoError(r, "recvmsg");
    const flags = out[1]!;
    const fds = Array.from(fdsOut.subarray(0, out[0]!));
    const open = new Set(fds);
    return {
      payload: Buffer.from(payload.subarray(0, r)),
      fds,
      truncated: (flags & (MSG_CTRUNC | MSG_TRUNC)) !== 0 || out[2]! > 0,
      end: r === 0 && fds.length === 0,
      close(): void {
        const pending = [...open];
        open.clear();
        closeDescriptors(pending);
      },
    };
  });
}

/**
 * Read what a received descriptor gives, from offset 0 (pread: like the guide's
 * lseek(fd, 0) + read) until end of file or `maxBytes`. Does not close `fd`. For large
 * files stream instead: fs.createReadStream("", { fd, start: 0 }).
 */
export async function readDescriptor(fd: number, options: { maxBytes?: number } = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? 1 << 20;
  const chunks: Buffer[] = [];
  let total = 0;
  let seekable = true;
  while (total < maxBytes) {
    const chunk = Buffer.allocUnsafe(Math.min(65536, maxBytes - total));
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, chunk, 0, chunk.length, seekable ? total : null, (err, bytes) => {
        if (err?.code === "ESPIPE" && seekable) {
          seekable = false; // a pipe or socket: read it from where it is
          resolve(-1);
        } else if (err) reject(err);
        else resolve(bytes);
      }),
    );
    if (n < 0) continue;
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

/**
 * Close descriptors received with receiveDescriptors(), each once, on this thread. Every one
 * is attempted; a descriptor that was not open (EBADF: closed twice somewhere, which can
 * hit an unrelated file that reused the number) is reported afterwards, never ignored.
 */
export function closeDescriptors(fds: readonly number[]): void {
  const failed: string[] = [];
  let first: unknown;
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch (err) {
      first ??= err;
      failed.push(`${fd} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (failed.length > 0) {
    throw new SocklabError("EBADF", `could not close descriptor ${failed.join(", ")}: already closed elsewhere?`, {
      cause: first,
      syscall: "close",
    });
  }
}

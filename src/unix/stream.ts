/**
 * Unix stream sockets created natively and handed to Node's net module. Needed for
 * abstract names: libuv 1.46 (Node 20) pads them with NUL bytes to the full sun_path,
 * so `nc -U @name`, socat ABSTRACT-* and Python "\0name" could not reach a Node server
 * (nor a Node client them). Here the address length is exact.
 */
import { Socket, type SocketConstructorOpts } from "node:net";
import { chmodSync, closeSync, fstatSync } from "node:fs";
import { claimSocketFileSync, removeIfOursSync, type OwnedSocketFile } from "./socket-file.js";
import { constants as osConstants } from "node:os";
import { abortError, delay, throwIfAborted } from "../abort.js";
import { startDeadline } from "../deadline.js";
import { errnoError, TimeoutError } from "../errors.js";
import { nativeBinding, SOCK_STREAM, type NativeBinding } from "./native.js";
import { Poller } from "./poller.js";
import { encodeTarget, formatUnixPeer, targetPath, targetPathText, type UnixSocketTarget } from "./sockaddr.js";

const { EAGAIN, EINPROGRESS } = osConstants.errno;

export interface ListenUnixStreamOptions {
  /** listen() backlog. Default 511, as Node's. */
  backlog?: number;
  /** Permissions of the socket file (path targets only), e.g. 0o600. */
  mode?: number;
}

export interface ConnectUnixStreamOptions {
  /** Keep our write side open after the peer's FIN (as socklab's CLI sockets do). Default false, as net.Socket. */
  allowHalfOpen?: boolean;
  /** Give up after this long (only matters while the server's backlog is full). Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Create the net.Socket without reading (Node would start reading at once). Needed before
   * receiveDescriptors(): bytes libuv reads lose the descriptors they carry.
   */
  paused?: boolean;
}

function where(target: UnixSocketTarget): { address: string; path?: string } {
  const path = targetPathText(target);
  return { address: formatUnixPeer(target, false), ...(path === undefined ? {} : { path }) };
}

/**
 * Create, bind and listen on a Unix stream socket; returns the listening descriptor for
 * `net.Server.listen({ fd })`. Node does not remove a path it did not bind itself: the
 * caller removes the file after closing the server.
 */
export function listenUnixStream(target: UnixSocketTarget, options: ListenUnixStreamOptions = {}): number {
  const native = nativeBinding("a native Unix stream socket");
  const at = where(target);
  const path = targetPath(target); // as given (bytes stay bytes), for the fs calls
  const fd = native.socket(SOCK_STREAM);
  if (fd < 0) throw errnoError(fd, "socket", at);
  // The file bind() created, recorded at once: a failure below removes it only if the
  // path still names it (src/unix/socket-file.ts).
  let owned: OwnedSocketFile | undefined;
  try {
    if (path !== undefined && options.mode !== undefined) {
      const r = native.fchmod(fd, options.mode);
      if (r < 0) throw errnoError(r, "fchmod", at);
    }
    const { kind, name } = encodeTarget(target);
    let r = native.bind(fd, kind, name);
    if (r < 0) throw errnoError(r, "bind", at);
    if (path !== undefined) owned = claimSocketFileSync(path);
    // chmod after bind too: the umask may have removed bits the caller asked for.
    if (path !== undefined && options.mode !== undefined) chmodSync(path, options.mode);
    r = native.listen(fd, options.backlog ?? 511);
    if (r < 0) throw errnoError(r, "listen", at);
  } catch (err) {
    native.close(fd);
    if (owned !== undefined) {
      try {
        removeIfOursSync(owned);
      } catch {
        // Left as it is (e.g. permissions): the error that matters is the one thrown below.
      }
    }
    throw err;
  }
  return fd;
}

/**
 * For a descriptor about to be handed to Node (`net.Server.listen({ fd })`): returns what
 * closes it if that fails. Node closes a descriptor it took and then could not listen on
 * (its handle owned it), but not one it refused outright (a socket type it does not know,
 * a handle that could not open it): that one would stay open for good. So it is closed
 * only if the number still names the same socket (device and inode): one Node closed may
 * already name something else by then.
 */
export function closerUnlessTaken(fd: number): () => void {
  const identity = (): string | undefined => {
    try {
      const st = fstatSync(fd, { bigint: true });
      return `${st.dev}:${st.ino}`;
    } catch {
      return undefined; // closed
    }
  };
  let id = identity();
  return () => {
    if (id === undefined || identity() !== id) return;
    id = undefined;
    try {
      closeSync(fd);
    } catch {
      // closed meanwhile: nothing left to release
    }
  };
}

/** A listening descriptor on the exact abstract name `name` (no file, no padding). */
export function listenAbstractStream(name: string, backlog = 511): number {
  return listenUnixStream({ abstract: name }, { backlog });
}

/** Wait until a descriptor we own (not yet given to libuv) is writable, or `signal` aborts. */
function waitWritable(native: NativeBinding, fd: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const done = (err?: Error): void => {
      deadline.clear();
      poller.close(); // stops the poll; the descriptor stays open (not owned)
      if (err) reject(err);
      else resolve();
    };
    const poller = new Poller(native, fd, false, { writable: () => done(), error: (err) => done(err) });
    const deadline = startDeadline({ signal }, done);
    poller.watch(false, true);
  });
}

/**
 * Connect natively (non-blocking) to a Unix stream socket and wrap the descriptor in a
 * net.Socket. A missing path rejects ENOENT, nobody listening ECONNREFUSED; a full backlog
 * (EAGAIN: Linux never blocks a non-blocking Unix connect) is retried until the timeout.
 */
export async function connectUnixStream(
  target: UnixSocketTarget,
  options: ConnectUnixStreamOptions = {},
): Promise<Socket> {
  const native = nativeBinding("a native Unix stream socket");
  throwIfAborted(options.signal);
  const at = where(target);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fd = native.socket(SOCK_STREAM);
  if (fd < 0) throw errnoError(fd, "socket", at);
  // One deadline for the whole connect, however many times a full backlog sends us round.
  const deadline = startDeadline({
    ms: timeoutMs,
    signal: options.signal,
    unref: true,
    timeoutError: () =>
      new TimeoutError(`${at.address}: timed out (the server's backlog stayed full for ${timeoutMs} ms)`, {
        address: at.address,
        syscall: "connect",
      }),
  });
  try {
    const { kind, name } = encodeTarget(target);
    for (let backoff = 5; ; backoff = Math.min(backoff * 2, 100)) {
      const r = native.connect(fd, kind, name);
      if (r === 0) break;
      if (r === -EINPROGRESS) {
        await waitWritable(native, fd, deadline.signal);
        const e = native.getsockerror(fd);
        if (e < 0) throw errnoError(e, "connect", at);
        break;
      }
      if (r !== -EAGAIN) throw errnoError(r, "connect", at);
      if (deadline.error !== undefined) throw deadline.error;
      await delay(backoff, deadline.signal);
    }
  } catch (err) {
    native.close(fd);
    throw err;
  } finally {
    deadline.clear();
  }
  // pauseOnCreate is a (long-standing) net.Socket option missing from @types/node.
  const socketOptions: SocketConstructorOpts & { pauseOnCreate?: boolean } = {
    fd,
    readable: true,
    writable: true,
    ...(options.allowHalfOpen ? { allowHalfOpen: true } : {}),
    ...(options.paused ? { pauseOnCreate: true } : {}),
  };
  return new Socket(socketOptions);
}

/** Connect to the exact abstract name `name`. */
export function connectAbstractStream(name: string, options: ConnectUnixStreamOptions = {}): Promise<Socket> {
  return connectUnixStream({ abstract: name }, options);
}

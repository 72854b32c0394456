/**
 * AF_UNIX SOCK_DGRAM sockets, which Node's dgram module lacks: bind to a path, an
 * abstract name or an autobound name; sendto/recvfrom with the sender's address;
 * non-blocking on the event loop through the addon's poller.
 */
import { EventEmitter } from "node:events";
import { chmod } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { abortError } from "../abort.js";
import { errnoError, SocklabError } from "../errors.js";
import { claimSocketFile, removeIfOurs, type OwnedSocketFile } from "./socket-file.js";
import { ADDR_NONE, nativeBinding, SOCK_DGRAM, type NativeBinding } from "./native.js";
import { Poller } from "./poller.js";
import {
  decodeSockaddr,
  encodeTarget,
  formatUnixPeer,
  SOCKADDR_UN_SIZE,
  targetPath,
  targetPathText,
  type UnixBindTarget,
  type UnixDatagramPeer,
  type UnixName,
  type UnixSocketTarget,
} from "./sockaddr.js";

const { EAGAIN, ENOBUFS } = osConstants.errno;

/** Datagrams read per wake-up, so one flooding peer cannot starve the rest of the loop. */
const READ_BATCH = 64;
/** Longest wait between retries while a receiver's queue stays full. */
const MAX_BACKOFF_MS = 50;

export interface UnixDatagramSocketOptions {
  /** Permissions of the socket file when binding to a path (e.g. 0o600). Default: the umask decides. */
  mode?: number;
  /** Largest datagram delivered whole; longer ones are cut and flagged `truncated`. Default 65536. */
  maxMessageSize?: number;
  /** Sends that may wait for buffer space before send() rejects with ENOBUFS. Default 1024. */
  maxQueuedSends?: number;
}

export interface UnixDatagramMessageInfo {
  /** The datagram's size as sent (larger than `data.length` when truncated). */
  size: number;
  truncated: boolean;
}

export interface UnixDatagramMessage extends UnixDatagramMessageInfo {
  data: Buffer;
  from: UnixDatagramPeer;
}

interface PendingSend {
  data: Buffer;
  kind: number;
  name: Buffer | null;
  address: string;
  path: string | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface UnixDatagramSocket {
  on(event: "message", listener: (data: Buffer, from: UnixDatagramPeer, info: UnixDatagramMessageInfo) => void): this;
  on(event: "error", listener: (err: Error) => void): this;
  on(event: "close", listener: () => void): this;
  once(event: "message", listener: (data: Buffer, from: UnixDatagramPeer, info: UnixDatagramMessageInfo) => void): this;
  once(event: "error", listener: (err: Error) => void): this;
  once(event: "close", listener: () => void): this;
  off(event: "message", listener: (data: Buffer, from: UnixDatagramPeer, info: UnixDatagramMessageInfo) => void): this;
  off(event: "error", listener: (err: Error) => void): this;
  off(event: "close", listener: () => void): this;
}

function closedError(): SocklabError {
  return new SocklabError("ERR_SOCKET_CLOSED", "the Unix datagram socket is closed");
}

/**
 * A bound AF_UNIX datagram socket. Like dgram, it reads from the moment it is bound and a
 * datagram that arrives with no 'message' listener (or iterator) is dropped: attach one
 * before the first datagram can arrive. The socket keeps the event loop alive until close().
 */
export class UnixDatagramSocket extends EventEmitter {
  #native: NativeBinding;
  #fd: number;
  #poller: Poller;
  #address: UnixDatagramPeer;
  #remote: UnixSocketTarget | undefined;
  #receiveBuffer: Buffer;
  #addressBuffer = Buffer.alloc(SOCKADDR_UN_SIZE);
  #out = new Int32Array(2);
  #queue: PendingSend[] = [];
  #maxQueued: number;
  #reading = true;
  #backoffMs = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #createdPath: OwnedSocketFile | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Create a socket bound to `target`. With a path, the file must not exist yet (see
   * prepareSocketPath for replacing a stale one); close() removes it. (This static shadows
   * Function.prototype.bind on the class, which nobody needs.)
   */
  static override async bind(target: UnixBindTarget, options: UnixDatagramSocketOptions = {}): Promise<UnixDatagramSocket> {
    const native = nativeBinding("a Unix datagram socket");
    const path = targetPath(target);
    const pathText = targetPathText(target);
    const where = { address: formatUnixPeer(target, true), ...(pathText === undefined ? {} : { path: pathText }) };
    const fd = native.socket(SOCK_DGRAM);
    if (fd < 0) throw errnoError(fd, "socket", where);
    let socket: UnixDatagramSocket;
    try {
      if (path !== undefined && options.mode !== undefined) {
        // The file is created with the socket inode's mode: never more open than asked.
        const r = native.fchmod(fd, options.mode);
        if (r < 0) throw errnoError(r, "fchmod", where);
      }
      const { kind, name } = encodeTarget(target);
      const r = native.bind(fd, kind, name);
      if (r < 0) throw errnoError(r, "bind", where);
      socket = new UnixDatagramSocket(native, fd, options);
    } catch (err) {
      native.close(fd);
      throw err;
    }
    if (path !== undefined) {
      try {
        socket.#createdPath = await claimSocketFile(path);
        // The umask may have removed bits the caller asked for.
        if (options.mode !== undefined) await chmod(path, options.mode);
      } catch (err) {
        await socket.close();
        throw err;
      }
    }
    return socket;
  }

  private constructor(native: NativeBinding, fd: number, options: UnixDatagramSocketOptions) {
    super();
    this.#native = native;
    this.#fd = fd;
    this.#receiveBuffer = Buffer.allocUnsafe(options.maxMessageSize ?? 65536);
    this.#maxQueued = options.maxQueuedSends ?? 1024;
    this.#address = this.#readAddress();
    // The poller owns the descriptor from here on: its close() stops the poll, then closes it.
    this.#poller = new Poller(native, fd, true, {
      readable: () => this.#onReadable(),
      writable: () => this.#flush(),
      error: (err) => this.emit("error", err),
    });
    this.#poller.watch(true, false);
  }

  /** The descriptor (for diagnostics); owned by this socket. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The bound address: a path, an abstract name (autobind gives 5 hex digits) or unnamed. */
  address(): UnixDatagramPeer {
    return this.#address;
  }

  /** The connected peer, if connect() was called. */
  remoteAddress(): UnixSocketTarget | undefined {
    return this.#remote;
  }

  /** Fix the default destination of send(data) and only accept datagrams from `peer`. */
  async connect(peer: UnixSocketTarget): Promise<void> {
    if (this.closed) throw closedError();
    const { kind, name } = encodeTarget(peer);
    const r = this.#native.connect(this.#fd, kind, name);
    if (r < 0) throw errnoError(r, "connect", this.#where(peer));
    this.#remote = peer;
  }

  /**
   * Send one datagram, to `to` or to the connected peer. Resolves once the kernel has it;
   * if the receiver's queue is full it waits (bounded by maxQueuedSends) instead of failing.
   */
  send(data: Buffer | Uint8Array | string, to?: UnixSocketTarget): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    const payload = typeof data === "string" ? Buffer.from(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const target = to ?? this.#remote;
    const { kind, name } = to === undefined ? { kind: ADDR_NONE, name: null } : encodeTarget(to);
    const where = target === undefined ? { address: "unnamed" } : this.#where(target);
    if (this.#queue.length === 0) {
      const r = this.#native.sendto(this.#fd, payload, kind, name);
      if (r >= 0) return Promise.resolve();
      if (r !== -EAGAIN) return Promise.reject(errnoError(r, "sendto", where));
    }
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(errnoError(-ENOBUFS, "sendto", where));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ data: payload, kind, name, address: where.address, path: where.path, resolve, reject });
      if (this.#retryTimer === undefined) this.#poller.watch(this.#reading, true);
    });
  }

  /** Stop reading: datagrams wait in the kernel's queue (and senders block), nothing is lost. */
  pause(): this {
    this.#reading = false;
    this.#poller.watch(false, this.#poller.watchingWritable);
    return this;
  }

  resume(): this {
    this.#reading = true;
    this.#poller.watch(true, this.#poller.watchingWritable);
    return this;
  }

  /** Close the socket and remove the file it created. Idempotent; pending sends reject. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#poller.close();
    for (const pending of this.#queue.splice(0)) pending.reject(closedError());
    const created = this.#createdPath;
    if (created !== undefined) {
      try {
        // Only our own file: someone may have replaced a socket we left behind.
        await removeIfOurs(created);
      } catch (err) {
        this.emit("error", err);
      }
    }
    this.emit("close");
  }

  /**
   * Iterate over received datagrams. Reading pauses while `highWaterMark` messages wait
   * for the consumer, so a slow consumer never buffers without limit. Ends at close().
   */
  messages(options: { signal?: AbortSignal; highWaterMark?: number } = {}): AsyncIterableIterator<UnixDatagramMessage> {
    const highWaterMark = options.highWaterMark ?? 64;
    const queue: UnixDatagramMessage[] = [];
    let waiting: { resolve: (r: IteratorResult<UnixDatagramMessage>) => void; reject: (e: Error) => void } | undefined;
    let failure: Error | undefined;
    let done = false;
    const onMessage = (data: Buffer, from: UnixDatagramPeer, info: UnixDatagramMessageInfo): void => {
      const message = { data, from, ...info };
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        w.resolve({ value: message, done: false });
        return;
      }
      queue.push(message);
      if (queue.length >= highWaterMark) this.pause();
    };
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      failure = err;
      this.off("message", onMessage);
      this.off("error", onError);
      this.off("close", onClose);
      options.signal?.removeEventListener("abort", onAbort);
      if (!this.closed && !this.#reading) this.resume();
      if (waiting) {
        const w = waiting;
        waiting = undefined;
        if (err) w.reject(err);
        else w.resolve({ value: undefined, done: true });
      }
    };
    const onError = (err: Error): void => finish(err);
    const onClose = (): void => finish();
    const onAbort = (): void => finish(abortError(options.signal!));
    this.on("message", onMessage);
    this.on("error", onError);
    this.on("close", onClose);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    if (this.closed) finish();
    const iterator: AsyncIterableIterator<UnixDatagramMessage> = {
      next: () => {
        const value = queue.shift();
        if (value !== undefined) {
          if (queue.length < highWaterMark / 2 && !done && !this.closed && !this.#reading) this.resume();
          return Promise.resolve({ value, done: false });
        }
        if (done) {
          if (failure) {
            const err = failure;
            failure = undefined;
            return Promise.reject(err);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => {
          waiting = { resolve, reject };
        });
      },
      return: () => {
        finish();
        queue.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<UnixDatagramMessage> {
    return this.messages();
  }

  #where(peer: UnixSocketTarget): { address: string; path?: string } {
    const path = targetPathText(peer);
    return { address: formatUnixPeer(peer, true), ...(path === undefined ? {} : { path }) };
  }

  #readAddress(): UnixDatagramPeer {
    const buffer = Buffer.alloc(SOCKADDR_UN_SIZE);
    const length = this.#native.getsockname(this.#fd, buffer);
    return length < 0 ? { unnamed: true } : decodeSockaddr(buffer, length);
  }

  #onReadable(): void {
    const { MSG_TRUNC } = this.#native.constants;
    for (let i = 0; i < READ_BATCH && this.#reading && !this.closed; i++) {
      const n = this.#native.recvfrom(this.#fd, this.#receiveBuffer, this.#addressBuffer, this.#out);
      if (n === -EAGAIN) return;
      if (n < 0) {
        this.emit("error", errnoError(n, "recvmsg", { address: formatUnixPeer(this.#address, true) }));
        return;
      }
      const length = Math.min(n, this.#receiveBuffer.length);
      // Copy: the receive buffer is reused for the next datagram.
      const data = Buffer.from(this.#receiveBuffer.subarray(0, length));
      const from = decodeSockaddr(this.#addressBuffer, this.#out[0] ?? 0);
      const truncated = n > length || ((this.#out[1] ?? 0) & MSG_TRUNC) !== 0;
      this.emit("message", data, from, { size: n, truncated });
    }
  }

  /** Send what waited for buffer space, in order. */
  #flush(): void {
    let progressed = false;
    while (this.#queue.length > 0 && !this.closed) {
      const head = this.#queue[0]!;
      const r = this.#native.sendto(this.#fd, head.data, head.kind, head.name);
      if (r === -EAGAIN) break;
      this.#queue.shift();
      progressed = true;
      if (r < 0) {
        head.reject(errnoError(r, "sendto", { address: head.address, ...(head.path === undefined ? {} : { path: head.path }) }));
      } else {
        head.resolve();
      }
    }
    if (this.closed) return;
    if (this.#queue.length === 0 || progressed) {
      this.#backoffMs = 0;
      this.#poller.watch(this.#reading, this.#queue.length > 0);
      return;
    }
    // Writable yet EAGAIN: the receiver's queue is full, and Linux reports an unconnected
    // datagram socket writable regardless. Retry on a growing timer instead of spinning.
    this.#poller.watch(this.#reading, false);
    this.#backoffMs = Math.min(Math.max(1, this.#backoffMs * 2), MAX_BACKOFF_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#flush();
    }, this.#backoffMs);
  }
}


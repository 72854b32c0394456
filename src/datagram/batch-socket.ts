/**
 * A datagram socket read and written in batches through the addon (native/inet_dgram.c):
 * per readiness event one recvmmsg fills a buffer of fixed-size slots, the handler sees the
 * whole batch in one call, and every reply it sets goes out with one sendmmsg. Works for
 * any datagram descriptor (UDP v4/v6, AF_UNIX); the family only decides how a sender's
 * sockaddr is shown. Never blocks: the descriptor is non-blocking, UV_WRITABLE is armed only
 * after EAGAIN, and replies that do not fit wait in a bounded queue (reading pauses while
 * it is long, so the kernel's receive queue, not this process, absorbs a flood).
 */
import { constants as osConstants } from "node:os";
import { performance } from "node:perf_hooks";
import { errnoError, SocklabError } from "../errors.js";
import type { DatagramBatch } from "./types.js";
import type { NativeBinding } from "../addon/binding.js";
import { Poller } from "../addon/poller.js";

const { EAGAIN, EWOULDBLOCK, ENOBUFS } = osConstants.errno;

/** The addon's batch functions (native/inet_dgram.c). */
export interface BatchBinding {
  inetSocket(family: number): number;
  setsockoptInt(fd: number, level: number, name: number, value: number): number;
  inetAddress(family: number, host: string, port: number, out: Buffer): number;
  bindAddress(fd: number, address: Buffer, length: number): number;
  recvBatch(fd: number, data: Buffer, slot: number, addrs: Buffer, addrSlot: number, meta: Int32Array): number;
  sendBatch(
    fd: number,
    src: Buffer | (Buffer | null | undefined)[],
    slot: number,
    addrs: Buffer,
    addrSlot: number,
    meta: Int32Array,
    start: number,
    end: number,
  ): number;
  formatInet(addrs: Buffer, offset: number, length: number): [string, number] | null;
  /** The three batch buffers taken apart once; keep them referenced while the context is used. */
  batchContext(data: Buffer, slot: number, addrs: Buffer, addrSlot: number, meta: Int32Array): BatchContext | number;
  /** recvBatch into a context's buffers. */
  recvInto(fd: number, ctx: BatchContext): number;
  /** sendBatch's echo (entries [start, end) back to their senders) from a context's buffers. */
  echoFrom(fd: number, ctx: BatchContext, start: number, end: number): number;
  dgramConstants: {
    SOL_SOCKET: number;
    SO_REUSEADDR: number;
    SO_BROADCAST: number;
    SO_RCVBUF: number;
    IPPROTO_IPV6: number;
    IPV6_V6ONLY: number;
    AF_INET: number;
    AF_INET6: number;
    MAX_BATCH: number;
  };
}

/** An opaque batch context owned by the addon. */
export interface BatchContext {
  readonly __batchContext: unique symbol;
}

export type BatchNative = NativeBinding & BatchBinding;

/** True when the loaded addon has the batch functions (an older build may not). */
export function hasBatchFunctions(native: NativeBinding): native is BatchNative {
  return typeof (native as Partial<BatchBinding>).recvInto === "function";
}

export interface BatchSocketOptions {
  /** Bytes per receive slot: the largest datagram received whole (UDP: 65536 fits any). */
  slot: number;
  /** Bytes per sender address slot (sockaddr_in6: 28, sockaddr_un: 110). */
  addrSlot: number;
  /** Datagrams per recvmmsg (at most the addon's MAX_BATCH). */
  batch: number;
  /** recvmmsg calls per readiness event at most (default 4), so one flood cannot starve the loop. */
  rounds?: number;
  /**
   * After a busy wake-up drains the socket, keep polling it for up to this many microseconds
   * before going back to the event loop (default 20; 0 = never). See #onReadable.
   */
  pollAgainMicros?: number;
  /** A sender's address (raw sockaddr bytes) in socklab notation. */
  formatPeer(raw: Buffer, offset: number, length: number): string;
  /**
   * Senders whose sockaddr is this long or shorter have no address a reply can go to (an
   * unbound Unix socket: just the family, 2 bytes). Undefined: every sender can be answered.
   */
  unnamedLength?: number;
}

export type BatchListener = (batch: DatagramBatch) => void;
export type MessageListener = (data: Buffer, raw: Buffer) => void;

/** Replies waiting for buffer space: past this many, reading pauses. */
const QUEUE_PAUSE = 256;
/** Hard bound: a reply beyond it is dropped and reported through the error listener. */
const QUEUE_MAX = 4096;
/** Longest wait between retries while replies cannot be sent. */
const MAX_BACKOFF_MS = 50;
/** recvmmsg calls per readiness event by default, so one flooding peer cannot starve the loop. */
const ROUNDS_PER_EVENT = 4;
/**
 * Polling on after a busy wake-up (see #onReadable): how long by default (µs), how many
 * datagrams make a wake-up busy, and how many wake-ups at most go without polling on after
 * a poll that found nothing (the skip doubles with each such poll, and resets when one pays).
 */
const POLL_AGAIN_MICROS = 20;
const POLL_AGAIN_MIN_DATAGRAMS = 2;
const POLL_AGAIN_MAX_SKIP = 64;

interface Queued {
  data: Buffer;
  raw: Buffer;
  resolve?: () => void;
  reject?: (err: Error) => void;
}

export class BatchDatagramSocket implements DatagramBatch {
  readonly fd: number;
  count = 0;
  #native: BatchNative;
  #poller: Poller;
  #opts: BatchSocketOptions;
  #slot: number;
  #addrSlot: number;
  /** options.unnamedLength, or -1 when every sender can be answered. */
  #unnamedLength: number;
  #data: Buffer;
  #addrs: Buffer;
  #meta: Int32Array;
  /** #data, #addrs and #meta as the addon sees them: valid while this object holds them. */
  #ctx: BatchContext;
  #replies: (Buffer | null | undefined)[];
  #anyReply = false;
  #echo = false;
  #queue: Queued[] = [];
  #reading = true;
  #closed = false;
  #backoffMs = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** options.pollAgainMicros in ms (0: never poll on). */
  #pollAgainMs: number;
  /** Wake-ups left that do not poll on, and the skip the next empty poll sets. */
  #pollSkip = 0;
  #pollBackoff = 0;
  /** Polls on that found datagrams / found none (tests and measurements read them). */
  pollAgainHits = 0;
  pollAgainMisses = 0;
  #batchListener: BatchListener | undefined;
  #messageListeners: MessageListener[] = [];
  #errorListeners: ((err: Error) => void)[] = [];
  // The last sender formatted: a client sends many datagrams from one address.
  #lastRaw: Buffer;
  #lastLen = -1;
  #lastText = "";

  /** Takes ownership of `fd` (closed by close()). */
  constructor(native: BatchNative, fd: number, options: BatchSocketOptions) {
    this.fd = fd;
    this.#native = native;
    this.#opts = options;
    this.#slot = options.slot;
    this.#addrSlot = options.addrSlot;
    this.#unnamedLength = options.unnamedLength ?? -1;
    this.#pollAgainMs = Math.max(0, options.pollAgainMicros ?? POLL_AGAIN_MICROS) / 1000;
    const batch = Math.max(1, Math.min(options.batch, native.dgramConstants.MAX_BATCH));
    // allocUnsafeSlow: pages are touched only by datagrams that need them.
    this.#data = Buffer.allocUnsafeSlow(batch * options.slot);
    this.#addrs = Buffer.alloc(batch * options.addrSlot);
    this.#meta = new Int32Array(batch * 3);
    const ctx = native.batchContext(this.#data, options.slot, this.#addrs, options.addrSlot, this.#meta);
    if (typeof ctx === "number") {
      native.close(fd); // ours from the start
      throw errnoError(ctx, "recvmmsg");
    }
    this.#ctx = ctx;
    this.#replies = new Array<Buffer | null | undefined>(batch).fill(null);
    this.#lastRaw = Buffer.alloc(options.addrSlot);
    this.#poller = new Poller(native, fd, true, {
      readable: () => this.#onReadable(),
      writable: () => this.#flushQueue(),
      error: (err) => this.#emitError(err),
    });
    this.#poller.watch(true, false);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The batch handler (one at a time); with one set, message listeners still see copies. */
  onBatch(listener: BatchListener): void {
    this.#batchListener = listener;
  }

  /** Per-datagram listener: gets a copy of the bytes and of the sender's raw sockaddr. */
  onMessage(listener: MessageListener): void {
    this.#messageListeners.push(listener);
  }

  onError(listener: (err: Error) => void): void {
    this.#errorListeners.push(listener);
  }

  // ---- DatagramBatch: the current batch, valid during the batch listener call ----

  data(i: number): Buffer {
    const start = i * this.#slot;
    return this.#data.subarray(start, start + Math.min(this.#meta[3 * i]!, this.#slot));
  }

  size(i: number): number {
    return this.#meta[3 * i]!;
  }

  equals(i: number, bytes: Buffer): boolean {
    const n = this.#meta[3 * i]!;
    if (n !== bytes.length) return false;
    const start = i * this.#slot;
    return this.#data.compare(bytes, 0, n, start, start + n) === 0;
  }

  peer(i: number): string {
    const off = i * this.#addrSlot;
    const len = this.#meta[3 * i + 1]!;
    if (len === this.#lastLen && this.#sameAsLast(off, len)) return this.#lastText;
    const text = this.#opts.formatPeer(this.#addrs, off, len);
    this.#addrs.copy(this.#lastRaw, 0, off, off + len);
    this.#lastLen = len;
    this.#lastText = text;
    return text;
  }

  /**
   * Whether the sockaddr at `off` is the last one formatted. A byte loop: sockaddrs are 8–110
   * bytes, and Buffer#compare's call into C++ cost more than the comparison (3% of the
   * server's CPU under unix-dgram-16, one call per datagram).
   */
  #sameAsLast(off: number, len: number): boolean {
    const addrs = this.#addrs;
    const last = this.#lastRaw;
    for (let k = 0; k < len; k++) if (addrs[off + k] !== last[k]) return false;
    return true;
  }

  canReply(i: number): boolean {
    return this.#unnamedLength < 0 || this.#meta[3 * i + 1]! > this.#unnamedLength;
  }

  reply(i: number, data: Buffer | null): void {
    this.#replies[i] = data;
    if (data !== null) this.#anyReply = true;
  }

  echoAll(): void {
    this.#echo = true;
  }

  replySize(i: number): number {
    if (!this.canReply(i)) return -1;
    if (this.#echo) return this.#meta[3 * i]!;
    return this.#anyReply ? (this.#replies[i]?.length ?? -1) : -1;
  }

  // ---- sending outside a batch ----

  /** One datagram to the sender whose raw sockaddr is `raw`. Resolves once the kernel has it. */
  send(data: Buffer, raw: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(errnoError(-osConstants.errno.EBADF, "sendmmsg"));
    if (this.#queue.length === 0) {
      const r = this.#sendOne(data, raw);
      if (r >= 0) return Promise.resolve();
      if (r !== -EAGAIN && r !== -EWOULDBLOCK) return Promise.reject(errnoError(r, "sendmmsg"));
    }
    if (this.#queue.length >= QUEUE_MAX) return Promise.reject(errnoError(-ENOBUFS, "sendmmsg"));
    return new Promise((resolve, reject) => {
      this.#queue.push({ data, raw, resolve, reject });
      if (this.#retryTimer === undefined) this.#poller.watch(this.#reading, true);
    });
  }

  /** Stop reading and close the descriptor. Idempotent; queued sends reject. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#poller.close();
    for (const q of this.#queue.splice(0)) q.reject?.(errnoError(-osConstants.errno.EBADF, "sendmmsg"));
  }

  // ---- internals ----

  #emitError(err: Error): void {
    for (const l of this.#errorListeners) l(err);
  }

  /**
   * One readiness event: up to `rounds` recvmmsg calls, each batch delivered and answered
   * before the next. When a busy wake-up (at least POLL_AGAIN_MIN_DATAGRAMS so far) finds
   * the socket empty, it polls on for up to pollAgainMicros before going back to the event
   * loop. Why: a client with several datagrams in flight refills only after reading the last
   * replies, a few microseconds after the server has answered them. Sleeping in epoll then
   * costs a wake-up per refill (on a 2-vCPU VM the client's send that wakes the server took
   * 13 µs instead of 1, and the server's epoll + loop turn + callback came on top), and both
   * sides sat idle at the same time; polling on catches the refill and the pipeline stays
   * full (unix-dgram-16: fewer CPU-µs per round trip, not more; docs/PERFORMANCE.md). Bounded:
   * a poll that finds nothing makes the next wake-ups skip it (1, 2, 4 … 64 of them), a quiet
   * socket (one datagram per wake-up) never polls on, and the rounds still cap the callback.
   */
  #onReadable(): void {
    const slots = this.#meta.length / 3;
    const rounds = this.#opts.rounds ?? ROUNDS_PER_EVENT;
    let pollAgain = this.#pollAgainMs > 0;
    if (pollAgain && this.#pollSkip > 0) {
      this.#pollSkip--;
      pollAgain = false;
    }
    let delivered = 0;
    for (let round = 0; round < rounds && this.#reading && !this.#closed; round++) {
      let n = this.#native.recvInto(this.fd, this.#ctx);
      if ((n === -EAGAIN || n === -EWOULDBLOCK) && pollAgain && delivered >= POLL_AGAIN_MIN_DATAGRAMS && this.#queue.length === 0) {
        n = this.#pollOn();
      }
      if (n < 0) {
        if (n !== -EAGAIN && n !== -EWOULDBLOCK) this.#emitError(errnoError(n, "recvmmsg"));
        return;
      }
      this.count = n;
      delivered += n;
      this.#deliver(n);
      // Level-triggered: more data wakes us again. A busy wake-up reads on to poll on.
      if (n < slots && !(pollAgain && delivered >= POLL_AGAIN_MIN_DATAGRAMS)) return;
    }
  }

  /** recvInto again until datagrams come or pollAgainMicros pass; -EAGAIN if none came. */
  #pollOn(): number {
    const until = performance.now() + this.#pollAgainMs;
    do {
      const n = this.#native.recvInto(this.fd, this.#ctx);
      if (n >= 0) {
        this.pollAgainHits++;
        this.#pollBackoff = 0;
        return n;
      }
      if (n !== -EAGAIN && n !== -EWOULDBLOCK) return n; // an error: the caller reports it
    } while (performance.now() < until);
    this.pollAgainMisses++;
    this.#pollBackoff = Math.min(POLL_AGAIN_MAX_SKIP, Math.max(1, this.#pollBackoff * 2));
    this.#pollSkip = this.#pollBackoff;
    return -EAGAIN;
  }

  #deliver(n: number): void {
    const meta = this.#meta;
    for (let i = 0; i < n; i++) {
      // Only AF_UNIX can carry more than a slot (UDP's largest datagram fits): say so.
      if (meta[3 * i]! > this.#slot) {
        this.#emitError(new SocklabError("EMSGSIZE", `datagram from ${this.peer(i)} truncated: ${meta[3 * i]} bytes, kept ${this.#slot}`));
      }
    }
    if (this.#messageListeners.length > 0) {
      for (let i = 0; i < n; i++) {
        const data = Buffer.from(this.data(i));
        const off = i * this.#addrSlot;
        const raw = Buffer.from(this.#addrs.subarray(off, off + this.#meta[3 * i + 1]!));
        for (const l of this.#messageListeners) l(data, raw);
      }
    }
    const listener = this.#batchListener;
    if (listener === undefined) return;
    this.#echo = false;
    this.#anyReply = false;
    try {
      listener(this);
    } catch (err) {
      this.#emitError(err as Error);
    }
    if (this.#echo) this.#sendBatch(this.#data, n);
    else if (this.#anyReply) this.#sendBatch(this.#replies, n);
    if (this.#anyReply) this.#replies.fill(null, 0, n);
    this.#echo = false;
    this.#anyReply = false;
  }

  /** Send entries [0, n) of the current batch; what does not fit is copied into the queue. */
  #sendBatch(src: Buffer | (Buffer | null | undefined)[], n: number): void {
    const meta = this.#meta;
    let start = 0;
    if (src === this.#data) {
      // Echo: a sender we cannot answer is skipped (size -1 tells the addon).
      if (this.#unnamedLength >= 0) {
        for (let i = 0; i < n; i++) {
          if (this.canReply(i)) continue;
          meta[3 * i] = -1;
          this.#emitError(new SocklabError("EDESTADDRREQ", `no reply to ${this.peer(i)}: the sender is an unbound socket; there is no address to reply to`));
        }
      }
    } else if (this.#unnamedLength >= 0) {
      for (let i = 0; i < n; i++) {
        if (this.#replies[i] != null && !this.canReply(i)) {
          this.#replies[i] = null;
          this.#emitError(new SocklabError("EDESTADDRREQ", `no reply to ${this.peer(i)}: the sender is an unbound socket; there is no address to reply to`));
        }
      }
    }
    while (start < n && this.#queue.length === 0) {
      const r =
        src === this.#data
          ? this.#native.echoFrom(this.fd, this.#ctx, start, n)
          : this.#native.sendBatch(this.fd, src, this.#slot, this.#addrs, this.#addrSlot, meta, start, n);
      if (r >= 0) {
        start = r;
        continue;
      }
      if (r === -EAGAIN || r === -EWOULDBLOCK || r === -ENOBUFS) break;
      // This one datagram failed (e.g. the sender's address is gone): report it, go on.
      this.#emitError(errnoError(r, "sendmmsg", { address: this.peer(this.#firstEntry(src, start, n)) }));
      start = this.#firstEntry(src, start, n) + 1;
    }
    for (let i = start; i < n; i++) {
      let data: Buffer | null;
      if (Buffer.isBuffer(src)) data = meta[3 * i]! >= 0 ? this.data(i) : null;
      else data = src[i] ?? null;
      if (data === null) continue;
      const off = i * this.#addrSlot;
      // Copies: the receive buffer and the replies' views are reused by the next batch.
      this.#enqueue({ data: Buffer.from(data), raw: Buffer.from(this.#addrs.subarray(off, off + meta[3 * i + 1]!)) });
    }
  }

  #firstEntry(src: Buffer | (Buffer | null | undefined)[], start: number, n: number): number {
    for (let i = start; i < n; i++) {
      if (src === this.#data ? this.#meta[3 * i]! >= 0 : (src as (Buffer | null | undefined)[])[i] != null) return i;
    }
    return n;
  }

  #enqueue(item: Queued): void {
    if (this.#queue.length >= QUEUE_MAX) {
      this.#emitError(errnoError(-ENOBUFS, "sendmmsg", { address: "(reply dropped: send queue full)" }));
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length >= QUEUE_PAUSE) this.#reading = false;
    if (this.#retryTimer === undefined) this.#poller.watch(this.#reading, true);
  }

  #sendOne(data: Buffer, raw: Buffer): number {
    const meta = new Int32Array([data.length, raw.length, 0]);
    const r = this.#native.sendBatch(this.fd, [data], 0, raw, Math.max(1, raw.length), meta, 0, 1);
    return r >= 0 ? 0 : r;
  }

  #flushQueue(): void {
    this.#retryTimer = undefined;
    while (this.#queue.length > 0 && !this.#closed) {
      const item = this.#queue[0]!;
      const r = this.#sendOne(item.data, item.raw);
      if (r === -EAGAIN || r === -EWOULDBLOCK || r === -ENOBUFS) {
        // Writability does not always say the receiver has room (a Unix datagram peer's
        // queue, ENOBUFS): retry on a short, growing timer instead of spinning on UV_WRITABLE.
        this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1, this.#backoffMs * 2));
        this.#poller.watch(this.#reading, false);
        this.#retryTimer = setTimeout(() => this.#flushQueue(), this.#backoffMs);
        return;
      }
      this.#backoffMs = 0;
      this.#queue.shift();
      if (r < 0) {
        const err = errnoError(r, "sendmmsg");
        if (item.reject) item.reject(err);
        else this.#emitError(err);
      } else {
        item.resolve?.();
      }
    }
    if (this.#closed) return;
    this.#reading = true;
    this.#poller.watch(true, false);
  }
}

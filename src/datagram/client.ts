/**
 * Datagram clients (udp://, unix-dgram:, abstract-dgram:) share one request/retransmit
 * loop: send, wait `timeoutMs` for a reply, send again, `attempts` sends in total; a reply
 * to any earlier copy counts. Subclasses only move bytes.
 */
import { abortReason, delay } from "../abort.js";
import type { Address } from "../address.js";
import { explainCode, NoResponseError, NotSupportedError, type AttemptRecord } from "../errors.js";

export interface DatagramRequestOptions {
  /** Wait this long for a reply after each send (ms). Default 1000 (the guide's). */
  timeoutMs?: number;
  /** Total sends. Default 3 (the guide's). */
  attempts?: number;
  signal?: AbortSignal;
  onAttemptFailed?: (record: AttemptRecord, total: number) => void;
}

export interface DatagramReply {
  data: Buffer;
  /** Who answered, in socklab notation (udp://127.0.0.1:9006, unix-dgram:/tmp/srv). */
  from: string;
  /** Which send was answered first (1-based). */
  attempt: number;
}

type Arrival = { data: Buffer; from: string };

const MAX_QUEUED = 1024;

export abstract class DatagramClientBase {
  /** The server address, in socklab notation. */
  abstract readonly target: string;
  private readonly queue: Arrival[] = [];
  private waiter: ((item: Arrival | Error) => void) | undefined;
  private pendingError: Error | undefined;

  /** Send one datagram to the target. */
  abstract send(data: Buffer): Promise<void>;
  abstract close(): Promise<void>;

  /** Subclasses call this for each datagram that arrives. */
  protected deliver(data: Buffer, from: string): void {
    const item = { data, from };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(item);
    } else if (this.queue.length < MAX_QUEUED) {
      this.queue.push(item);
    }
  }

  /** Subclasses call this for socket errors (e.g. ECONNREFUSED from a connected socket). */
  protected fail(err: Error): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(err);
    } else {
      this.pendingError = err;
    }
  }

  /** The next datagram that arrives, or null after `timeoutMs`. */
  receive(timeoutMs: number, signal?: AbortSignal): Promise<Arrival | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.pendingError) {
      const err = this.pendingError;
      this.pendingError = undefined;
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        this.waiter = undefined;
        signal?.removeEventListener("abort", onAbort);
        resolve(null);
      }, timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = (item) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (item instanceof Error) reject(item);
        else resolve(item);
      };
    });
  }

  /** Request with retransmission (exercises 7 and 8). */
  async request(payload: Buffer, options: DatagramRequestOptions = {}): Promise<DatagramReply> {
    // Late answers to an earlier request (or its retransmissions) are not this one's reply.
    this.queue.length = 0;
    this.pendingError = undefined;
    const timeoutMs = options.timeoutMs ?? 1000;
    const total = Math.max(1, options.attempts ?? 3);
    let lastCode = "ETIMEDOUT";
    for (let attempt = 1; attempt <= total; attempt++) {
      try {
        await this.send(payload);
        const reply = await this.receive(timeoutMs, options.signal);
        if (reply) return { ...reply, attempt };
        lastCode = "ETIMEDOUT";
      } catch (err) {
        if (options.signal?.aborted) throw err;
        lastCode = (err as { code?: string }).code ?? "ERROR";
        // A refusal arrives at once; wait out the attempt so retries keep their pacing.
        if (attempt < total) await delay(timeoutMs, options.signal);
      }
      options.onAttemptFailed?.(
        { attempt, address: this.target, code: lastCode, message: explainCode(lastCode) ?? lastCode, delayMs: 0 },
        total,
      );
    }
    const why = lastCode === "ETIMEDOUT" ? "" : `: ${explainCode(lastCode) ?? lastCode}`;
    throw new NoResponseError(`${this.target}: no response after ${total} attempt${total === 1 ? "" : "s"}${why}`, {
      address: this.target,
    });
  }
}

export interface DatagramClientOptions {
  family?: 0 | 4 | 6;
  /** Unix datagram: bind the client to this path (default: autobind). */
  bind?: string | undefined;
}

/** Openers per address family, registered by their modules (UDP here, Unix by src/unix). */
export const datagramOpeners: {
  udp?: (address: Address, options: DatagramClientOptions) => Promise<DatagramClientBase>;
  unix?: (address: Address, options: DatagramClientOptions) => Promise<DatagramClientBase>;
} = {};

export async function openDatagramClient(address: Address, options: DatagramClientOptions = {}): Promise<DatagramClientBase> {
  const opener = address.kind === "udp" ? datagramOpeners.udp : datagramOpeners.unix;
  if (!opener) throw new NotSupportedError(`${address.kind} datagram sockets are not supported on this platform`);
  return opener(address, options);
}

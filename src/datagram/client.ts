/**
 * Datagram clients (udp://, unix-dgram:, abstract-dgram:) share one request/retransmit
 * loop: send, wait `timeoutMs` for a reply, send again, `attempts` sends in total; a reply
 * to any earlier copy counts. A client with several addresses (a host name that resolves
 * to ::1 and 127.0.0.1) moves to the next one when an address refuses or stays silent, so
 * every address gets its turn within the same budget. Subclasses only move bytes.
 *
 * close() is final: every request or receive still waiting rejects at once with
 * ERR_SOCKET_CLOSED, no retransmission runs after it and no timer is left behind.
 */
import { abortError } from "../abort.js";
import { startDeadline } from "../deadline.js";
import { explainCode, NoResponseError, SocklabError, TimeoutError, type AttemptRecord } from "../errors.js";
import { retry, type RetryPolicy } from "../retry.js";

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

/** One wait in progress (a receive or the pause between attempts), cancellable by close(). */
interface Waiter {
  settle: (outcome: Arrival | Error | null) => void;
  /** Takes arrivals (a receive) or only waits (a pause between attempts). */
  receives: boolean;
}

const MAX_QUEUED = 1024;

/** A wait's deadline passing is not an error: the wait resolves null. */
const TIME_UP = new Error("time up");

export abstract class DatagramClientBase {
  /** The server address currently used, in socklab notation. */
  abstract readonly target: string;
  private readonly queue: Arrival[] = [];
  private readonly waiters = new Set<Waiter>();
  private pendingError: Error | undefined;
  private closedError: SocklabError | undefined;
  private closing: Promise<void> | undefined;

  /** Send one datagram to the target. */
  abstract send(data: Buffer): Promise<void>;
  /** Release the socket(s); called once, by close(). */
  protected abstract closeSocket(): Promise<void>;

  /**
   * Move to the next address after the current one failed (`refused`: it answered with an
   * error) or stayed silent. Returns true when the next attempt goes to an address that
   * has not failed in this request (so it need not wait out the pause). Default: one address.
   */
  protected nextAddress(_refused: boolean): boolean {
    return false;
  }

  /**
   * Without request/reply pairing (connect's stdin mode): the current address refused, move
   * on to the next one not yet refused. False when every address has refused (or there is
   * only one): nothing left to try.
   */
  failOver(): boolean {
    this.pendingError = undefined;
    return this.nextAddress(true);
  }

  /** A request starts: every address is worth trying again. */
  protected beginRequest(): void {}

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Subclasses call this for each datagram that arrives. */
  protected deliver(data: Buffer, from: string): void {
    if (this.closed) return;
    const item = { data, from };
    for (const waiter of this.waiters) {
      if (!waiter.receives) continue;
      waiter.settle(item);
      return;
    }
    if (this.queue.length < MAX_QUEUED) this.queue.push(item);
  }

  /** Subclasses call this for socket errors (e.g. ECONNREFUSED from a connected socket). */
  protected fail(err: Error): void {
    if (this.closed) return;
    let taken = false;
    for (const waiter of this.waiters) {
      if (!waiter.receives) continue;
      waiter.settle(err);
      taken = true;
    }
    if (!taken) this.pendingError = err;
  }

  /** Wait `ms` (undefined: no limit) for an arrival (receives) or just wait; null when the time is up. */
  private wait(ms: number | undefined, receives: boolean, signal?: AbortSignal): Promise<Arrival | null> {
    return new Promise((resolve, reject) => {
      if (this.closedError) return reject(this.closedError);
      if (signal?.aborted) return reject(abortError(signal));
      const waiter: Waiter = {
        receives,
        settle: (outcome) => {
          deadline.clear();
          this.waiters.delete(waiter);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      const deadline = startDeadline({ ms, signal, timeoutError: () => TIME_UP }, (err) => waiter.settle(err === TIME_UP ? null : err));
      this.waiters.add(waiter);
    });
  }

  /** The next datagram that arrives, or null after `timeoutMs` (undefined: no limit, only the signal). */
  receive(timeoutMs: number | undefined, signal?: AbortSignal): Promise<Arrival | null> {
    if (this.closedError) return Promise.reject(this.closedError);
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.pendingError) {
      const err = this.pendingError;
      this.pendingError = undefined;
      return Promise.reject(err);
    }
    return this.wait(timeoutMs, true, signal);
  }

  /**
   * Request with retransmission (exercises 7 and 8), through the shared retry loop: each
   * attempt sends and waits `timeoutMs` for a reply (the attempt's deadline). A silent
   * address hands the next attempt over at once; a refusal too, to an address not yet
   * refused, or else after a pause of `timeoutMs` so retries keep their pacing. Gives up
   * with NoResponseError (`attempts`, `cause` = the last failure).
   */
  async request(payload: Buffer, options: DatagramRequestOptions = {}): Promise<DatagramReply> {
    if (this.closedError) throw this.closedError;
    // Late answers to an earlier request (or its retransmissions) are not this one's reply.
    this.queue.length = 0;
    this.pendingError = undefined;
    this.beginRequest();
    const timeoutMs = options.timeoutMs ?? 1000;
    const total = Math.max(1, options.attempts ?? 3);
    const tried = new Set<string>();
    const policy: RetryPolicy = { attempts: total, timeoutMs };
    if (options.signal !== undefined) policy.signal = options.signal;
    if (options.onAttemptFailed !== undefined) policy.onAttemptFailed = options.onAttemptFailed;
    const run = retry(policy, {
      label: this.target,
      attempt: async ({ signal, at }) => {
        const address = this.target;
        at(address);
        tried.add(address);
        await this.send(payload);
        // No limit of its own: the attempt's deadline (timeoutMs) ends the wait.
        const reply = await this.receive(undefined, signal);
        if (reply === null) throw new TimeoutError(`${address}: no reply`, { address });
        return reply;
      },
      // Closed meanwhile: over, whatever the attempt failed with (close() says so below).
      classify: () => (this.closedError !== undefined ? "throw" : "retry"),
      pauseAfter: (err) => {
        // A silence moves on at once; a refusal too if another address is left, else it waits.
        if (err instanceof TimeoutError) {
          this.nextAddress(false);
          return 0;
        }
        return this.nextAddress(true) ? 0 : timeoutMs;
      },
      sleep: async (ms, signal) => void (await this.wait(ms, false, signal)),
      giveUp: (attempts, lastError) => {
        const lastCode = attempts[attempts.length - 1]?.code ?? "ETIMEDOUT";
        const why = lastCode === "ETIMEDOUT" ? "" : `: ${explainCode(lastCode) ?? lastCode}`;
        const addresses = [...tried].join(", ");
        return new NoResponseError(`${addresses}: no response after ${total} attempt${total === 1 ? "" : "s"}${why}`, {
          address: this.target,
          cause: lastError,
          attempts,
          messageKey: "no-response",
          params: { address: addresses, attempts: total, code: lastCode },
        });
      },
    });
    try {
      const { value, attempt } = await run;
      return { ...value, attempt };
    } catch (err) {
      throw this.closedError ?? err;
    }
  }

  /** Close the client: everything still waiting fails now with ERR_SOCKET_CLOSED. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closedError = new SocklabError("ERR_SOCKET_CLOSED", `${this.target}: the client was closed before a reply arrived`, {
      address: this.target,
    });
    this.queue.length = 0;
    this.pendingError = undefined;
    for (const waiter of [...this.waiters]) waiter.settle(this.closedError);
    this.closing = this.closeSocket();
    return this.closing;
  }
}

export interface DatagramClientOptions {
  family?: 0 | 4 | 6;
  /** Unix datagram: bind the client to this path (default: autobind). */
  bind?: string | undefined;
}

/**
 * UDP request/response with timeout and retransmission (exercises 7 and 8): send the
 * request, wait `timeoutMs` for a reply, send it again, up to `attempts` times in total.
 * A reply to any earlier copy counts. The socket is connected, so "port unreachable"
 * comes back as ECONNREFUSED at once instead of a silent timeout.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { abortReason, delay } from "../abort.js";
import { formatAddress } from "../address.js";
import { explainCode, NoResponseError, type AttemptRecord } from "../errors.js";
import { resolveAll } from "../tcp/connect.js";
import { udpTypeFor } from "../datagram/endpoint.js";

export interface UdpRequestOptions {
  host: string;
  port: number;
  payload: Buffer;
  /** Wait this long for a reply after each send (ms). Default 1000 (the guide's). */
  timeoutMs?: number;
  /** Total sends. Default 3 (the guide's). */
  attempts?: number;
  family?: 0 | 4 | 6;
  signal?: AbortSignal;
  onAttemptFailed?: (record: AttemptRecord, total: number) => void;
}

export interface UdpReply {
  data: Buffer;
  /** Who answered, e.g. udp://127.0.0.1:9006. */
  from: string;
  /** Which send was answered first (1-based). */
  attempt: number;
}

/** A connected UDP socket for a series of requests (the CLI sends several). */
export class UdpClient {
  private readonly socket: UdpSocket;
  readonly target: string;
  private readonly queue: { data: Buffer; from: string }[] = [];
  private waiter: ((item: { data: Buffer; from: string } | Error) => void) | undefined;
  private lastError: Error | undefined;

  private constructor(socket: UdpSocket, target: string) {
    this.socket = socket;
    this.target = target;
    socket.on("message", (data, rinfo) => {
      const item = { data, from: formatAddress({ kind: "udp", host: rinfo.address, port: rinfo.port }) };
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(item);
      } else if (this.queue.length < 1024) {
        this.queue.push(item);
      }
    });
    socket.on("error", (err) => {
      this.lastError = err;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(err);
      }
    });
  }

  static async open(host: string, port: number, family: 0 | 4 | 6 = 0): Promise<UdpClient> {
    const [first] = await resolveAll(host, family);
    const address = first?.address ?? host;
    const socket = createSocket(udpTypeFor(address));
    const target = formatAddress({ kind: "udp", host: address, port });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(port, address, () => {
        socket.removeListener("error", reject);
        resolve();
      });
    });
    return new UdpClient(socket, target);
  }

  send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, (err) => (err ? reject(err) : resolve())));
  }

  /** The next datagram that arrives, or a TimeoutError-like rejection after `timeoutMs`. */
  receive(timeoutMs: number, signal?: AbortSignal): Promise<{ data: Buffer; from: string } | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.lastError) {
      const err = this.lastError;
      this.lastError = undefined;
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

  /** Request with retransmission; see udpRequest. */
  async request(
    payload: Buffer,
    options: Omit<UdpRequestOptions, "host" | "port" | "payload" | "family"> = {},
  ): Promise<UdpReply> {
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
    const why = lastCode === "ETIMEDOUT" ? "" : ` (${explainCode(lastCode) ?? lastCode})`;
    throw new NoResponseError(`${this.target}: no response after ${total} attempt${total === 1 ? "" : "s"}${why}`, {
      address: this.target,
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** One request with timeout and retransmission on a fresh socket. */
export async function udpRequest(options: UdpRequestOptions): Promise<UdpReply> {
  const client = await UdpClient.open(options.host, options.port, options.family ?? 0);
  try {
    return await client.request(options.payload, options);
  } finally {
    await client.close();
  }
}

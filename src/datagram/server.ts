/**
 * The datagram server runner: each datagram is answered (or not) by a responder and the
 * reply goes back to its sender. One line is logged per datagram. Errors on one send never
 * stop the server.
 *
 * On a batched endpoint (the addon's recvmmsg/sendmmsg path) the responder sees every
 * datagram of a wake-up in one call — through its batch fast path when it has one — and
 * the replies leave in one sendmmsg. The per-datagram log line stays, but it is built from
 * the sender's text formatted once per distinct sender, and not at all without a log.
 */
import { describeError } from "../errors.js";
import type { DatagramBatch, DatagramResponder } from "../services/types.js";
import type { DatagramEndpoint } from "./endpoint.js";

export interface DatagramServerOptions<Peer> {
  endpoint: DatagramEndpoint<Peer>;
  responder: DatagramResponder;
  log?: (line: string) => void;
  trace?: boolean;
}

export class DatagramServer<Peer> {
  readonly address: string;
  private readonly endpoint: DatagramEndpoint<Peer>;
  private closing: Promise<void> | undefined;
  private logLines: PacedLog | undefined;
  /** Datagrams received and replies sent (handed to the kernel) so far. */
  received = 0;
  sent = 0;

  constructor(options: DatagramServerOptions<Peer>) {
    const { endpoint, responder } = options;
    const log = options.log === undefined ? undefined : (this.logLines = new PacedLog(options.log)).line;
    const say = log ?? ((): void => {});
    this.endpoint = endpoint;
    this.address = endpoint.address;
    endpoint.onError((err) => say(`error ${describeError(err)}`));
    if (endpoint.onBatch) {
      endpoint.onBatch((batch) => this.onBatch(batch, responder, log, options.trace === true));
      return;
    }
    endpoint.onMessage((data, peer) => {
      this.received++;
      const from = endpoint.formatPeer(peer);
      say(`datagram ${from} ${data.length} bytes`);
      let reply: Buffer | null;
      try {
        reply = responder(data, from);
      } catch (err) {
        say(`error ${from} ${describeError(err)}`);
        return;
      }
      if (reply === null) return;
      if (options.trace) say(`sendto ${from} ${reply.length} bytes`);
      endpoint.send(reply, peer).then(
        () => void this.sent++,
        (err: unknown) => say(`error sending to ${from}: ${describeError(err)}`),
      );
    });
  }

  private onBatch(batch: DatagramBatch, responder: DatagramResponder, log: ((line: string) => void) | undefined, trace: boolean): void {
    const n = batch.count;
    this.received += n;
    if (log) for (let i = 0; i < n; i++) log(`datagram ${batch.peer(i)} ${batch.size(i)} bytes`);
    const fast = responder.batch;
    if (fast) {
      try {
        fast(batch);
      } catch (err) {
        log?.(`error ${describeError(err)}`);
        return;
      }
    } else {
      for (let i = 0; i < n; i++) {
        try {
          batch.reply(i, responder(batch.data(i), batch.peer(i)));
        } catch (err) {
          log?.(`error ${batch.peer(i)} ${describeError(err)}`);
        }
      }
    }
    // Counted as handed over; a reply the kernel refuses is reported through onError.
    for (let i = 0; i < n; i++) {
      const size = batch.replySize(i);
      if (size < 0) continue;
      this.sent++;
      if (trace && log) log(`sendto ${batch.peer(i)} ${size} bytes`);
    }
  }

  /** Stop; idempotent. Log lines still held back are passed on first. */
  close(): Promise<void> {
    this.logLines?.flush();
    return (this.closing ??= this.endpoint.close());
  }
}

/** Pass lines on at once when quiet; under load, at most every this many ms. */
const LOG_PACE_MS = 10;

/**
 * Every line is kept and passed on in order, one call per line; only the timing changes.
 * A busy server would otherwise hand its log a line per wake-up, and the CLI's log writes
 * once per event-loop turn: a write(2) per datagram batch, as costly as the datagram's
 * own syscalls. Paced, a busy server writes its log about 100 times a second.
 */
class PacedLog {
  private held: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly sink: (line: string) => void) {}

  readonly line = (text: string): void => {
    if (this.timer !== undefined) {
      this.held.push(text);
      return;
    }
    const now = performance.now();
    if (now - this.last >= LOG_PACE_MS) {
      this.last = now;
      this.sink(text);
      return;
    }
    this.held.push(text);
    this.timer = setTimeout(() => this.flush(), LOG_PACE_MS - (now - this.last));
  };

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = performance.now();
    const lines = this.held;
    this.held = [];
    for (const l of lines) this.sink(l);
  }
}

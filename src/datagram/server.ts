/**
 * The datagram server runner: each datagram is answered (or not) by a responder and the
 * reply goes back to its sender. One event is reported per datagram. Errors on one send never
 * stop the server.
 *
 * On a batched endpoint (the addon's recvmmsg/sendmmsg path) the responder sees every
 * datagram of a wake-up in one call — through its batch fast path when it has one — and
 * the replies leave in one sendmmsg. The per-datagram event stays, but the sender's text is
 * formatted once per distinct sender, and no event is built when nobody listens.
 */
import type { ServerAddress } from "../address.js";
import { errorEvent, eventChannel, publishing, type EventSink, type SocklabEvent } from "../events.js";
import type { DatagramBatch, DatagramResponder } from "./types.js";
import type { DatagramEndpoint } from "./endpoint.js";

export type { DatagramBatch, DatagramResponder } from "./types.js";

export interface DatagramServerOptions<Peer> {
  endpoint: DatagramEndpoint<Peer>;
  responder: DatagramResponder;
  /** Receives every event (also published on the `socklab:event` channel). */
  onEvent?: EventSink;
  /** Also report each reply sent. */
  trace?: boolean;
}

export class DatagramServer<Peer> {
  /**
   * Where it is bound, structured as StreamServer's: `{ kind: "udp", family: "ipv4", host,
   * port }`, `{ kind: "unix-dgram", family: "unix", path }`, `{ kind: "abstract-dgram",
   * family: "abstract", name }`. An Address: openDatagramClient(server.address) reaches it.
   */
  readonly address: ServerAddress;
  /** The same in socklab's URL form: udp://127.0.0.1:41234, unix-dgram:/tmp/x, abstract-dgram:name. */
  readonly url: string;
  private readonly endpoint: DatagramEndpoint<Peer>;
  private closing: Promise<void> | undefined;
  private readonly paced: PacedSink | undefined;
  /** Datagrams received and replies sent (handed to the kernel) so far. */
  received = 0;
  sent = 0;

  constructor(options: DatagramServerOptions<Peer>) {
    const { endpoint, responder } = options;
    this.paced = options.onEvent === undefined ? undefined : new PacedSink(options.onEvent);
    const emit = publishing(this.paced?.event);
    const listening = (): boolean => this.paced !== undefined || eventChannel.hasSubscribers;
    this.endpoint = endpoint;
    this.address = endpoint.bound;
    this.url = endpoint.address;
    endpoint.onError((err) => emit(errorEvent(err, { address: this.url })));
    if (endpoint.onBatch) {
      const trace = options.trace === true;
      endpoint.onBatch((batch) => this.onBatch(batch, responder, listening() ? emit : undefined, trace));
      return;
    }
    endpoint.onMessage((data, peer) => {
      this.received++;
      const from = endpoint.formatPeer(peer);
      emit({ type: "datagram-in", peer: from, bytes: data.length });
      let reply: Buffer | null;
      try {
        reply = responder(data, from);
      } catch (err) {
        emit(errorEvent(err, { peer: from, during: "serve" }));
        return;
      }
      if (reply === null) return;
      if (options.trace) emit({ type: "datagram-out", peer: from, bytes: reply.length });
      endpoint.send(reply, peer).then(
        () => void this.sent++,
        (err: unknown) => emit(errorEvent(err, { peer: from, during: "send" })),
      );
    });
  }

  private onBatch(batch: DatagramBatch, responder: DatagramResponder, emit: EventSink | undefined, trace: boolean): void {
    const n = batch.count;
    this.received += n;
    if (emit) for (let i = 0; i < n; i++) emit({ type: "datagram-in", peer: batch.peer(i), bytes: batch.size(i) });
    const fast = responder.batch;
    if (fast) {
      try {
        fast(batch);
      } catch (err) {
        emit?.(errorEvent(err, { during: "serve" }));
        return;
      }
    } else {
      for (let i = 0; i < n; i++) {
        try {
          batch.reply(i, responder(batch.data(i), batch.peer(i)));
        } catch (err) {
          emit?.(errorEvent(err, { peer: batch.peer(i), during: "serve" }));
        }
      }
    }
    // Counted as handed over; a reply the kernel refuses is reported through onError.
    for (let i = 0; i < n; i++) {
      const size = batch.replySize(i);
      if (size < 0) continue;
      this.sent++;
      if (trace && emit) emit({ type: "datagram-out", peer: batch.peer(i), bytes: size });
    }
  }

  /** Stop; idempotent. Events still held back are passed on first. */
  close(): Promise<void> {
    this.paced?.flush();
    return (this.closing ??= this.endpoint.close());
  }
}

/** Pass events on at once when quiet; under load, at most every this many ms. */
const PACE_MS = 10;

/**
 * Every event is kept and passed on in order, one call per event; only the timing changes.
 * A busy server would otherwise hand its sink events on every wake-up, and the CLI writes
 * its log once per event-loop turn: a write(2) per datagram batch, as costly as the
 * datagrams' own syscalls. Paced, a busy server's log is written about 100 times a second.
 */
class PacedSink {
  private held: SocklabEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly sink: EventSink) {}

  readonly event = (event: SocklabEvent): void => {
    if (this.timer !== undefined) {
      this.held.push(event);
      return;
    }
    const now = performance.now();
    if (now - this.last >= PACE_MS) {
      this.last = now;
      this.sink(event);
      return;
    }
    this.held.push(event);
    this.timer = setTimeout(() => this.flush(), PACE_MS - (now - this.last));
  };

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = performance.now();
    const events = this.held;
    this.held = [];
    for (const e of events) this.sink(e);
  }
}

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
import { PacedSink, type RepeatingSink } from "../paced-sink.js";
export { PacedSink, type RepeatingSink } from "../paced-sink.js";

export type { DatagramBatch, DatagramResponder } from "./types.js";

export interface DatagramServerOptions<Peer> {
  endpoint: DatagramEndpoint<Peer>;
  responder: DatagramResponder;
  /**
   * Receives every event (also published on the `socklab:event` channel). A sink with a
   * `repeat(event, count)` method gets a run of identical datagram events in one call.
   */
  onEvent?: RepeatingSink;
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
  /** The last datagram-in event passed on (events are never changed once made). */
  private lastIn: Extract<SocklabEvent, { type: "datagram-in" }> | undefined;

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
    if (emit) {
      for (let i = 0; i < n; i++) {
        // One event object per run of datagrams from one sender with one size (a client's
        // usual stream): the sink gets one call per datagram, as always, without an
        // allocation each, and the CLI formats the repeated object once.
        const peer = batch.peer(i);
        const bytes = batch.size(i);
        let event = this.lastIn;
        if (event === undefined || event.peer !== peer || event.bytes !== bytes) event = this.lastIn = { type: "datagram-in", peer, bytes };
        emit(event);
      }
    }
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


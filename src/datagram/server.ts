/**
 * The datagram server runner: each datagram is answered (or not) by a responder and the
 * reply goes back to its sender. One event is reported per datagram. Errors on one send never
 * stop the server.
 */
import { errorEvent, publishing, type EventSink } from "../events.js";
import type { DatagramEndpoint } from "./endpoint.js";

/** Answers one datagram: the reply to send back to its sender, or null for none. */
export type DatagramResponder = (data: Buffer, peer: string) => Buffer | null;

export interface DatagramServerOptions<Peer> {
  endpoint: DatagramEndpoint<Peer>;
  responder: DatagramResponder;
  /** Receives every event (also published on the `socklab:event` channel). */
  onEvent?: EventSink;
  /** Also report each reply sent. */
  trace?: boolean;
}

export class DatagramServer<Peer> {
  readonly address: string;
  private readonly endpoint: DatagramEndpoint<Peer>;
  private closing: Promise<void> | undefined;
  /** Datagrams received and replies sent so far. */
  received = 0;
  sent = 0;

  constructor(options: DatagramServerOptions<Peer>) {
    const { endpoint, responder } = options;
    const emit = publishing(options.onEvent);
    this.endpoint = endpoint;
    this.address = endpoint.address;
    endpoint.onError((err) => emit(errorEvent(err, { address: this.address })));
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

  /** Stop; idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.endpoint.close());
  }
}

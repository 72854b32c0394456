/**
 * The datagram server runner: each datagram is answered (or not) by a responder and the
 * reply goes back to its sender. One line is logged per datagram. Errors on one send never
 * stop the server.
 */
import { describeError } from "../errors.js";
import type { DatagramResponder } from "../services/types.js";
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
  /** Datagrams received and replies sent so far. */
  received = 0;
  sent = 0;

  constructor(options: DatagramServerOptions<Peer>) {
    const { endpoint, responder } = options;
    const log = options.log ?? ((): void => {});
    this.endpoint = endpoint;
    this.address = endpoint.address;
    endpoint.onError((err) => log(`error ${describeError(err)}`));
    endpoint.onMessage((data, peer) => {
      this.received++;
      const from = endpoint.formatPeer(peer);
      log(`datagram ${from} ${data.length} bytes`);
      let reply: Buffer | null;
      try {
        reply = responder(data, from);
      } catch (err) {
        log(`error ${from} ${describeError(err)}`);
        return;
      }
      if (reply === null) return;
      if (options.trace) log(`sendto ${from} ${reply.length} bytes`);
      endpoint.send(reply, peer).then(
        () => void this.sent++,
        (err: unknown) => log(`error sending to ${from}: ${describeError(err)}`),
      );
    });
  }

  /** Stop; idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.endpoint.close());
  }
}

/** What a datagram responder is given and answers: shared by the datagram runner and the services. */
import type { ServerAddress } from "../address.js";

/**
 * The datagrams of one wake-up, as a batched endpoint receives them (recvmmsg): read them,
 * set a reply per datagram, and the endpoint sends every reply in one go (sendmmsg) when
 * the handler returns. Views into the receive buffer are valid during that call only.
 */
export interface DatagramBatch {
  /** Datagrams in this batch. */
  readonly count: number;
  /** Datagram i's bytes: a view into the receive buffer (copy it to keep it). */
  data(i: number): Buffer;
  /** Datagram i's size in bytes. */
  size(i: number): number;
  /** True when datagram i is exactly `bytes` (no allocation). */
  equals(i: number, bytes: Buffer): boolean;
  /** Datagram i's sender in socklab notation (formatted once per distinct sender). */
  peer(i: number): string;
  /** Whether datagram i's sender has an address a reply can go to. */
  canReply(i: number): boolean;
  /** Answer datagram i with `data` (null: no reply). */
  reply(i: number, data: Buffer | null): void;
  /** Answer every datagram of the batch with itself, sent straight from the receive buffer. */
  echoAll(): void;
  /** The size of the reply set for datagram i, or -1 for none. */
  replySize(i: number): number;
}

/** Answers one datagram: the reply to send back to its sender, or null for none. */
export interface DatagramResponder {
  (data: Buffer, peer: string): Buffer | null;
  /**
   * Optional fast path: the same answers as calling the responder on each datagram of the
   * batch, given with batch.reply / batch.echoAll.
   */
  batch?: (batch: DatagramBatch) => void;
}

export interface DatagramEndpoint<Peer = unknown> {
  /** Where it is bound, in socklab notation (real port): formatAddress(bound). */
  readonly address: string;
  /** Where it is bound, structured (kind, family, host and port, path, or name). */
  readonly bound: ServerAddress;
  onMessage(listener: (data: Buffer, peer: Peer) => void): void;
  /**
   * Batched endpoints only (recvmmsg/sendmmsg): the datagrams of each wake-up in one call;
   * replies set on the batch go out together when the listener returns. A server uses this
   * instead of onMessage when it is there.
   */
  onBatch?(listener: (batch: DatagramBatch) => void): void;
  onError(listener: (err: Error) => void): void;
  send(data: Buffer, peer: Peer): Promise<void>;
  formatPeer(peer: Peer): string;
  close(): Promise<void>;
}

export interface UdpPeer {
  address: string;
  port: number;
}

export interface UdpBindOptions {
  /** SO_REUSEADDR: several responders on one port (broadcast discovery). */
  reuseAddr?: boolean;
  /** For `::`: IPv6 only (default: dual-stack). */
  ipv6Only?: boolean;
  /**
   * Use the addon's batched socket (recvmmsg/sendmmsg) when it is built (default true);
   * false, or SOCKLAB_UDP=dgram in the environment, uses node:dgram.
   */
  native?: boolean;
}

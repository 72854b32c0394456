/**
 * The one interface every address kind implements (see registry.ts). A stream transport
 * connects (one attempt; retries are the caller's) and prepares a listener for StreamServer;
 * a datagram transport opens a client and binds a server endpoint. Each transport is one
 * file; nothing here patches another module.
 */
import type { Socket } from "node:net";
import type { Address, AddressKind } from "../address.js";
import type { DatagramClientBase, DatagramClientOptions } from "../datagram/client.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import type { SocklabEvent } from "../events.js";
import type { TlsClientConfig, TlsClientOptions } from "../tls/client.js";
import type { TlsServerOptions, TlsServerSetup } from "../tls/server.js";
import type { TlsSessionInfo } from "../tls/session.js";

export interface OpenStreamOptions {
  family?: 0 | 4 | 6;
  /** Connect timeout (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** tls:// only: how to verify the server (options, or a config prepared once by prepareTlsClient). */
  tls?: TlsClientOptions | TlsClientConfig;
}

export interface OpenedStream {
  socket: Socket;
  /** The address actually connected to. */
  address: string;
  /** tls:// only: the negotiated session (protocol, cipher, peer certificate). */
  tls?: TlsSessionInfo;
}

/** Decides, right after accept, whether a client may be served (e.g. by its peer uid). */
export type AcceptFilter = (socket: Socket) => { ok: true } | ({ ok: false } & Omit<Extract<SocklabEvent, { type: "refused" }>, "type" | "peer">);

export interface ListenSettings {
  /** Unix socket file permissions (default 0o600). */
  mode?: number | undefined;
  /** Unix only: serve only peers with these uids (SO_PEERCRED). */
  allowUids?: number[] | undefined;
  /** tls:// only: certificate, key, client CA, ALPN (default: an ephemeral certificate). */
  tls?: TlsServerOptions | undefined;
}

/** What a stream transport adds to StreamServer's options for its address. */
export interface ListenExtras {
  /** An already bound and listening descriptor (Unix paths, bound with their mode before the file appears). */
  listenFd?: number;
  acceptFilter?: AcceptFilter;
  /** TLS on top of TCP: the server's certificate setup. */
  tls?: TlsServerSetup;
}

export interface BindSettings {
  reuseAddr?: boolean | undefined;
  mode?: number | undefined;
  ipv6Only?: boolean | undefined;
}

export type { DatagramClientOptions };

export interface StreamTransport {
  readonly kind: AddressKind;
  readonly style: "stream";
  /** One connection attempt; failures of each address tried go to `record`. */
  connect(address: Address, options: OpenStreamOptions, record: (address: string, err: unknown) => void): Promise<OpenedStream>;
  /** Prepare a listener at `address` (bind it, or describe how StreamServer should). */
  listen(address: Address, settings: ListenSettings): Promise<ListenExtras>;
  /** One line for help and errors: what this transport is. */
  describe(): string;
}

export interface DatagramTransport {
  readonly kind: AddressKind;
  readonly style: "datagram";
  open(address: Address, options: DatagramClientOptions): Promise<DatagramClientBase>;
  bind(address: Address, settings: BindSettings): Promise<DatagramEndpoint<unknown>>;
  describe(): string;
}

export type Transport = StreamTransport | DatagramTransport;

/**
 * Address kind → transport. Adding a transport is one file in this folder plus one line in
 * TRANSPORTS. Callers (CLI, relay, library) go through the functions below and never
 * branch on the address kind themselves.
 */
import { formatAddress, type Address, type AddressKind } from "../address.js";
import type { DatagramClientBase } from "../datagram/client.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { SocklabError } from "../errors.js";
import { withRetries, type RetryOptions } from "../tcp/connect.js";
import { abstract } from "./abstract.js";
import { abstractDgram } from "./abstract-dgram.js";
import { listenError } from "./listen-error.js";
import { tcp } from "./tcp.js";
import { tls } from "./tls.js";
import type {
  BindSettings,
  DatagramClientOptions,
  DatagramTransport,
  ListenExtras,
  ListenSettings,
  OpenedStream,
  OpenStreamOptions,
  StreamTransport,
  Transport,
} from "./types.js";
import { udp } from "./udp.js";
import { unix } from "./unix.js";
import { unixDgram } from "./unix-dgram.js";

export const TRANSPORTS: Record<AddressKind, Transport> = {
  tcp,
  udp,
  unix,
  "unix-dgram": unixDgram,
  abstract,
  "abstract-dgram": abstractDgram,
  tls,
};

export function transportFor(address: Address): Transport {
  return TRANSPORTS[address.kind];
}

export function streamTransport(address: Address): StreamTransport {
  const transport = transportFor(address);
  if (transport.style !== "stream") throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)} is not a stream address`);
  return transport;
}

export function datagramTransport(address: Address): DatagramTransport {
  const transport = transportFor(address);
  if (transport.style !== "datagram") throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)} is not a datagram address`);
  return transport;
}

/** One connection attempt to `address`; failures of each address tried go to `record`. */
export async function openStream(
  address: Address,
  options: OpenStreamOptions = {},
  record: (address: string, err: unknown) => void = () => {},
): Promise<OpenedStream> {
  const opened = await streamTransport(address).connect(address, options, record);
  // Whoever uses the socket sees its errors (write callbacks, read helpers); this listener
  // only keeps an error that arrives while nobody listens from crashing the process.
  // The read helpers then find it in socket.errored.
  opened.socket.on("error", () => {});
  return opened;
}

/** Connect to a stream address with retries (attempts, per-attempt timeout, backoff). */
export async function connectStream(address: Address, options: OpenStreamOptions & RetryOptions = {}): Promise<OpenedStream> {
  const { value } = await withRetries(formatAddress(address), options, (_attempt, record) => openStream(address, options, record));
  return value;
}

/**
 * What StreamServer needs for a listener at `address` (a bound descriptor, a peer filter, a
 * TLS setup); bind errors come out as one clear line (see listenError).
 */
export async function listenExtras(address: Address, settings: ListenSettings = {}): Promise<ListenExtras> {
  const transport = transportFor(address);
  // A datagram address needs nothing here: bindDatagram binds it.
  if (transport.style !== "stream") return {};
  try {
    return await transport.listen(address, settings);
  } catch (err) {
    throw listenError(err, address);
  }
}

/** Bind a datagram endpoint for a server at `address`. */
export function bindDatagram(address: Address, settings: BindSettings = {}): Promise<DatagramEndpoint<unknown>> {
  return datagramTransport(address).bind(address, settings);
}

/** Open a datagram client to `address` (UDP connected socket, or a bound Unix datagram socket). */
export function openDatagramClient(address: Address, options: DatagramClientOptions = {}): Promise<DatagramClientBase> {
  return datagramTransport(address).open(address, options);
}

export type * from "./types.js";

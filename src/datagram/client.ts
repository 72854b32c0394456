/** A datagram client for any datagram address (udp://, and unix-dgram:/abstract-dgram: via the Unix module). */
import type { Address } from "../address.js";
import { NotSupportedError } from "../errors.js";
import { UdpClient } from "../udp/request.js";

export type DatagramClient = Pick<UdpClient, "request" | "send" | "receive" | "close" | "target">;

export interface DatagramClientOptions {
  family?: 0 | 4 | 6;
  /** Unix datagram: bind the client to this path (default: autobind). */
  bind?: string | undefined;
}

/** Opener for Unix datagram addresses, registered by the Unix module. */
export const datagramOpeners: {
  unix?: (address: Address, options: DatagramClientOptions) => Promise<DatagramClient>;
} = {};

export async function openDatagramClient(address: Address, options: DatagramClientOptions = {}): Promise<DatagramClient> {
  if (address.kind === "udp") return UdpClient.open(address.host, address.port, options.family ?? 0);
  if (!datagramOpeners.unix) throw new NotSupportedError("Unix datagram sockets are not supported on this platform");
  return datagramOpeners.unix(address, options);
}

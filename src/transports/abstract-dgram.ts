/** abstract-dgram:NAME: Unix datagram sockets in the abstract namespace (native addon). */
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { bindUnixDatagram, UnixDatagramClient } from "../unix/datagram-client.js";
import type { DatagramTransport } from "./types.js";

export const abstractDgram: DatagramTransport = {
  kind: "abstract-dgram",
  style: "datagram",
  open: (address, options) => UnixDatagramClient.open(address, options.bind),
  bind: async (address, settings) => (await bindUnixDatagram(address, settings.mode)) as DatagramEndpoint<unknown>,
  describe: () => "Unix datagram socket (abstract name)",
};

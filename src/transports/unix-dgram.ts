/** unix-dgram:PATH: Unix datagram sockets bound to a file (native addon, loaded on first use). */
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { bindUnixDatagram, UnixDatagramClient } from "../unix/datagram-client.js";
import type { DatagramTransport } from "./types.js";

export const unixDgram: DatagramTransport = {
  kind: "unix-dgram",
  style: "datagram",
  open: (address, options) => UnixDatagramClient.open(address, options.bind),
  bind: async (address, settings) => (await bindUnixDatagram(address, settings.mode)) as DatagramEndpoint<unknown>,
  describe: () => "Unix datagram socket (path)",
};

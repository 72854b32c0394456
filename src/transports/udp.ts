/** udp://HOST:PORT: a connected UDP client (every address of the host in turn), or a bound endpoint. */
import { bindUdp } from "../datagram/endpoint.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { SocklabError } from "../errors.js";
import { UdpClient } from "../udp/request.js";
import type { DatagramTransport } from "./types.js";

export const udp: DatagramTransport = {
  kind: "udp",
  style: "datagram",
  async open(address, options) {
    if (address.kind !== "udp") throw new SocklabError("ERR_NOT_SUPPORTED", "not a udp:// address");
    return UdpClient.open(address.host, address.port, options.family ?? 0);
  },
  async bind(address, settings) {
    if (address.kind !== "udp") throw new SocklabError("ERR_NOT_SUPPORTED", "not a udp:// address");
    const endpoint = await bindUdp(address, {
      ...(settings.reuseAddr !== undefined ? { reuseAddr: settings.reuseAddr } : {}),
      ...(settings.ipv6Only !== undefined ? { ipv6Only: settings.ipv6Only } : {}),
    });
    return endpoint as DatagramEndpoint<unknown>;
  },
  describe: () => "UDP",
};

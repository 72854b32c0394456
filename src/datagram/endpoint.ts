/**
 * One shape for datagram sockets of any family, so the datagram server runner serves UDP
 * and Unix datagram sockets alike. Peers are kept opaque and shown in socklab notation.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { formatAddress, serverAddress, type InetAddress } from "../address.js";
import { wrapSystemError } from "../errors.js";
import type { DatagramBatch, DatagramEndpoint, UdpBindOptions, UdpPeer } from "./types.js";
export type { DatagramEndpoint, UdpBindOptions, UdpPeer } from "./types.js";
import { batchBinding, bindNativeUdp } from "./native-udp.js";

export function udpTypeFor(host: string): "udp4" | "udp6" {
  return isIPv6(host) ? "udp6" : "udp4";
}

/**
 * Bind a UDP socket to host:port and wrap it: batched through the addon when it is built,
 * else node:dgram (same behaviour, one datagram per callback).
 */
export function bindUdp(address: InetAddress, options: UdpBindOptions = {}): Promise<DatagramEndpoint<UdpPeer>> {
  const native = options.native === false || address.host.includes("%") ? undefined : batchBinding();
  if (native !== undefined) {
    try {
      return Promise.resolve(bindNativeUdp(native, address, options));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  return bindDgram(address, options);
}

/** The portable path: node:dgram. */
export function bindDgram(address: InetAddress, options: UdpBindOptions = {}): Promise<DatagramEndpoint<UdpPeer>> {
  const type = udpTypeFor(address.host);
  const socket: UdpSocket = createSocket({
    type,
    reuseAddr: options.reuseAddr ?? false,
    ipv6Only: type === "udp6" ? options.ipv6Only ?? false : false,
  });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(wrapSystemError(err, formatAddress(address), { syscall: "bind" }));
    };
    socket.once("error", onError);
    socket.bind(address.port, address.host, () => {
      socket.removeListener("error", onError);
      const info = socket.address();
      const bound = serverAddress({ kind: "udp", host: address.host, port: info.port }, type === "udp6" ? "ipv6" : "ipv4");
      let closed: Promise<void> | undefined;
      resolve({
        address: formatAddress(bound),
        bound,
        onMessage: (listener) => socket.on("message", (data, rinfo) => listener(data, { address: rinfo.address, port: rinfo.port })),
        onError: (listener) => socket.on("error", listener),
        send: (data, peer) =>
          new Promise((ok, fail) => socket.send(data, peer.port, peer.address, (err) => (err ? fail(err) : ok()))),
        formatPeer: (peer) => formatAddress({ kind: "udp", host: peer.address, port: peer.port }),
        close: () => (closed ??= new Promise((ok) => socket.close(() => ok()))),
      });
    });
  });
}

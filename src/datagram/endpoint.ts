/**
 * One shape for datagram sockets of any family, so the datagram server runner serves UDP
 * and Unix datagram sockets alike. Peers are kept opaque and shown in socklab notation.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { formatAddress, type InetAddress } from "../address.js";
import type { DatagramBatch } from "../services/types.js";
import { batchBinding, bindNativeUdp } from "./native-udp.js";

export interface DatagramEndpoint<Peer = unknown> {
  /** Where it is bound, in socklab notation (real port). */
  readonly address: string;
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
      reject(Object.assign(err, { address: formatAddress(address) }));
    };
    socket.once("error", onError);
    socket.bind(address.port, address.host, () => {
      socket.removeListener("error", onError);
      const bound = socket.address();
      const shown = formatAddress({ kind: "udp", host: address.host, port: bound.port });
      let closed: Promise<void> | undefined;
      resolve({
        address: shown,
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

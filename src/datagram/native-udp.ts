/**
 * UDP (IPv4 and IPv6) through the addon, read and answered in batches (recvmmsg/sendmmsg):
 * the fast path under bindUdp. bindUdp falls back to node:dgram when the addon is not
 * built or is too old, or for what this path does not do (scoped IPv6 hosts).
 */
import { isIPv6 } from "node:net";
import { formatAddress, serverAddress, type InetAddress } from "../address.js";
import { errnoError } from "../errors.js";
import { isNativeAvailable, nativeBinding } from "../addon/binding.js";
import { BatchDatagramSocket, hasBatchFunctions, type BatchNative } from "./batch-socket.js";
import type { DatagramEndpoint, UdpBindOptions, UdpPeer } from "./types.js";

/** sizeof(struct sockaddr_in6), the larger of the two. */
const INET_ADDR_SLOT = 28;
/** Receive slot: any UDP datagram (≤ 65507 bytes over IPv4, ≤ 65527 over IPv6) fits whole. */
const UDP_SLOT = 65536;
/** Datagrams per recvmmsg. */
const UDP_BATCH = 32;

/** A UDP sender, with the raw sockaddr kept so a reply needs no address parsing. */
export interface NativeUdpPeer extends UdpPeer {
  readonly raw?: Buffer;
}

/** The addon with its batch functions, or undefined (then bindUdp uses node:dgram). */
export function batchBinding(): BatchNative | undefined {
  if (process.env.SOCKLAB_UDP === "dgram" || !isNativeAvailable()) return undefined;
  const native = nativeBinding("batched UDP");
  return hasBatchFunctions(native) ? native : undefined;
}

/** Whether the batched native path can bind this address. */
export function canBindNatively(address: InetAddress): boolean {
  return !address.host.includes("%") && batchBinding() !== undefined;
}

function formatInetPeer(native: BatchNative, raw: Buffer, offset: number, length: number): string {
  const parsed = native.formatInet(raw, offset, length);
  return parsed === null ? "udp://(unknown)" : formatAddress({ kind: "udp", host: parsed[0], port: parsed[1] });
}

export function bindNativeUdp(native: BatchNative, address: InetAddress, options: UdpBindOptions): DatagramEndpoint<NativeUdpPeer> {
  const family = isIPv6(address.host) ? 6 : 4;
  const shownAt = formatAddress(address);
  const c = native.dgramConstants;
  const fd = native.inetSocket(family);
  if (fd < 0) throw errnoError(fd, "socket", { address: shownAt });
  let port: number;
  try {
    if (options.reuseAddr) {
      const r = native.setsockoptInt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1);
      if (r < 0) throw errnoError(r, "setsockopt", { address: shownAt });
    }
    if (family === 6) {
      const r = native.setsockoptInt(fd, c.IPPROTO_IPV6, c.IPV6_V6ONLY, options.ipv6Only ? 1 : 0);
      if (r < 0) throw errnoError(r, "setsockopt", { address: shownAt });
    }
    const sa = Buffer.alloc(INET_ADDR_SLOT);
    const len = native.inetAddress(family, address.host, address.port, sa);
    if (len < 0) throw errnoError(len, "bind", { address: shownAt });
    const r = native.bindAddress(fd, sa, len);
    if (r < 0) throw errnoError(r, "bind", { address: shownAt });
    const bound = Buffer.alloc(128);
    const blen = native.getsockname(fd, bound);
    if (blen < 0) throw errnoError(blen, "getsockname", { address: shownAt });
    port = bound.readUInt16BE(2);
  } catch (err) {
    native.close(fd);
    throw err;
  }
  const socket = new BatchDatagramSocket(native, fd, {
    slot: UDP_SLOT,
    addrSlot: INET_ADDR_SLOT,
    batch: UDP_BATCH,
    formatPeer: (raw, offset, length) => formatInetPeer(native, raw, offset, length),
  });
  const toPeer = (raw: Buffer): NativeUdpPeer => {
    const parsed = native.formatInet(raw, 0, raw.length);
    return { address: parsed?.[0] ?? "", port: parsed?.[1] ?? 0, raw };
  };
  let closed: Promise<void> | undefined;
  const bound = serverAddress({ kind: "udp", host: address.host, port }, family === 6 ? "ipv6" : "ipv4");
  return {
    address: formatAddress(bound),
    bound,
    onMessage: (listener) => socket.onMessage((data, raw) => listener(data, toPeer(raw))),
    onBatch: (listener) => socket.onBatch(listener),
    onError: (listener) => socket.onError(listener),
    send: (data, peer) => {
      let raw = peer.raw;
      if (raw === undefined) {
        const sa = Buffer.alloc(INET_ADDR_SLOT);
        const len = native.inetAddress(family, peer.address, peer.port, sa);
        if (len < 0) return Promise.reject(errnoError(len, "sendmmsg", { address: `${peer.address}:${peer.port}` }));
        raw = sa.subarray(0, len);
      }
      return socket.send(data, raw);
    },
    formatPeer: (peer) => formatAddress({ kind: "udp", host: peer.address, port: peer.port }),
    close: () => (closed ??= Promise.resolve(socket.close())),
  };
}

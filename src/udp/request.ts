/**
 * UDP request/response with timeout and retransmission (exercises 7 and 8). The socket is
 * connected, so "port unreachable" comes back as ECONNREFUSED at once instead of a silent
 * timeout.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { formatAddress } from "../address.js";
import { DatagramClientBase, datagramOpeners, type DatagramReply, type DatagramRequestOptions } from "../datagram/client.js";
import { udpTypeFor } from "../datagram/endpoint.js";
import { resolveAll } from "../tcp/connect.js";

export interface UdpRequestOptions extends DatagramRequestOptions {
  host: string;
  port: number;
  payload: Buffer;
  family?: 0 | 4 | 6;
}

export type UdpReply = DatagramReply;

/** A connected UDP socket for a series of requests. */
export class UdpClient extends DatagramClientBase {
  readonly target: string;
  private readonly socket: UdpSocket;

  private constructor(socket: UdpSocket, target: string) {
    super();
    this.socket = socket;
    this.target = target;
    socket.on("message", (data, rinfo) => this.deliver(data, formatAddress({ kind: "udp", host: rinfo.address, port: rinfo.port })));
    socket.on("error", (err) => this.fail(err));
  }

  static async open(host: string, port: number, family: 0 | 4 | 6 = 0): Promise<UdpClient> {
    const [first] = await resolveAll(host, family);
    const address = first?.address ?? host;
    const socket = createSocket(udpTypeFor(address));
    const target = formatAddress({ kind: "udp", host: address, port });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(port, address, () => {
        socket.removeListener("error", reject);
        resolve();
      });
    });
    return new UdpClient(socket, target);
  }

  send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}

datagramOpeners.udp = async (address, options) => {
  if (address.kind !== "udp") throw new TypeError("not a udp address");
  return UdpClient.open(address.host, address.port, options.family ?? 0);
};

/** One request with timeout and retransmission on a fresh socket. */
export async function udpRequest(options: UdpRequestOptions): Promise<UdpReply> {
  const client = await UdpClient.open(options.host, options.port, options.family ?? 0);
  try {
    return await client.request(options.payload, options);
  } finally {
    await client.close();
  }
}

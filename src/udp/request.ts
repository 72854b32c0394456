/**
 * UDP request/response with timeout and retransmission (exercises 7 and 8). Each socket is
 * connected, so "port unreachable" comes back as ECONNREFUSED at once instead of a silent
 * timeout. A host name may resolve to several addresses (localhost: ::1 and 127.0.0.1);
 * like the TCP client, every one of them is tried, within the same budget of attempts:
 * an address that refuses hands the next attempt to the next address at once, one that
 * stays silent hands it over after its timeout. The address that answers is kept for
 * the following requests.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { formatAddress } from "../address.js";
import { DatagramClientBase, type DatagramReply, type DatagramRequestOptions } from "../datagram/client.js";
import { udpTypeFor } from "../datagram/endpoint.js";
import { SocklabError, wrapSystemError } from "../errors.js";
import { resolveAll } from "../tcp/connect.js";

/** Name resolution, in the system's order (injectable for tests). */
export type UdpResolver = (host: string, family: 0 | 4 | 6) => Promise<{ address: string; family: number }[]>;

export interface UdpClientOptions {
  family?: 0 | 4 | 6;
  /** Default: the system resolver (getaddrinfo order, as the TCP client uses). */
  resolve?: UdpResolver;
}

export interface UdpRequestOptions extends DatagramRequestOptions {
  host: string;
  port: number;
  payload: Buffer;
  family?: 0 | 4 | 6;
  resolve?: UdpResolver;
}

export type UdpReply = DatagramReply;

/** Connected UDP sockets (one per address, opened when first used) for a series of requests. */
export class UdpClient extends DatagramClientBase {
  readonly port: number;
  /** The resolved addresses, in the order they are tried. */
  readonly addresses: readonly string[];
  #current = 0;
  #failed = new Set<number>();
  #sockets = new Map<number, Promise<UdpSocket>>();

  private constructor(addresses: string[], port: number) {
    super();
    this.addresses = addresses;
    this.port = port;
  }

  get target(): string {
    return formatAddress({ kind: "udp", host: this.addresses[this.#current]!, port: this.port });
  }

  static async open(host: string, port: number, familyOrOptions: 0 | 4 | 6 | UdpClientOptions = 0): Promise<UdpClient> {
    const options = typeof familyOrOptions === "number" ? { family: familyOrOptions } : familyOrOptions;
    const label = formatAddress({ kind: "udp", host, port });
    let resolved: { address: string }[];
    try {
      resolved = await (options.resolve ?? resolveAll)(host, options.family ?? 0);
    } catch (err) {
      throw wrapSystemError(err, label, { syscall: "getaddrinfo" });
    }
    const addresses = [...new Set(resolved.map((r) => r.address))];
    if (addresses.length === 0) {
      throw new SocklabError("ENOTFOUND", `${label}: the name resolved to no address`, { address: label });
    }
    const client = new UdpClient(addresses, port);
    // Open the first address that can be used at all (e.g. no IPv6 on this machine: next).
    let lastErr: unknown;
    for (let i = 0; i < addresses.length; i++) {
      client.#current = i;
      try {
        await client.#socket(i);
        return client;
      } catch (err) {
        lastErr = err;
      }
    }
    await client.close();
    throw lastErr;
  }

  /** The connected socket for address `index`, created on first use. */
  #socket(index: number): Promise<UdpSocket> {
    let opening = this.#sockets.get(index);
    if (opening === undefined) {
      const address = this.addresses[index]!;
      const where = formatAddress({ kind: "udp", host: address, port: this.port });
      const socket = createSocket(udpTypeFor(address));
      socket.on("message", (data, rinfo) => this.deliver(data, formatAddress({ kind: "udp", host: rinfo.address, port: rinfo.port })));
      opening = new Promise<UdpSocket>((resolve, reject) => {
        const onError = (err: Error): void => reject(wrapSystemError(err, where, { syscall: "connect" }));
        socket.once("error", onError);
        socket.connect(this.port, address, () => {
          socket.removeListener("error", onError);
          // Errors of an address we already left (a late ICMP refusal) are not this attempt's.
          socket.on("error", (err) => {
            if (index === this.#current) this.fail(wrapSystemError(err, where));
          });
          resolve(socket);
        });
      });
      // A socket that could not connect is closed, and the next use tries again.
      opening.catch(() => {
        this.#sockets.delete(index);
        socket.close();
      });
      this.#sockets.set(index, opening);
    }
    return opening;
  }

  async send(data: Buffer): Promise<void> {
    const socket = await this.#socket(this.#current);
    if (this.closed) throw new SocklabError("ERR_SOCKET_CLOSED", `${this.target}: the client is closed`, { address: this.target });
    const where = this.target;
    await new Promise<void>((resolve, reject) => socket.send(data, (err) => (err ? reject(wrapSystemError(err, where, { syscall: "send" })) : resolve())));
  }

  protected override beginRequest(): void {
    this.#failed.clear();
  }

  protected override nextAddress(refused: boolean): boolean {
    if (this.addresses.length === 1) return false;
    if (refused) this.#failed.add(this.#current);
    for (let step = 1; step < this.addresses.length; step++) {
      const index = (this.#current + step) % this.addresses.length;
      if (!this.#failed.has(index)) {
        this.#current = index;
        return true;
      }
    }
    // Every address refused: start the round again (after the pause) with the next one.
    this.#failed.clear();
    this.#current = (this.#current + 1) % this.addresses.length;
    return false;
  }

  protected async closeSocket(): Promise<void> {
    const sockets = await Promise.allSettled([...this.#sockets.values()]);
    this.#sockets.clear();
    await Promise.all(
      sockets.map((s) =>
        s.status === "fulfilled"
          ? new Promise<void>((resolve) => {
              try {
                s.value.close(() => resolve());
              } catch {
                resolve(); // already closed
              }
            })
          : undefined,
      ),
    );
  }
}

/** One request with timeout and retransmission on a fresh client. */
export async function udpRequest(options: UdpRequestOptions): Promise<UdpReply> {
  const client = await UdpClient.open(options.host, options.port, {
    family: options.family ?? 0,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  try {
    return await client.request(options.payload, options);
  } finally {
    await client.close();
  }
}

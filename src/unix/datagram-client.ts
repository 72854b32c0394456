/**
 * Unix datagram sockets (unix-dgram:PATH, abstract-dgram:NAME) as socklab's datagram client
 * and server endpoint. Importing this module never loads the addon; opening a socket does.
 */
import { formatAddress, serverAddress, type Address } from "../address.js";
import { DatagramClientBase } from "../datagram/client.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { UnixDatagramSocket } from "./datagram.js";
import { bindUnixDatagramBatched, canBatchUnixDatagrams } from "./dgram-batch.js";
import { formatUnixPeer, type UnixDatagramPeer } from "./sockaddr.js";
import { prepareSocketPath } from "./socket-path.js";

/** The Unix target of a unix-dgram:/abstract-dgram: address. */
function datagramTarget(address: Address): { path: string } | { abstract: string } {
  if (address.kind === "unix-dgram") return { path: address.path };
  if (address.kind === "abstract-dgram") return { abstract: address.name };
  throw new TypeError(`${formatAddress(address)} is not a Unix datagram address`);
}

/** A bound Unix datagram socket as a server endpoint. */
export async function bindUnixDatagram(address: Address, mode = 0o600): Promise<DatagramEndpoint<UnixDatagramPeer>> {
  const target = datagramTarget(address);
  if ("path" in target) await prepareSocketPath(target.path);
  // Batched (recvmmsg/sendmmsg) when the addon has it: see ./dgram-batch.ts.
  if (canBatchUnixDatagrams()) return bindUnixDatagramBatched(address, target, mode);
  const socket = await UnixDatagramSocket.bind(target, { mode });
  return {
    address: formatAddress(address),
    bound: serverAddress(address),
    onMessage: (listener) => socket.on("message", (data, from) => listener(data, from)),
    onError: (listener) => socket.on("error", listener),
    send: (data, peer) => {
      if ("unnamed" in peer) {
        return Promise.reject(new Error("the sender is an unbound socket; there is no address to reply to"));
      }
      return socket.send(data, peer);
    },
    formatPeer: (peer) => formatUnixPeer(peer, true),
    close: () => socket.close(),
  };
}

/** A Unix datagram client: bound to `bind` or autobound (so the server can reply), connected to the server. */
export class UnixDatagramClient extends DatagramClientBase {
  readonly target: string;
  private readonly socket: UnixDatagramSocket;

  private constructor(socket: UnixDatagramSocket, target: string) {
    super();
    this.socket = socket;
    this.target = target;
    socket.on("message", (data, from) => this.deliver(data, formatUnixPeer(from, true)));
    socket.on("error", (err) => this.fail(err));
  }

  static async open(address: Address, bind?: string): Promise<UnixDatagramClient> {
    if (bind !== undefined) await prepareSocketPath(bind);
    const socket = await UnixDatagramSocket.bind(bind !== undefined ? { path: bind } : { autobind: true }, { mode: 0o600 });
    try {
      await socket.connect(datagramTarget(address));
    } catch (err) {
      await socket.close();
      throw err;
    }
    return new UnixDatagramClient(socket, formatAddress(address));
  }

  send(data: Buffer): Promise<void> {
    return this.socket.send(data);
  }

  protected closeSocket(): Promise<void> {
    return this.socket.close();
  }
}

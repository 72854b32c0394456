/**
 * Plugs the Unix-domain features into the generic runners and the CLI: abstract stream
 * addresses, Unix datagram endpoints and clients, stale-socket handling, peer-uid
 * filtering, and the peercred and fd services (exercises 1, B1–B4). Importing this module
 * never loads the addon; the features load it when first used.
 */
import { open } from "node:fs/promises";
import { formatAddress, type Address } from "../address.js";
import { DatagramClientBase, datagramOpeners } from "../datagram/client.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { describeError } from "../errors.js";
import { unixServices } from "../services/registry.js";
import { streamOpeners } from "../stream/connect.js";
import type { StreamHandler, StreamServerOptions } from "../stream/server.js";
import { setUnixSupport } from "../stream/unix-hooks.js";
import { peerCredentials } from "./credentials.js";
import { UnixDatagramSocket } from "./datagram.js";
import { bindUnixDatagramBatched, canBatchUnixDatagrams } from "./dgram-batch.js";
import { sendDescriptors } from "./descriptors.js";
import { formatUnixPeer, type UnixDatagramPeer } from "./sockaddr.js";
import { prepareSocketPath } from "./socket-path.js";
import { connectAbstractStream, listenAbstractStream, listenUnixStream } from "./stream.js";

/** The Unix target of a unix-dgram:/abstract-dgram: address. */
function datagramTarget(address: Address): { path: string } | { abstract: string } {
  if (address.kind === "unix-dgram") return { path: address.path };
  if (address.kind === "abstract-dgram") return { abstract: address.name };
  throw new TypeError(`${formatAddress(address)} is not a Unix datagram address`);
}

/** B3: reply with the peer's uid and pid as the kernel reports them. */
export function peercredService(): StreamHandler {
  return (socket, context) => {
    const { pid, uid, gid } = peerCredentials(socket);
    context.emit({ type: "peer-credentials", peer: context.peer, pid, uid, gid });
    // Close once the reply is handed to the kernel, as the guide does (no wait for the peer's FIN).
    socket.end(`Hola UID=${uid} PID=${pid}\n`, () => socket.destroy());
  };
}

/** B4: send the payload `FD` with a descriptor of `file` (opened once, shared by every client). */
export async function fdService(file: string): Promise<StreamHandler> {
  const handle = await open(file, "r");
  return async (socket, context) => {
    await sendDescriptors(socket, Buffer.from("FD"), [handle.fd]);
    context.emit({ type: "descriptor-sent", peer: context.peer, file });
    socket.end(() => socket.destroy());
  };
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

let registered = false;

/** Register the Unix features with the runners (idempotent). */
export function registerUnixSupport(): void {
  if (registered) return;
  registered = true;
  streamOpeners.abstract = (name, options) =>
    connectAbstractStream(name, { timeoutMs: options.timeoutMs, signal: options.signal, allowHalfOpen: true });
  unixServices.peercred = peercredService;
  unixServices.fd = fdService;
  unixServices.bindUnixDatagram = (address, mode) => bindUnixDatagram(address, mode) as Promise<DatagramEndpoint<unknown>>;
  datagramOpeners.unix = (address, options) => UnixDatagramClient.open(address, options.bind);
  setUnixSupport({
    async serverExtras(address, allowUids, mode) {
      const extras: Partial<StreamServerOptions> = {};
      if (address.kind === "unix") {
        // Bound natively with fchmod first: the file never exists with looser permissions.
        await prepareSocketPath(address.path);
        extras.listenFd = listenUnixStream({ path: address.path }, { mode: mode ?? 0o600 });
      }
      if (address.kind === "abstract") extras.listenFd = listenAbstractStream(address.name);
      if (allowUids) {
        const allowed = new Set(allowUids);
        extras.acceptFilter = (socket) => {
          try {
            const { uid, pid } = peerCredentials(socket);
            return allowed.has(uid) ? { ok: true } : { ok: false, reason: "uid-not-allowed", uid, pid };
          } catch (err) {
            return { ok: false, reason: "credentials-unavailable", detail: describeError(err) };
          }
        };
      }
      return extras;
    },
  });
}

registerUnixSupport();

/**
 * A Unix datagram server endpoint read and answered in batches (recvmmsg/sendmmsg, see
 * src/datagram/batch-socket.ts): what `socklab serve echo unix-dgram:PATH` runs on. The
 * general-purpose socket (UnixDatagramSocket, one datagram per call) stays for clients and
 * for `listen`; this one only serves. Bound like it: fchmod before bind, so the file never
 * exists with looser permissions, and close() removes only the file it created.
 */
import { chmod } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { formatAddress, serverAddress, type Address } from "../address.js";
import { BatchDatagramSocket, hasBatchFunctions } from "../datagram/batch-socket.js";
import type { DatagramEndpoint } from "../datagram/endpoint.js";
import { errnoError } from "../errors.js";
import { isNativeAvailable, nativeBinding, SOCK_DGRAM } from "./native.js";
import { claimSocketFile, removeIfOurs, type OwnedSocketFile } from "./socket-file.js";
import {
  decodeSockaddr,
  encodeTarget,
  formatUnixPeer,
  SOCKADDR_UN_SIZE,
  targetPathText,
  type UnixDatagramPeer,
  type UnixName,
  type UnixSocketTarget,
} from "./sockaddr.js";

/** Largest datagram received whole, as UnixDatagramSocket's default. */
const UNIX_SLOT = 65536;
/**
 * Datagrams per recvmmsg. Small on purpose: a Unix datagram socket queues at most
 * net.unix.max_dgram_qlen (10 by default) datagrams, so a sender with more in flight stalls
 * until we read; answering every 4 keeps it sending (measured: 4 per call with up to 16
 * calls per wake-up beat 32 per call, which let the client's window drain dry).
 */
const UNIX_BATCH = 4;
/** sizeof(sa_family_t): the sockaddr length of an unbound (unnamed) sender. */
const FAMILY_SIZE = 2;
const AF_UNIX = 1;

/** Whether the addon can serve Unix datagrams in batches. */
export function canBatchUnixDatagrams(): boolean {
  return isNativeAvailable() && hasBatchFunctions(nativeBinding("batched Unix datagrams"));
}

/** Bind `target` (the path must be free: see prepareSocketPath) and serve it in batches. */
export async function bindUnixDatagramBatched(
  address: Address,
  target: UnixSocketTarget,
  mode: number,
): Promise<DatagramEndpoint<UnixDatagramPeer>> {
  const native = nativeBinding("a Unix datagram socket");
  if (!hasBatchFunctions(native)) throw new Error("the addon has no batch functions");
  const path = "path" in target ? target.path : undefined;
  const pathText = targetPathText(target);
  const where = { address: formatAddress(address), ...(pathText === undefined ? {} : { path: pathText }) };
  const fd = native.socket(SOCK_DGRAM);
  if (fd < 0) throw errnoError(fd, "socket", where);
  try {
    if (path !== undefined) {
      const r = native.fchmod(fd, mode);
      if (r < 0) throw errnoError(r, "fchmod", where);
    }
    const { kind, name } = encodeTarget(target);
    const r = native.bind(fd, kind, name);
    if (r < 0) throw errnoError(r, "bind", where);
  } catch (err) {
    native.close(fd);
    throw err;
  }
  const socket = new BatchDatagramSocket(native, fd, {
    slot: UNIX_SLOT,
    addrSlot: SOCKADDR_UN_SIZE,
    batch: UNIX_BATCH,
    rounds: 16,
    formatPeer: (raw, offset, length) => formatUnixPeer(decodeSockaddr(raw.subarray(offset, offset + length), length), true),
    unnamedLength: FAMILY_SIZE,
  });
  let created: OwnedSocketFile | undefined;
  if (path !== undefined) {
    try {
      created = await claimSocketFile(path);
      await chmod(path, mode); // the umask may have removed bits asked for
    } catch (err) {
      socket.close();
      throw err;
    }
  }
  const errorListeners: ((err: Error) => void)[] = [];
  socket.onError((err) => errorListeners.forEach((l) => l(err)));
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    socket.close();
    if (created === undefined) return;
    try {
      // Only our own file: someone may have replaced a socket we left behind.
      await removeIfOurs(created);
    } catch (err) {
      errorListeners.forEach((l) => l(err as Error));
    }
  };
  return {
    address: formatAddress(address),
    bound: serverAddress(address),
    onMessage: (listener) =>
      socket.onMessage((data, raw) => listener(data, decodeSockaddr(raw, raw.length))),
    onBatch: (listener) => socket.onBatch(listener),
    onError: (listener) => errorListeners.push(listener),
    send: (data, peer) => {
      if ("unnamed" in peer) return Promise.reject(new Error("the sender is an unbound socket; there is no address to reply to"));
      // The sockaddr_un for the addon's sendmmsg: family, then the path and its NUL, or a
      // NUL and the abstract name's exact bytes.
      const abstract = "abstract" in peer;
      const name = Buffer.from(abstract ? peer.abstract : peer.path);
      const length = FAMILY_SIZE + 1 + name.length;
      if (length > SOCKADDR_UN_SIZE) {
        return Promise.reject(errnoError(-osConstants.errno.ENAMETOOLONG, "sendmmsg", { address: formatUnixPeer(peer, true) }));
      }
      const raw = Buffer.alloc(length);
      raw.writeUInt16LE(AF_UNIX, 0);
      name.copy(raw, abstract ? FAMILY_SIZE + 1 : FAMILY_SIZE);
      return socket.send(data, raw);
    },
    formatPeer: (peer) => formatUnixPeer(peer, true),
    close: () => (closing ??= close()),
  };
}

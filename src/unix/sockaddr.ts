/**
 * Unix socket addresses as the TypeScript API spells them, and their encoding for the
 * addon (kind + raw name bytes) and decoding from a kernel sockaddr_un.
 */
import { ADDR_ABSTRACT, ADDR_AUTOBIND, ADDR_PATH } from "./native.js";

/** A named Unix socket: a file path, or a Linux abstract name (no leading NUL). */
export type UnixSocketTarget = { path: string } | { abstract: string };

/** What a datagram socket can bind to: a name, or `autobind` (the kernel picks one). */
export type UnixBindTarget = UnixSocketTarget | { autobind: true };

/** A datagram's sender: a path, an abstract name, or nobody (an unbound socket). */
export type UnixDatagramPeer = { path: string } | { abstract: string } | { unnamed: true };

/** Size of struct sockaddr_un on Linux (2 bytes family + 108 bytes sun_path). */
export const SOCKADDR_UN_SIZE = 110;
const SUN_PATH_OFFSET = 2;

export interface EncodedAddress {
  kind: number;
  name: Buffer | null;
}

export function encodeTarget(target: UnixBindTarget): EncodedAddress {
  if ("path" in target) return { kind: ADDR_PATH, name: Buffer.from(target.path) };
  if ("abstract" in target) return { kind: ADDR_ABSTRACT, name: Buffer.from(target.abstract) };
  return { kind: ADDR_AUTOBIND, name: null };
}

/**
 * Decode `length` bytes of a sockaddr_un. The kernel reports an unnamed socket with a
 * length of just the family, an abstract one with a leading NUL and an exact length.
 */
export function decodeSockaddr(buffer: Buffer, length: number): UnixDatagramPeer {
  const end = Math.min(length, buffer.length);
  if (end <= SUN_PATH_OFFSET) return { unnamed: true };
  if (buffer[SUN_PATH_OFFSET] === 0) {
    return { abstract: buffer.toString("utf8", SUN_PATH_OFFSET + 1, end) };
  }
  const nul = buffer.indexOf(0, SUN_PATH_OFFSET);
  const stop = nul >= 0 && nul < end ? nul : end;
  return { path: buffer.toString("utf8", SUN_PATH_OFFSET, stop) };
}

/** socklab notation for a peer: `unix-dgram:/tmp/x`, `abstract:name`, `unnamed`. */
export function formatUnixPeer(peer: UnixDatagramPeer | UnixBindTarget, datagram: boolean): string {
  if ("path" in peer) return `${datagram ? "unix-dgram" : "unix"}:${peer.path}`;
  if ("abstract" in peer) return `${datagram ? "abstract-dgram" : "abstract"}:${peer.abstract}`;
  return "autobind" in peer ? `${datagram ? "abstract-dgram" : "abstract"}:(autobind)` : "unnamed";
}

/** The `path` field for errors, when the target is a file. */
export function targetPath(target: UnixBindTarget | UnixDatagramPeer): string | undefined {
  return "path" in target ? target.path : undefined;
}

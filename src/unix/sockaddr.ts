/**
 * Unix socket addresses as the TypeScript API spells them, and their encoding for the
 * addon (kind + raw name bytes) and decoding from a kernel sockaddr_un.
 *
 * A path or abstract name is bytes to the kernel, and need not be UTF-8 (Python's
 * b"\0p\xff", a file named cl\xff.sock). Addresses are bytes end to end: one that is
 * valid UTF-8 is given as a string, any other as a Buffer with the exact bytes (as Node's
 * fs accepts and returns Buffer paths), so a reply always reaches the sender. The text
 * form escapes what is not printable: `abstract-dgram:p\xff`.
 */
import { byteEscapes, shownAsIs } from "../display.js";
import { ADDR_ABSTRACT, ADDR_AUTOBIND, ADDR_PATH } from "./native.js";

/** A name as given: text (encoded as UTF-8) or the exact bytes. */
export type UnixName = string | Buffer;

/** A named Unix socket: a file path, or a Linux abstract name (no leading NUL). */
export type UnixSocketTarget = { path: UnixName } | { abstract: UnixName };

/** What a datagram socket can bind to: a name, or `autobind` (the kernel picks one). */
export type UnixBindTarget = UnixSocketTarget | { autobind: true };

/**
 * A datagram's sender: a path, an abstract name (a string when valid UTF-8, else a Buffer
 * of the exact bytes), or nobody (an unbound socket).
 */
export type UnixDatagramPeer = { path: UnixName } | { abstract: UnixName } | { unnamed: true };

/** Size of struct sockaddr_un on Linux (2 bytes family + 108 bytes sun_path). */
export const SOCKADDR_UN_SIZE = 110;
const SUN_PATH_OFFSET = 2;

export interface EncodedAddress {
  kind: number;
  name: Buffer | null;
}

function nameBytes(name: UnixName): Buffer {
  return typeof name === "string" ? Buffer.from(name) : name;
}

export function encodeTarget(target: UnixBindTarget): EncodedAddress {
  if ("path" in target) return { kind: ADDR_PATH, name: nameBytes(target.path) };
  if ("abstract" in target) return { kind: ADDR_ABSTRACT, name: nameBytes(target.abstract) };
  return { kind: ADDR_AUTOBIND, name: null };
}

/** The bytes as a string when they are valid UTF-8 (round trip exact), else a copy of them. */
function decodeName(buffer: Buffer, start: number, end: number): UnixName {
  const bytes = buffer.subarray(start, end);
  const text = bytes.toString("utf8");
  return Buffer.byteLength(text) === bytes.length && Buffer.from(text).equals(bytes) ? text : Buffer.from(bytes);
}

/**
 * Decode `length` bytes of a sockaddr_un. The kernel reports an unnamed socket with a
 * length of just the family, an abstract one with a leading NUL and an exact length.
 */
export function decodeSockaddr(buffer: Buffer, length: number): UnixDatagramPeer {
  const end = Math.min(length, buffer.length);
  if (end <= SUN_PATH_OFFSET) return { unnamed: true };
  if (buffer[SUN_PATH_OFFSET] === 0) return { abstract: decodeName(buffer, SUN_PATH_OFFSET + 1, end) };
  const nul = buffer.indexOf(0, SUN_PATH_OFFSET);
  const stop = nul >= 0 && nul < end ? nul : end;
  return { path: decodeName(buffer, SUN_PATH_OFFSET, stop) };
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** Length of the UTF-8 sequence a lead byte announces (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * A name for display on one line: printable ASCII and printable UTF-8 characters as they
 * are; a backslash as `\\`; any other byte (control, invalid UTF-8) as `\xHH`. Distinct
 * byte strings always give distinct text. (The rule for what is printable is the one of
 * all human output, src/display.ts.)
 */
export function escapeName(name: UnixName): string {
  const bytes = nameBytes(name);
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === 0x5c) {
      out += "\\\\";
      i++;
      continue;
    }
    if (byte >= 0x20 && byte < 0x7f) {
      out += String.fromCharCode(byte);
      i++;
      continue;
    }
    const n = sequenceLength(byte);
    if (n > 0 && i + n <= bytes.length) {
      try {
        const ch = strict.decode(bytes.subarray(i, i + n));
        // Not C1 controls or line/paragraph separators: they would not stay on one line.
        if (shownAsIs(ch.codePointAt(0)!)) {
          out += ch;
          i += n;
          continue;
        }
      } catch {
        // not a valid sequence: escape the lead byte and go on
      }
    }
    out += byteEscapes(bytes.subarray(i, i + 1));
    i++;
  }
  return out;
}

/** socklab notation for a peer: `unix-dgram:/tmp/x`, `abstract:name`, `unnamed` (names escaped). */
export function formatUnixPeer(peer: UnixDatagramPeer | UnixBindTarget, datagram: boolean): string {
  if ("path" in peer) return `${datagram ? "unix-dgram" : "unix"}:${escapeName(peer.path)}`;
  if ("abstract" in peer) return `${datagram ? "abstract-dgram" : "abstract"}:${escapeName(peer.abstract)}`;
  return "autobind" in peer ? `${datagram ? "abstract-dgram" : "abstract"}:(autobind)` : "unnamed";
}

/** The path of a file target, as given (string or exact bytes), for fs calls. */
export function targetPath(target: UnixBindTarget | UnixDatagramPeer): UnixName | undefined {
  return "path" in target ? target.path : undefined;
}

/** The path of a file target as text (escaped), for error messages and `path` fields. */
export function targetPathText(target: UnixBindTarget | UnixDatagramPeer): string | undefined {
  return "path" in target ? escapeName(target.path) : undefined;
}

/**
 * socklab's address notation, the same everywhere (CLI, library, lab):
 *   tcp://HOST:PORT   udp://HOST:PORT   (IPv6 literal in brackets: tcp://[::1]:9301)
 *   tls://HOST:PORT   (TCP with TLS on top; same host and port rules as tcp://)
 *   unix:PATH   unix-dgram:PATH   abstract:NAME   abstract-dgram:NAME
 */
import { isIPv6 } from "node:net";
import { AddressError, type AddressMessageKey } from "./errors.js";

export type InetKind = "tcp" | "udp" | "tls";
export type UnixKind = "unix" | "unix-dgram" | "abstract" | "abstract-dgram";
export type AddressKind = InetKind | UnixKind;

export interface InetAddress {
  kind: InetKind;
  /** Host name or IP literal, without brackets. */
  host: string;
  port: number;
}

export interface UnixPathAddress {
  kind: "unix" | "unix-dgram";
  path: string;
}

export interface AbstractAddress {
  kind: "abstract" | "abstract-dgram";
  /** The name without the leading NUL byte; exactly these bytes are bound, no padding. */
  name: string;
}

export type Address = InetAddress | UnixPathAddress | AbstractAddress;

/**
 * The family of a bound socket: IPv4 or IPv6 for tcp/tls/udp, a Unix file path, or a Linux
 * abstract name.
 */
export type SocketFamily = "ipv4" | "ipv6" | "unix" | "abstract";

/**
 * Where a server is bound: an Address (so it can be passed to openStream, formatAddress,
 * connectStream as is) with the real port, plus the socket's family. `kind` is the address
 * scheme (tcp, tls, udp, unix, unix-dgram, abstract, abstract-dgram); `family` is what the
 * kernel bound: `ipv4`/`ipv6` (with `host`, `port`), `unix` (with `path`) or `abstract` (with
 * `name`: exactly the name bound, without its leading NUL, not escaped). The URL form
 * (`tcp://127.0.0.1:40123`, `unix:/tmp/x.sock`, `abstract:name`) is `formatAddress(it)`;
 * servers also carry it as `url`.
 */
export type ServerAddress =
  | (InetAddress & { family: "ipv4" | "ipv6" })
  | (UnixPathAddress & { family: "unix" })
  | (AbstractAddress & { family: "abstract" });

/**
 * `address` as a ServerAddress. For IP kinds `ipFamily` is the family the socket really has
 * (a host name does not say); without it an IPv6 literal means ipv6, anything else ipv4.
 */
export function serverAddress(address: Address, ipFamily?: "ipv4" | "ipv6"): ServerAddress {
  switch (address.kind) {
    case "tcp":
    case "udp":
    case "tls":
      return { kind: address.kind, family: ipFamily ?? (isIPv6(address.host.split("%")[0] ?? "") ? "ipv6" : "ipv4"), host: address.host, port: address.port };
    case "unix":
    case "unix-dgram":
      return { kind: address.kind, family: "unix", path: address.path };
    case "abstract":
    case "abstract-dgram":
      return { kind: address.kind, family: "abstract", name: address.name };
  }
}

/** `sun_path` is 108 bytes on Linux; a path needs its NUL, an abstract name its leading NUL. */
export const SUN_PATH_MAX = 108;

export const ADDRESS_FORMS =
  "tcp://HOST:PORT, udp://HOST:PORT, tls://HOST:PORT, tcp://[IPv6]:PORT, unix:PATH, unix-dgram:PATH, abstract:NAME, abstract-dgram:NAME";

const SCHEMES: readonly AddressKind[] = ["tcp", "udp", "tls", "unix-dgram", "unix", "abstract-dgram", "abstract"];

/**
 * An address error: English `message` for library users, catalogue key + params for the CLI
 * (src/i18n has the same sentence in every language; test/i18n-errors.test.ts keeps the
 * English ones equal).
 */
function bad(text: string, key: AddressMessageKey, why: string, params: Record<string, string | number> = {}): AddressError {
  return new AddressError(`bad address "${text}": ${why} (expected ${ADDRESS_FORMS})`, {
    messageKey: key,
    params: { address: text, ...params },
  });
}

function parsePort(text: string, raw: string): number {
  if (!/^\d{1,5}$/.test(raw)) throw bad(text, "address.port-not-number", `port "${raw}" is not a number from 0 to 65535`, { port: raw });
  const port = Number(raw);
  if (port > 65535) throw bad(text, "address.port-out-of-range", `port ${port} is out of range (0 to 65535)`, { port });
  return port;
}

function parseInet(kind: InetKind, text: string, rest: string): InetAddress {
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw bad(text, "address.missing-bracket", "missing ] after the IPv6 address");
    host = rest.slice(1, close);
    if (!isIPv6(host.split("%")[0] ?? "")) throw bad(text, "address.not-ipv6", `"${host}" is not an IPv6 address`, { host });
    if (rest[close + 1] !== ":") throw bad(text, "address.missing-port-after-ipv6", "missing :PORT after the IPv6 address");
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) throw bad(text, "address.missing-colon-port", "missing :PORT");
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) throw bad(text, "address.ipv6-needs-brackets", "IPv6 addresses go in brackets, e.g. tcp://[::1]:9301");
  }
  if (host === "") throw bad(text, "address.missing-host", "missing host (use 127.0.0.1, ::1 in brackets, 0.0.0.0 or a name)");
  if (portText === "") throw bad(text, "address.missing-port", "missing port");
  if (/[\s/?#]/.test(host)) throw bad(text, "address.bad-host", `"${host}" is not a host name`, { host });
  return { kind, host, port: parsePort(text, portText) };
}

function checkUnixName(text: string, value: string, what: "path" | "name", room: number): void {
  if (value === "") throw bad(text, `address.missing-${what}`, `missing ${what}`);
  if (value.includes("\0")) throw bad(text, `address.nul-in-${what}`, `the ${what} contains a NUL byte`);
  const bytes = Buffer.byteLength(value);
  if (bytes > room) {
    throw bad(text, `address.${what}-too-long`, `the ${what} is ${bytes} bytes; a Unix socket ${what} fits at most ${room} bytes`, { bytes, room });
  }
}

/** Parse an address; throws AddressError with a message that shows the accepted forms. */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  for (const scheme of SCHEMES) {
    if (scheme === "tcp" || scheme === "udp" || scheme === "tls") {
      const prefix = `${scheme}://`;
      if (trimmed.toLowerCase().startsWith(prefix)) {
        return parseInet(scheme, text, trimmed.slice(prefix.length));
      }
      continue;
    }
    const prefix = `${scheme}:`;
    if (!trimmed.startsWith(prefix)) continue;
    const value = trimmed.slice(prefix.length);
    if (scheme === "unix" || scheme === "unix-dgram") {
      checkUnixName(text, value, "path", SUN_PATH_MAX - 1);
      return { kind: scheme, path: value };
    }
    checkUnixName(text, value, "name", SUN_PATH_MAX - 1);
    return { kind: scheme, name: value };
  }
  if (/^\d{1,5}$/.test(trimmed)) {
    throw bad(text, "address.did-you-mean", `did you mean tcp://127.0.0.1:${trimmed}?`, { suggestion: `tcp://127.0.0.1:${trimmed}` });
  }
  if (/^[^/]*:\d{1,5}$/.test(trimmed)) throw bad(text, "address.did-you-mean", `did you mean tcp://${trimmed}?`, { suggestion: `tcp://${trimmed}` });
  throw bad(text, "address.unknown-form", "unknown form");
}

/** Format an address back into socklab notation (IPv6 hosts in brackets). */
export function formatAddress(address: Address): string {
  switch (address.kind) {
    case "tcp":
    case "udp":
    case "tls":
      return `${address.kind}://${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}`;
    case "unix":
    case "unix-dgram":
      return `${address.kind}:${address.path}`;
    case "abstract":
    case "abstract-dgram":
      return `${address.kind}:${address.name}`;
  }
}

export function isStreamAddress(address: Address): boolean {
  return address.kind === "tcp" || address.kind === "tls" || address.kind === "unix" || address.kind === "abstract";
}

export function isDatagramAddress(address: Address): boolean {
  return !isStreamAddress(address);
}

export function isInetAddress(address: Address): address is InetAddress {
  return address.kind === "tcp" || address.kind === "udp" || address.kind === "tls";
}

/** Format a peer seen by Node (`remoteAddress`, `remotePort`) as a socklab address. */
export function formatInetPeer(kind: InetKind, host: string | undefined, port: number | undefined): string {
  return formatAddress({ kind, host: host ?? "?", port: port ?? 0 });
}

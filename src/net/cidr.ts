/**
 * Access lists: `--allow CIDR[,…]`, `--deny CIDR[,…]`, `--allow-file`, `--deny-file`.
 *
 * The decision follows ncat: a client is let in when (there is no allow list, or its address
 * is in it) and its address is in no deny rule. So deny wins over allow: `--allow 198.51.100.0/24
 * --deny 198.51.100.66` lets in all of that /24 but one host. An empty allow list (e.g. an allow
 * file with only comments) allows nobody: it is still an allow list.
 *
 * IPv4 and IPv6 are one space: an IPv4 address a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d
 * and an IPv4 rule a.b.c.d/n is ::ffff:a.b.c.d/(96+n). So a client that a dual-stack `::`
 * listener sees as ::ffff:127.0.0.1 matches `127.0.0.0/8`, and `::/0` matches everyone.
 * Rules are IP literals or CIDRs; host names are refused (a name can resolve differently
 * at each check, and an access list should say what it means).
 */
import { readFile } from "node:fs/promises";
import { isIPv4, isIPv6 } from "node:net";
import { UsageError } from "../errors.js";

export interface CidrRule {
  /** As written by the user (kept for messages). */
  readonly text: string;
  /** 128-bit network (IPv4 mapped into ::ffff:0:0/96), host bits cleared. */
  readonly network: bigint;
  /** Prefix length in the 128-bit space. */
  readonly prefix: number;
}

const MAPPED = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

function mask(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

function ipv4Value(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tailV4 = ipv4Value(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::") as [string, string | undefined];
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const all = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill("0"), ...r];
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** An IP address (IPv4, IPv6, IPv4-mapped, with or without a %zone) as a 128-bit number, or undefined. */
export function ipValue(address: string): bigint | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const plain = bare.split("%")[0]!;
  if (isIPv4(plain)) return MAPPED | ipv4Value(plain);
  if (isIPv6(plain)) return ipv6Value(plain);
  return undefined;
}

/** Parse one rule: `198.51.100.0/24`, `203.0.113.5`, `::1`, `2001:db8::/32`, `::ffff:198.51.100.0/120`. */
export function parseCidr(text: string): CidrRule {
  const rule = text.trim();
  const slash = rule.indexOf("/");
  const addressPart = slash < 0 ? rule : rule.slice(0, slash);
  const prefixPart = slash < 0 ? undefined : rule.slice(slash + 1);
  const v4 = isIPv4(addressPart);
  if (!v4 && !isIPv6(addressPart)) {
    throw new UsageError(`"${text}" is not an IP address or CIDR (examples: 198.51.100.0/24, 203.0.113.5, ::1, 2001:db8::/32)`);
  }
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (prefixPart !== undefined) {
    if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > max) {
      throw new UsageError(`"${text}": the prefix length must be a number from 0 to ${max}`);
    }
    prefix = Number(prefixPart);
  }
  const value = v4 ? MAPPED | ipv4Value(addressPart) : ipv6Value(addressPart);
  const prefix128 = v4 ? 96 + prefix : prefix;
  return { text: rule, network: value & mask(prefix128), prefix: prefix128 };
}

/** A comma-separated list, as given to `--allow`/`--deny` (spaces around commas allowed). */
export function parseCidrList(text: string): CidrRule[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.some((p) => p === "")) throw new UsageError(`"${text}": empty entry in the address list`);
  return parts.map(parseCidr);
}

/**
 * The content of an allow/deny file: one rule per line (or several, comma-separated); `#`
 * starts a comment; blank lines are ignored. A bad line is an error naming file and line.
 */
export function parseCidrFile(content: string, name = "file"): CidrRule[] {
  const rules: CidrRule[] = [];
  content.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    try {
      rules.push(...parseCidrList(line));
    } catch (err) {
      throw new UsageError(`${name}:${index + 1}: ${(err as Error).message}`);
    }
  });
  return rules;
}

/** Read an allow/deny file; an unreadable file is a usage error that says why. */
export async function readCidrFile(path: string): Promise<CidrRule[]> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UsageError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : code ?? String(err)}`);
  }
  return parseCidrFile(content, path);
}

/** Whether `address` (a literal) is inside `rule`. */
export function cidrContains(rule: CidrRule, address: string | bigint): boolean {
  const value = typeof address === "bigint" ? address : ipValue(address);
  if (value === undefined) return false;
  return (value & mask(rule.prefix)) === rule.network;
}

export type AccessDecision =
  | { ok: true }
  /** `denied`: a deny rule matched (`rule`); `not-allowed`: an allow list exists and no rule of it matched. */
  | { ok: false; why: "denied"; rule: string }
  | { ok: false; why: "not-allowed" };

export interface AccessListOptions {
  /** undefined: no allow list (everyone not denied gets in); []: nobody. */
  allow?: CidrRule[] | undefined;
  deny?: CidrRule[] | undefined;
}

export class AccessList {
  readonly allow: readonly CidrRule[] | undefined;
  readonly deny: readonly CidrRule[];

  constructor(options: AccessListOptions = {}) {
    this.allow = options.allow;
    this.deny = options.deny ?? [];
  }

  /** True when neither list was given: everyone gets in. */
  get empty(): boolean {
    return this.allow === undefined && this.deny.length === 0;
  }

  /**
   * The decision for a client address (as `socket.remoteAddress` gives it). A client with no
   * IP address (a Unix socket peer) passes only when there is no allow list.
   */
  check(address: string | undefined): AccessDecision {
    const value = address === undefined ? undefined : ipValue(address);
    if (value !== undefined) {
      const denied = this.deny.find((rule) => cidrContains(rule, value));
      if (denied) return { ok: false, why: "denied", rule: denied.text };
    }
    if (this.allow !== undefined && (value === undefined || !this.allow.some((rule) => cidrContains(rule, value)))) {
      return { ok: false, why: "not-allowed" };
    }
    return { ok: true };
  }

  /** Whether this list lets in only loopback clients (127.0.0.0/8, ::1): exec's safety rule. */
  get loopbackOnly(): boolean {
    if (this.allow === undefined) return false;
    const loopback = [parseCidr("127.0.0.0/8"), parseCidr("::1/128")];
    return this.allow.every((rule) => loopback.some((lo) => rule.prefix >= lo.prefix && (rule.network & mask(lo.prefix)) === lo.network));
  }
}

/** Everything the four flags gave, merged: several --allow and --allow-file add up. */
export async function accessListFrom(flags: {
  allow?: string[];
  deny?: string[];
  allowFile?: string[];
  denyFile?: string[];
}): Promise<AccessList> {
  const collect = async (lists: string[] | undefined, files: string[] | undefined): Promise<CidrRule[] | undefined> => {
    if ((lists?.length ?? 0) === 0 && (files?.length ?? 0) === 0) return undefined;
    const rules = (lists ?? []).flatMap(parseCidrList);
    for (const file of files ?? []) rules.push(...(await readCidrFile(file)));
    return rules;
  };
  return new AccessList({ allow: await collect(flags.allow, flags.allowFile), deny: await collect(flags.deny, flags.denyFile) });
}

/**
 * An accept filter for StreamServer (`acceptFilter`): a refused client is closed at once
 * and reported as `refused … address-not-allowed`, with the deny rule that matched.
 */
export function accessFilter(list: AccessList): (socket: { remoteAddress?: string | undefined }) =>
  | { ok: true }
  | { ok: false; reason: "address-not-allowed"; detail?: string } {
  return (socket) => {
    const decision = list.check(socket.remoteAddress);
    if (decision.ok) return { ok: true };
    // The deny rule that matched is the detail; "not in the allow list" needs none.
    return decision.why === "denied" ? { ok: false, reason: "address-not-allowed", detail: decision.rule } : { ok: false, reason: "address-not-allowed" };
  };
}

/** Command-line parsing on top of node:util parseArgs: strict, with clear usage errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseAddress, type Address } from "../address.js";
import { AddressError, UsageError } from "../errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed<V> {
  values: V;
  positionals: string[];
}

/** parseArgs with `--help`/`-h` always accepted; unknown options become UsageErrors. */
export function parseCommand(argv: string[], options: Options): Parsed<Record<string, string | boolean | string[] | undefined>> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, "") : String(err);
    throw new UsageError(message);
  }
}

export function str(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function list(values: Record<string, unknown>, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? (v as string[]) : typeof v === "string" ? [v] : [];
}

export function flag(values: Record<string, unknown>, name: string): boolean {
  return values[name] === true;
}

/** A positive number of seconds → milliseconds. */
export function seconds(values: Record<string, unknown>, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${name} needs a number of seconds (e.g. 1.5), got "${raw}"`);
  }
  return Math.round(n * 1000);
}

/** A whole number within [min, max]. */
export function count(values: Record<string, unknown>, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} needs a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ""}, got "${raw}"`);
  }
  return Number(raw);
}

/** Parse an address positional; a bad one is a usage error (exit 2). */
export function address(text: string | undefined, what = "ADDRESS"): Address {
  if (text === undefined) throw new UsageError(`missing ${what}`);
  try {
    return parseAddress(text);
  } catch (err) {
    if (err instanceof AddressError) throw new UsageError(err.message);
    throw err;
  }
}

/** Backslash escapes in texts given on the command line: \n \r \t \\ \0 \xHH. */
export function decodeEscapes(text: string): Buffer {
  if (!text.includes("\\")) return Buffer.from(text);
  const parts: Buffer[] = [];
  let plain = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\" || i === text.length - 1) {
      plain += c;
      continue;
    }
    const next = text[++i];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", "0": "\0" };
    if (next !== undefined && next in simple) {
      plain += simple[next];
    } else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      parts.push(Buffer.from(plain), Buffer.from([parseInt(text.slice(i + 1, i + 3), 16)]));
      plain = "";
      i += 2;
    } else {
      plain += `\\${next ?? ""}`;
    }
  }
  parts.push(Buffer.from(plain));
  return Buffer.concat(parts);
}

/**
 * Command-line parsing on top of node:util parseArgs: strict, with clear one-line usage
 * errors in the user's language (keys in the catalogue's `errors`, English `message`).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseAddress, type Address } from "../address.js";
import { UsageError, type UsageMessageKey } from "../errors.js";
import { errorText } from "../i18n/format.js";

/** A command's option table, as given to parseArgs (and read by help, completion, man page). */
export type OptionTable = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed<V> {
  values: V;
  positionals: string[];
}

/**
 * A usage error (exit 2) with catalogue key `key`: shown in the user's language by the CLI,
 * `message` in English for logs and library users. Commands throw `usage("usage.exclusive",
 * { a: "-4", b: "-6" })` instead of `new UsageError("…")`.
 */
export function usage(key: UsageMessageKey, params: Record<string, string | number> = {}): UsageError {
  return new UsageError(errorText(key, params, "en"), { messageKey: key, params });
}

/** The `--help`/`-h` option every command accepts. */
export const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/** A negative number given as an option's value (`--timeout -1`): the option's own check rejects it. */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

/**
 * parseArgs with `--help`/`-h` always accepted. Unknown options, missing values, values on
 * flags become one-line UsageErrors. A negative number after an option that takes a value is
 * taken as its value (so `--timeout -1` is told "must be ≥ 0", not parseArgs' 3-line
 * "ambiguous" message); any other value starting with "-" must be written `--name=-value`.
 */
export function parseCommand(argv: string[], options: OptionTable): Parsed<Record<string, string | boolean | string[] | undefined>> {
  const table: OptionTable = { ...HELP_OPTION, ...options };
  const shorts = new Set(Object.values(table).map((o) => o.short).filter((s): s is string => s !== undefined));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: table, allowPositionals: true, strict: false, tokens: true });
  } catch (err) {
    throw usage("usage.bad-option", { detail: err instanceof Error ? err.message.split("\n")[0]! : String(err) });
  }
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    const spec = table[token.name];
    if (spec === undefined) throw usage("usage.unknown-option", { option: token.rawName });
    if (spec.type === "boolean") {
      if (token.value !== undefined) throw usage("usage.takes-no-value", { option: token.rawName });
      continue;
    }
    const value = token.value;
    if (value === undefined) throw usage("usage.missing-value", { option: token.rawName });
    if (token.inlineValue || !value.startsWith("-") || value === "-") continue;
    const isOption = value.startsWith("--") ? value.slice(2).split("=")[0]! in table : shorts.has(value[1]!);
    if (!NEGATIVE_NUMBER.test(value) || isOption) {
      throw usage("usage.dash-value", { option: token.rawName, long: `--${token.name}`, value });
    }
  }
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals };
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

/** A number of seconds ≥ 0 → milliseconds. */
export function seconds(values: Record<string, unknown>, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0) throw usage("usage.bad-seconds", { option: `--${name}`, value: raw });
  return Math.round(n * 1000);
}

/**
 * A number of seconds greater than 0 → milliseconds (0 would mean "at once"): plain decimals
 * only (Number() would also take 0x10, 1e3 and " 5 "), at most a year.
 */
export function positiveSeconds(values: Record<string, unknown>, name: string): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 365 * 86400) throw usage("usage.bad-positive-seconds", { option: `--${name}`, value: raw });
  return Math.max(1, Math.round(n * 1000));
}

/** A whole number within [min, max]. */
export function count(values: Record<string, unknown>, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw max < Number.MAX_SAFE_INTEGER
      ? usage("usage.bad-count-range", { option: `--${name}`, value: raw, min, max })
      : usage("usage.bad-count", { option: `--${name}`, value: raw, min });
  }
  return Number(raw);
}

/**
 * Permission bits of a socket file (`--mode 600`): three octal digits, a leading 0 allowed;
 * no setuid/setgid/sticky. Undefined when not given.
 */
export function octalMode(values: Record<string, unknown>, name = "mode"): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^0?[0-7]{3}$/.test(raw)) throw usage("usage.bad-mode", { option: `--${name}`, value: raw });
  return parseInt(raw, 8);
}

/** Two options that cannot go together (`exclusive(values, "4", "6")`). */
export function exclusive(values: Record<string, unknown>, a: string, b: string): void {
  if (values[a] !== undefined && values[b] !== undefined) {
    throw usage("usage.exclusive", { a: a.length === 1 ? `-${a}` : `--${a}`, b: b.length === 1 ? `-${b}` : `--${b}` });
  }
}

/** No positional arguments beyond those a command takes. */
export function noExtra(extra: readonly string[]): void {
  if (extra.length > 0) throw usage("usage.unexpected-argument", { argument: extra[0]! });
}

/**
 * Parse an address positional. Missing: a usage error; malformed: the AddressError
 * (ERR_BAD_ADDRESS, localised), which the CLI also reports as a usage error (exit 2).
 */
export function address(text: string | undefined, what = "ADDRESS"): Address {
  if (text === undefined) throw usage("usage.missing-argument", { what });
  return parseAddress(text);
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

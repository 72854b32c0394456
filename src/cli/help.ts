/**
 * Help and usage, generated: usage lines and option lists come from each command's option
 * table (the object its parseArgs gets), the words from the message catalogue
 * (src/i18n/help-en.ts, help-es.ts; options keyed `COMMAND.OPTION`). Adding an option is one
 * table entry plus one catalogue line per language; test/i18n-help.test.ts fails otherwise.
 * Shell completion and the man page (src/cli/completion.ts, src/cli/manpage.ts) read the same tables.
 */
import { ADDRESS_FORMS } from "../address.js";
import type { OptionHelp } from "../i18n/catalog.js";
import { CATALOGS, type Lang } from "../i18n/format.js";
import { SERVICES } from "../services/registry.js";
import { HELP_OPTION, type OptionTable } from "./args.js";
import { connectOptions } from "./commands/connect.js";
import { discoverOptions } from "./commands/discover.js";
import { listenOptions } from "./commands/listen.js";
import { recvFdOptions } from "./commands/recv-fd.js";
import { serveOptions } from "./commands/serve.js";
import { scanOptions } from "./commands/scan.js";
import { relayOptions } from "./commands/relay.js";

/** The commands, in the order `socklab --help` lists them. */
export const COMMAND_NAMES = ["serve", "connect", "listen", "discover", "recv-fd", "scan", "relay", "lab", "bench", "completion"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/**
 * Each command's option table, exactly the one its parseArgs gets. `lab` and `bench` parse
 * their own arguments (src/lab/main.ts, bench/main.ts) and print their own option lists.
 */
export const OPTION_TABLES: Partial<Record<CommandName, OptionTable>> = {
  serve: serveOptions,
  connect: connectOptions,
  listen: listenOptions,
  discover: discoverOptions,
  "recv-fd": recvFdOptions,
  scan: scanOptions,
  relay: relayOptions,
};

/** Options taken out of argv for every command (src/cli/main.ts), plus the `--help` each accepts. */
export const GLOBAL_OPTIONS = {
  ...HELP_OPTION,
  json: { type: "boolean" },
  lang: { type: "string" },
} as const satisfies OptionTable;

/** Commands whose help ends with the address forms. */
const TAKES_ADDRESS: ReadonlySet<CommandName> = new Set(["serve", "connect", "listen", "relay"]);

/** Examples are commands, the same in every language. */
const EXAMPLES: Partial<Record<CommandName, string[]>> = {
  serve: [
    "socklab serve echo tcp://127.0.0.1:9010",
    "socklab serve cmd tcp://127.0.0.1:9102 --err ERR",
    "socklab serve greet tcp://[::]:9401 --dual-stack",
    "socklab serve time udp://0.0.0.0:9014",
  ],
  scan: ["socklab scan tcp://127.0.0.1:22,80,8000-8100", "socklab scan tcp://localhost:1-1024 --timeout 0.5 -v"],
  relay: [
    "socklab relay tcp://127.0.0.1:8080 tcp://127.0.0.1:9010",
    "socklab relay unix:/tmp/front.sock tcp://[::1]:9301",
    "socklab relay udp://127.0.0.1:5353 udp://127.0.0.1:9013 --idle-timeout 30",
  ],
  connect: [
    'socklab connect tcp://127.0.0.1:9001 --send "hola mundo" --lines',
    "socklab connect tcp://127.0.0.1:9002 --send uno --send dos --send tres --lines --half-close",
    "socklab connect tcp://127.0.0.1:9004 --send ping --lines --timeout 1.5 --retries 5",
    "socklab connect udp://127.0.0.1:9007 --send TIME --timeout 1 --retries 3",
    "socklab connect tcp://127.0.0.1:9003 -v < /dev/null > big.bin",
  ],
};

/** One option as help, completion and the man page show it. */
export interface OptionRow {
  /** Catalogue key, `COMMAND.OPTION`. */
  key: string;
  /** The option's name in its table (`keep-open`, `4`). */
  name: string;
  /** The single-letter form, if any (`k`). */
  short?: string;
  /** Its long form, unless the option is a bare short one like `-4`. */
  long?: string;
  takesValue: boolean;
  multiple: boolean;
  help: OptionHelp;
}

/** The catalogue entry of `key`; a missing one (the tests catch it) falls back to English, then to nothing. */
function optionHelp(key: string, lang: Lang): OptionHelp {
  return CATALOGS[lang].help.options[key] ?? CATALOGS.en.help.options[key] ?? { text: "" };
}

/** The rows of an option table, in table order, under catalogue scope `scope` (a command or "global"). */
export function optionRows(scope: string, table: OptionTable, lang: Lang): OptionRow[] {
  return Object.entries(table).map(([name, spec]) => {
    const bare = name.length === 1 && spec.short === name;
    const row: OptionRow = {
      key: `${scope}.${name}`,
      name,
      takesValue: spec.type === "string",
      multiple: spec.multiple === true,
      help: optionHelp(`${scope}.${name}`, lang),
    };
    if (spec.short !== undefined) row.short = spec.short;
    if (!bare) row.long = name;
    return row;
  });
}

/** `-k, --keep-open`, `--timeout S`, `-4`: how the option list names an option. */
function optionLabel(row: OptionRow): string {
  const names = [row.short && `-${row.short}`, row.long && `--${row.long}`].filter(Boolean).join(", ");
  return row.help.arg ? `${names} ${row.help.arg}` : names;
}

/** `[-k]`, `[--timeout S]`, `[--send TEXT]...`: how a usage line names an option. */
function usageToken(row: OptionRow): string {
  const name = row.short ? `-${row.short}` : `--${row.long}`;
  return `[${name}${row.help.arg ? ` ${row.help.arg}` : ""}]${row.multiple ? "..." : ""}`;
}

/** Two columns: labels, then texts; a text's "\n" continues under its first line. */
function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  // A text line longer than the room beside the labels (100 columns in all) goes on below.
  const room = Math.max(40, 100 - 2 - width);
  const fit = (line: string): string[] => {
    const out: string[] = [];
    let current = "";
    for (const word of line.split(" ")) {
      if (current !== "" && [...`${current} ${word}`].length > room) {
        out.push(current);
        current = word;
      } else current = current === "" ? word : `${current} ${word}`;
    }
    out.push(current);
    return out;
  };
  return rows
    .map(([left, text]) => {
      const [first = "", ...rest] = text.split("\n").flatMap(fit);
      return [`  ${left.padEnd(width)}${first}`.trimEnd(), ...rest.map((line) => `  ${" ".repeat(width)}${line}`)].join("\n");
    })
    .join("\n");
}

/** Words after `prefix`, wrapped at `width` columns, continuation lines aligned after the prefix. */
function wrap(prefix: string, words: string[], width = 100): string {
  const indent = " ".repeat(Math.min(prefix.length + 1, 32));
  const lines: string[] = [];
  let line = prefix;
  for (const word of words) {
    if (line.length + 1 + word.length > width && line.trim() !== "" && line !== prefix) {
      lines.push(line);
      line = indent + word;
    } else {
      line += ` ${word}`;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

/** Lines longer than `width` broken at spaces (hand-wrapped catalogue text stays as it is). */
function fit(text: string, width = 92): string {
  return text
    .split("\n")
    .flatMap((line) => {
      const out: string[] = [];
      let rest = line;
      while (rest.length > width && rest.lastIndexOf(" ", width) > 0) {
        const at = rest.lastIndexOf(" ", width);
        out.push(rest.slice(0, at));
        rest = `  ${rest.slice(at + 1)}`;
      }
      return [...out, rest];
    })
    .join("\n");
}

/**
 * The usage line of `command`: with every option of its table (`full`, for --help), or with
 * `[options]` standing for them (printed after a usage error).
 */
export function usageLine(command: CommandName | "socklab", lang: Lang, full = false): string {
  const h = CATALOGS[lang].help;
  if (command === "socklab") return `${h.usage} socklab ${h.commandWord} [${h.optionsWord}]   ${h.commandList(COMMAND_NAMES.join(", "))}`;
  const prefix = `${h.usage} socklab ${command}${h.commands[command]?.args ? ` ${h.commands[command].args}` : ""}`;
  const table = OPTION_TABLES[command];
  if (table === undefined) return prefix;
  if (!full) return Object.keys(table).length > 0 ? `${prefix} [${h.optionsWord}]` : prefix;
  return wrap(prefix, optionRows(command, table, lang).map(usageToken));
}

/** `socklab COMMAND --help`: usage, what it does, its services and options, addresses, examples. */
export function commandHelp(command: CommandName, lang: Lang): string {
  const h = CATALOGS[lang].help;
  const parts = [usageLine(command, lang, true)];
  const about = h.commands[command]?.about;
  if (about) parts.push(about);
  if (command === "serve") {
    parts.push(`${h.headings.services}\n${columns(Object.keys(SERVICES).map((name) => [name, h.services[name] ?? CATALOGS.en.help.services[name] ?? ""]))}`);
  }
  const table = OPTION_TABLES[command];
  if (table !== undefined && Object.keys(table).length > 0) {
    parts.push(`${h.headings.options}\n${columns(optionRows(command, table, lang).map((row) => [optionLabel(row), row.help.text]))}`);
  }
  if (TAKES_ADDRESS.has(command)) parts.push(fit(h.addresses(ADDRESS_FORMS)));
  const examples = EXAMPLES[command];
  if (examples) parts.push(`${h.headings.examples}\n${examples.map((line) => `  ${line}`).join("\n")}`);
  return `${parts.join("\n\n")}\n`;
}

/** `socklab --help`: what socklab is, its commands, the options every command takes. */
export function generalHelp(lang: Lang): string {
  const h = CATALOGS[lang].help;
  const commands = COMMAND_NAMES.map((name): [string, string] => {
    const entry = h.commands[name];
    // bench's arguments are its options: the list shows the name only.
    const args = entry && name !== "bench" && entry.args ? ` ${entry.args}` : "";
    return [`${name}${args}`, entry?.summary ?? ""];
  });
  const global = optionRows("global", GLOBAL_OPTIONS, lang).map((row): [string, string] => [optionLabel(row), row.help.text]);
  return `${[
    h.intro,
    usageLine("socklab", lang),
    `${h.headings.commands}\n${columns(commands)}`,
    `${h.headings.globalOptions}\n${columns(global)}`,
    `${fit(h.addresses(ADDRESS_FORMS))}\n${h.footer}`,
  ].join("\n\n")}\n`;
}

/**
 * The shape of the message catalogue: every line of text a person reads, keyed by stable
 * names. Each language (en.ts, es.ts) is a full `Catalog`, so a missing entry in either
 * language is a compile error, and test/i18n-catalog.test.ts checks it at run time too.
 */
import type { MessageKey } from "../errors.js";
import type { EventOf, EventType } from "../events.js";

export type Lang = "en" | "es";
export const LANGS: readonly Lang[] = ["en", "es"];

/** Helpers a message may use (localised cause of an error code, plural, number formats). */
export interface MessageTools {
  /** The localised explanation of an error code, or undefined. */
  cause(code: string | undefined): string | undefined;
  /** Seconds from milliseconds, as people write them here (1.5 / 1,5). */
  seconds(ms: number): string;
}

export type EventMessages = { [T in EventType]: (event: EventOf<T>, tools: MessageTools) => string };

export type ErrorMessages = { [K in MessageKey]: (params: Record<string, string | number>, tools: MessageTools) => string };

/** One option of a command's option table, as `--help`, completion and the man page show it. */
export interface OptionHelp {
  /** The value's placeholder in usage lines (`TEXT`, `S`, `N`); absent for a flag. */
  arg?: string;
  /** What the option does; each "\n" starts a continuation line under the first. */
  text: string;
}

/** A command as `socklab --help` lists it and its own `--help` introduces it. */
export interface CommandHelp {
  /** Positional arguments as the usage line shows them (`SERVICE ADDRESS`, `[ID...]`). */
  args: string;
  /** One line for the command list of `socklab --help`. */
  summary: string;
  /** What the command does: the text between the usage line and the lists ("" for none). */
  about: string;
}

/**
 * Help texts. Options are keyed `COMMAND.OPTION` (the option's name in the command's
 * option table, e.g. `connect.send`); usage lines and option lists are generated from the
 * tables (src/cli/help.ts), so a help text cannot name an option that does not exist, and
 * test/i18n-help.test.ts fails when an option has no entry here in either language.
 */
export interface HelpMessages {
  /** "usage:" before every usage line. */
  usage: string;
  /** Stands for the options in a short usage line (`[options]`). */
  optionsWord: string;
  /** Stands for a command name in the general usage line (`socklab COMMAND`). */
  commandWord: string;
  headings: { commands: string; options: string; globalOptions: string; services: string; examples: string };
  /** The first paragraph of `socklab --help`. */
  intro: string;
  /** After `socklab COMMAND [options]` in the general usage line. */
  commandList(commands: string): string;
  /** The accepted address forms and the escape sequences texts understand. */
  addresses(forms: string): string;
  /** The last lines of `socklab --help` (output, exit status, where to look next). */
  footer: string;
  commands: Record<string, CommandHelp>;
  options: Record<string, OptionHelp>;
  /** `socklab serve` services, one line each, keyed by the service name. */
  services: Record<string, string>;
  /** The man page's section names and the texts only it has. */
  man: {
    sections: { name: string; synopsis: string; description: string; commands: string; addresses: string; exitStatus: string; environment: string; seeAlso: string };
    /** The one-line description after the name. */
    summary: string;
    exitStatus: string;
    /** Environment variables socklab reads, and what for. */
    environment: Record<string, string>;
    seeAlso: string;
  };
}

export interface Catalog {
  /** One line per event (the CLI's stderr lines, the lab's narration). */
  events: EventMessages;
  /** Explanations of error codes (ECONNREFUSED → "connection refused …"). */
  causes: Record<string, string>;
  /** socklab's own error messages. */
  errors: ErrorMessages;
  /** Help and usage (src/i18n/help-en.ts, help-es.ts). */
  help: HelpMessages;
  /** Short fixed texts of the CLI frame. */
  text: {
    /** "Try 'socklab X --help'." ("" for socklab itself) */
    tryHelp(command: string): string;
    internalError(detail: string): string;
  };
}

/** The commands that take the shared TLS flags (src/cli/tls-options.ts). */
export const TLS_COMMANDS = ["serve", "connect", "listen", "relay"] as const;

/** Options shared by several commands, described once: `{ "cert": … }` → `{ "serve.cert": …, "connect.cert": … }`. */
export function sharedOptionHelp(commands: readonly string[], options: Record<string, OptionHelp>): Record<string, OptionHelp> {
  return Object.fromEntries(commands.flatMap((command) => Object.entries(options).map(([name, help]) => [`${command}.${name}`, help])));
}

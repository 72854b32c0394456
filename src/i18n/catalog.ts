/**
 * The shape of the message catalogue: every line of text a person reads, keyed by stable
 * names. Each language (en.ts, es.ts) is a full `Catalog`, so a missing entry in either
 * language is a compile error, and test/i18n-catalog.test.ts checks it at run time too.
 */
import type { ErrorMessageKey } from "../errors.js";
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

export type ErrorMessages = { [K in ErrorMessageKey]: (params: Record<string, string | number>, tools: MessageTools) => string };

export interface Catalog {
  /** One line per event (the CLI's stderr lines, the lab's narration). */
  events: EventMessages;
  /** Explanations of error codes (ECONNREFUSED → "connection refused …"). */
  causes: Record<string, string>;
  /** socklab's own error messages. */
  errors: ErrorMessages;
  /** Short fixed texts of the CLI frame. */
  text: {
    /** "socklab: unknown command \"X\"" */
    unknownCommand(name: string): string;
    /** "Try 'socklab X --help'." */
    tryHelp(command: string): string;
    internalError(detail: string): string;
    /** A language given to --lang that we do not have. */
    badLang(given: string): string;
  };
}

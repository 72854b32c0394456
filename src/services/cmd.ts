/**
 * Exercises 11 and 2.2: the line-command mini-protocol. Each line, stripped of surrounding
 * ASCII whitespace: PING → PONG, ECHO <text> → <text>, TIME → local `YYYY-mm-dd HH:MM:SS`,
 * anything else → the unknown reply (`ERR desconocido` in guide 1, `ERR` in guide 2).
 *
 * Bytes in, bytes out: ECHO returns exactly the bytes after "ECHO " (invalid UTF-8, NUL,
 * a lone \r inside the text all come back unchanged). Only ASCII whitespace (space, \t, \n,
 * \v, \f, \r) is stripped at the ends, as Python's bytes.strip() does; nothing is decoded.
 */
import { clockDateTime } from "./clock.js";
import { lineService, type LineRules, type LineServiceOptions } from "./line-service.js";
import type { StreamHandler } from "./types.js";

export const GUIDE1_UNKNOWN_REPLY = "ERR desconocido\n";
export const GUIDE2_UNKNOWN_REPLY = "ERR\n";

const PING = Buffer.from("PING");
const TIME = Buffer.from("TIME");
const ECHO_PREFIX = Buffer.from("ECHO ");
const PONG = Buffer.from("PONG\n");
const LF = Buffer.from("\n");

function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** `line` without the ASCII whitespace at either end (a view, no copy). */
export function stripAsciiWhitespace(line: Buffer): Buffer {
  let start = 0;
  let end = line.length;
  while (start < end && isAsciiSpace(line[start]!)) start++;
  while (end > start && isAsciiSpace(line[end - 1]!)) end--;
  return line.subarray(start, end);
}

/** The reply to one command line, byte for byte. */
export function commandReplyBytes(line: Buffer, unknownReply: Buffer = Buffer.from(GUIDE1_UNKNOWN_REPLY), now?: Date): Buffer {
  const command = stripAsciiWhitespace(line);
  if (command.equals(PING)) return PONG;
  if (command.length >= ECHO_PREFIX.length && command.subarray(0, ECHO_PREFIX.length).equals(ECHO_PREFIX)) {
    const text = command.subarray(ECHO_PREFIX.length);
    return Buffer.concat([text, LF], text.length + 1);
  }
  if (command.equals(TIME)) return Buffer.from(`${clockDateTime(now)}\n`);
  return unknownReply;
}

function isAsciiSpaceCode(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * commandReplyBytes on latin1 text (one character per byte, in and out): the same bytes.
 * The line service's fast path (no Buffer per line); `unknownReply` as latin1 text too.
 */
export function commandReplyLatin1(line: string, unknownReply: string, now?: Date): string {
  let start = 0;
  let end = line.length;
  while (start < end && isAsciiSpaceCode(line.charCodeAt(start))) start++;
  while (end > start && isAsciiSpaceCode(line.charCodeAt(end - 1))) end--;
  const command = start === 0 && end === line.length ? line : line.slice(start, end);
  if (command === "PING") return "PONG\n";
  if (command.startsWith("ECHO ")) return command.slice(5) + "\n";
  if (command === "TIME") return `${clockDateTime(now)}\n`;
  return unknownReply;
}

/** The reply to one command line given as text (a convenience over commandReplyBytes). */
export function commandReply(line: string, unknownReply: string = GUIDE1_UNKNOWN_REPLY, now?: Date): string {
  return commandReplyBytes(Buffer.from(line), Buffer.from(unknownReply), now).toString();
}

export interface CommandServiceOptions extends LineServiceOptions {
  unknownReply?: string;
}

/**
 * The protocol above as data (LineRules), in commandReplyBytes's order, for the native
 * engine: the same constants, so the two cannot drift apart unnoticed.
 */
function commandRules(unknownReply: Buffer): LineRules {
  return { strip: true, exact: [[PING, PONG]], prefix: [[ECHO_PREFIX, LF]], time: TIME, fallback: { reply: unknownReply } };
}

export function commandService(options: CommandServiceOptions = {}): StreamHandler {
  const unknown = Buffer.from(options.unknownReply ?? GUIDE1_UNKNOWN_REPLY);
  const unknownLatin1 = unknown.toString("latin1");
  return lineService(
    Object.assign((line: Buffer) => commandReplyBytes(line, unknown), {
      text: (line: string) => commandReplyLatin1(line, unknownLatin1),
      rules: commandRules(unknown),
    }),
    options,
  );
}

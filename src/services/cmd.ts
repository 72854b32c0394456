/**
 * Exercises 11 and 2.2: the line-command mini-protocol. Each line, stripped of surrounding
 * whitespace: PING → PONG, ECHO <text> → <text>, TIME → local `YYYY-mm-dd HH:MM:SS`,
 * anything else → the unknown reply (`ERR desconocido` in guide 1, `ERR` in guide 2).
 */
import { clockDateTime } from "./clock.js";
import { lineService, type LineServiceOptions } from "./line-service.js";
import type { StreamHandler } from "./types.js";

export const GUIDE1_UNKNOWN_REPLY = "ERR desconocido\n";
export const GUIDE2_UNKNOWN_REPLY = "ERR\n";

/** The reply to one command line (text in, text out; invalid UTF-8 becomes U+FFFD like Python's "replace"). */
export function commandReply(line: string, unknownReply: string = GUIDE1_UNKNOWN_REPLY, now?: Date): string {
  const command = line.trim();
  if (command === "PING") return "PONG\n";
  if (command.startsWith("ECHO ")) return `${command.slice(5)}\n`;
  if (command === "TIME") return `${clockDateTime(now)}\n`;
  return unknownReply;
}

export interface CommandServiceOptions extends LineServiceOptions {
  unknownReply?: string;
}

export function commandService(options: CommandServiceOptions = {}): StreamHandler {
  const unknown = options.unknownReply ?? GUIDE1_UNKNOWN_REPLY;
  const pong = Buffer.from("PONG\n");
  const unknownBuffer = Buffer.from(unknown);
  return lineService((line) => {
    // Fast paths for the hot, constant replies.
    if (line.length === 4 && line[0] === 0x50 && line[1] === 0x49 && line[2] === 0x4e && line[3] === 0x47) return pong;
    const reply = commandReply(line.toString("utf8"), unknown);
    return reply === unknown ? unknownBuffer : Buffer.from(reply);
  }, options);
}

/** Guide 2 §1 (exercise 2.1): per line, reply `eco: <line>\n` — bytes kept exactly. */
import { lineService, type LineServiceOptions } from "./line-service.js";
import type { StreamHandler } from "./types.js";

const PREFIX = Buffer.from("eco: ");
const LF = Buffer.from("\n");

export function lineEchoReply(line: Buffer): Buffer {
  return Buffer.concat([PREFIX, line, LF], PREFIX.length + line.length + 1);
}

export function lineEcho(options: LineServiceOptions = {}): StreamHandler {
  return lineService(lineEchoReply, options);
}

/** Guide 2 §1 (exercise 2.1): per line, reply `eco: <line>\n` — bytes kept exactly. */
import { lineService, type LineResponder, type LineServiceOptions } from "./line-service.js";
import type { StreamHandler } from "./types.js";

const PREFIX = Buffer.from("eco: ");
const LF = Buffer.from("\n");

export const lineEchoReply: LineResponder = Object.assign(
  (line: Buffer): Buffer => Buffer.concat([PREFIX, line, LF], PREFIX.length + line.length + 1),
  {
    // Fast path, on latin1 text: the same bytes.
    text: (line: string): string => "eco: " + line + "\n",
    // The same as data, for the native engine.
    rules: { fallback: { before: PREFIX, after: LF } },
  },
);

export function lineEcho(options: LineServiceOptions = {}): StreamHandler {
  return lineService(lineEchoReply, options);
}

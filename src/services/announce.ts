/** Exercise 9's responder: answers `DISCOVER?` (stripped) with its announcement; ignores the rest. */
import { hostname } from "node:os";
import type { DatagramBatch, DatagramResponder } from "./types.js";

export const DISCOVER_MESSAGE = "DISCOVER?";

export function defaultAnnouncement(): string {
  return `socklab ${hostname()}\n`;
}

export function announceService(text: Buffer | string = defaultAnnouncement(), message = DISCOVER_MESSAGE): DatagramResponder {
  const reply = typeof text === "string" ? Buffer.from(text) : text;
  const exact = Buffer.from(message);
  const answer = (data: Buffer): Buffer | null => (data.toString("utf8").trim() === message ? reply : null);
  return Object.assign(answer, {
    // Batch fast path: the exact message compared in place; anything else by the rule above.
    batch: (batch: DatagramBatch): void => {
      for (let i = 0; i < batch.count; i++) batch.reply(i, batch.equals(i, exact) ? reply : answer(batch.data(i)));
    },
  });
}

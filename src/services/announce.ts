/** Exercise 9's responder: answers `DISCOVER?` (stripped) with its announcement; ignores the rest. */
import { hostname } from "node:os";
import type { DatagramResponder } from "./types.js";

export const DISCOVER_MESSAGE = "DISCOVER?";

export function defaultAnnouncement(): string {
  return `socklab ${hostname()}\n`;
}

export function announceService(text: Buffer | string = defaultAnnouncement(), message = DISCOVER_MESSAGE): DatagramResponder {
  const reply = typeof text === "string" ? Buffer.from(text) : text;
  return (data) => (data.toString("utf8").trim() === message ? reply : null);
}

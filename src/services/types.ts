import type { StreamHandler } from "../stream/server.js";

/** Answers one datagram: the reply to send back to its sender, or null for none. */
export type DatagramResponder = (data: Buffer, peer: string) => Buffer | null;

export type { StreamHandler };

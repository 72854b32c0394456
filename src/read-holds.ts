/**
 * One stream, several reasons to stop reading it: standard output full (the payload waits),
 * standard error full (the -x dump of the payload waits). The stream is paused while any
 * reason holds and resumed when the last one lets go, so one consumer catching up does not
 * restart a stream that another still needs stopped.
 *
 * Only a flowing stream is held: one that is not flowing has nobody pulling it (its buffer
 * stops at the high-water mark by itself), and resuming it later would start it flowing
 * with nobody listening.
 */
import type { Readable } from "node:stream";

const held = new WeakMap<Readable, Set<string>>();

/** Stop reading `stream` for `reason` (until releaseReading with the same reason). */
export function holdReading(stream: Readable, reason: string): void {
  const reasons = held.get(stream);
  if (reasons !== undefined) {
    reasons.add(reason);
    return;
  }
  if (stream.readableFlowing !== true) return;
  held.set(stream, new Set([reason]));
  stream.pause();
}

/** `reason` no longer holds; the stream resumes if no other reason does. */
export function releaseReading(stream: Readable, reason: string): void {
  const reasons = held.get(stream);
  if (reasons === undefined || !reasons.delete(reason) || reasons.size > 0) return;
  held.delete(stream);
  if (!stream.destroyed) stream.resume();
}

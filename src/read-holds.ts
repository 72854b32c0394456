/**
 * One stream, several reasons to stop reading it: standard output full (the payload waits),
 * standard error full (the -x dump of the payload waits), the peer not reading an echo. The
 * stream is paused while any reason holds and resumed when the last one lets go, so one
 * consumer catching up does not restart a stream that another still needs stopped.
 *
 * Code that does not know about holds (pipe()'s backpressure, a service's own
 * pause()/resume() on 'drain') can't restart a held stream either: while it is held, its
 * pause() and resume() only record what that code wants, and the last release leaves the
 * stream flowing or paused accordingly.
 *
 * A stream nobody ever read (not flowing yet) is not held: its buffer stops at the
 * high-water mark by itself, and resuming it later would start it flowing with nobody
 * listening.
 */
import type { Readable } from "node:stream";

interface Hold {
  reasons: Set<string>;
  /** Whether the stream's other readers want it flowing (their last pause() or resume()). */
  wanted: boolean;
  /** The stream's own `pause`/`resume` properties before the hold, if it had any. */
  ownPause: PropertyDescriptor | undefined;
  ownResume: PropertyDescriptor | undefined;
}

const held = new WeakMap<Readable, Hold>();

/** Stop reading `stream` for `reason` (until releaseReading with the same reason). */
export function holdReading(stream: Readable, reason: string): void {
  const hold = held.get(stream);
  if (hold !== undefined) {
    hold.reasons.add(reason);
    return;
  }
  const flowing = stream.readableFlowing;
  if (flowing === null) return;
  const next: Hold = {
    reasons: new Set([reason]),
    wanted: flowing,
    ownPause: Object.getOwnPropertyDescriptor(stream, "pause"),
    ownResume: Object.getOwnPropertyDescriptor(stream, "resume"),
  };
  held.set(stream, next);
  stream.pause();
  // From here until the last release, other readers' pause()/resume() are wishes.
  const wish = (key: "pause" | "resume", wanted: boolean): void => {
    Object.defineProperty(stream, key, {
      configurable: true,
      writable: true,
      value(this: Readable) {
        next.wanted = wanted;
        return this;
      },
    });
  };
  wish("pause", false);
  wish("resume", true);
}

/** `reason` no longer holds; the stream resumes if no other reason does (and its readers want it). */
export function releaseReading(stream: Readable, reason: string): void {
  const hold = held.get(stream);
  if (hold === undefined || !hold.reasons.delete(reason) || hold.reasons.size > 0) return;
  held.delete(stream);
  restore(stream, "pause", hold.ownPause);
  restore(stream, "resume", hold.ownResume);
  if (hold.wanted && !stream.destroyed) stream.resume();
}

function restore(stream: Readable, key: "pause" | "resume", own: PropertyDescriptor | undefined): void {
  if (own !== undefined) Object.defineProperty(stream, key, own);
  else delete (stream as unknown as Record<string, unknown>)[key];
}

/**
 * Pacing for event logs: every event kept and passed on in order, only the timing changes.
 * Used by the datagram server (one event per datagram) and by `socklab serve` for a stream
 * server's accept/close lines.
 */
import type { EventSink, SocklabEvent } from "./events.js";

/** Pass events on at once when quiet; under load, at most every this many ms. */
const PACE_MS = 10;
/**
 * Under sustained load (the last flush held this many events or more), every this many ms:
 * a flush has a fixed cost (a timer, the log's write(2), code that stays cold at 100 calls a
 * second), about a quarter of the log's cost at 100 flushes a second. A few datagrams (the
 * lab's exercises, whose ladders align processes by event times) never wait longer than PACE_MS.
 */
const LOADED_PACE_MS = 50;
const LOADED_EVENTS = 256;

/**
 * An event sink that can also take one event `count` times in a row in one call (the same
 * as `count` calls): the CLI's log writes the repeated line without a call per datagram.
 */
export type RepeatingSink = EventSink & { repeat?: (event: SocklabEvent, count: number) => void };

/**
 * Every event is kept and passed on in order, one per datagram; only the timing changes.
 * A busy server would otherwise hand its sink events on every wake-up, and the CLI writes
 * its log once per event-loop turn: a write(2) per datagram batch, as costly as the
 * datagrams' own syscalls. Paced, a busy server's log is written about 100 times a second.
 * Held events are kept as runs (the same event object n times: a client's stream of equal
 * datagrams), handed to a sink with `repeat` in one call per run.
 */
export class PacedSink {
  /** Runs of held events: held[k] happened counts[k] times in a row. */
  private held: SocklabEvent[] = [];
  private counts: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  /** Events held since the last flush (runs counted in full), and the pace that follows. */
  private heldCount = 0;
  private pace = PACE_MS;
  /** Events passed on at once since `last`. */
  private passed = 0;

  /** `burst`: how many events per pace window are passed on at once (a connection's few lines show up without delay). */
  constructor(
    private readonly sink: RepeatingSink,
    private readonly burst: number = 1,
  ) {}

  readonly event = (event: SocklabEvent): void => {
    if (this.timer !== undefined) {
      this.heldCount++;
      const k = this.held.length - 1;
      if (k >= 0 && this.held[k] === event) this.counts[k]!++;
      else {
        this.held.push(event);
        this.counts.push(1);
      }
      return;
    }
    const now = performance.now();
    if (now - this.last >= this.pace) {
      this.last = now;
      this.pace = PACE_MS;
      this.passed = 0;
    }
    if (this.passed < this.burst) {
      this.passed++;
      this.sink(event);
      return;
    }
    this.held.push(event);
    this.counts.push(1);
    this.heldCount = 1;
    this.timer = setTimeout(() => this.flush(), this.pace - (now - this.last));
  };

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = performance.now();
    this.pace = this.heldCount >= LOADED_EVENTS ? LOADED_PACE_MS : PACE_MS;
    this.heldCount = 0;
    this.passed = this.burst;
    const events = this.held;
    const counts = this.counts;
    this.held = [];
    this.counts = [];
    const repeat = this.sink.repeat;
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      const n = counts[k]!;
      if (n > 1 && repeat !== undefined) repeat(e, n);
      else for (let j = 0; j < n; j++) this.sink(e);
    }
  }
}

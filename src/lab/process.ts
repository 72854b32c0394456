/**
 * One socklab child process as the lab sees it: its standard output collected as bytes
 * (or counted and hashed, for bulk transfers), its events (socklab runs with `--json`: one
 * JSON object per line on standard error, schema in docs/EVENTS.md), and promises for
 * "this event arrived", "this much output arrived" and "it exited".
 *
 * The lab reads events, never socklab's human-readable text: a stderr line that is not a
 * JSON event (a crash, a fake socklab in the tests) is kept verbatim for failure messages
 * and never matched.
 *
 * The lab runs `node bin/socklab.js …`, and, only as the *other* side of an exercise
 * (`--against python|nc`, the reproduce-by-hand commands), python3, nc or socat; it never
 * shells out to them to do socklab's own work. Every process started here is killed by its owner (see context.ts) whether the exercise passed, failed or timed out.
 *
 * The mechanics (spawn, stdin, stdout kept or hashed, stderr lines, exit, waiters, stop/kill)
 * are `Child` (src/child.ts), shared with the tests' wrapper; this adds the events and the
 * lab's clock.
 */
import { Child, type ChildStdin, type ExitStatus } from "../child.js";
import type { SocklabEvent } from "../events.js";

export type { ExitStatus };

/** One event a child reported, with its own sequence number and clock, and when it arrived. */
export interface ChildEvent {
  /** The child's event number (1, 2, …): its order within that process. */
  seq: number;
  /** The child's own clock (ms since it started logging). */
  t: number;
  /** Milliseconds since the exercise started, when the lab read it. */
  at: number;
  event: SocklabEvent;
}

/** A standard-error line as received (`raw`), and the event it carries, if it is one. */
export interface StderrLine {
  at: number;
  raw: string;
  event?: ChildEvent;
}

/** A line of standard error as an event, or undefined if it is not a socklab JSON event. */
export function parseEventLine(line: string, at: number): ChildEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { event: type, seq, t, ...fields } = value as Record<string, unknown>;
  if (typeof type !== "string" || typeof seq !== "number") return undefined;
  return { seq, t: typeof t === "number" ? t : at, at, event: { type, ...fields } as SocklabEvent };
}

export interface ProcOptions {
  /** A label for reports and narration: "servidor", "cliente", "nc (listen)", … */
  label: string;
  /** `node` executable and the socklab entry script. */
  node: string;
  bin: string;
  args: string[];
  /**
   * What the child reads: "ignore" (immediate EOF), "pipe" (the lab writes it later),
   * a string/Buffer written then closed, or a Readable piped with backpressure.
   */
  stdin?: ChildStdin;
  /** Hash and count standard output instead of keeping it (bulk transfers). */
  sinkStdout?: boolean;
  /** Time origin for timestamps (performance.now() of the exercise start). */
  t0: number;
  /**
   * Run this program instead of `node bin …` (a peer: python3, nc, socat; `command[0]` is the
   * program). Its stderr is still read for events, and is plain text for a peer.
   */
  command?: string[];
  /** Words put before the program (e.g. `nsenter -t PID -n --`: run it in the lab's namespace). */
  prefix?: string[];
  /** Called for every event (narration). */
  onEvent?: (proc: Proc, event: ChildEvent) => void;
  /** Called for every stdout chunk (narration; not in sink mode). */
  onStdout?: (proc: Proc, chunk: Buffer) => void;
}

export class Proc extends Child {
  readonly args: string[];
  /** Settles when the process has exited and all its output is read (never rejects). */
  readonly exited: Promise<ExitStatus>;
  readonly stderrLines: StderrLine[] = [];
  /** Every event, in the child's order. */
  readonly events: ChildEvent[] = [];
  private readonly t0: number;
  private readonly onEvent: ((proc: Proc, event: ChildEvent) => void) | undefined;
  private readonly onStdout: ((proc: Proc, chunk: Buffer) => void) | undefined;

  constructor(options: ProcOptions) {
    const argv = [...(options.prefix ?? []), ...(options.command ?? [options.node, options.bin, ...options.args])];
    super(argv[0] as string, argv.slice(1), {
      label: options.label,
      stdin: options.stdin ?? "ignore",
      hashStdout: options.sinkStdout ?? false,
      stderrLines: true,
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.args = options.args;
    this.exited = this.closed;
    this.t0 = options.t0;
    this.onEvent = options.onEvent;
    this.onStdout = options.onStdout;
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  protected override stderrLine(text: string): void {
    const at = this.now();
    const event = parseEventLine(text, at);
    if (event) {
      this.events.push(event);
      this.stderrLines.push({ at, raw: text, event });
      this.onEvent?.(this, event);
    } else if (text.trim() !== "") this.stderrLines.push({ at, raw: text });
  }

  protected override stdoutChunk(chunk: Buffer): void {
    this.onStdout?.(this, chunk);
  }

  protected override failed(err: Error): void {
    this.stderrLines.push({ at: this.now(), raw: `(lab) ${err.message}` });
  }

  /** The events of one type, in the child's order. */
  eventsOf<T extends SocklabEvent["type"]>(type: T): Extract<SocklabEvent, { type: T }>[] {
    return this.events.filter((e) => e.event.type === type).map((e) => e.event as Extract<SocklabEvent, { type: T }>);
  }

  /** Resolves when `check` holds (re-evaluated on every output/exit); rejects on abort. */
  waitFor(check: () => boolean, signal: AbortSignal): Promise<void> {
    return this.until(check, signal);
  }

  /** Standard error as received (JSON lines and any other text), for failure messages only. */
  override get stderr(): string {
    return this.stderrLines.map((l) => l.raw).join("\n") + (this.stderrText ? `\n${this.stderrText}` : "");
  }

  /** The last stderr line as received (an event's JSON, or other text), for failure reasons. */
  lastStderrLine(): string | undefined {
    return this.stderrLines[this.stderrLines.length - 1]?.raw ?? (this.stderrText.trim() || undefined);
  }

  /** The last `error` event, if the child reported one. */
  lastError(): Extract<SocklabEvent, { type: "error" }> | undefined {
    return this.eventsOf("error").pop();
  }
}

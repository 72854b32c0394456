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
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";
import type { SocklabEvent } from "../events.js";

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

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
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
  stdin?: "ignore" | "pipe" | string | Buffer | Readable;
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

type Waiter = { check: () => boolean; resolve: () => void };

export class Proc {
  readonly label: string;
  readonly args: string[];
  readonly child: ChildProcess;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private chunks: Buffer[] = [];
  private stdoutLength = 0;
  private hash: Hash | undefined;
  private stderrRest = "";
  readonly stderrLines: StderrLine[] = [];
  /** Every event, in the child's order. */
  readonly events: ChildEvent[] = [];
  private waiters = new Set<Waiter>();
  private readonly t0: number;
  private readonly onEvent: ((proc: Proc, event: ChildEvent) => void) | undefined;
  /** An error writing our stdin (EPIPE when the child exits early); kept, never thrown. */
  stdinError: Error | undefined;

  constructor(options: ProcOptions) {
    this.label = options.label;
    this.args = options.args;
    this.t0 = options.t0;
    this.onEvent = options.onEvent;
    if (options.sinkStdout) this.hash = createHash("sha256");
    const stdin = options.stdin ?? "ignore";
    const argv = [...(options.prefix ?? []), ...(options.command ?? [options.node, options.bin, ...options.args])];
    this.child = spawn(argv[0] as string, argv.slice(1), {
      stdio: [stdin === "ignore" ? "ignore" : "pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.exited = new Promise<ExitStatus>((resolve) => {
      let settled = false;
      const settle = (s: ExitStatus): void => {
        if (settled) return;
        settled = true;
        this.status = s;
        this.flushStderr();
        this.wake();
        resolve(s);
      };
      // "close" waits for stdout/stderr to be drained, so everything printed is collected.
      this.child.once("close", (code, signal) => settle({ code, signal }));
      this.child.once("error", (err) => {
        this.stderrLines.push({ at: this.now(), raw: `(lab) ${err.message}` });
        settle({ code: null, signal: null });
      });
    });
    this.child.stdout?.on("data", (chunk: Buffer) => {
      this.stdoutLength += chunk.length;
      if (this.hash) this.hash.update(chunk);
      else {
        this.chunks.push(chunk);
        options.onStdout?.(this, chunk);
      }
      this.wake();
    });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (text: string) => {
      this.stderrRest += text;
      let nl: number;
      while ((nl = this.stderrRest.indexOf("\n")) >= 0) {
        this.addLine(this.stderrRest.slice(0, nl).replace(/\r$/, ""));
        this.stderrRest = this.stderrRest.slice(nl + 1);
      }
      this.wake();
    });
    if (this.child.stdin) {
      this.child.stdin.on("error", (err) => {
        this.stdinError = err;
      });
      if (stdin === "pipe") {
        // written later by the exercise (write/end)
      } else if (typeof stdin === "string" || Buffer.isBuffer(stdin)) this.child.stdin.end(stdin);
      else if (stdin instanceof Readable) {
        stdin.on("error", (err) => {
          this.stdinError = err;
          this.child.stdin?.destroy();
        });
        stdin.pipe(this.child.stdin);
      }
    }
  }

  private now(): number {
    return performance.now() - this.t0;
  }

  private addLine(text: string): void {
    const at = this.now();
    const event = parseEventLine(text, at);
    if (event) {
      this.events.push(event);
      this.stderrLines.push({ at, raw: text, event });
      this.onEvent?.(this, event);
    } else if (text.trim() !== "") this.stderrLines.push({ at, raw: text });
  }

  private flushStderr(): void {
    if (this.stderrRest !== "") {
      const rest = this.stderrRest;
      this.stderrRest = "";
      this.addLine(rest);
    }
  }

  /** The events of one type, in the child's order. */
  eventsOf<T extends SocklabEvent["type"]>(type: T): Extract<SocklabEvent, { type: T }>[] {
    return this.events.filter((e) => e.event.type === type).map((e) => e.event as Extract<SocklabEvent, { type: T }>);
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves when `check` holds (re-evaluated on every output/exit); rejects on abort. */
  waitFor(check: () => boolean, signal: AbortSignal): Promise<void> {
    if (check()) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        check,
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Everything printed on standard output so far (empty in sink mode). */
  get stdout(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get stdoutBytes(): number {
    return this.stdoutLength;
  }

  /** sha256 of standard output (sink mode only), valid once the process has exited. */
  stdoutDigest(): string {
    return this.hash ? this.hash.copy().digest("hex") : createHash("sha256").update(this.stdout).digest("hex");
  }

  /** Standard error as received (JSON lines and any other text), for failure messages only. */
  get stderr(): string {
    return this.stderrLines.map((l) => l.raw).join("\n") + (this.stderrRest ? `\n${this.stderrRest}` : "");
  }

  /** The last stderr line as received (an event's JSON, or other text), for failure reasons. */
  lastStderrLine(): string | undefined {
    return this.stderrLines[this.stderrLines.length - 1]?.raw ?? (this.stderrRest.trim() || undefined);
  }

  /** The last `error` event, if the child reported one. */
  lastError(): Extract<SocklabEvent, { type: "error" }> | undefined {
    return this.eventsOf("error").pop();
  }

  write(data: string | Buffer): void {
    if (this.child.stdin && !this.child.stdin.destroyed) this.child.stdin.write(data);
  }

  end(data?: string | Buffer): void {
    if (this.child.stdin && !this.child.stdin.destroyed) this.child.stdin.end(data);
  }

  /** Ask politely, then force: SIGTERM, and SIGKILL after `graceMs`. Resolves on exit. */
  async stop(graceMs = 2000): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Immediate SIGKILL (used on timeouts and at process exit). */
  kill(): void {
    if (this.status === undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
  }
}

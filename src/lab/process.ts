/**
 * One socklab child process as the lab sees it: its standard output collected as bytes
 * (or counted and hashed, for bulk transfers), its standard error as timestamped lines,
 * and promises for "this line appeared", "this much output arrived" and "it exited".
 *
 * The lab never runs anything but `node bin/socklab.js …`, and every process started here
 * is killed by its owner (see context.ts) whether the exercise passed, failed or timed out.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";

export interface StderrLine {
  /** Milliseconds since the exercise started. */
  at: number;
  text: string;
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
  /** Time origin for timestamps. */
  t0: number;
  /** Called for every stderr line (narration). */
  onStderr?: (proc: Proc, line: StderrLine) => void;
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
  private waiters = new Set<Waiter>();
  private readonly t0: number;
  private readonly onStderrFinal: ((proc: Proc, line: StderrLine) => void) | undefined;
  /** An error writing our stdin (EPIPE when the child exits early); kept, never thrown. */
  stdinError: Error | undefined;

  constructor(options: ProcOptions) {
    this.label = options.label;
    this.args = options.args;
    this.t0 = options.t0;
    this.onStderrFinal = options.onStderr;
    if (options.sinkStdout) this.hash = createHash("sha256");
    const stdin = options.stdin ?? "ignore";
    this.child = spawn(options.node, [options.bin, ...options.args], {
      stdio: [stdin === "ignore" ? "ignore" : "pipe", "pipe", "pipe"],
      // The lab reads its children's English event lines (until it reads --json events).
      env: { ...process.env, NO_COLOR: "1", LC_ALL: "C" },
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
        this.stderrLines.push({ at: this.now(), text: `(lab) spawn failed: ${err.message}` });
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
    const onStderr = options.onStderr;
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (text: string) => {
      this.stderrRest += text;
      let nl: number;
      while ((nl = this.stderrRest.indexOf("\n")) >= 0) {
        const line = { at: this.now(), text: this.stderrRest.slice(0, nl).replace(/\r$/, "") };
        this.stderrRest = this.stderrRest.slice(nl + 1);
        this.stderrLines.push(line);
        onStderr?.(this, line);
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
    return Date.now() - this.t0;
  }

  private flushStderr(): void {
    if (this.stderrRest !== "") {
      const line = { at: this.now(), text: this.stderrRest };
      this.stderrRest = "";
      this.stderrLines.push(line);
      this.onStderrFinal?.(this, line);
    }
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

  get stderr(): string {
    return this.stderrLines.map((l) => l.text).join("\n") + (this.stderrRest ? `\n${this.stderrRest}` : "");
  }

  /** The last non-empty stderr line (the CLI's one-line error), for failure reasons. */
  lastStderrLine(): string | undefined {
    for (let i = this.stderrLines.length - 1; i >= 0; i--) {
      const t = this.stderrLines[i]?.text.trim();
      if (t) return t;
    }
    return this.stderrRest.trim() || undefined;
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

/**
 * Spawn a child process for a test and observe it: stdout collected as bytes, stderr as
 * text, promises for "a line matching X appeared" and "the process exited", and teardown
 * that always kills what is still running. The one wrapper for every child a test starts:
 * the socklab CLI (cli.ts), python3 (python.ts), nc, ncat, socat, openssl, strace.
 * The mechanics are `Child` (src/child.ts), shared with the lab; this adds timeouts,
 * teardown and the set of live children killed when the test process exits.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { Child } from "../../src/child.js";
export { which } from "./tools.js";
import { WAIT_MS } from "./wait.js";

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Something with an `after` hook: node:test's TestContext or a suite-level registrar. */
export interface Teardown {
  after(fn: () => unknown): void;
}

export interface SpawnOptions {
  /** Bytes written to stdin, then stdin is ended. `"pipe"` leaves stdin open for the test. */
  input?: Buffer | string | "pipe";
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Registers a kill in `after`; strongly recommended. */
  teardown?: Teardown;
  /** A short name used in timeout messages. */
  label?: string;
}

/** Every live child of this test process, so nothing outlives the test file. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class Proc extends Child {
  /** Resolves with the status and all output once the process has exited; rejects if it could not start. */
  readonly exited: Promise<ExitResult>;

  constructor(command: string, args: readonly string[], options: SpawnOptions = {}) {
    super(command, args, { stdin: options.input ?? "pipe", label: options.label, env: options.env, cwd: options.cwd });
    live.add(this.child);
    this.exited = this.closed.then(({ code, signal }) => {
      live.delete(this.child);
      if (this.error) throw this.error;
      return { code, signal, stdout: this.stdout, stderr: this.stderr };
    });
    this.exited.catch(() => {});
    // No input: stdin is ended at once (the child reads EOF).
    if (options.input === undefined) this.end();
    options.teardown?.after(() => this.kill());
  }

  get hasExited(): boolean {
    return !this.running;
  }

  /**
   * Resolve with `check()`'s first non-undefined value, re-checked whenever output arrives.
   * Rejects (with everything seen so far) on timeout or if the process exits first.
   */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (): boolean => {
        const value = check();
        if (value !== undefined) {
          cleanup();
          resolve(value);
          return true;
        }
        if (!this.running) {
          cleanup();
          reject(new Error(`${this.label}: exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) before ${what}\n${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`));
      }, timeoutMs);
      const waiter = (): void => {
        finish();
      };
      const unwatch = this.watch(waiter);
      const cleanup = (): void => {
        clearTimeout(timer);
        unwatch();
      };
      // Check on the next tick so that a synchronous resolution never surprises the caller.
      queueMicrotask(waiter);
    });
  }

  /** Wait until a stderr line matches `re`; resolves with the match. */
  waitForStderr(re: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return this.waitFor(`stderr matching ${re}`, () => {
      for (const line of this.stderr.split("\n")) {
        const m = line.match(re);
        if (m) return m;
      }
      return undefined;
    }, timeoutMs);
  }

  /** Wait until stdout contains `needle` (or has at least `needle` bytes if a number). */
  waitForStdout(needle: string | Buffer | number, timeoutMs = WAIT_MS): Promise<Buffer> {
    return this.waitFor(`stdout ${typeof needle === "number" ? `>= ${needle} bytes` : JSON.stringify(needle.toString())}`, () => {
      const out = this.stdout;
      if (typeof needle === "number") return out.length >= needle ? out : undefined;
      return out.includes(needle) ? out : undefined;
    }, timeoutMs);
  }

  /** Wait until stdout or stderr (as text) matches `re` anywhere. */
  waitForOutput(re: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return this.waitFor(`output matching ${re}`, () => (this.stdout.toString("utf8") + this.stderr).match(re) ?? undefined, timeoutMs);
  }

  /** Wait for a stdout line (text) matching `re`. */
  waitForStdoutLine(re: RegExp, timeoutMs = WAIT_MS): Promise<RegExpMatchArray> {
    return this.waitFor(`stdout matching ${re}`, () => {
      for (const line of this.stdout.toString("utf8").split("\n")) {
        const m = line.match(re);
        if (m) return m;
      }
      return undefined;
    }, timeoutMs);
  }

  /** Resolve when the process exits; reject (and kill it) after `timeoutMs`. */
  async waitExit(timeoutMs = WAIT_MS): Promise<ExitResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seen = this.describe();
        this.kill();
        reject(new Error(`${this.label}: did not exit within ${timeoutMs} ms\n${seen}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  endInput(data?: Buffer | string): void {
    this.end(data);
  }

  /** Idempotent: SIGKILL if still running, then wait for the exit to be observed. */
  override async kill(): Promise<void> {
    if (!this.running || this.child.exitCode !== null || this.child.signalCode !== null) return;
    super.kill();
    await Promise.race([once(this.child, "close").catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  }

  /** Output seen so far, for failure messages. */
  describe(): string {
    const out = this.stdout;
    const shown = out.length > 2000 ? `${out.subarray(0, 2000).toString("latin1")}… (${out.length} bytes)` : out.toString("latin1");
    return `--- stdout ---\n${shown}\n--- stderr ---\n${this.stderr}`;
  }
}

export function spawnProc(command: string, args: readonly string[], options: SpawnOptions = {}): Proc {
  return new Proc(command, args, options);
}

/**
 * Start an external peer (nc, socat, …) for test `t`: stdin left open for the test to write
 * or end, killed after the test.
 */
export function spawnTool(t: Teardown, command: string, args: readonly string[], label = command): Proc {
  return new Proc(command, args, { teardown: t, input: "pipe", label });
}

/** Open descriptors of this process (for leak checks). */
export function openDescriptorCount(): number {
  return readdirSync("/proc/self/fd").length;
}

/** A process's resident memory (VmRSS) in MiB; NaN once it has gone. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

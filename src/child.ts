/**
 * One child process and what it printed: the mechanics shared by the lab's children
 * (src/lab/process.ts: socklab with `--json`, and the peers of an exercise) and the tests'
 * children (test/support/process.ts). Each builds on `Child` and adds only its own part:
 * the lab parses events and timestamps them, the tests add timeouts and teardown.
 *
 * What is here: spawning with the standard input chosen by the caller, standard output kept
 * as bytes or counted and hashed (bulk transfers), standard error kept as text or handed out
 * line by line, one exit status settled on 'close' (everything printed has been read by then)
 * or on 'error' (the program could not be started), a set of watchers woken on every output
 * and on exit, and write/end/signal/stop/kill. Nothing here prints, throws on a broken stdin
 * pipe, or talks to the user. Children wired to sockets (src/services/exec.ts) are a
 * different thing and do not use this.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * What the child reads: "ignore" (immediate EOF, no pipe), "pipe" (written later with
 * write/end), a string or Buffer written and then closed, or a Readable piped with backpressure.
 */
export type ChildStdin = "ignore" | "pipe" | string | Buffer | Readable;

export interface ChildOptions {
  /** A short name for messages; default: the command line. */
  label?: string;
  /** Default "ignore". */
  stdin?: ChildStdin;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Count and hash standard output instead of keeping it. */
  hashStdout?: boolean;
  /**
   * Hand standard error to `stderrLine()` one line at a time (without the "\n" or a "\r"
   * before it; an unfinished last line is handed out at exit) instead of keeping it as text.
   */
  stderrLines?: boolean;
}

export class Child {
  readonly label: string;
  readonly child: ChildProcess;
  /** Settles once, never rejects: on 'close' (all output read) or on 'error'. */
  readonly closed: Promise<ExitStatus>;
  /** The 'error' the process emitted before it closed (it could not be started: ENOENT, …). */
  error: Error | undefined;
  /** An error writing the child's stdin (EPIPE when it exits early); kept, never thrown. */
  stdinError: Error | undefined;
  /**
   * Standard error as text: all of it, or with `stderrLines` only the unfinished last line
   * (the rest went to `stderrLine()`).
   */
  protected stderrText = "";
  private status: ExitStatus | undefined;
  private chunks: Buffer[] = [];
  private stdoutLength = 0;
  private readonly hash: Hash | undefined;
  private readonly splitStderr: boolean;
  private readonly watchers = new Set<() => void>();

  constructor(command: string, args: readonly string[], options: ChildOptions = {}) {
    this.label = options.label ?? [command, ...args].join(" ");
    this.splitStderr = options.stderrLines ?? false;
    this.hash = options.hashStdout ? createHash("sha256") : undefined;
    const stdin = options.stdin ?? "ignore";
    const spawnOptions: SpawnOptions = {
      stdio: [stdin === "ignore" ? "ignore" : "pipe", "pipe", "pipe"],
      env: options.env ?? process.env,
    };
    if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
    this.child = spawn(command, args, spawnOptions);
    this.closed = new Promise<ExitStatus>((resolve) => {
      const settle = (s: ExitStatus): void => {
        if (this.status) return;
        this.status = s;
        this.flushStderr();
        this.wake();
        resolve(s);
      };
      // "close" waits for stdout/stderr to be drained, so everything printed is collected.
      this.child.once("close", (code, signal) => settle({ code, signal }));
      this.child.once("error", (err) => {
        if (!this.status) this.error = err;
        this.failed(err);
        settle({ code: null, signal: null });
      });
    });
    this.child.stdout?.on("data", (chunk: Buffer) => {
      this.stdoutLength += chunk.length;
      if (this.hash) this.hash.update(chunk);
      else {
        this.chunks.push(chunk);
        this.stdoutChunk(chunk);
      }
      this.wake();
    });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (text: string) => {
      this.stderrText += text;
      if (this.splitStderr) {
        let nl: number;
        while ((nl = this.stderrText.indexOf("\n")) >= 0) {
          this.stderrLine(this.stderrText.slice(0, nl).replace(/\r$/, ""));
          this.stderrText = this.stderrText.slice(nl + 1);
        }
      }
      this.wake();
    });
    const input = this.child.stdin;
    if (input) {
      input.on("error", (err) => {
        this.stdinError = err;
      });
      if (stdin === "pipe") {
        // written later by the owner (write/end)
      } else if (typeof stdin === "string" || Buffer.isBuffer(stdin)) input.end(stdin);
      else if (stdin instanceof Readable) {
        stdin.on("error", (err) => {
          this.stdinError = err;
          input.destroy();
        });
        stdin.pipe(input);
      }
    }
  }

  /** A kept standard-output chunk (not called when hashing). For subclasses. */
  protected stdoutChunk(_chunk: Buffer): void {}

  /** A complete standard-error line (with the `stderrLines` option). For subclasses. */
  protected stderrLine(_line: string): void {}

  /** The process emitted 'error' (could not be started, or a signal could not be sent). For subclasses. */
  protected failed(_err: Error): void {}

  private flushStderr(): void {
    if (this.splitStderr && this.stderrText !== "") {
      const rest = this.stderrText;
      this.stderrText = "";
      this.stderrLine(rest);
    }
  }

  private wake(): void {
    for (const w of [...this.watchers]) w();
  }

  /** Calls `fn` after every output chunk and at exit, until the returned function is called. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Resolves when `check` holds (re-evaluated on every output and at exit); rejects on abort. */
  until(check: () => boolean, signal?: AbortSignal): Promise<void> {
    if (check()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        unwatch();
        reject(signal?.reason);
      };
      const unwatch = this.watch(() => {
        if (!check()) return;
        unwatch();
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
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

  /** Everything printed on standard output so far (empty when hashing). */
  get stdout(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Bytes printed on standard output so far (counted when hashing too). */
  get stdoutBytes(): number {
    return this.stdoutLength;
  }

  /** sha256 of standard output (hex); when hashing, complete once the process has exited. */
  stdoutDigest(): string {
    return this.hash ? this.hash.copy().digest("hex") : createHash("sha256").update(this.stdout).digest("hex");
  }

  /** Standard error as text (see `stderrText`). */
  get stderr(): string {
    return this.stderrText;
  }

  write(data: string | Buffer): void {
    if (this.child.stdin && !this.child.stdin.destroyed) this.child.stdin.write(data);
  }

  end(data?: string | Buffer): void {
    if (this.child.stdin && !this.child.stdin.destroyed) this.child.stdin.end(data);
  }

  /** Send `sig` if the process is still running. */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** Ask politely, then force: SIGTERM, and SIGKILL after `graceMs`. Resolves on exit. */
  async stop(graceMs = 2000): Promise<ExitStatus> {
    if (this.status) return this.status;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Immediate SIGKILL if still running (timeouts, teardown, process exit). */
  kill(): void {
    if (this.status === undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
  }
}

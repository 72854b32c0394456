/**
 * What an exercise gets to work with: start socklab processes with `--json` (servers wait
 * for their `listening` event), wait for events, output or exit under the exercise's deadline, check
 * results with precise failure messages, record what was exchanged and, when narrating,
 * every step. `cleanup()` stops every process it started, whatever happened.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseAddress, type Address } from "../address.js";
import type { EventOf, EventType } from "../events.js";
import type { Lang } from "../i18n/catalog.js";
import { formatEvent } from "../i18n/format.js";
import { Proc, type ChildEvent, type ExitStatus } from "./process.js";
import { quote } from "./report.js";
import { LAB_TEXTS, pyBytes, type LabCatalog } from "./texts.js";

/** The exercise did not do what the guide says; the message says what differed. */
export class LabFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabFailure";
  }
}

/** The exercise cannot run on this machine (e.g. no IPv6 loopback); the message says why. */
export class LabSkip extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabSkip";
  }
}

/** One step of the narration: what the lab did, an event of a child, or bytes on a child's stdout. */
export type LabEvent =
  /** `feeds`: the process whose stdin the lab wrote to (what it sends next comes after this). */
  | { kind: "lab"; at: number; text: string; feeds?: Proc }
  | { kind: "event"; at: number; proc: Proc; event: ChildEvent }
  | { kind: "stdout"; at: number; proc: Proc; data: Buffer };

export interface ContextOptions {
  node: string;
  bin: string;
  tmpDir: string;
  narrate: boolean;
  signal: AbortSignal;
  lang: Lang;
}

export interface Server {
  proc: Proc;
  /** The address printed on the readiness line, e.g. `tcp://127.0.0.1:41234`. */
  address: string;
  parsed: Address;
  /** The port, for tcp/udp addresses (0 otherwise). */
  port: number;
}

export interface SpawnOptions {
  stdin?: "ignore" | "pipe" | string | Buffer | Readable;
  sinkStdout?: boolean;
  /** Run this script instead of bin/socklab.js (a library-based client, see recv-all-client.ts). */
  script?: string;
}

export class LabContext {
  readonly signal: AbortSignal;
  readonly narrate: boolean;
  readonly tmpDir: string;
  readonly lang: Lang;
  /** The lab's texts in the report's language. */
  readonly t: LabCatalog;
  readonly events: LabEvent[] = [];
  /** Short descriptions of what travelled, joined with "; " in the table. */
  readonly exchanged: string[] = [];
  /** What the exercise is doing now (named in the timeout message). */
  step: string;
  private readonly t0 = performance.now();
  private readonly procs: Proc[] = [];
  private readonly servers: Server[] = [];
  private readonly node: string;
  private readonly bin: string;
  /** Set by `enterNetns()`: every later process runs in the lab's own network namespace. */
  private prefix: string[] | undefined;
  /** The pid whose /proc/PID/net shows the sockets of this exercise's processes. */
  netPid: number | "self" = "self";

  constructor(options: ContextOptions) {
    this.signal = options.signal;
    this.narrate = options.narrate;
    this.tmpDir = options.tmpDir;
    this.lang = options.lang;
    this.t = LAB_TEXTS[options.lang];
    this.step = this.t.wait.starting;
    this.node = options.node;
    this.bin = options.bin;
  }

  /** Milliseconds since the exercise started. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Seconds from milliseconds, with `digits` decimals, as the report's language writes them. */
  seconds(ms: number, digits = 1): string {
    const text = (ms / 1000).toFixed(digits);
    return this.lang === "es" ? text.replace(".", ",") : text;
  }

  /** How to start socklab itself: `node …/bin/socklab.js`. */
  socklabCommand(): string[] {
    return [this.node, this.bin];
  }

  /** A path inside this run's private temporary directory. */
  tmp(name: string): string {
    return join(this.tmpDir, name);
  }

  /** Narration: something the lab itself does or explains. */
  say(text: string, feeds?: Proc): void {
    this.events.push({ at: this.now(), text, kind: "lab", ...(feeds ? { feeds } : {}) });
  }

  exchange(text: string): void {
    this.exchanged.push(text);
  }

  /**
   * Start `socklab ARGS… --json` without waiting (events, not text, on its stderr).
   * `serve`, `listen`, `connect` and `recv-fd` also get `--trace` when narrating (every
   * send/recv, the connection).
   */
  spawn(label: string, args: string[], options: SpawnOptions = {}): Proc {
    this.throwIfAborted();
    const socklab = options.script === undefined;
    const trace = socklab && this.narrate && ["serve", "listen", "connect", "recv-fd"].includes(args[0] ?? "");
    const full = socklab ? [...args, ...(trace ? ["--trace"] : []), "--json"] : args;
    const command = socklab ? "socklab" : `node ${options.script}`;
    this.say(`$ ${command} ${full.map(shellQuote).join(" ")}${describeStdin(options.stdin, this.t)}`);
    const proc = new Proc({
      label,
      node: this.node,
      bin: options.script ?? this.bin,
      args: full,
      t0: this.t0,
      ...(this.prefix ? { prefix: this.prefix } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.sinkStdout ? { sinkStdout: true } : {}),
      onEvent: (p, event) => {
        if (this.narrate) this.events.push({ at: event.at, proc: p, event, kind: "event" });
      },
      onStdout: (p, chunk) => {
        if (this.narrate) this.events.push({ at: this.now(), proc: p, data: chunk, kind: "stdout" });
      },
    });
    this.procs.push(proc);
    return proc;
  }

  /**
   * Start another program (python3, nc, socat: the other side of `--against`, or a
   * reproduce-by-hand command) without waiting. `shown` is the command line as the student
   * would type it; its stdout is narrated, its stderr kept for failure messages.
   */
  spawnPeer(label: string, argv: string[], shown: string, options: SpawnOptions = {}): Proc {
    this.throwIfAborted();
    // A program of several lines is shown by its first one: the whole is under "reproduce".
    const lines = shown.split("\n");
    this.say(`$ ${lines[0]}${lines.length > 1 ? ` ${(lines[1] ?? "").trim()} …'` : ""}`);
    const proc = new Proc({
      label,
      node: this.node,
      bin: this.bin,
      args: argv.slice(1),
      command: argv,
      t0: this.t0,
      ...(this.prefix ? { prefix: this.prefix } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.sinkStdout ? { sinkStdout: true } : {}),
      onStdout: (p, chunk) => {
        if (this.narrate) this.events.push({ at: this.now(), proc: p, data: chunk, kind: "stdout" });
      },
    });
    this.procs.push(proc);
    return proc;
  }

  /**
   * Run the rest of this exercise in a network namespace of the lab's own (`unshare -n`,
   * loopback up inside it): a socket bound to every interface there sees only that
   * loopback. Returns false (and changes nothing) where the platform does not allow it.
   */
  async enterNetns(): Promise<boolean> {
    if (process.env.SOCKLAB_LAB_NETNS === "0" || process.platform !== "linux" || process.getuid?.() !== 0) return false;
    const holder = new Proc({
      label: "netns",
      node: this.node,
      bin: this.bin,
      args: [],
      command: ["unshare", "-n", "sh", "-c", "ip link set lo up && echo up && exec sleep 600"],
      t0: this.t0,
    });
    this.procs.push(holder);
    // Until it says "up" or exits (unshare not allowed exits at once); a busy machine may
    // take seconds to start it, so no deadline of its own: the exercise's bounds it.
    await holder.waitFor(() => holder.stdout.includes("up") || !holder.running, this.signal);
    if (!holder.running || !holder.stdout.includes("up") || holder.pid === undefined) {
      holder.kill();
      return false;
    }
    this.prefix = ["nsenter", "-t", String(holder.pid), "-n", "--"];
    this.netPid = holder.pid;
    return true;
  }

  /**
   * Start a server (`serve …` or `listen …`) and wait for its `listening` event.
   * Fails with the server's own error if it exits first.
   */
  async server(label: string, args: string[], options: SpawnOptions = {}): Promise<Server> {
    const proc = this.spawn(label, args, options);
    this.step = this.t.wait.listening(label, `socklab ${args.slice(0, 3).join(" ")}`);
    const listening = (): string | undefined => proc.eventsOf("listening")[0]?.address;
    await proc.waitFor(() => listening() !== undefined || !proc.running, this.signal);
    const address = listening();
    if (address === undefined) {
      throw new LabFailure(
        this.t.fail.exitedBeforeListening(label, `socklab ${args.join(" ")}`, this.exitText(proc.exitStatus), lastWords(proc, this.lang) ?? this.t.fail.noMessage),
      );
    }
    let parsed: Address;
    try {
      parsed = parseAddress(address);
    } catch {
      throw new LabFailure(this.t.fail.badListeningAddress(label, address));
    }
    const server: Server = { proc, address, parsed, port: "port" in parsed ? parsed.port : 0 };
    if (args[0] === "serve") this.servers.push(server);
    return server;
  }

  /** Start a process and wait for it to exit. */
  async run(label: string, args: string[], options: SpawnOptions = {}): Promise<Proc> {
    const proc = this.spawn(label, args, options);
    await this.exit(proc);
    return proc;
  }

  /** Wait until `proc` exits. */
  async exit(proc: Proc): Promise<ExitStatus> {
    this.step = this.t.wait.exit(proc.label, `socklab ${proc.args.slice(0, 2).join(" ")}`);
    await proc.waitFor(() => !proc.running, this.signal);
    return proc.exitStatus as ExitStatus;
  }

  /** Wait for `proc` to exit, then check its exit code and (if given) its exact standard output. */
  async finished(proc: Proc, code: number, stdout?: string | Buffer): Promise<void> {
    await this.exit(proc);
    this.exitCode(proc, code);
    if (stdout !== undefined) this.stdoutIs(proc, stdout);
  }

  /**
   * Wait until `proc`'s standard output satisfies `check` (or it exits: then fail).
   * `what` names what is awaited, from the catalogue (`t.wait.onStdout(…)`, `t.wait.echo(…)`).
   */
  async stdout(proc: Proc, check: (out: Buffer) => boolean, what: string): Promise<Buffer> {
    this.step = this.t.wait.waitingFor(what);
    await proc.waitFor(() => check(proc.stdout) || !proc.running, this.signal);
    if (!check(proc.stdout)) {
      throw new LabFailure(this.t.fail.exitedWhileWaiting(proc.label, this.exitText(proc.exitStatus), what, quote(proc.stdout)) + this.errTail(proc));
    }
    return proc.stdout;
  }

  /** Wait until `proc` reports an event of `type` that satisfies `check` (or it exits: then fail); `what` as for `stdout()`. */
  async event<T extends EventType>(
    proc: Proc,
    type: T,
    what: string,
    check: (event: EventOf<T>) => boolean = () => true,
  ): Promise<EventOf<T>> {
    this.step = this.t.wait.waitingFor(what);
    const found = (): EventOf<T> | undefined => proc.eventsOf(type).find(check);
    await proc.waitFor(() => found() !== undefined || !proc.running, this.signal);
    const event = found();
    if (event === undefined) {
      throw new LabFailure(this.t.fail.exitedWhileWaiting(proc.label, this.exitText(proc.exitStatus), what, quote(proc.stdout)) + this.errTail(proc));
    }
    return event;
  }

  sleep(ms: number): Promise<void> {
    this.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(this.signal.reason);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  // ---- checks -------------------------------------------------------------------------

  /** Fail with `reason` (a catalogue text: `this.t.fail.…`) unless `condition` holds. */
  check(condition: boolean, reason: string): void {
    if (!condition) throw new LabFailure(reason);
  }

  /** How a process ended, in the report's language ("with code 1", "por la señal SIGKILL"). */
  exitText(s: ExitStatus | undefined): string {
    return this.t.fail.exit(s);
  }

  /** " (its stderr: …)": the process's last stderr line, for failure messages ("" without one). */
  errTail(proc: Proc): string {
    const last = lastWords(proc, this.lang);
    return last ? this.t.fail.stderrTail(JSON.stringify(last.length > 160 ? `${last.slice(0, 160)}…` : last)) : "";
  }

  /** The process exited with `code`; otherwise fail naming its last stderr line. */
  exitCode(proc: Proc, code: number): void {
    const s = proc.exitStatus;
    if (!s || s.code !== code) {
      throw new LabFailure(this.t.fail.exitCode(proc.label, this.exitText(s), code) + this.errTail(proc));
    }
  }

  /** `proc`'s standard output is exactly `expected` (byte for byte). */
  stdoutIs(proc: Proc, expected: string | Buffer): void {
    const want = typeof expected === "string" ? Buffer.from(expected) : expected;
    const got = proc.stdout;
    if (!got.equals(want)) {
      let at = 0;
      while (at < want.length && at < got.length && want[at] === got[at]) at++;
      const where = at > 40 || got.length > 80 || want.length > 80
        ? this.t.fail.stdoutDiffers(got.length, want.length, at, quote(want.subarray(at), 24), quote(got.subarray(at), 24))
        : "";
      throw new LabFailure(this.t.fail.stdout(proc.label, quote(want, 80), quote(got, 80)) + where + this.errTail(proc));
    }
  }

  // ---- teardown -----------------------------------------------------------------------

  /**
   * Stop everything. Servers get SIGTERM and must exit 0 and remove the socket file they
   * created (the CLI contract); the returned text says what went wrong, if anything.
   * Other processes still running are killed.
   */
  async cleanup(): Promise<string | undefined> {
    const problems: string[] = [];
    await Promise.all(
      this.servers.map(async (server) => {
        if (!server.proc.running) return;
        this.say(this.t.say.sigterm(server.proc.label));
        const status = await server.proc.stop(2000);
        if (status.code !== 0) {
          problems.push(this.t.fail.sigterm(server.proc.label, this.exitText(status)) + this.errTail(server.proc));
        }
        if ((server.parsed.kind === "unix" || server.parsed.kind === "unix-dgram") && existsSync(server.parsed.path)) {
          problems.push(this.t.fail.socketFileLeft(server.proc.label, server.parsed.path));
        }
      }),
    );
    await Promise.all(this.procs.filter((p) => p.running).map((p) => p.stop(1000)));
    return problems.length ? problems.join("; ") : undefined;
  }

  /** Kill every process now (timeouts, interrupted lab). */
  killAll(): void {
    for (const p of this.procs) p.kill();
  }
}

/** Fail the exercise with `reason` (a catalogue text) unless `value` is truthy (a type-narrowing check). */
export function ensure(value: unknown, reason: string): asserts value {
  if (!value) throw new LabFailure(reason);
}

/** The process's last stderr line: an event as its line in `lang`, other text as is. */
export function lastWords(proc: Proc, lang: Lang): string | undefined {
  const line = proc.stderrLines[proc.stderrLines.length - 1];
  return line?.event ? formatEvent(line.event.event, lang) || line.raw : proc.lastStderrLine();
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

function describeStdin(stdin: SpawnOptions["stdin"], t: LabCatalog): string {
  if (stdin === undefined || stdin === "ignore") return " < /dev/null";
  if (stdin === "pipe") return "";
  if (stdin instanceof Readable) return `   ${t.narration.stdinGenerated}`;
  return `   ${t.narration.stdinGiven(pyBytes(typeof stdin === "string" ? Buffer.from(stdin) : stdin, 40))}`;
}

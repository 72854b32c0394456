/**
 * Run the real `socklab` command as a user would: `node bin/socklab.js …`.
 * Compiled tests live in dist/test/, so the bin is found relative to this file.
 */
import { fileURLToPath } from "node:url";
import { Proc, type ExitResult, type SpawnOptions } from "./process.js";

/** Absolute path of bin/socklab.js (this file is dist/test/support/cli.js once compiled). */
export const SOCKLAB_BIN = fileURLToPath(new URL("../../../bin/socklab.js", import.meta.url));

export interface Listening {
  /** The address exactly as printed, e.g. `tcp://127.0.0.1:41234`. */
  address: string;
  /** Host without brackets (for inet addresses), else undefined. */
  host?: string;
  /** The bound port (for inet addresses), else undefined. */
  port: number;
}

const LISTENING = /^listening (\S+)$/;

/**
 * How long a socklab process may take to start and finish its job by default: a node start
 * alone takes several seconds on a small machine at load 20+, and only failures wait this long.
 */
export const CLI_WAIT_MS = 20_000;

/** Parse a `listening ADDRESS` line. */
export function parseListening(line: string): Listening | undefined {
  const m = line.match(LISTENING);
  if (!m) return undefined;
  const address = m[1]!;
  const inet = address.match(/^(?:tcp|udp):\/\/(?:\[([^\]]+)\]|([^:]+)):(\d+)$/);
  if (!inet) return { address, port: NaN };
  return { address, host: inet[1] ?? inet[2]!, port: Number(inet[3]) };
}

export class CliProc extends Proc {
  /** Wait for the `listening ADDRESS` readiness line and parse it. */
  async listening(timeoutMs = CLI_WAIT_MS): Promise<Listening> {
    const m = await this.waitForStderr(LISTENING, timeoutMs);
    return parseListening(m[0])!;
  }
}

/**
 * Spawn `socklab ARGS…`. Pass `teardown: t` so the process is killed after the test; the
 * teardown also fails the test if socklab ever printed a stack trace.
 */
export function socklab(args: readonly string[], options: SpawnOptions = {}): CliProc {
  const proc = new CliProc(process.execPath, [SOCKLAB_BIN, ...args], { label: `socklab ${args.join(" ")}`, ...options });
  options.teardown?.after(() => assertNoStackTrace(proc.label, proc.stderr));
  return proc;
}

/**
 * Run `socklab ARGS…` to completion (killed after `timeoutMs`). Rejects if stderr shows a
 * stack trace: the contract is one clear line per failure, never a trace.
 */
export async function runSocklab(
  args: readonly string[],
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<ExitResult> {
  const { timeoutMs = CLI_WAIT_MS, ...rest } = options;
  const proc = socklab(args, rest);
  const result = await proc.waitExit(timeoutMs);
  assertNoStackTrace(proc.label, result.stderr);
  return result;
}

function assertNoStackTrace(label: string, stderr: string): void {
  if (hasStackTrace(stderr)) throw new Error(`${label}: printed a stack trace on stderr:\n${stderr}`);
}

/**
 * How long `socklab --version` takes right now, start to exit: the cost of starting a socklab
 * process on this machine at this moment (seconds under heavy load). Time budgets measured
 * around a whole CLI run add it, so they check socklab's waiting and not the machine.
 */
export async function startupMs(): Promise<number> {
  const started = Date.now();
  const r = await runSocklab(["--version"]);
  if (r.code !== 0) throw new Error(`socklab --version failed: ${r.stderr}`);
  return Date.now() - started;
}

/** Start a server (`serve …` / `listen …`) and wait until it is ready. */
export async function startServer(
  args: readonly string[],
  options: SpawnOptions = {},
  timeoutMs = CLI_WAIT_MS,
): Promise<{ proc: CliProc; ready: Listening }> {
  const proc = socklab(args, { input: "pipe", ...options });
  const ready = await proc.listening(timeoutMs);
  return { proc, ready };
}

/** stderr must never show a JavaScript stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at /m.test(stderr) || /\bat .*\.js:\d+:\d+\)?$/m.test(stderr);
}

/** Non-empty stderr lines. */
export function stderrLines(stderr: string): string[] {
  return stderr.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
}

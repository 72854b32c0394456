/**
 * socklab's own Python peers (test/support/peers.py): short programs written here that stand
 * for the guides' programs — the same system calls, the same bytes on the wire — run with
 * `python3 -u` (unbuffered, so their "ready …" lines arrive at once).
 */
import { fileURLToPath } from "node:url";
import { Proc, type ExitResult, type SpawnOptions, type Teardown } from "./process.js";
import { PYTHON } from "./tools.js";

export { PYTHON };

/** The peers file, in the source tree (tests run from dist/test/). */
export const PEERS_PY = fileURLToPath(new URL("../../../test/support/peers.py", import.meta.url));

/** Spawn peer NAME with ARGS. */
export function spawnPeer(name: string, args: ReadonlyArray<string | number>, options: SpawnOptions = {}): Proc {
  if (PYTHON === undefined) throw new Error("python3 is not installed");
  return new Proc(PYTHON, ["-u", PEERS_PY, name, ...args.map(String)], { label: `peer ${name}`, ...options });
}

/** Run a client peer to completion. */
export function runPeer(
  name: string,
  args: ReadonlyArray<string | number>,
  options: SpawnOptions & { timeoutMs?: number } = {},
): Promise<ExitResult> {
  const { timeoutMs = 20_000, ...rest } = options;
  return spawnPeer(name, args, rest).waitExit(timeoutMs);
}

/** Start a server peer and wait for its "ready WHAT" line (WHAT: the port or the path). */
export async function startPeer(
  t: Teardown,
  name: string,
  args: ReadonlyArray<string | number> = [],
  options: SpawnOptions = {},
): Promise<{ proc: Proc; ready: string; port: number }> {
  const proc = spawnPeer(name, args, { teardown: t, input: "pipe", ...options });
  const [, ready = ""] = await proc.waitForStdoutLine(/^ready (.+)$/);
  return { proc, ready, port: Number(ready) };
}

/** Peer NAME for test `t`, stdin left open, killed after the test. */
export function pyPeer(t: Teardown, name: string, args: ReadonlyArray<string | number>, label = name): Proc {
  return spawnPeer(name, args, { teardown: t, input: "pipe", label });
}

/** Spawn `python3 -u -c CODE`: for the small tool programs written in the tests themselves. */
export function spawnPython(code: string, options: SpawnOptions = {}): Proc {
  if (PYTHON === undefined) throw new Error("python3 is not installed");
  return new Proc(PYTHON, ["-u", "-c", code], { label: "python3", ...options });
}

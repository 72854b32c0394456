/**
 * Many clients at once, from a child process whose descriptor limit is raised (soft up to
 * the hard limit) with `ulimit -n`: the test runner's own limit (often 1024) is not touched.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnProc, type Teardown } from "./process.js";

const SCRIPT = fileURLToPath(new URL("./load-clients.js", import.meta.url));

export interface LoadResult {
  connected: number;
  served: number;
  wrong: number;
  failed: Record<string, number>;
  ms: number;
  /** hold mode: clients that had their echo while every one of them was still connected. */
  heldAtOnce: number;
}

/** The hard limit on open descriptors of this process (what `ulimit -n` may be raised to). */
export function hardDescriptorLimit(): number {
  const m = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+\S+\s+(\d+|unlimited)/m);
  return m === null ? 1024 : m[1] === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(m[1]);
}

/** A shell prefix that raises the soft descriptor limit to `want` (needs hard ≥ want). */
export function withDescriptors(want: number, argv: readonly string[]): [string, string[]] {
  return ["sh", ["-c", `ulimit -n ${want} && exec "$@"`, "sh", ...argv]];
}

/** Run `clients` echo clients at once against `address` (see load-clients.ts). */
export async function runClients(address: string, clients: number, timeoutMs: number, teardown: Teardown, hold = false): Promise<LoadResult> {
  const argv = [process.execPath, SCRIPT, address, String(clients), String(timeoutMs), ...(hold ? ["hold"] : [])];
  const [command, args] = withDescriptors(clients + 256, argv);
  const proc = spawnProc(command, args, { teardown, label: `load ${clients} → ${address}` });
  const r = await proc.waitExit(timeoutMs + 10_000);
  if (r.code !== 0) throw new Error(`load generator failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout.toString()) as LoadResult;
}

// Builds the C helpers and drives one row: the load generator runs warm-up + measured
// phases against a running server and prints a JSON line at each phase boundary; the
// server's CPU time is sampled from /proc exactly when each line arrives.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { createServer, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import type { Metric, PhaseResult } from "./metrics.js";
import { cpuBetween, cpuSample } from "./proc.js";
import { track, type RunningServer } from "./servers.js";

/** Compiles bench/c/NAME.c (linked with `libs`) into the build dir unless the binary is newer than the source. */
export function buildC(root: string, buildDir: string, name: string, libs: string[] = []): string {
  const src = join(root, "bench", "c", `${name}.c`);
  const out = join(buildDir, name);
  mkdirSync(buildDir, { recursive: true });
  let fresh = false;
  try {
    // The generators share bench/c/gen-common.h: a newer header rebuilds them too.
    const header = join(root, "bench", "c", "gen-common.h");
    fresh = statSync(out).mtimeMs >= Math.max(statSync(src).mtimeMs, statSync(header).mtimeMs);
  } catch {
    fresh = false;
  }
  if (!fresh) {
    // Build under a private name, then rename: a concurrent bench may be running the old binary.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync("cc", ["-O2", "-Wall", "-o", tmp, src, ...libs], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? "";
      throw new Error(`cannot compile ${src} with cc${stderr ? `: ${stderr.split("\n").slice(0, 3).join(" ")}` : ""}`);
    }
    renameSync(tmp, out);
  }
  return out;
}

export interface PhaseSample extends PhaseResult {
  /** Server CPU seconds during this phase (undefined if /proc could not be read). */
  serverCpu: number | undefined;
}

export async function runLoad(
  loadgen: string,
  metric: Metric,
  server: RunningServer,
  phases: number[],
  cpu: number | undefined,
): Promise<PhaseSample[]> {
  const longest = Math.max(...phases);
  const args = [
    ...metric.loadgen,
    "--addr",
    server.address,
    "--phases",
    phases.map((s) => s.toFixed(3)).join(","),
    "--max-ops",
    String(Math.ceil(metric.maxOpsPerSecond * longest)),
    // TLS: the client trusts exactly the certificate the server announced (or was given).
    ...(server.pin !== undefined ? ["--pin", server.pin] : []),
  ];
  const argv = cpu === undefined ? [loadgen, ...args] : ["taskset", "-c", String(cpu), loadgen, ...args];
  const child = track(spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] }));
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const samples: PhaseSample[] = [];
  let lastCpu = cpuSample(server.pid, server.forks);
  const lines = createInterface({ input: child.stdout! });
  const linesClosed = new Promise<void>((resolve) => lines.once("close", () => resolve()));
  lines.on("line", (line) => {
    const now = cpuSample(server.pid, server.forks);
    const p = JSON.parse(line) as PhaseResult;
    samples.push({ ...p, serverCpu: now !== undefined && lastCpu !== undefined ? cpuBetween(lastCpu, now) : undefined });
    lastCpu = now;
  });
  // The generator bounds itself (alarm); this is the bench's own bound on top.
  const budgetMs = (phases.reduce((a, b) => a + b, 0) + 15) * 1000;
  const timer = setTimeout(() => child.kill("SIGKILL"), budgetMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once("exit", (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  await linesClosed;
  if (code !== 0 || samples.length !== phases.length) {
    const why = signal ? `killed by ${signal}` : `exit ${code}`;
    throw new Error(`load generator ${why} after ${samples.length}/${phases.length} phases: ${stderr.trim()}`);
  }
  return samples;
}

/** A TCP port free on 127.0.0.1 right now (for servers that cannot listen on port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One iperf3 run against an iperf3 server: --bidir for whole seconds (iperf3's -t is an
 * integer; at least 1 s), bounded by a kill timer like every load loop. The sample's bytes
 * are what the client received back (the server-to-client stream), as an echo row counts.
 */
export async function runIperf(server: RunningServer, secs: number, cpu: number | undefined): Promise<PhaseSample> {
  const t = Math.max(1, Math.round(secs));
  const port = server.address.replace(/^.*:/, "");
  const args = ["-c", "127.0.0.1", "-p", port, "--bidir", "-t", String(t), "-J"];
  const argv = cpu === undefined ? ["iperf3", ...args] : ["taskset", "-c", String(cpu), "iperf3", ...args];
  const before = cpuSample(server.pid, false);
  const child = track(spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] }));
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), (t + 10) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const after = cpuSample(server.pid, false);
  let end: {
    sum_received_bidir_reverse?: { bytes: number; seconds: number };
    sum_received?: { bytes: number; seconds: number };
    cpu_utilization_percent?: { host_total: number };
  };
  try {
    end = (JSON.parse(out) as { end: typeof end }).end;
  } catch {
    throw new Error(`iperf3 client exit ${code}: ${out.slice(0, 200)}`);
  }
  const back = end.sum_received_bidir_reverse ?? end.sum_received;
  if (code !== 0 || back === undefined) throw new Error(`iperf3 client exit ${code}: no result`);
  return {
    phase: 1,
    secs: back.seconds,
    ops: back.bytes,
    bytes: back.bytes,
    lost: 0,
    cpu: ((end.cpu_utilization_percent?.host_total ?? 0) / 100) * back.seconds,
    p50_us: 0,
    p99_us: 0,
    lat_samples: 0,
    serverCpu: before !== undefined && after !== undefined ? cpuBetween(before, after) : undefined,
  };
}

// Turns phase samples into rows (median and spread of the measured runs) and prints
// the console table with each row's ratio to the guides' Python server and to raw Node.
import type { Metric } from "./metrics.js";
import type { PhaseSample } from "./loadgen.js";
import type { ImplId } from "./servers.js";

/** A load generator at or above this fraction of one core is the likely limit. */
export const LOADGEN_LIMIT = 0.95;

export interface Row {
  metric: string;
  impl: ImplId;
  label: string;
  unit: string;
  /** Median of the measured runs. */
  value: number;
  runs: number[];
  /** (max − min) / median of the measured runs, in percent. */
  spreadPct: number;
  /** Median server CPU-µs per operation (op = `opName` of the metric). */
  serverCpuUsPerOp: number | null;
  opName: string;
  /** Highest load generator CPU use over the measured runs, as a fraction of one core. */
  loadgenCpu: number;
  /** The load generator was at ≥95% of a core: the value is a lower bound. */
  loadgenLimited: boolean;
  p50Us: number | null;
  p99Us: number | null;
  lost: number;
  vsPython: number | null;
  vsNode: number | null;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Builds a row from the measured runs (one phase sample each). */
export function makeRow(metric: Metric, impl: ImplId, label: string, measured: PhaseSample[]): Row {
  const runs = measured.map((p) => metric.value(p));
  const value = median(runs);
  const cpuPerOp = measured
    // Zero means "under one /proc tick" on a short run, not free: leave it out.
    .filter((p) => p.serverCpu !== undefined && p.serverCpu > 0 && metric.ops(p) > 0)
    .map((p) => (p.serverCpu! * 1e6) / metric.ops(p));
  const loadgenCpu = Math.max(...measured.map((p) => p.cpu / p.secs));
  return {
    metric: metric.id,
    impl,
    label,
    unit: metric.unit,
    value,
    runs,
    spreadPct: value > 0 ? ((Math.max(...runs) - Math.min(...runs)) / value) * 100 : 0,
    serverCpuUsPerOp: cpuPerOp.length > 0 ? median(cpuPerOp) : null,
    opName: metric.opName,
    loadgenCpu,
    loadgenLimited: loadgenCpu >= LOADGEN_LIMIT,
    p50Us: metric.latency ? median(measured.map((p) => p.p50_us)) : null,
    p99Us: metric.latency ? median(measured.map((p) => p.p99_us)) : null,
    lost: measured.reduce((a, p) => a + p.lost, 0),
    vsPython: null,
    vsNode: null,
  };
}

export function addRatios(rows: Row[]): void {
  for (const row of rows) {
    const py = rows.find((r) => r.metric === row.metric && r.impl === "python");
    const node = rows.find((r) => r.metric === row.metric && r.impl === "node");
    row.vsPython = py && py.value > 0 ? row.value / py.value : null;
    row.vsNode = node && node.value > 0 ? row.value / node.value : null;
  }
}

/** 1234567 → "1.23M", 12345 → "12.3k", 812.4 → "812". */
export function human(x: number): string {
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${(x / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export interface Problem {
  metric: string;
  impl: ImplId;
  reason: string;
}

export function formatTable(metrics: Metric[], rows: Row[], skipped: Problem[], errors: Problem[]): string {
  const out: string[] = [];
  const head =
    pad("implementation", 17) +
    pad("value", 17, true) +
    pad("±%", 6, true) +
    pad("×Python", 9, true) +
    pad("×Node", 7, true) +
    pad("srv µs/op", 11, true) +
    pad("gen CPU", 9, true) +
    pad("p50/p99 µs", 15, true);
  for (const m of metrics) {
    const mine = rows.filter((r) => r.metric === m.id);
    const probs = [...errors, ...skipped].filter((p) => p.metric === m.id);
    if (mine.length === 0 && probs.length === 0) continue;
    out.push("");
    out.push(`${m.id} — ${m.title}  [${m.unit}; server CPU per ${m.opName}]`);
    out.push("  " + head);
    for (const r of mine) {
      const flag = r.loadgenLimited ? "≥" : " ";
      out.push(
        "  " +
          pad(r.label, 17) +
          pad(`${flag}${human(r.value)} ${r.unit}`, 17, true) +
          pad(r.spreadPct.toFixed(0), 6, true) +
          pad(r.vsPython === null ? "–" : r.vsPython.toFixed(2), 9, true) +
          pad(r.vsNode === null ? "–" : r.vsNode.toFixed(2), 7, true) +
          pad(r.serverCpuUsPerOp === null ? "–" : human(r.serverCpuUsPerOp), 11, true) +
          pad(`${(r.loadgenCpu * 100).toFixed(0)}%${r.loadgenLimited ? "*" : ""}`, 9, true) +
          pad(r.p50Us === null ? "" : `${human(r.p50Us)}/${human(r.p99Us ?? 0)}`, 15, true) +
          (r.lost > 0 ? `  lost ${r.lost}` : ""),
      );
    }
    for (const p of errors.filter((e) => e.metric === m.id)) out.push(`  ${pad(p.impl, 17)}FAILED: ${p.reason}`);
    for (const p of skipped.filter((e) => e.metric === m.id)) out.push(`  ${pad(p.impl, 17)}skipped: ${p.reason}`);
  }
  return out.join("\n");
}

/** Peers socklab is compared with, in column order. */
const PEERS: { id: ImplId; short: string }[] = [
  { id: "baseline", short: "baseline" },
  { id: "node", short: "raw Node" },
  { id: "python", short: "Python" },
  { id: "socat", short: "socat" },
  { id: "c", short: "C epoll" },
  { id: "iperf3", short: "iperf3" },
];

/** socklab's value over each peer's in the same row group (null where the peer did not run). */
export function socklabRatios(rows: Row[], metric: string): { id: ImplId; short: string; ratio: number }[] {
  const mine = rows.find((r) => r.metric === metric && r.impl === "socklab");
  if (!mine) return [];
  const out: { id: ImplId; short: string; ratio: number }[] = [];
  for (const p of PEERS) {
    const other = rows.find((r) => r.metric === metric && r.impl === p.id);
    if (other && other.value > 0) out.push({ id: p.id, short: p.short, ratio: mine.value / other.value });
  }
  return out;
}

/**
 * Markdown summary, one line per row group: socklab's median, its ratio to every peer, and
 * server CPU-µs per operation for socklab and each peer (what README's table shows).
 */
export function formatSummary(metrics: Metric[], rows: Row[], runs: number): string {
  const used = metrics.filter((m) => rows.some((r) => r.metric === m.id && r.impl === "socklab"));
  const peers = PEERS.filter((p) => rows.some((r) => r.impl === p.id));
  const cpuOf = (metric: string, impl: ImplId): string => {
    const r = rows.find((x) => x.metric === metric && x.impl === impl);
    return r?.serverCpuUsPerOp == null ? "–" : human(r.serverCpuUsPerOp);
  };
  const head =
    `| row | socklab | ${peers.map((p) => `× ${p.short}`).join(" | ")} | server CPU-µs/op: socklab | ` +
    `${peers.map((p) => p.short).join(" | ")} |`;
  const sep = `|${"---|".repeat(3 + 2 * peers.length)}`;
  const lines = [head, sep];
  for (const m of used) {
    const mine = rows.find((r) => r.metric === m.id && r.impl === "socklab")!;
    const ratios = socklabRatios(rows, m.id);
    const cells = peers.map((p) => {
      const r = ratios.find((x) => x.id === p.id);
      return r ? `${r.ratio.toFixed(2)}×` : "–";
    });
    lines.push(
      `| ${m.id} | ${mine.loadgenLimited ? "≥" : ""}${human(mine.value)} ${m.unit} | ${cells.join(" | ")} | ` +
        `${cpuOf(m.id, "socklab")} | ${peers.map((p) => cpuOf(m.id, p.id)).join(" | ")} |`,
    );
  }
  lines.push("");
  lines.push(
    `Medians of ${runs} interleaved runs per row (one bench run, same machine); × = socklab's value over the ` +
      `peer's (higher is better for socklab); CPU-µs/op = server user+system CPU per ${"operation"} (lower is better).`,
  );
  return lines.join("\n");
}

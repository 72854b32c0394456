// CPU time of a server process (and, for forking servers such as socat, its children)
// read from /proc/PID/stat: utime + stime, plus cutime + cstime of reaped children.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | undefined;

/** Clock ticks per second used by /proc (USER_HZ), normally 100. */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface StatFields {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may contain spaces: parse after the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const f = (n: number): number => Number(rest[n - 3]);
  return { ppid: f(4), utime: f(14), stime: f(15), cutime: f(16), cstime: f(17) };
}

/** CPU ticks per process of a server's tree at one moment (see cpuBetween). */
export type CpuSample = Map<number, number>;

/**
 * Samples the CPU ticks used so far by `pid` (all its threads, plus reaped children through
 * cutime/cstime) and, when `withChildren`, by each live descendant (found by walking /proc).
 */
export function cpuSample(pid: number, withChildren = false): CpuSample | undefined {
  const root = readStat(pid);
  if (!root) return undefined;
  const sample: CpuSample = new Map([[pid, root.utime + root.stime + root.cutime + root.cstime]]);
  if (!withChildren) return sample;
  const byParent = new Map<number, number[]>();
  const stats = new Map<number, StatFields>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    stats.set(Number(name), s);
    const list = byParent.get(s.ppid) ?? [];
    list.push(Number(name));
    byParent.set(s.ppid, list);
  }
  const stack = [...(byParent.get(pid) ?? [])];
  while (stack.length > 0) {
    const child = stack.pop()!;
    const s = stats.get(child);
    if (s) sample.set(child, s.utime + s.stime + s.cutime + s.cstime);
    stack.push(...(byParent.get(child) ?? []));
  }
  return sample;
}

/**
 * Seconds of CPU the tree used between two samples: per process, what it added (a process
 * that appeared counts whole). A child that exits between the samples and is reaped lands in
 * its parent's cutime; one reaped automatically (SIGCHLD ignored) is lost, so a forking
 * server's figure is a lower bound — but never negative.
 */
export function cpuBetween(a: CpuSample, b: CpuSample): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += Math.max(0, t - (a.get(pid) ?? 0));
  return ticks / ticksPerSecond();
}

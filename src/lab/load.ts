/** How busy the machine is, for deadlines that must not fail only because it is busy. */
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

/**
 * How much slower than an idle machine this one is likely to run now, from 1 (idle or no
 * figure) up to 3: runnable processes per core, the larger of the 1-minute load average and
 * the processes runnable right now. The average alone lags a sudden load by about a minute
 * (10 s after a test suite starts it shows about a sixth of it), so a deadline computed
 * from it at the start of a run was as short as on an idle machine. An exercise's deadline
 * stretches by this factor, so a busy machine gives slow answers rather than false failures.
 */
export function loadFactor(): number {
  const cores = Math.max(1, availableParallelism());
  const load = Math.max(loadavg()[0] ?? 0, runnableNow() - 1); // minus this process, which is running to ask
  return Math.min(3, Math.max(1, load / cores));
}

/** Processes runnable at this moment (/proc/stat's procs_running; 0 where there is none). */
export function runnableNow(): number {
  try {
    const m = /^procs_running (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * How busy this machine is, for the few tests whose assertion is a time budget (bench --quick
 * "is quick"): on a small machine shared with other work, wall-clock time stretches with the
 * number of runnable processes per core, so the budget is scaled by that ratio.
 */
import { availableParallelism, loadavg } from "node:os";
import { runnableNow } from "../../src/lab/load.js";

/**
 * Runnable processes per core, at least 1 (an idle machine): the larger of the last minute's
 * average and right now (the average lags a load that has just started by about a minute).
 */
export function loadFactor(): number {
  return Math.max(1, Math.max(loadavg()[0]!, runnableNow() - 1) / availableParallelism());
}

/** `ms` stretched by the load factor, capped at `capMs`. */
export function scaledMs(ms: number, capMs = 10 * ms): number {
  return Math.min(capMs, Math.round(ms * loadFactor()));
}

/** How busy the machine is, for deadlines that must not fail only because it is busy. */
import { availableParallelism, loadavg } from "node:os";

/**
 * How much slower than an idle machine this one is likely to run now: the 1-minute load
 * average per core, from 1 (idle or no figure) up to 3. An exercise's deadline stretches by
 * it, so a busy machine gives slow answers rather than false failures.
 */
export function loadFactor(): number {
  const cores = Math.max(1, availableParallelism());
  const load = loadavg()[0] ?? 0;
  return Math.min(3, Math.max(1, load / cores));
}

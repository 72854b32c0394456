/**
 * AbortSignal helpers. Whatever a signal was aborted with (nothing, a DOMException, the
 * caller's own Error, AbortSignal.timeout()), what a socklab operation rejects with is a
 * socklab error: AbortError (code ABORT_ERR) or, for a timeout, TimeoutError (ETIMEDOUT),
 * with the signal's reason as `cause`. A socklab error given as the reason passes as is.
 */
import { startDeadline } from "./deadline.js";
import { abortError } from "./errors.js";

/** The socklab error for an aborted `signal` (defined in errors.ts). */
export { abortError };

export function throwIfAborted(signal: AbortSignal | undefined, address?: string): void {
  if (signal?.aborted) throw abortError(signal, address);
}

const ELAPSED = new Error("elapsed");

/** Resolve after `ms` unless `signal` aborts first (then reject with socklab's AbortError). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    startDeadline({ ms, signal, timeoutError: () => ELAPSED }, (err) => (err === ELAPSED ? resolve() : reject(err)));
  });
}

/**
 * One deadline helper: "this may take at most N ms, and stops early if the caller's signal
 * aborts". It replaces the timer + abort-listener pair each operation used to write for
 * itself. A deadline always clears its timer and unhooks from the caller's signal when it
 * fires or when the work is done, so nothing is left behind.
 *
 *   startDeadline({ ms, signal }, onExpire)  for callback-style code (a socket's events):
 *       onExpire(err) runs once, with TimeoutError (time up) or AbortError (signal);
 *       call clear() when the work ends first.
 *   withDeadline({ ms, signal }, (signal) => work(signal))  for promise-style code:
 *       rejects with that error as soon as the deadline passes, whether or not work()
 *       listens to the signal it is given (it should, to stop what it started).
 */
import { abortError, TimeoutError } from "./errors.js";

export interface DeadlineOptions {
  /** Time limit in ms. Undefined (or Infinity): no timer, only the caller's signal. */
  ms?: number | undefined;
  /** The caller's signal: when it aborts, the deadline expires with socklab's AbortError. */
  signal?: AbortSignal | undefined;
  /** The error when the time is up. Default: TimeoutError "timed out after N ms". */
  timeoutError?: () => Error;
  /**
   * Let the process exit while only this timer is left (default false). Right for a
   * deadline on an operation that holds its own handle (a connecting socket).
   */
  unref?: boolean;
}

export interface Deadline {
  /** Aborted (reason: the expiry error) when the deadline expires; created on first use. */
  readonly signal: AbortSignal;
  /** The error it expired with, or undefined while it runs or after clear(). */
  readonly error: Error | undefined;
  /** The work ended: stop the timer, unhook from the caller's signal. Idempotent. */
  clear(): void;
}

/**
 * Start a deadline. `onExpire` runs at most once; if the caller's signal is already
 * aborted it runs before startDeadline returns.
 */
export function startDeadline(options: DeadlineOptions, onExpire?: (err: Error) => void): Deadline {
  const { ms, signal } = options;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let error: Error | undefined;
  let controller: AbortController | undefined;
  const disarm = (): void => {
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    signal?.removeEventListener("abort", onAbort);
  };
  const expire = (err: Error): void => {
    if (settled) return;
    disarm();
    error = err;
    controller?.abort(err);
    onExpire?.(err);
  };
  const onAbort = (): void => expire(abortError(signal!));
  const deadline: Deadline = {
    get signal() {
      if (controller === undefined) {
        controller = new AbortController();
        if (error !== undefined) controller.abort(error);
      }
      return controller.signal;
    },
    get error() {
      return error;
    },
    clear: disarm,
  };
  if (signal?.aborted) {
    onAbort();
    return deadline;
  }
  signal?.addEventListener("abort", onAbort, { once: true });
  if (ms !== undefined && Number.isFinite(ms)) {
    const limit = Math.max(0, ms);
    timer = setTimeout(() => expire(options.timeoutError?.() ?? new TimeoutError(`timed out after ${limit} ms`)), limit);
    if (options.unref) timer.unref();
  }
  return deadline;
}

/**
 * Run `work` with a deadline: resolves with its value, or rejects with its error, or with
 * TimeoutError / AbortError as soon as the deadline expires (then `work`'s signal aborts,
 * so it can stop what it started; its own outcome is ignored).
 */
export function withDeadline<T>(options: DeadlineOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = startDeadline(options, reject);
    if (deadline.error !== undefined) return;
    let running: Promise<T>;
    try {
      running = work(deadline.signal);
    } catch (err) {
      deadline.clear();
      reject(err);
      return;
    }
    running.then(
      (value) => {
        deadline.clear();
        resolve(value);
      },
      (err: unknown) => {
        deadline.clear();
        reject(err);
      },
    );
  });
}

/**
 * One retry loop for every client that tries again: TCP (and Unix, TLS) connect and the
 * datagram request/retransmit loop. A policy says how many attempts, how long each may
 * take, and how long to wait between them (linear as the guide's 0.5 s × attempt, or
 * exponential; optional jitter); every failed attempt is recorded, and the caller decides
 * what a failure means (retry, give up, or rethrow as is) and what error it gives up with.
 * An abort of the caller's signal ends the loop at once with socklab's AbortError.
 */
import { delay } from "./abort.js";
import { withDeadline } from "./deadline.js";
import { abortError, explainCode, SocketError, TimeoutError, type AttemptRecord } from "./errors.js";

export type Backoff = "linear" | "exponential";

export interface RetryPolicy {
  /** Total attempts. Default 1. */
  attempts?: number;
  /**
   * A deadline on each attempt as a whole (ms): an attempt still running then fails with
   * TimeoutError and its signal aborts. Default: none (TCP bounds each address instead).
   */
  timeoutMs?: number;
  /** The unit of the pause between attempts (ms). Default 500 (the guide's). */
  backoffMs?: number;
  /** linear: backoffMs × k after attempt k (default); exponential: backoffMs × 2^(k−1). */
  backoff?: Backoff;
  /** Never pause longer than this (ms). Default: no cap. */
  maxBackoffMs?: number;
  /** Randomise each pause by ±jitter (0..1, a fraction of the pause). Default 0. */
  jitter?: number;
  signal?: AbortSignal;
  /** Called once per failed attempt, before the pause. `total` is the attempts planned (the attempt number when no more follow). */
  onAttemptFailed?: (record: AttemptRecord, total: number) => void;
}

/** What an attempt sees. */
export interface AttemptContext {
  /** 1-based. */
  attempt: number;
  /** Aborts when the caller's signal does, or when this attempt's deadline passes. */
  signal: AbortSignal | undefined;
  /** Say which address this attempt talks to (the record's address, and the timeout's). */
  at(address: string): void;
  /** Note a failure of one address tried within this attempt (the record names the last one). */
  record(address: string, err: unknown): void;
}

/**
 * What to do after a failure: "retry" (if attempts are left), "stop" (record it and give
 * up now), "rethrow" (record it, then throw this error itself: it already says everything),
 * "throw" (throw it at once, unrecorded: the operation itself is over, e.g. closed).
 */
export type RetryDecision = "retry" | "stop" | "rethrow" | "throw";

export interface RetryRun<T> {
  /** What is being tried (an address): the record's address when the attempt noted none. */
  label: string;
  attempt(context: AttemptContext): Promise<T>;
  /** Default: every failure is worth another attempt. */
  classify?(err: unknown, attempt: number): RetryDecision;
  /** The pause after failed attempt `attempt` (ms), instead of the policy's backoff. Called after every retried failure, the last one too. */
  pauseAfter?(err: unknown, attempt: number): number;
  /** How to wait out a pause (default: delay, cancelled by the signal). */
  sleep?(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** The error to throw when every attempt failed (or one said "stop"). */
  giveUp(attempts: AttemptRecord[], lastError: unknown): Error;
}

export interface RetryResult<T> {
  value: T;
  /** The attempt that succeeded (1-based). */
  attempt: number;
  /** The failed attempts before it. */
  attempts: AttemptRecord[];
}

/** The pause after failed attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, backoffMs: number, jitter = 0, backoff: Backoff = "linear", maxBackoffMs = Infinity): number {
  const raw = backoff === "exponential" ? backoffMs * 2 ** (attempt - 1) : backoffMs * attempt;
  const base = Math.min(raw, maxBackoffMs);
  if (jitter <= 0) return base;
  return Math.max(0, Math.round(base * (1 + (Math.random() * 2 - 1) * Math.min(jitter, 1))));
}

/** A failure's code as a string (ERROR when it has none). */
export function failureCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "ERROR";
}

/** A failure in a few words: the explanation of its code, else its message (a wrapped system error's own). */
export function failureText(err: unknown): string {
  const explained = explainCode(failureCode(err));
  if (explained !== undefined) return explained;
  if (err instanceof SocketError && err.cause instanceof Error) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Run `run.attempt` under `policy`; see the module comment. */
export async function retry<T>(policy: RetryPolicy, run: RetryRun<T>): Promise<RetryResult<T>> {
  const total = Math.max(1, policy.attempts ?? 1);
  const backoffMs = policy.backoffMs ?? 500;
  const { signal } = policy;
  const records: AttemptRecord[] = [];
  let lastError: unknown;
  for (let attempt = 1; attempt <= total; attempt++) {
    if (signal?.aborted) throw abortError(signal, run.label);
    const failures: { address: string; err: unknown }[] = [];
    let current = run.label;
    const at = (address: string): void => void (current = address);
    const record = (address: string, err: unknown): void => void failures.push({ address, err });
    try {
      const { timeoutMs } = policy;
      const value =
        timeoutMs === undefined
          ? await run.attempt({ attempt, signal, at, record })
          : await withDeadline(
              {
                ms: timeoutMs,
                signal,
                timeoutError: () => new TimeoutError(`${current}: attempt ${attempt} timed out after ${timeoutMs} ms`, { address: current }),
              },
              (attemptSignal) => run.attempt({ attempt, signal: attemptSignal, at, record }),
            );
      return { value, attempt, attempts: records };
    } catch (err) {
      if (signal?.aborted) throw abortError(signal, run.label);
      lastError = err;
      const decision = run.classify?.(err, attempt) ?? "retry";
      if (decision === "throw") throw err;
      const retrying = decision === "retry";
      let delayMs = 0;
      if (retrying) {
        const pause = run.pauseAfter?.(err, attempt);
        if (attempt < total) delayMs = pause ?? backoffDelay(attempt, backoffMs, policy.jitter, policy.backoff, policy.maxBackoffMs);
      }
      const last = failures[failures.length - 1] ?? { address: current, err };
      const entry: AttemptRecord = {
        attempt,
        address: last.address,
        code: failureCode(err),
        message: failures.length > 1 ? failures.map((f) => `${f.address}: ${failureText(f.err)}`).join("; ") : failureText(err),
        delayMs,
      };
      records.push(entry);
      policy.onAttemptFailed?.(entry, retrying ? total : attempt);
      if (decision === "rethrow") throw err;
      if (!retrying) break;
      if (delayMs > 0) {
        try {
          await (run.sleep ?? delay)(delayMs, signal);
        } catch (pauseErr) {
          if (signal?.aborted) throw abortError(signal, run.label);
          throw pauseErr;
        }
      }
    }
  }
  // An abort during the last pause is an abort, not a give-up.
  if (signal?.aborted) throw abortError(signal, run.label);
  throw run.giveUp(records, lastError);
}

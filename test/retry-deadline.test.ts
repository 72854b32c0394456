/**
 * The shared building blocks on their own: src/retry.ts (attempts, per-attempt deadline,
 * linear / exponential backoff, jitter, a record per failed attempt, abort) and
 * src/deadline.ts (timer + the caller's signal, cleared when done). The clients built on
 * them are tested through the public API in library-errors.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AbortError,
  backoffDelay,
  delay,
  retry,
  SocklabError,
  startDeadline,
  TimeoutError,
  withDeadline,
  type AttemptRecord,
} from "../src/index.js";
import { hold, waitUntil } from "./support/wait.js";

/** An error with a string code, as a failed attempt would throw. */
function failure(code: string): Error {
  return Object.assign(new Error(`failed with ${code}`), { code });
}

test("backoffDelay: linear (the guide's k × unit), exponential, capped, jitter within its bounds", () => {
  assert.deepEqual([1, 2, 3, 4].map((k) => backoffDelay(k, 500)), [500, 1000, 1500, 2000]);
  assert.deepEqual([1, 2, 3, 4].map((k) => backoffDelay(k, 100, 0, "exponential")), [100, 200, 400, 800]);
  assert.deepEqual([1, 2, 3, 4, 5].map((k) => backoffDelay(k, 100, 0, "exponential", 500)), [100, 200, 400, 500, 500]);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(2, 100, 0.25);
    assert.ok(d >= 150 && d <= 250, `jittered delay ${d} outside 200 ± 25%`);
  }
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(3, 1000, 0.5)));
  assert.ok(spread.size > 1, "jitter changes the delay");
});

test("retry: each failed attempt recorded with its pause; the first success ends the loop", async () => {
  const seen: AttemptRecord[] = [];
  const result = await retry(
    { attempts: 5, backoffMs: 5, backoff: "exponential", onAttemptFailed: (r) => seen.push(r) },
    {
      label: "tcp://127.0.0.1:9",
      attempt: async ({ attempt, record }) => {
        if (attempt < 3) {
          const err = failure("ECONNREFUSED");
          record(`tcp://127.0.0.1:${9000 + attempt}`, err);
          throw err;
        }
        return `ok on ${attempt}`;
      },
      giveUp: () => new Error("not reached"),
    },
  );
  assert.equal(result.value, "ok on 3");
  assert.equal(result.attempt, 3);
  assert.deepEqual(
    result.attempts.map((a) => [a.attempt, a.address, a.code, a.delayMs]),
    [
      [1, "tcp://127.0.0.1:9001", "ECONNREFUSED", 5],
      [2, "tcp://127.0.0.1:9002", "ECONNREFUSED", 10],
    ],
  );
  assert.match(result.attempts[0]!.message, /connection refused/);
  assert.deepEqual(seen, result.attempts);
});

test("retry: every attempt fails → giveUp gets all records and the last error; the last pause is 0", async () => {
  const last = failure("ETIMEDOUT");
  let calls = 0;
  await assert.rejects(
    retry(
      { attempts: 3, backoffMs: 1 },
      {
        label: "udp://[::1]:7",
        attempt: async () => {
          calls++;
          throw calls === 3 ? last : failure("ECONNREFUSED");
        },
        giveUp: (attempts, lastError) => new SocklabError("ERR_GAVE_UP", `gave up after ${attempts.length}`, { cause: lastError }),
      },
    ),
    (err: unknown) => {
      assert.ok(err instanceof SocklabError);
      assert.equal(err.code, "ERR_GAVE_UP");
      assert.equal(err.message, "gave up after 3");
      assert.equal(err.cause, last);
      return true;
    },
  );
  assert.equal(calls, 3);
});

test("retry: per-attempt deadline fails a silent attempt with TimeoutError and aborts its signal", async () => {
  const signals: AbortSignal[] = [];
  const started = performance.now();
  await assert.rejects(
    retry(
      { attempts: 2, timeoutMs: 40, backoffMs: 1 },
      {
        label: "udp://127.0.0.1:1",
        attempt: ({ signal, at }) => {
          at("udp://127.0.0.1:2");
          signals.push(signal!);
          return new Promise<never>(() => {}); // never answers
        },
        giveUp: (attempts, lastError) => Object.assign(new Error("no answer"), { attempts, lastError }),
      },
    ),
    (err: Error & { attempts?: AttemptRecord[]; lastError?: unknown }) => {
      assert.equal(err.message, "no answer");
      assert.deepEqual(err.attempts!.map((a) => [a.address, a.code]), [
        ["udp://127.0.0.1:2", "ETIMEDOUT"],
        ["udp://127.0.0.1:2", "ETIMEDOUT"],
      ]);
      assert.ok(err.lastError instanceof TimeoutError);
      assert.equal((err.lastError as TimeoutError).address, "udp://127.0.0.1:2");
      return true;
    },
  );
  assert.ok(performance.now() - started >= 75, "two attempts of 40 ms each");
  assert.equal(signals.length, 2);
  assert.ok(signals.every((s) => s.aborted && s.reason instanceof TimeoutError));
});

test("retry: classify stops, rethrows as is, or throws unrecorded; pauseAfter and sleep replace the backoff", async () => {
  const own = new SocklabError("ERR_OWN", "a complete sentence");
  const records: AttemptRecord[] = [];
  await assert.rejects(
    retry(
      { attempts: 5, onAttemptFailed: (r) => records.push(r) },
      { label: "x", attempt: async () => Promise.reject(own), classify: () => "rethrow", giveUp: () => new Error("no") },
    ),
    (err) => err === own,
  );
  assert.equal(records.length, 1, "rethrow records the attempt first");

  let stopped: AttemptRecord[] = [];
  await assert.rejects(
    retry(
      { attempts: 5 },
      {
        label: "x",
        attempt: async () => Promise.reject(failure("EACCES")),
        classify: () => "stop",
        giveUp: (attempts) => ((stopped = attempts), new Error("stopped")),
      },
    ),
    /stopped/,
  );
  assert.deepEqual(stopped.map((a) => [a.code, a.delayMs]), [["EACCES", 0]]);

  const closed = new Error("closed");
  const none: AttemptRecord[] = [];
  await assert.rejects(
    retry(
      { attempts: 5, onAttemptFailed: (r) => none.push(r) },
      { label: "x", attempt: async () => Promise.reject(closed), classify: () => "throw", giveUp: () => new Error("no") },
    ),
    (err) => err === closed,
  );
  assert.equal(none.length, 0, "throw: no record");

  const slept: number[] = [];
  const { attempts } = await retry(
    { attempts: 4, backoffMs: 1000 },
    {
      label: "x",
      attempt: async ({ attempt }) => (attempt < 4 ? Promise.reject(failure("ECONNREFUSED")) : "done"),
      pauseAfter: (_err, attempt) => attempt * 7,
      sleep: async (ms) => void slept.push(ms),
      giveUp: () => new Error("no"),
    },
  );
  assert.deepEqual(slept, [7, 14, 21]);
  assert.deepEqual(attempts.map((a) => a.delayMs), [7, 14, 21]);
});

test("retry: an abort during the pause ends it at once with socklab's AbortError (cause: the reason, address: the label)", async () => {
  const controller = new AbortController();
  const reason = new Error("user pressed stop");
  const started = performance.now();
  const running = retry(
    { attempts: 3, backoffMs: 60_000, signal: controller.signal },
    { label: "tcp://127.0.0.1:1", attempt: async () => Promise.reject(failure("ECONNREFUSED")), giveUp: () => new Error("no") },
  );
  controller.abort(reason);
  await assert.rejects(running, (err: unknown) => {
    assert.ok(err instanceof AbortError);
    assert.equal(err.code, "ABORT_ERR");
    assert.equal(err.cause, reason);
    assert.equal(err.address, "tcp://127.0.0.1:1");
    assert.match(err.message, /aborted: user pressed stop/);
    return true;
  });
  assert.ok(performance.now() - started < 5000, "did not wait out the 60 s pause");
});

test("startDeadline: expires once with TimeoutError, clears its timer, and its signal carries the error", async () => {
  const expired: Error[] = [];
  const deadline = startDeadline({ ms: 20 }, (err) => expired.push(err));
  assert.equal(deadline.error, undefined);
  await waitUntil(() => expired.length > 0, { what: "the deadline expired" });
  assert.equal(expired.length, 1);
  assert.ok(expired[0] instanceof TimeoutError);
  assert.equal((expired[0] as TimeoutError).code, "ETIMEDOUT");
  assert.equal(deadline.error, expired[0]);
  assert.ok(deadline.signal.aborted, "the signal, made after expiry, is aborted too");
  assert.equal(deadline.signal.reason, expired[0]);

  // Cleared before its time: never fires, and leaves no listener on the caller's signal.
  const caller = new AbortController();
  let fired = 0;
  const cleared = startDeadline({ ms: 10, signal: caller.signal, timeoutError: () => new Error("custom") }, () => fired++);
  cleared.clear();
  caller.abort();
  await hold(30, "the cleared deadline's 10 ms pass without it firing");
  assert.equal(fired, 0);
  assert.equal(cleared.error, undefined);
});

test("startDeadline: the caller's abort (already aborted, a DOMException, AbortSignal.timeout) becomes socklab's error", async () => {
  const early = new AbortController();
  early.abort();
  const got: Error[] = [];
  startDeadline({ ms: 1000, signal: early.signal }, (err) => got.push(err));
  assert.equal(got.length, 1, "runs before startDeadline returns");
  assert.ok(got[0] instanceof AbortError);
  assert.equal((got[0] as AbortError).code, "ABORT_ERR");
  assert.equal((got[0] as AbortError).cause, early.signal.reason, "cause: the DOMException the signal carries");

  const timeout = AbortSignal.timeout(10);
  // (Its timer is unref'd; the deadline's own 5 s timer keeps the process alive meanwhile.)
  const viaTimeout = await new Promise<Error>((resolve) => startDeadline({ ms: 5000, signal: timeout }, resolve));
  assert.ok(viaTimeout instanceof TimeoutError, "AbortSignal.timeout → socklab TimeoutError");
  assert.equal((viaTimeout as TimeoutError).code, "ETIMEDOUT");
  assert.equal((viaTimeout as TimeoutError).cause, timeout.reason);
});

test("withDeadline: value in time; TimeoutError when late (the work's signal aborts); caller's abort → AbortError", async () => {
  assert.equal(await withDeadline({ ms: 1000 }, async () => 42), 42);

  let workSignal: AbortSignal | undefined;
  await assert.rejects(
    withDeadline({ ms: 20, timeoutError: () => new TimeoutError("too slow") }, (signal) => {
      workSignal = signal;
      return new Promise(() => {});
    }),
    (err: unknown) => err instanceof TimeoutError && err.message === "too slow",
  );
  assert.ok(workSignal?.aborted);

  const caller = new AbortController();
  const pending = withDeadline({ ms: 60_000, signal: caller.signal }, () => new Promise(() => {}));
  caller.abort(new Error("enough"));
  await assert.rejects(pending, (err: unknown) => err instanceof AbortError && /enough/.test(err.message));

  await assert.rejects(withDeadline({ ms: 1000 }, async () => Promise.reject(failure("EPIPE"))), { code: "EPIPE" });
});

test("delay: resolves after its time, rejects with AbortError on abort", async () => {
  const started = performance.now();
  await delay(15);
  assert.ok(performance.now() - started >= 14);
  const controller = new AbortController();
  const waiting = delay(60_000, controller.signal);
  controller.abort();
  await assert.rejects(waiting, (err: unknown) => err instanceof AbortError && err.cause instanceof DOMException);
});

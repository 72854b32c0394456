/**
 * Waiting in tests: poll a condition until it holds (`waitUntil`) instead of sleeping a fixed
 * time and hoping. A fixed wait is only right when the wait itself is the behaviour under test
 * ("nothing arrives for 400 ms", "stay active for 1.8 s"); those call `hold(ms, why)`, which
 * names the reason. test/no-fixed-sleeps.test.ts fails on any other sleep in a test file.
 */

/**
 * The default time to wait for something that is expected to happen. Long, because the suite
 * runs in parallel on small shared machines where a process start can take seconds; a wait
 * that succeeds returns as soon as the thing happens, so only failures pay for it.
 */
export const WAIT_MS = /libasan/.test(process.env.LD_PRELOAD ?? "") ? 30_000 : 10_000; // 3× under the ASan run (native-sanitizers.test): every child carries libasan

export interface WaitOptions {
  /** What is awaited, for the timeout message: "two relay-close events". */
  what: string;
  /** Give up after this long (default WAIT_MS). */
  timeoutMs?: number;
  /** Poll interval (default 10 ms). */
  intervalMs?: number;
}

/**
 * Resolve with `condition()`'s first truthy value, polling every `intervalMs`; reject naming
 * `what` after `timeoutMs`. The condition may be async.
 */
export async function waitUntil<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const { what, timeoutMs = WAIT_MS, intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await tick(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * A deliberate fixed wait: the time passing IS what the test checks (an idle period, a
 * second signal a few ms after the first, a peer writing slowly). `why` is for the reader.
 */
export function hold(ms: number, why: string): Promise<void> {
  void why;
  return tick(ms);
}

function tick(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Wait until `count()` is above 0 and stays the same for 4 polls in a row, 250 ms apart
 * (a transfer has stalled); resolves with that count.
 */
export async function stalled(count: () => number, what: string, timeoutMs = 60_000): Promise<number> {
  let last = -1;
  let same = 0;
  return waitUntil(
    () => {
      const now = count();
      same = now === last && now > 0 ? same + 1 : 0;
      last = now;
      return same >= 4 ? now : undefined;
    },
    { what, timeoutMs, intervalMs: 250 },
  );
}

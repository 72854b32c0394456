/**
 * Issue 8, item 3: `connect unix:PATH --send x` against a server that replies and closes
 * at once (greet, peercred) always prints the reply, even when our write then fails
 * because the server is gone; the failed write is reported as a cut-short upload (exit 1).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, startServer, stderrLines } from "./support/cli.js";
import { tempPath } from "./support/tmp.js";

const RUNS = 50;
/** Runs at a time: enough to shake the timing, few enough for a 2-core box. */
const PARALLEL = 5;

async function race(path: string, expected: RegExp): Promise<{ ok: number; cut: number }> {
  let ok = 0;
  let cut = 0;
  for (let done = 0; done < RUNS; done += PARALLEL) {
    const batch = Array.from({ length: Math.min(PARALLEL, RUNS - done) }, () =>
      runSocklab(["connect", `unix:${path}`, "--send", "x"], { timeoutMs: 15_000 }),
    );
    for (const r of await Promise.all(batch)) {
      assert.match(r.stdout.toString(), expected, `the reply is printed every time; stderr: ${r.stderr}`);
      if (r.code === 0) {
        ok++;
        assert.equal(r.stderr, "");
      } else {
        cut++;
        assert.equal(r.code, 1, r.stderr);
        const lines = stderrLines(r.stderr);
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, new RegExp(`^socklab: unix:${path}: upload cut short \\(.+\\): sent 0 of 1 bytes given with --send; received \\d+ bytes$`));
      }
    }
  }
  return { ok, cut };
}

test(`serve greet on a Unix socket: the reply is printed in ${RUNS} runs out of ${RUNS}`, { timeout: 90_000 }, async (t) => {
  const path = tempPath(t, "greet.sock");
  await startServer(["serve", "greet", `unix:${path}`, "--concurrent"], { teardown: t });
  const { ok, cut } = await race(path, /^hola dual\n$/);
  assert.equal(ok + cut, RUNS);
  t.diagnostic(`${ok} runs wrote before the server closed (exit 0), ${cut} found it gone (exit 1, reported)`);
});

test(`serve peercred on a Unix socket: the reply is printed in ${RUNS} runs out of ${RUNS}`, { timeout: 90_000 }, async (t) => {
  const path = tempPath(t, "peercred.sock");
  await startServer(["serve", "peercred", `unix:${path}`, "--concurrent"], { teardown: t });
  const { ok, cut } = await race(path, /^Hola UID=\d+ PID=\d+\n$/);
  assert.equal(ok + cut, RUNS);
  t.diagnostic(`${ok} runs wrote before the server closed (exit 0), ${cut} found it gone (exit 1, reported)`);
});

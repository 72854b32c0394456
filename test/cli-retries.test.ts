/**
 * --retries N (total attempts) and --backoff S (wait S × attempt), as in guide exercise 5.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, socklab, startServer, hasStackTrace } from "./support/cli.js";
import { closedPort, freePort } from "./support/net.js";

test("--retries 3 --backoff 0.1 against a closed port: three attempt lines, then 'unavailable after 3 attempts'", { timeout: 30_000 }, async (t) => {
  const port = await closedPort();
  const address = `tcp://127.0.0.1:${port}`;
  const started = Date.now();
  const client = socklab(["connect", address, "--send", "ping\\n", "--retries", "3", "--backoff", "0.1"], { teardown: t });
  // "No extra wait" is timed from the first attempt's line: the node start before it takes
  // seconds on a loaded machine and is not socklab's waiting.
  await client.waitForStderr(/attempt 1\/3 failed/);
  const firstFailed = Date.now();
  const r = await client.waitExit(20_000);
  const elapsed = Date.now() - started;
  const afterFirst = Date.now() - firstFailed;
  assert.equal(r.code, 1, r.stderr);
  const attempts = r.stderr.split("\n").filter((l) => /attempt \d+\/3 failed/.test(l));
  assert.equal(attempts.length, 3, `three attempt lines:\n${r.stderr}`);
  assert.match(attempts[0]!, /attempt 1\/3 failed: (?:\S+: )?connection refused.*; retrying in 0\.1s/);
  assert.match(attempts[1]!, /attempt 2\/3 failed: (?:\S+: )?connection refused.*; retrying in 0\.2s/);
  assert.match(attempts[2]!, /attempt 3\/3 failed: (?:\S+: )?connection refused/);
  assert.doesNotMatch(attempts[2]!, /retrying/, "no retry announced after the last attempt");
  const last = r.stderr.trimEnd().split("\n").at(-1)!;
  assert.match(last, new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: server unavailable after 3 attempts(?: \\(|: )connection refused`));
  assert.ok(elapsed >= 280, `backoff 0.1 + 0.2 s was waited (${elapsed} ms)`);
  assert.ok(afterFirst < 4000, `no extra wait (${afterFirst} ms after the first failure)`);
  assert.equal(r.stdout.length, 0);
  assert.ok(!hasStackTrace(r.stderr));
});

test("--retries: a server that comes up during the backoff is reached (guide 5: start nc later)", { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  // 12 attempts (backoff 0.3 s × n, 20 s in all): the server's node start, seconds on a loaded
  // machine, must fit between the first attempt and the last; the window measures nothing.
  const client = socklab(["connect", address, "--send", "ping\\n", "--retries", "12", "--backoff", "0.3", "--timeout", "1.5"], { teardown: t });
  await client.waitForStderr(/attempt 1\/12 failed: (?:\S+: )?connection refused/);
  const { proc: server } = await startServer(["serve", "echo", address], { teardown: t }, 15_000);
  const r = await client.waitExit(40_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
  assert.doesNotMatch(r.stderr, /unavailable/);
  await server.waitForStderr(/^accept tcp:\/\/127\.0\.0\.1:\d+/, 3000);
});

test("default is one attempt: no retry line, one error line", { timeout: 30_000 }, async () => {
  const port = await closedPort();
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "x"]);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /retrying/);
});

/**
 * Timeouts: connect that never completes (accept queue full), a server that accepts but
 * never answers, and a UDP peer that never answers (with retransmission).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { runSocklab, socklab, hasStackTrace, startupMs, stderrLines } from "./support/cli.js";
import { FULL_BACKLOG_PY, silentUdpPeer } from "./support/net.js";
import { spawnPython, PYTHON } from "./support/python.js";
import type { TestContext } from "node:test";

async function fullBacklogPort(t: TestContext): Promise<number> {
  const py = spawnPython(FULL_BACKLOG_PY, { teardown: t, input: "pipe", label: "full-backlog listener" });
  const m = await py.waitForStdoutLine(/^(\d+)$/, 5000);
  return Number(m[1]);
}

test("connect to a listener whose accept queue is full → 'timed out' after --timeout, exit 1", { timeout: 45_000, skip: PYTHON ? false : "python3 not installed" }, async (t) => {
  const port = await fullBacklogPort(t);
  const address = `tcp://127.0.0.1:${port}`;
  const startup = await startupMs(); // nothing to time from inside: the SYN is just dropped
  const started = Date.now();
  const r = await runSocklab(["connect", address, "--send", "ping\\n", "--timeout", "0.5"]);
  const elapsed = Date.now() - started;
  assert.equal(r.code, 1, r.stderr);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, `exactly one line:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: .*timed out`));
  assert.ok(elapsed >= 450, `waited the timeout (${elapsed} ms)`);
  assert.ok(elapsed < 5000 + startup, `did not wait much longer than the timeout (${elapsed} ms, a bare start takes ${startup} ms)`);
  assert.ok(!hasStackTrace(r.stderr));
});

test("connect timeouts with --retries 2 --backoff 0.1 → two attempts, then 'unavailable after 2 attempts (timed out)'", { timeout: 45_000, skip: PYTHON ? false : "python3 not installed" }, async (t) => {
  const port = await fullBacklogPort(t);
  const address = `tcp://127.0.0.1:${port}`;
  const started = Date.now();
  const r = await runSocklab(["connect", address, "--send", "ping\\n", "--timeout", "0.3", "--retries", "2", "--backoff", "0.1"]);
  const elapsed = Date.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /attempt 1\/2 failed: .*timed out.*retrying in 0\.1s/);
  assert.match(r.stderr, new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: server unavailable after 2 attempts(?: \\(|: ).*timed out`, "m"));
  assert.ok(elapsed >= 650, `2 × 0.3 s + 0.1 s backoff (${elapsed} ms)`);
  assert.ok(!hasStackTrace(r.stderr));
});

test("a server that accepts but never replies → reply 'timed out' after --timeout, exit 1", { timeout: 45_000 }, async (t) => {
  const held: net.Socket[] = [];
  let acceptedAt = 0;
  const server = net.createServer((s) => {
    acceptedAt ||= Date.now();
    held.push(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => {
    for (const s of held) s.destroy();
    server.close();
  });
  const port = (server.address() as net.AddressInfo).port;
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "ping\\n", "--timeout", "0.5"]);
  const elapsed = Date.now() - acceptedAt; // from the connection, not from the node start
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: .*timed out`, "m"));
  assert.ok(elapsed >= 450 && elapsed < 5000, `about the timeout (${elapsed} ms)`);
  assert.ok(!hasStackTrace(r.stderr));
});

test("UDP no-responder: --timeout 0.3 --retries 3 retransmits 3 times, then 'no response after 3 attempts'", { timeout: 45_000 }, async (t) => {
  const peer = await silentUdpPeer();
  t.after(() => peer.close());
  const address = `udp://127.0.0.1:${peer.port}`;
  const started = Date.now();
  const r = await runSocklab(["connect", address, "--send", "TIME", "--timeout", "0.3", "--retries", "3"]);
  const elapsed = Date.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^socklab: udp://127\\.0\\.0\\.1:${peer.port}: .*no response after 3 attempts`, "m"));
  assert.deepEqual(peer.received.map((b) => b.toString()), ["TIME", "TIME", "TIME"], "the same datagram, sent 3 times");
  assert.ok(elapsed >= 850, `3 × 0.3 s (${elapsed} ms)`);
  assert.equal(r.stdout.length, 0);
  assert.ok(!hasStackTrace(r.stderr));
});

test("UDP no-responder with the default reply wait (5 s) and one attempt → exit 1 'no response after 1 attempts'", { timeout: 45_000 }, async (t) => {
  const peer = await silentUdpPeer();
  t.after(() => peer.close());
  // Timed from the datagram's arrival, not from the spawn: a node start on a loaded machine
  // takes seconds and is not part of the reply wait.
  const client = socklab(["connect", `udp://127.0.0.1:${peer.port}`, "--send", "ping"], { teardown: t });
  const r = await client.waitExit(30_000);
  const elapsed = Date.now() - peer.receivedAt[0]!;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no response after 1 attempt/);
  assert.ok(elapsed >= 4900 && elapsed < 9000, `about 5 s (${elapsed} ms)`);
  assert.equal(peer.received.length, 1);
});

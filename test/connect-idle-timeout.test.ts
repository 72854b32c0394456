/**
 * Issue 8, item 13: `connect --idle-timeout S` (ncat -i): when nothing moves in either
 * direction for S seconds, socklab quits with exit 1 and one line that says so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tcpServer } from "./support/net.js";
import { runSocklab, socklab, stderrLines } from "./support/cli.js";


const IDLE = /^socklab: tcp:\/\/127\.0\.0\.1:\d+: nothing moved in either direction for 0\.5s; gave up \(received (\d+) bytes, sent (\d+)\)$/;

test("a silent peer and a silent stdin: exit 1 after the idle time, one line that says so", { timeout: 15_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => socket.write("hola\n"));
  const client = socklab(["connect", `tcp://127.0.0.1:${port}`, "--idle-timeout", "0.5"], { teardown: t, input: "pipe" });
  const started = Date.now();
  const r = await client.waitExit(10_000);
  const took = Date.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.toString(), "hola\n");
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  const m = lines[0]!.match(IDLE);
  assert.ok(m, lines[0]);
  assert.equal(Number(m[1]), 5);
  assert.ok(took >= 500, `waited the idle time (${took} ms)`);
});

test("a peer that trickles a byte every 100 ms is not idle: -d --idle-timeout 0.5 gets every byte, exit 0", { timeout: 15_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => {
    let n = 0;
    const timer = setInterval(() => {
      socket.write(String(n % 10));
      if (++n === 15) {
        clearInterval(timer);
        socket.end();
      }
    }, 100);
    socket.once("close", () => clearInterval(timer));
  });
  const r = await runSocklab(["connect", "-d", `tcp://127.0.0.1:${port}`, "--idle-timeout", "0.5"], { timeoutMs: 10_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "012345678901234");
});

test("--send with a peer that never answers: --idle-timeout ends it, exit 1", { timeout: 15_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => socket.resume());
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "x", "--until-close", "--idle-timeout", "0.5"], { timeoutMs: 10_000 });
  assert.equal(r.code, 1, r.stderr);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, IDLE);
});

test("--idle-timeout 0 or not a number is a usage error (exit 2)", async () => {
  for (const value of ["0", "abc"]) {
    const r = await runSocklab(["connect", "tcp://127.0.0.1:9", "--idle-timeout", value]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^socklab connect: --idle-timeout .*\nusage: socklab connect/);
  }
});

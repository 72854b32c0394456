/**
 * Interop: socklab's Python peers in the server role of each guide exercise (the same system
 * calls and bytes as the guides' servers) against `socklab connect`, the client role.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { runSocklab, socklab } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { startPeer, PYTHON } from "./support/python.js";

const opts = { timeout: 45_000, skip: PYTHON ? false : "python3 is not installed" } as const;


test("exercise 10 server (sequential echo) ↔ socklab connect --send 'hola mundo\\n'", opts, async (t) => {
  const { port, proc: py } = await startPeer(t, "seq-echo");
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola mundo\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola mundo\n");
  await py.waitForStdout("connection from");
});

test("exercise 10 server ↔ socklab connect piping 2 MiB of binary stdin (half-close ends the session)", opts, async (t) => {
  const { port } = await startPeer(t, "seq-echo");
  const payload = randomBytes(2 * 1024 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: payload, timeoutMs: 12_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("exercise 5 role: socklab connect with retries reaches the exercise 10 server started late", { ...opts, timeout: 60_000 }, async (t) => {
  const port = await freePort();
  // 12 attempts (backoff 0.2 s × n, 13 s in all): the Python server's start on a loaded machine
  // must fit between the first attempt and the last; the window measures nothing.
  const client = socklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "ping\\n", "--timeout", "1.5", "--retries", "12", "--backoff", "0.2"], { teardown: t });
  await client.waitForStderr(/attempt 1\/12 failed/);
  await startPeer(t, "seq-echo", ["127.0.0.1", port]);
  const r = await client.waitExit(40_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
});

test("exercise 11 server (cmd) ↔ socklab connect PING/ECHO hola/TIME/FOO --lines --half-close", opts, async (t) => {
  const { port } = await startPeer(t, "cmd");
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR desconocido\n$/);
});

test("exercise 11 server ↔ socklab connect --lines (exit after as many lines as sent)", opts, async (t) => {
  const { port } = await startPeer(t, "cmd");
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO dos", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "PONG\ndos\n");
});

test("exercise 12 server (idle timeout, set to 1 s) ↔ socklab connect --until-close", opts, async (t) => {
  const { port, proc: py } = await startPeer(t, "idle-echo", [0, 1]);
  const started = Date.now();
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "ping\\n", "--until-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
  assert.ok(Date.now() - started >= 900, "returned when the server closed the idle connection");
  await py.waitForStdout("idle ");
});

test("exercise 13 server (UDP echo) ↔ socklab connect udp --send ping", opts, async (t) => {
  const { port } = await startPeer(t, "udp-echo");
  const r = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping", "--send", "pong"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "pingpong");
  assert.match(r.stderr, new RegExp(`reply from udp://127\\.0\\.0\\.1:${port} 4 bytes`));
});

test("exercise 14 server (UDP TIME) ↔ socklab connect udp --send TIME / FOO (exercise 8 role)", opts, async (t) => {
  const { port } = await startPeer(t, "udp-time-server");
  const time = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "TIME", "--timeout", "1", "--retries", "3"]);
  assert.equal(time.code, 0, time.stderr);
  assert.match(time.stdout.toString(), /^\d\d:\d\d:\d\d$/);
  const err = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "FOO"]);
  assert.equal(err.code, 0, err.stderr);
  assert.equal(err.stdout.toString(), "ERR\n");
});

{
  test("exercise 2.1 server (line echo) ↔ socklab connect hola/mundo/fin --lines --half-close", opts, async (t) => {
    const { port } = await startPeer(t, "line-echo");
    const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola", "--send", "mundo", "--send", "fin", "--lines", "--half-close"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), "eco: hola\neco: mundo\neco: fin\n");
  });
}

test("exercise 2.2 server (cmd, ERR) ↔ socklab connect", opts, async (t) => {
  const { port } = await startPeer(t, "cmd", [0, "ERR"]);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR\n$/);
});

test("exercise 2.3 server (UDP echo) ↔ socklab connect udp", opts, async (t) => {
  const { port } = await startPeer(t, "udp-echo");
  const r = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping");
});

test("exercise 2.4 server (IPv6 echo on ::1) ↔ socklab connect tcp://[::1]:PORT", opts, async (t) => {
  const { port } = await startPeer(t, "seq-echo", ["::1", 0]);
  const r = await runSocklab(["connect", `tcp://[::1]:${port}`, "--send", "hola ipv6\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola ipv6\n");
});

test("exercise 2.5 server (dual-stack) ↔ socklab connect over 127.0.0.1, [::1] and localhost", opts, async (t) => {
  const { port, proc: py } = await startPeer(t, "dual-stack-greet");
  for (const address of [`tcp://127.0.0.1:${port}`, `tcp://[::1]:${port}`, `tcp://localhost:${port}`]) {
    const r = await runSocklab(["connect", address]);
    assert.equal(r.code, 0, `${address}: ${r.stderr}`);
    assert.equal(r.stdout.toString(), "hola dual\n", address);
  }
  await py.waitForStdout("::ffff:127.0.0.1");
});

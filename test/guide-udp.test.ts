/**
 * Exercises 7, 8, 13, 14 (guide 1) and 2.3 (guide 2): UDP echo and TIME via
 * `socklab serve echo|time udp://…` and `socklab connect udp://…`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab, socklab } from "./support/cli.js";
import { udpRequest } from "./support/net.js";
import { envWithTz, isNowIn, TEST_TZ, HMS } from "./support/clock.js";

test("7/13: connect udp --send ping → stdout 'ping', stderr 'reply from udp://127.0.0.1:PORT 4 bytes'", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "ping"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping");
  assert.match(r.stderr, new RegExp(`^reply from udp://127\\.0\\.0\\.1:${ready.port} 4 bytes$`, "m"));
  await proc.waitForStderr(/^datagram udp:\/\/127\.0\.0\.1:\d+ 4 bytes$/, 3000);
});

test("13/2.3: each --send is one datagram; each reply printed in order", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "uno", "--send", "dos\\n", "--send", "tres"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "unodos\ntres");
  assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("reply from ")).length, 3);
});

test("13: serve echo udp replies to each sender, unchanged, from many clients", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => udpRequest(ready.port, `msg ${i}`)));
  replies.forEach((r, i) => {
    assert.equal(r.data.toString(), `msg ${i}`);
    assert.equal(r.from.port, ready.port, "the reply comes from the server's port");
  });
});

test("13: an empty datagram is echoed as an empty datagram", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const { data } = await udpRequest(ready.port, Buffer.alloc(0));
  assert.equal(data.length, 0);
});

test("13: a large datagram (60 000 bytes) comes back whole", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const payload = Buffer.alloc(60_000, 0x5a);
  const { data } = await udpRequest(ready.port, payload);
  assert.equal(data.length, payload.length);
  assert.ok(data.equals(payload));
});

test("14/8: TIME → local HH:MM:SS with no newline", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://127.0.0.1:0"], { teardown: t, env: envWithTz() });
  const r = await runSocklab(["connect", ready.address, "--send", "TIME", "--timeout", "1", "--retries", "3"]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.match(out, HMS, `exactly HH:MM:SS, got ${JSON.stringify(out)}`);
  assert.ok(isNowIn(out, TEST_TZ), `${out} is local time in ${TEST_TZ}`);
  assert.doesNotMatch(r.stderr, /attempt/, "answered on the first attempt");
});

test("14: TIME is stripped first (' TIME\\n' works); anything else → ERR\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://127.0.0.1:0"], { teardown: t, env: envWithTz() });
  const stripped = await udpRequest(ready.port, " TIME\r\n");
  assert.match(stripped.data.toString(), HMS);
  for (const other of ["FOO", "time", "", "TIME please"]) {
    const { data } = await udpRequest(ready.port, other);
    assert.equal(data.toString(), "ERR\n", `reply to ${JSON.stringify(other)}`);
  }
});

test("14 via CLI: --send TIME --send FOO → 'HH:MM:SSERR\\n' on stdout", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "TIME", "--send", "FOO"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^\d\d:\d\d:\d\dERR\n$/);
});

test("7 over IPv6: serve echo udp://[::1]:0 + connect udp://[::1]:PORT", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://[::1]:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "ping6"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping6");
  assert.match(r.stderr, new RegExp(`reply from udp://\\[::1\\]:${ready.port} 5 bytes`));
});

test("connect udp without --send: each stdin line is one datagram, replies printed", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: "uno\ndos\n" });
  assert.equal(r.code, 0, r.stderr);
  // Two datagrams (with or without their \n), each echoed.
  assert.match(r.stdout.toString(), /^uno\n?dos\n?$/);
  await proc.waitFor("two datagrams logged", () => (proc.stderr.match(/^datagram /gm)?.length ?? 0) >= 2 ? true : undefined, 3000);
});

test("8: the server comes up between retransmissions → the client gets the answer", { timeout: 40_000 }, async (t) => {
  const { freePort } = await import("./support/net.js");
  const port = await freePort("udp");
  const address = `udp://127.0.0.1:${port}`;
  // 40 attempts of 0.5 s: the server's start-up (a whole node process, seconds on a loaded
  // machine) must fit between the first attempt and the last; the budget measures nothing.
  const client = socklab(["connect", address, "--send", "TIME", "--timeout", "0.5", "--retries", "40"], { teardown: t });
  await client.waitForStderr(/attempt 1\/40/, 10_000);
  await startServer(["serve", "time", address], { teardown: t }, 15_000);
  const r = await client.waitExit(25_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), HMS);
});

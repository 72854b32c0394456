/**
 * Interop with socat in both roles.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, runSocklab } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { SOCAT } from "./support/tools.js";
import { spawnProc } from "./support/process.js";

const opts = { timeout: 45_000, skip: SOCAT ? false : "socat is not installed: apt-get install -y socat" } as const;

test("socat - TCP:127.0.0.1:PORT ↔ socklab serve echo (2 MiB binary)", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(2 * 1024 * 1024);
  const socat = spawnProc(SOCAT!, ["-t", "5", "-", `TCP:127.0.0.1:${ready.port}`], { teardown: t, input: payload });
  const r = await socat.waitExit(10_000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("socat - TCP:127.0.0.1:PORT ↔ socklab serve line-echo", opts, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const socat = spawnProc(SOCAT!, ["-t", "5", "-", `TCP:127.0.0.1:${ready.port}`], { teardown: t, input: "hola\r\nmundo\nfin" });
  const r = await socat.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: hola\neco: mundo\neco: fin\n");
});

test("socat TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr PIPE (echo server) ↔ socklab connect", opts, async (t) => {
  const port = await freePort();
  const socat = spawnProc(SOCAT!, ["-d", "-d", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, "PIPE"], { teardown: t });
  await socat.waitForStderr(/listening on/, 5000);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola socat\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola socat\n");
});

test("socat TCP-LISTEN … PIPE ↔ socklab connect in stdin mode (half-close ends it)", opts, async (t) => {
  const port = await freePort();
  const socat = spawnProc(SOCAT!, ["-d", "-d", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, "PIPE"], { teardown: t });
  await socat.waitForStderr(/listening on/, 5000);
  const payload = randomBytes(256 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: payload });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("socat - UDP:127.0.0.1:PORT ↔ socklab serve echo udp", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const socat = spawnProc(SOCAT!, ["-", `UDP:127.0.0.1:${ready.port}`], { teardown: t, input: "pipe" });
  socat.write("hola udp\n");
  await socat.waitForStdout("hola udp\n", 5000);
});

test("socat UDP-RECVFROM (one-shot echo) ↔ socklab connect udp", opts, async (t) => {
  const port = await freePort("udp");
  const socat = spawnProc(SOCAT!, ["-d", "-d", `UDP-RECVFROM:${port},bind=127.0.0.1,reuseaddr`, "PIPE"], { teardown: t });
  await socat.waitForStderr(/listening|receiving/i, 5000);
  const r = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping", "--timeout", "2"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping");
});

test("socklab listen ↔ socat - TCP: both directions", opts, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "desde listen\n" });
  const socat = spawnProc(SOCAT!, ["-t", "5", "-", `TCP:127.0.0.1:${ready.port}`], { teardown: t, input: "desde socat\n" });
  const r = await socat.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "desde listen\n");
  const s = await server.waitExit(5000);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.toString(), "desde socat\n");
});

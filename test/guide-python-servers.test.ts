/**
 * Interop: each guide server program (Python, verbatim, fixed port replaced by a free one)
 * against `socklab connect`, the client role.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { runSocklab, socklab } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { guideProgram, spawnPython, PYTHON, type Substitution } from "./support/python.js";
import type { Proc } from "./support/process.js";
import * as G from "./support/guide-programs.js";

const opts = { timeout: 15_000, skip: PYTHON ? false : "python3 is not installed" } as const;

/** Start a guide server on a free port and wait for its start-up print. */
async function guideServer(t: TestContext, source: string, guidePort: number, extra: Substitution = {}, kind: "tcp" | "udp" = "tcp"): Promise<{ port: number; py: Proc }> {
  const port = await freePort(kind);
  const py = spawnPython(guideProgram(source, { ...extra, ports: { [guidePort]: port } }), { teardown: t, input: "pipe" });
  await py.waitForStdout("\n", 5000);
  return { port, py };
}

const TO_LOOPBACK: Substitution = { replace: [['"0.0.0.0"', '"127.0.0.1"']] };

test("guide 1 #10 server (sequential echo) ↔ socklab connect --send 'hola mundo\\n'", opts, async (t) => {
  const { port, py } = await guideServer(t, G.G1_10_SERVER, 9010);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola mundo\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola mundo\n");
  await py.waitForStdout("Conexión de");
});

test("guide 1 #10 server ↔ socklab connect piping 2 MiB of binary stdin (half-close ends the session)", opts, async (t) => {
  const { port } = await guideServer(t, G.G1_10_SERVER, 9010);
  const payload = randomBytes(2 * 1024 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: payload, timeoutMs: 12_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("guide 1 #5 role: socklab connect with retries reaches the guide #10 server started late", opts, async (t) => {
  const port = await freePort();
  const client = socklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "ping\\n", "--timeout", "1.5", "--retries", "5", "--backoff", "0.2"], { teardown: t });
  await client.waitForStderr(/attempt 1\/5 failed/, 5000);
  const py = spawnPython(guideProgram(G.G1_10_SERVER, { ports: { 9010: port } }), { teardown: t, input: "pipe" });
  await py.waitForStdout("\n", 5000);
  const r = await client.waitExit(8000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
});

test("guide 1 #11 server (cmd) ↔ socklab connect PING/ECHO hola/TIME/FOO --lines --half-close", opts, async (t) => {
  const { port } = await guideServer(t, G.G1_11_SERVER, 9011);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR desconocido\n$/);
});

test("guide 1 #11 server ↔ socklab connect --lines (exit after as many lines as sent)", opts, async (t) => {
  const { port } = await guideServer(t, G.G1_11_SERVER, 9011);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO dos", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "PONG\ndos\n");
});

test("guide 1 #12 server (idle timeout, set to 1 s) ↔ socklab connect --until-close", opts, async (t) => {
  const { port, py } = await guideServer(t, G.G1_12_SERVER, 9012, { replace: [["IDLE_TIMEOUT = 10", "IDLE_TIMEOUT = 1"]] });
  const started = Date.now();
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "ping\\n", "--until-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
  assert.ok(Date.now() - started >= 900, "returned when the server closed the idle connection");
  await py.waitForStdout("Inactividad excedida");
});

test("guide 1 #13 server (UDP echo) ↔ socklab connect udp --send ping", opts, async (t) => {
  const { port } = await guideServer(t, G.G1_13_SERVER, 9013, TO_LOOPBACK, "udp");
  const r = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping", "--send", "pong"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "pingpong");
  assert.match(r.stderr, new RegExp(`reply from udp://127\\.0\\.0\\.1:${port} 4 bytes`));
});

test("guide 1 #14 server (UDP TIME) ↔ socklab connect udp --send TIME / FOO (exercise 8 role)", opts, async (t) => {
  const { port } = await guideServer(t, G.G1_14_SERVER, 9014, TO_LOOPBACK, "udp");
  const time = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "TIME", "--timeout", "1", "--retries", "3"]);
  assert.equal(time.code, 0, time.stderr);
  assert.match(time.stdout.toString(), /^\d\d:\d\d:\d\d$/);
  const err = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "FOO"]);
  assert.equal(err.code, 0, err.stderr);
  assert.equal(err.stdout.toString(), "ERR\n");
});

for (const [name, source] of [["server_tcp_ipv4_echo.py", G.G2_1_SERVER_ECHO], ["server_tcp_ipv4_echo_makefile.py", G.G2_1_SERVER_ECHO_MAKEFILE]] as const) {
  test(`guide 2 2.1 ${name} ↔ socklab connect hola/mundo/fin --lines --half-close`, opts, async (t) => {
    const { port } = await guideServer(t, source, 9101);
    const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola", "--send", "mundo", "--send", "fin", "--lines", "--half-close"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), "eco: hola\neco: mundo\neco: fin\n");
  });
}

test("guide 2 2.2 server (cmd, ERR) ↔ socklab connect", opts, async (t) => {
  const { port } = await guideServer(t, G.G2_2_SERVER_CMD, 9102);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR\n$/);
});

test("guide 2 2.3 server (UDP echo) ↔ socklab connect udp", opts, async (t) => {
  const { port } = await guideServer(t, G.G2_3_SERVER_UDP_ECHO, 9201, TO_LOOPBACK, "udp");
  const r = await runSocklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping");
});

test("guide 2 2.4 server (IPv6 echo on ::1) ↔ socklab connect tcp://[::1]:PORT", opts, async (t) => {
  const port = await freePort("tcp", "::1");
  const py = spawnPython(guideProgram(G.G2_4_SERVER_IPV6_ECHO, { ports: { 9301: port } }), { teardown: t, input: "pipe" });
  await py.waitForStdout("\n", 5000);
  const r = await runSocklab(["connect", `tcp://[::1]:${port}`, "--send", "hola ipv6\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola ipv6\n");
});

test("guide 2 2.5 server (dual-stack) ↔ socklab connect over 127.0.0.1, [::1] and localhost", opts, async (t) => {
  const { port, py } = await guideServer(t, G.G2_5_SERVER_DUALSTACK, 9401);
  for (const address of [`tcp://127.0.0.1:${port}`, `tcp://[::1]:${port}`, `tcp://localhost:${port}`]) {
    const r = await runSocklab(["connect", address]);
    assert.equal(r.code, 0, `${address}: ${r.stderr}`);
    assert.equal(r.stdout.toString(), "hola dual\n", address);
  }
  await py.waitForStdout("::ffff:127.0.0.1");
});

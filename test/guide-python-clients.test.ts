/**
 * Interop: each guide client program (the Python code of the guides, verbatim, with HOST/PORT
 * substituted) against the matching `socklab serve` / `socklab listen`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { startServer } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { guideProgram, runPython, spawnPython, PYTHON } from "./support/python.js";
import * as G from "./support/guide-programs.js";

const opts = { timeout: 15_000, skip: PYTHON ? false : "python3 is not installed" } as const;

test("guide 1 #2 client (hola mundo) ↔ socklab serve echo", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_02_CLIENT, { ports: { 9001: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "< b'hola mundo\\n'\n");
});

test("guide 1 #3 client (uno/dos/tres, half-close) ↔ socklab serve echo", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_03_CLIENT, { ports: { 9002: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "uno\ndos\ntres\n\n");
});

test("guide 1 #3 client ↔ socklab serve cmd (every line unknown → ERR desconocido)", opts, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_03_CLIENT, { ports: { 9002: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ERR desconocido\n".repeat(3) + "\n");
});

test("guide 1 #4 client (bulk reader) ↔ socklab listen < 4 MiB payload (the nc -l < file role)", opts, async (t) => {
  const payload = randomBytes(4 * 1024 * 1024);
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: payload });
  const r = await runPython(guideProgram(G.G1_04_CLIENT, { ports: { 9003: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `Recibidos ${payload.length} bytes\n`);
  assert.equal((await server.waitExit(5000)).code, 0);
});

test("guide 1 #5 client (timeouts and retries) ↔ socklab serve echo started after the first failure", opts, async (t) => {
  const port = await freePort();
  const client = spawnPython(guideProgram(G.G1_05_CLIENT, { ports: { 9004: port } }), { teardown: t });
  await client.waitForStdoutLine(/^Intento 1 falló .*Reintento en 0\.5s\.\.\.$/, 5000);
  await startServer(["serve", "echo", `tcp://127.0.0.1:${port}`], { teardown: t });
  const r = await client.waitExit(8000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().split("\n").filter((l) => l !== "").at(-1), "b'ping\\n'");
});

test("guide 1 #6 client (getaddrinfo localhost) ↔ socklab serve echo on 127.0.0.1", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_06_CLIENT, { ports: { 9005: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "b'hola\\n'\n");
});

test("guide 1 #6 client ↔ socklab serve echo tcp://[::]:0 --dual-stack", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://[::]:0", "--dual-stack"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_06_CLIENT, { ports: { 9005: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "b'hola\\n'\n");
});

test("guide 1 #7 client (UDP ping) ↔ socklab serve echo udp", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_07_CLIENT, { ports: { 9006: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `< b'ping' desde ('127.0.0.1', ${ready.port})\n`);
});

test("guide 1 #8 client (UDP TIME with retransmission) ↔ socklab serve time udp", opts, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G1_08_CLIENT, { ports: { 9007: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^Respuesta: \d\d:\d\d:\d\d\n$/);
});

test("guide 1 #9 client (broadcast, on 127.255.255.255) ↔ socklab serve announce", opts, async (t) => {
  const { ready } = await startServer(["serve", "announce", "udp://127.255.255.255:0"], { teardown: t });
  const code = guideProgram(G.G1_09_CLIENT, { ports: { 9008: ready.port }, replace: [["255.255.255.255", "127.255.255.255"]] });
  assert.ok(!code.includes('"255.255.255.255"'), "never the limited broadcast");
  const r = await runPython(code, { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), new RegExp(`^\\('127\\.\\d+\\.\\d+\\.\\d+', ${ready.port}\\) -> b'socklab ${hostname().replace(/[.]/g, "\\.")}\\\\n'\\n$`));
});

test("guide 2 2.1c client (hola/mundo/fin) ↔ socklab serve line-echo", opts, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G2_1_CLIENT, { ports: { 9101: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: hola\neco: mundo\neco: fin\n\n");
});

test("guide 2 2.2 client (PING, ECHO hola, TIME, FOO) ↔ socklab serve cmd --err ERR", opts, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0", "--err", "ERR"], { teardown: t });
  const r = await runPython(guideProgram(G.G2_2_CLIENT_CMD, { ports: { 9102: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR\n\n$/);
});

test("guide 2 2.3 client (UDP ping) ↔ socklab serve echo udp", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G2_3_CLIENT_UDP, { ports: { 9201: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `< b'ping' desde ('127.0.0.1', ${ready.port})\n`);
});

test("guide 2 2.4 client (IPv6) ↔ socklab serve echo tcp://[::1]:0", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://[::1]:0"], { teardown: t });
  const r = await runPython(guideProgram(G.G2_4_CLIENT_IPV6, { ports: { 9301: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola ipv6\n\n");
});

test("guide 2 2.5 clients (IPv4 then IPv6) ↔ socklab serve greet tcp://[::]:0 --dual-stack", opts, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://[::]:0", "--dual-stack"], { teardown: t });
  const r = await runPython(guideProgram(G.G2_5_CLIENT_DUALSTACK, { ports: { 9401: ready.port } }), { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "IPv4: hola dual\n\nIPv6: hola dual\n\n");
});

test("guide 2 2.6 recv_all (until EOF and exactly N) ↔ socklab serve greet", opts, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const harness = `import socket\n${G.G2_6_RECV_ALL}\nfor n in (None, 5):\n    with socket.create_connection(("127.0.0.1", ${ready.port})) as s:\n        print(repr(recv_all(s, n)))\n`;
  const r = await runPython(harness, { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "b'hola dual\\n'\nb'hola '\n");
});

/**
 * Interop with real netcat (Debian netcat-openbsd) in both roles, TCP and UDP.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, socklab, runSocklab } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { NC } from "./support/tools.js";
import { spawnProc } from "./support/process.js";

const opts = { timeout: 45_000, skip: NC ? false : "nc (netcat-openbsd) is not installed: apt-get install -y netcat-openbsd" } as const;

test("nc -l (server) ↔ socklab connect (stdin mode): both directions, both exit 0", opts, async (t) => {
  const port = await freePort();
  const nc = spawnProc(NC!, ["-v", "-N", "-l", "127.0.0.1", String(port)], { teardown: t, input: "hola desde nc\n" });
  await nc.waitForStderr(/Listening on/, 5000);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: "hola desde socklab\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola desde nc\n");
  const n = await nc.waitExit(5000);
  assert.equal(n.stdout.toString(), "hola desde socklab\n");
});

test("guide #2 with nc as the server: nc -l 127.0.0.1 PORT ↔ socklab connect --send 'hola mundo\\n'", opts, async (t) => {
  const port = await freePort();
  const nc = spawnProc(NC!, ["-v", "-l", "127.0.0.1", String(port)], { teardown: t, input: "pipe" });
  await nc.waitForStderr(/Listening on/, 5000);
  const client = socklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "hola mundo\\n"], { teardown: t });
  await nc.waitForStdout("hola mundo\n");
  nc.write("respuesta a mano\n");
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "respuesta a mano\n");
});

test("guide #3 with nc as the server: uno/dos/tres, half-close; nc sees them and its reply is printed", opts, async (t) => {
  const port = await freePort();
  // nc -l quits as soon as the client's FIN arrives, so its reply is typed in advance.
  const nc = spawnProc(NC!, ["-v", "-N", "-l", "127.0.0.1", String(port)], { teardown: t, input: "listo\n" });
  await nc.waitForStderr(/Listening on/, 5000);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--send", "uno", "--send", "dos", "--send", "tres", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "listo\n");
  const n = await nc.waitExit(5000);
  assert.equal(n.stdout.toString(), "uno\ndos\ntres\n");
});

test("guide #4 with nc as the server: nc -l < 4 MiB ↔ socklab connect receives every byte", opts, async (t) => {
  const port = await freePort();
  const payload = randomBytes(4 * 1024 * 1024);
  const nc = spawnProc(NC!, ["-v", "-N", "-l", "127.0.0.1", String(port)], { teardown: t, input: payload });
  await nc.waitForStderr(/Listening on/, 5000);
  // socklab's stdin stays open during the transfer: an early half-close would make nc -l
  // (which quits on network EOF) stop sending, as it does with a real `nc -N … < /dev/null`.
  const client = socklab(["connect", `tcp://127.0.0.1:${port}`], { teardown: t, input: "pipe" });
  await client.waitForStdout(payload.length, 10_000);
  client.endInput();
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

for (const [service, input, expected] of [
  ["echo", "hola\n", "hola\n"],
  ["line-echo", "uno\r\ndos\n", "eco: uno\neco: dos\n"],
  ["cmd", "PING\nECHO nc\nBAD\n", "PONG\nnc\nERR desconocido\n"],
] as const) {
  test(`socklab serve ${service} ↔ nc -N 127.0.0.1 PORT`, opts, async (t) => {
    const { ready } = await startServer(["serve", service, "tcp://127.0.0.1:0"], { teardown: t });
    const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: input });
    const r = await nc.waitExit(5000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), expected);
  });
}

test("socklab serve echo ↔ nc -N with 4 MiB of binary", opts, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(4 * 1024 * 1024);
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: payload });
  const r = await nc.waitExit(12_000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("socklab listen ↔ nc -N: both directions, both exit 0", opts, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "desde listen\n" });
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: "desde nc\n" });
  const n = await nc.waitExit(5000);
  assert.equal(n.code, 0, n.stderr);
  assert.equal(n.stdout.toString(), "desde listen\n");
  const s = await server.waitExit(5000);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.toString(), "desde nc\n");
});

test("socklab serve greet tcp://[::]:0 --dual-stack ↔ nc -4 and nc -6", opts, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://[::]:0", "--dual-stack"], { teardown: t });
  for (const [flag, host] of [["-4", "127.0.0.1"], ["-6", "::1"]] as const) {
    const nc = spawnProc(NC!, [flag, "-N", host, String(ready.port)], { teardown: t });
    const r = await nc.waitExit(5000);
    assert.equal(r.stdout.toString(), "hola dual\n", `${flag}: ${r.stderr}`);
  }
});

test("UDP: nc -u -l (server) ↔ socklab connect udp --send ping; nc's typed reply is printed", opts, async (t) => {
  const port = await freePort("udp");
  const nc = spawnProc(NC!, ["-v", "-u", "-l", "127.0.0.1", String(port)], { teardown: t, input: "pipe" });
  await nc.waitForStderr(/Bound on/, 5000);
  const client = socklab(["connect", `udp://127.0.0.1:${port}`, "--send", "ping", "--timeout", "5"], { teardown: t });
  await nc.waitForStdout("ping"); // nc -u -l learns its peer from this first datagram
  nc.write("pong\n");
  const r = await client.waitExit(6000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "pong\n");
  assert.match(r.stderr, new RegExp(`reply from udp://127\\.0\\.0\\.1:${port} 5 bytes`));
});

test("UDP: socklab serve echo udp ↔ nc -u 127.0.0.1 PORT", opts, async (t) => {
  const { proc: server, ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const nc = spawnProc(NC!, ["-u", "127.0.0.1", String(ready.port)], { teardown: t, input: "pipe" });
  nc.write("hola udp\n");
  await nc.waitForStdout("hola udp\n", 5000);
  await server.waitForStderr(/^datagram udp:\/\/127\.0\.0\.1:\d+ 9 bytes$/);
});

test("UDP: socklab serve time udp ↔ nc -u: 'TIME\\n' (stripped) → HH:MM:SS, other → ERR\\n", opts, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://127.0.0.1:0"], { teardown: t });
  const nc = spawnProc(NC!, ["-u", "127.0.0.1", String(ready.port)], { teardown: t, input: "pipe" });
  nc.write("TIME\n");
  await nc.waitForStdout(8, 5000);
  assert.match(nc.stdout.toString(), /^\d\d:\d\d:\d\d$/);
  nc.write("hora?\n");
  await nc.waitForStdout("ERR\n", 5000);
});

test("UDP: socklab listen udp ↔ nc -u: nc's datagram to stdout, listen's stdin line back to nc", opts, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "udp://127.0.0.1:0"], { teardown: t });
  const nc = spawnProc(NC!, ["-u", "127.0.0.1", String(ready.port)], { teardown: t, input: "pipe" });
  nc.write("hola listen\n");
  await server.waitForStdout("hola listen\n", 5000);
  server.write("hola nc\n");
  await nc.waitForStdout("hola nc", 5000);
});

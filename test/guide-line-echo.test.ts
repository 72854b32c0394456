/**
 * Exercise 2.1 (guide 2): the line-echo server (`eco: LINE\n`) and its client 2.1c,
 * via `socklab serve line-echo` — framing edge cases and the bounded line buffer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";
import { hold } from "./support/wait.js";

test("2.1 + 2.1c: hola, mundo, fin as lines, half-close → eco: hola\\neco: mundo\\neco: fin\\n", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "hola", "--send", "mundo", "--send", "fin", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: hola\neco: mundo\neco: fin\n");
  await proc.waitForStderr(/^close tcp:\/\/127\.0\.0\.1:\d+ received 15 sent 30$/, 3000);
});

test("2.1: one trailing \\r is dropped (a CRLF line), only one", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: "telnet\r\ntwo\r\r\nmid\rdle\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: telnet\neco: two\r\neco: mid\rdle\n");
});

test("2.1: many lines in one write are all answered, in order", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  const lines = Array.from({ length: 500 }, (_, i) => `linea ${i}`);
  socket.end(lines.map((l) => `${l}\n`).join(""));
  await col.waitEnd(5000);
  assert.equal(col.text, lines.map((l) => `eco: ${l}\n`).join(""));
});

test("2.1: a line split across many writes (byte by byte) is answered once, whole", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  socket.setNoDelay(true);
  const col = new Collector(socket);
  const text = "partida en pedazos\r\n";
  for (const ch of text) {
    socket.write(ch);
    await hold(2, "a slow writer: each byte in its own segment");
  }
  await col.waitFor("\n", 3000);
  assert.equal(col.text, "eco: partida en pedazos\n");
  socket.end();
  await col.waitEnd();
  assert.equal(col.text, "eco: partida en pedazos\n", "nothing more after EOF");
});

test("2.1: a last line without \\n before EOF is answered too", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: "uno\nsin fin" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: uno\neco: sin fin\n");
});

test("2.1: an empty line is answered with 'eco: \\n'; EOF right after \\n adds nothing", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: "\n\r\nx\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: \neco: \neco: x\n");
});

test("2.1: an over-long line gets ERR línea demasiado larga\\n and is closed; a waiting client is then served", { timeout: 45_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--max-line", "16"], { teardown: t });
  const bad = await tcpConnect(ready.port);
  t.after(() => bad.destroy());
  const badCol = new Collector(bad);
  bad.write("ok\n");
  await badCol.waitFor("eco: ok\n");
  // The second client connects while the first is being served (sequential server).
  const good = await tcpConnect(ready.port);
  t.after(() => good.destroy());
  const goodCol = new Collector(good);
  good.write("hola\n");
  // 100 bytes without a newline: more than --max-line 16.
  bad.write("x".repeat(100));
  await badCol.waitClose(5000);
  assert.equal(badCol.text, "eco: ok\nERR línea demasiado larga\n");
  await goodCol.waitFor("eco: hola\n", 5000);
  good.end("chau\n");
  await goodCol.waitEnd(5000);
  assert.equal(goodCol.text, "eco: hola\neco: chau\n");
  assert.equal(proc.hasExited, false, "the server is still up");
});

test("2.1: complete lines that arrive in the same read as an over-long one are answered first", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--max-line", "8"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  socket.on("error", () => {});
  socket.write("ok\nthis line is too long\n");
  await col.waitClose(5000);
  assert.equal(col.text, "eco: ok\nERR línea demasiado larga\n");
});

test("2.1: a line of exactly --max-line bytes is accepted", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--max-line", "16"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: `${"y".repeat(16)}\n` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `eco: ${"y".repeat(16)}\n`);
});

test("2.1: the default limit (64 KiB) accepts a 60 000-byte line and refuses a 70 000-byte one", { timeout: 45_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const ok = await runSocklab(["connect", ready.address], { input: `${"a".repeat(60_000)}\n` });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.toString(), `eco: ${"a".repeat(60_000)}\n`);
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  socket.on("error", () => {});
  socket.write(`${"b".repeat(70_000)}\n`);
  await col.waitClose(5000);
  assert.equal(col.text, "ERR línea demasiado larga\n");
});

test("2.1 via cmd: the over-long-line rule applies to cmd too", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0", "--max-line", "8"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  socket.on("error", () => {});
  socket.write("PING\nECHO this is too long\n");
  await col.waitClose(5000);
  assert.equal(col.text, "PONG\nERR línea demasiado larga\n");
});

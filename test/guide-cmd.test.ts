/**
 * Exercise 11 (guide 1) and 2.2 (guide 2): the line-command server, via
 * `socklab serve cmd` and `socklab connect`, wire bytes exactly as in the guides.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";
import { envWithTz, isNowIn, dateIn, TEST_TZ, DATETIME_LINE } from "./support/clock.js";

function checkTimeLine(line: string): void {
  const m = line.match(DATETIME_LINE);
  assert.ok(m, `TIME reply ${JSON.stringify(line)} is YYYY-mm-dd HH:MM:SS`);
  assert.ok(isNowIn(m[2]!, TEST_TZ), `TIME ${line} is the server's local time (TZ=${TEST_TZ}), now ${new Date().toISOString()}`);
  // The date may legitimately roll over between the reply and this check only at midnight.
  const today = dateIn(new Date(), TEST_TZ);
  assert.ok(m[1] === today || m[2]!.startsWith("23:59") || m[2]!.startsWith("00:00"), `date ${m[1]} is today (${today})`);
}

test("11: PING, ECHO hola, TIME, FOO → PONG\\n, hola\\n, local time\\n, ERR desconocido\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t, env: envWithTz() });
  const r = await runSocklab(["connect", ready.address, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  assert.ok(out.endsWith("\n"), JSON.stringify(out));
  const lines = out.split("\n").slice(0, -1);
  assert.equal(lines.length, 4, JSON.stringify(out));
  assert.equal(lines[0], "PONG");
  assert.equal(lines[1], "hola");
  checkTimeLine(lines[2]!);
  assert.equal(lines[3], "ERR desconocido");
});

test("2.2: serve cmd --err ERR answers an unknown command with exactly ERR\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0", "--err", "ERR"], { teardown: t, env: envWithTz() });
  // The guide-2 client: four lines, half-close, read until EOF.
  const r = await runSocklab(["connect", ready.address, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString();
  const m = out.match(/^PONG\nhola\n(.*)\nERR\n$/);
  assert.ok(m, `exact wire bytes, got ${JSON.stringify(out)}`);
  checkTimeLine(m[1]!);
});

test("11: commands are stripped of surrounding whitespace (spaces, tabs, CR)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t, env: envWithTz() });
  const r = await runSocklab(["connect", ready.address, "--send", "  PING  \\r", "--send", "\\tTIME\\t", "--send", "ECHO  dos  espacios  ", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.toString().split("\n");
  assert.equal(lines[0], "PONG");
  checkTimeLine(lines[1]!);
  assert.equal(lines[2], " dos  espacios", "ECHO returns everything after 'ECHO ' of the stripped line");
  assert.equal(lines.length, 4);
});

test("11: unknown, lower-case, empty and bare ECHO lines all get ERR desconocido\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  socket.end("ping\n\nECHO\nECHO \nPINGX\nTIME now\n");
  await col.waitEnd(5000);
  assert.equal(col.text, "ERR desconocido\n".repeat(6));
});

test("11: ECHO keeps UTF-8 text intact", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "ECHO ñandú · 日本", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ñandú · 日本\n");
});

test("11: many commands in one write, a command split across writes, and a last line without \\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  socket.setNoDelay(true);
  const col = new Collector(socket);
  socket.write("PING\nECHO a\nPING\n");
  await col.waitFor("PONG\na\nPONG\n");
  socket.write("PI");
  await new Promise((r) => setImmediate(r));
  socket.write("NG\nECH");
  await col.waitFor("PONG\na\nPONG\nPONG\n");
  socket.write("O b\nPING"); // last line without \n, then EOF
  socket.end();
  await col.waitEnd(5000);
  assert.equal(col.text, "PONG\na\nPONG\nPONG\nb\nPONG\n");
});

test("--err with escapes: --err 'NOPE\\t?' answers NOPE<TAB>?\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0", "--err", "NOPE\\t?"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "FOO", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "NOPE\t?\n");
});

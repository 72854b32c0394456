/**
 * `socklab listen` — the nc -l role: one connection, connection → stdout, stdin →
 * connection, half-close at stdin EOF, exit 0 when done; --keep-open for the next one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { once } from "node:events";
import { startServer, runSocklab } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";

test("listen: the client's bytes go to stdout, stdin goes to the client, EOF half-closes, exit 0", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  socket.write("hola mundo\n");
  await proc.waitForStdout("hola mundo\n");
  proc.write("respuesta\n");
  await col.waitFor("respuesta\n");
  proc.endInput();
  await col.waitEnd(3000); // our stdin EOF reached the client as a FIN
  assert.equal(proc.hasExited, false, "still reading from the client after its own half-close");
  socket.write("más\n");
  await proc.waitForStdout("más\n");
  socket.end();
  const r = await proc.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola mundo\nmás\n");
});

test("listen: the peer half-closes while stdin is still open → stdin still reaches it, then listen exits 0", { timeout: 30_000 }, async (t) => {
  // Unlike nc -l (which quits at the peer's FIN), a half-closed peer is still reading:
  // what is still coming on stdin reaches it (exercise 3's replies, exercise 4's payload).
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "pipe" });
  const socket = await tcpConnect(ready.port);
  const col = new Collector(socket);
  socket.end("bye\n");
  await proc.waitForStdout("bye\n");
  proc.write("late reply\n");
  proc.endInput();
  await col.waitClose(3000);
  assert.equal(col.data.toString(), "late reply\n");
  const r = await proc.waitExit(3000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "bye\n");
});

test("listen: the peer closes first, listen exits 0 once stdin is done (stdin at EOF)", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "" });
  const socket = await tcpConnect(ready.port);
  const col = new Collector(socket);
  socket.end("bye\n");
  await col.waitEnd(3000);
  const r = await proc.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "bye\n");
});

test("listen without --keep-open accepts one connection only", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "" });
  const a = await tcpConnect(ready.port);
  a.end("one\n");
  const r = await proc.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  // The listener is gone: a second connection is refused.
  await assert.rejects(tcpConnect(ready.port), /ECONNREFUSED/);
});

test("listen --keep-open serves one connection after another, stays up, SIGTERM → 0", { timeout: 45_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0", "--keep-open"], { teardown: t });
  for (const word of ["first", "second", "third"]) {
    const s = await tcpConnect(ready.port);
    const col = new Collector(s);
    s.end(`${word}\n`);
    await proc.waitForStdout(`${word}\n`);
    await col.waitClose(3000);
  }
  assert.equal(proc.hasExited, false, "still running with --keep-open");
  assert.equal(proc.stdout.toString(), "first\nsecond\nthird\n");
  proc.signal("SIGTERM");
  const r = await proc.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
});

test("listen -k is --keep-open (stdin at EOF: each connection is half-closed at once)", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0", "-k"], { teardown: t, input: "" });
  for (const word of ["a", "b"]) {
    const s = await tcpConnect(ready.port);
    const col = new Collector(s);
    s.end(`${word}\n`);
    await col.waitClose(3000);
  }
  await proc.waitForStdout("a\nb\n");
  assert.equal(proc.hasExited, false);
});

test("socklab connect ↔ socklab listen: both directions, both exit 0", { timeout: 30_000 }, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: "from the listener\n" });
  const r = await runSocklab(["connect", ready.address], { input: "from the client\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "from the listener\n");
  const s = await server.waitExit(5000);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stdout.toString(), "from the client\n");
});

test("listen udp: datagrams to stdout, sender on stderr; stdin lines go back to the last sender", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "udp://127.0.0.1:0"], { teardown: t });
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await once(sock, "listening");
  t.after(() => sock.close());
  const myPort = sock.address().port;
  sock.send("ping", ready.port, "127.0.0.1");
  await proc.waitForStdout("ping");
  await proc.waitForStderr(new RegExp(`udp://127\\.0\\.0\\.1:${myPort}`));
  const reply = once(sock, "message");
  proc.write("pong\n");
  const [msg] = (await reply) as [Buffer];
  assert.equal(msg.toString().replace(/\n$/, ""), "pong", "one datagram per stdin line");
});

test("listen udp: stdin lines typed before any sender are held and sent to the first sender", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "udp://127.0.0.1:0"], { teardown: t, input: "pipe" });
  proc.write("temprano\n");
  const sock = dgram.createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await once(sock, "listening");
  t.after(() => sock.close());
  const reply = once(sock, "message");
  sock.send("hola", ready.port, "127.0.0.1");
  const [msg] = (await reply) as [Buffer];
  assert.equal(msg.toString().replace(/\n$/, ""), "temprano");
  await proc.waitForStdout("hola");
});

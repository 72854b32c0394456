/** serve chat / serve broker: fan-out to every other client, names on chat lines, slow readers dropped, senders never paused. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import { parseAddress, type InetAddress } from "../src/address.js";
import type { SocklabEvent } from "../src/events.js";
import { brokerService } from "../src/services/broker.js";
import { chatLine, chatService } from "../src/services/chat.js";
import { StreamServer, type StreamHandler } from "../src/stream/server.js";
import { startServer } from "./support/cli.js";
import { Collector, tcpConnect } from "./support/net.js";
import { spawnProc, which } from "./support/process.js";
import { waitUntil } from "./support/wait.js";

async function serve(t: TestContext, handler: StreamHandler): Promise<{ port: number; events: SocklabEvent[] }> {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({ address: parseAddress("tcp://127.0.0.1:0"), handler, concurrent: true, onEvent: (e) => events.push(e) });
  t.after(() => server.close());
  return { port: (server.address as InetAddress).port, events };
}

async function join(t: TestContext, port: number): Promise<{ socket: net.Socket; got: Collector }> {
  const socket = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => socket.destroy());
  return { socket, got: new Collector(socket) };
}

async function until(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await waitUntil(ok, { what, timeoutMs });
}

test("chat: each line goes to all the others with the sender's name; joins and leaves are announced", async (t) => {
  const { port, events } = await serve(t, chatService());
  const a = await join(t, port);
  await a.got.waitFor("<announce> you are user1; nobody else is here\n");
  const b = await join(t, port);
  await b.got.waitFor("<announce> you are user2; here: user1\n");
  await a.got.waitFor("<announce> user2 joined\n");
  const c = await join(t, port);
  await c.got.waitFor("<announce> you are user3; here: user1, user2\n");
  a.socket.write("hola\r\nque tal\n");
  await b.got.waitFor("<user1> hola\n<user1> que tal\n");
  await c.got.waitFor("<user1> hola\n<user1> que tal\n");
  b.socket.end("last words without newline");
  await a.got.waitFor("<user2> last words without newline\n<announce> user2 left\n");
  await c.got.waitFor("<announce> user2 left\n");
  await b.got.waitEnd();
  assert.equal(a.got.text.includes("<user1>"), false, "a sender does not get its own lines back");
  assert.equal(events.some((e) => e.type === "client-dropped"), false);
});

test("chatLine is the exact wire form", () => {
  assert.equal(chatLine({ name: "user7" }, Buffer.from("hi")).toString(), "<user7> hi\n");
});

test("broker: raw bytes from one client reach every other, unchanged", async (t) => {
  const { port } = await serve(t, brokerService());
  const a = await join(t, port);
  const b = await join(t, port);
  const c = await join(t, port);
  // Wait until the server has all three in the room: a byte from c reaching a and b shows it.
  c.socket.write("x");
  await a.got.waitFor(1);
  await b.got.waitFor(1);
  const binary = Buffer.from([0, 1, 2, 0xff, 0x0a, 0x0d, 0x80]);
  a.socket.write(binary);
  await b.got.waitFor(8);
  await c.got.waitFor(7);
  assert.deepEqual(b.got.data, Buffer.concat([Buffer.from("x"), binary]));
  assert.deepEqual(c.got.data, binary);
  assert.equal(a.got.data.toString(), "x");
});

test("broker: a client that never reads is dropped with a reason; the sender and the reader go on", { timeout: 60_000 }, async (t) => {
  const limit = 256 * 1024;
  const { port, events } = await serve(t, brokerService({ maxBuffered: limit }));
  const sender = await join(t, port);
  const reader = await join(t, port);
  const stuck = await join(t, port);
  stuck.socket.pause();
  // Make sure all three are in the room before the flood.
  sender.socket.write("!");
  await reader.got.waitFor(1);
  // The sender talks in 256 KiB bursts (each one absorbed by the reader's kernel buffers, so a
  // reading client is never the slow one), until the stuck client has been dropped.
  const chunk = Buffer.alloc(256 * 1024, 0x62);
  const hash = createHash("sha256").update("!");
  let sent = 1;
  for (let burst = 0; burst < 400 && !events.some((e) => e.type === "client-dropped"); burst++) {
    sender.socket.write(chunk);
    hash.update(chunk);
    sent += chunk.length;
    await until(() => reader.got.data.length >= sent, "the reader to get the burst");
  }
  assert.equal(createHash("sha256").update(reader.got.data).digest("hex"), hash.digest("hex"));
  const dropped = events.find((e): e is Extract<SocklabEvent, { type: "client-dropped" }> => e.type === "client-dropped");
  assert.ok(dropped, "the stuck client was dropped");
  assert.equal(dropped.reason, "slow-reader");
  assert.equal(dropped.limit, limit);
  assert.equal(dropped.peer, `tcp://127.0.0.1:${stuck.socket.localPort}`);
  assert.equal(events.filter((e) => e.type === "client-dropped").length, 1, "only the stuck client");
  stuck.socket.resume();
  await stuck.got.waitEnd(10_000);
  assert.ok(stuck.got.data.length < sent, `the stuck client got ${stuck.got.data.length} of ${sent} bytes before it was dropped`);
});

test("chat: a slow reader is dropped and the others are told it left", { timeout: 60_000 }, async (t) => {
  const { port, events } = await serve(t, chatService({ maxBuffered: 256 * 1024 }));
  const talker = await join(t, port);
  const listener = await join(t, port);
  const stuck = await join(t, port);
  stuck.socket.pause();
  await talker.got.waitFor("user3 joined");
  const line = `${"z".repeat(1000)}\n`;
  const burst = line.repeat(200);
  const perLine = line.length + "<user1> ".length;
  let lines = 0;
  for (let i = 0; i < 400 && !events.some((e) => e.type === "client-dropped"); i++) {
    talker.socket.write(burst);
    lines += 200;
    await until(() => listener.got.data.length >= lines * perLine, "the listener to get the burst");
  }
  const dropped = events.filter((e) => e.type === "client-dropped");
  assert.equal(dropped.length, 1);
  assert.equal((dropped[0] as { peer: string }).peer, `tcp://127.0.0.1:${stuck.socket.localPort}`);
  await talker.got.waitFor("<announce> user3 left\n", 10_000);
  await listener.got.waitFor("<announce> user3 left\n", 10_000);
});

test("CLI: socklab serve chat --concurrent with two clients", async (t) => {
  const { ready } = await startServer(["serve", "chat", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const a = await join(t, ready.port);
  await a.got.waitFor("you are user1");
  const b = await join(t, ready.port);
  await a.got.waitFor("user2 joined");
  b.socket.write("hola a todos\n");
  await a.got.waitFor("<user2> hola a todos\n");
});

test("CLI: ncat clients on socklab serve broker --concurrent", { timeout: 60_000, skip: which("ncat") ? false : "ncat is not installed" }, async (t) => {
  const { ready } = await startServer(["serve", "broker", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const listener = spawnProc(which("ncat")!, ["127.0.0.1", String(ready.port)], { teardown: t, input: "pipe" });
  // The listener is in the room once a byte it sends reaches another member.
  const probe = await join(t, ready.port);
  listener.write("here\n");
  await probe.got.waitFor("here\n");
  const sender = spawnProc(which("ncat")!, ["--send-only", "127.0.0.1", String(ready.port)], { teardown: t, input: "de ncat a ncat\n" });
  await listener.waitForStdout("de ncat a ncat\n", 5000);
  await probe.got.waitFor("de ncat a ncat\n");
  await sender.waitExit(5000);
});

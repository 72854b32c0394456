/**
 * Issue 10: the stream echo served by the native engine (native/stream_echo.c) when nothing
 * needs JavaScript per connection. It must be the same server as the JS path: bytes echoed
 * exactly with half-close, bounded memory against a client that never reads, sequential and
 * --concurrent/--max-conns semantics (the excess waits in the kernel queue, none dropped),
 * the same events (library and CLI --json), a graceful close(); and the JS path still taken
 * whenever an option needs it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import net from "node:net";
import { StreamServer, streamEcho } from "../src/index.js";
import type { Address } from "../src/address.js";
import type { SocklabEvent } from "../src/events.js";
import { listenUnixStream } from "../src/unix/index.js";
import { socklab } from "./support/cli.js";
import { CLI_SKIP, cliSession, connected, connectTo, engineServer, exchange, NO_PYTHON, normalised, queuedSession, readAll, rrPeerSession, TCP } from "./support/engine.js";
import { PYTHON } from "./support/python.js";
import type { Teardown } from "./support/process.js";
import { abstractName, tempDir, tempPath } from "./support/tmp.js";
import { waitUntil } from "./support/wait.js";

function echoServer(t: Teardown, options: Parameters<typeof engineServer>[2] = {}): ReturnType<typeof engineServer> {
  return engineServer(t, streamEcho, options);
}

for (const kind of ["tcp", "unix", "abstract"] as const) {
  test(`${kind}: several MiB of random bytes echoed exactly, with half-close, by the native engine`, { timeout: 60_000 }, async (t) => {
    const address: Address =
      kind === "tcp" ? TCP : kind === "unix" ? { kind: "unix", path: tempPath(t) } : { kind: "abstract", name: abstractName() };
    const { server, events } = await echoServer(t, { address });
    assert.equal(server.echoesNatively, true);
    const data = randomBytes(6 * 1024 * 1024 + 17);
    const got = await exchange(server, data);
    assert.equal(got.length, data.length);
    assert.ok(got.equals(data), "the echo differs from what was sent");
    const closed = await waitUntil(() => events.find((e) => e.type === "closed"), { what: "the closed event" });
    assert.deepEqual({ ...closed, peer: undefined }, { type: "closed", peer: undefined, received: data.length, sent: data.length });
    if (kind !== "tcp") assert.equal(closed.peer, `${server.url}#1`);
  });
}

test("a client that never reads: the engine holds at most one buffer, then the reader gets every byte", { timeout: 60_000 }, async (t) => {
  const { server } = await echoServer(t);
  assert.equal(server.echoesNatively, true);
  const socket = connectTo(server);
  socket.pause();
  await connected(socket);
  const data = randomBytes(32 * 1024 * 1024);
  socket.end(data);
  // Kernel buffers fill both ways; then the server stops reading with one partial write held.
  const stalled = await waitUntil(() => {
    const s = server.nativeEchoStats()!;
    return s.buffered > 0 ? s : undefined;
  }, { what: "the server to be held back by the non-reading client" });
  assert.ok(stalled.buffered <= 64 * 1024, `held ${stalled.buffered} bytes`);
  assert.ok(socket.writableLength > 0, "the client still has bytes the server did not take");
  const reply = readAll(socket);
  socket.resume();
  const got = await reply;
  assert.ok(got.equals(data), "every byte came back, in order");
  assert.equal(server.nativeEchoStats()!.buffered, 0);
});

test("sequential: a second client is queued, then served once the first closes", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t);
  assert.equal(server.echoesNatively, true);
  const first = connectTo(server);
  const firstReply = readAll(first);
  await connected(first);
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the first client accepted" });
  const second = connectTo(server);
  const secondReply = readAll(second);
  second.end("second");
  await waitUntil(() => events.some((e) => e.type === "queued"), { what: "the second client queued" });
  assert.equal(server.waitingCount, 1);
  assert.equal(server.activeCount, 1);
  // Not answered while the first is served: the event order below has its accepted after the first's closed.
  first.end("first");
  assert.equal((await firstReply).toString(), "first");
  assert.equal((await secondReply).toString(), "second");
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 2, { what: "two closed events" });
  assert.deepEqual(
    events.map((e) => e.type),
    ["accepted", "queued", "closed", "accepted", "closed"],
  );
  assert.equal((events[1] as Extract<SocklabEvent, { type: "queued" }>).waiting, 1);
});

test("concurrent with maxConnections 2: the others wait in the kernel queue and are all served", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t, { concurrent: true, maxConnections: 2 });
  assert.equal(server.echoesNatively, true);
  const clients = Array.from({ length: 6 }, () => connectTo(server));
  const replies = clients.map(readAll);
  await Promise.all(clients.map(connected)); // the kernel completes every handshake
  await waitUntil(() => events.filter((e) => e.type === "accepted").length === 2, { what: "two clients accepted" });
  assert.equal(server.activeCount, 2);
  assert.equal(server.waitingCount, 0, "nobody is held accepted: the rest are in the kernel queue");
  clients.forEach((c, i) => c.end(`client ${i}`));
  const got = await Promise.all(replies);
  assert.deepEqual(
    got.map((b) => b.toString()),
    clients.map((_, i) => `client ${i}`),
  );
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 6, { what: "six closed events" });
  assert.equal(events.filter((e) => e.type === "accepted").length, 6);
  assert.equal(events.filter((e) => e.type === "error").length, 0);
});

/** One session: a client served, then a second queued behind a slow one. */
async function session(server: StreamServer, events: SocklabEvent[]): Promise<void> {
  const replies = await queuedSession(server, events, { first: "one", slow: "slow", queued: "queued" });
  assert.deepEqual(replies.map(String), ["one", "slow", "queued"]);
}

test("library: the engine's events equal the JS path's for the same session", { timeout: 30_000 }, async (t) => {
  const native = await echoServer(t);
  // A time limit nobody reaches sends the same server through the JS path.
  const js = await echoServer(t, { idleTimeoutMs: 600_000 });
  assert.equal(native.server.echoesNatively, true);
  assert.equal(js.server.echoesNatively, false);
  await session(native.server, native.events);
  await session(js.server, js.events);
  assert.deepEqual(normalised(native.events), normalised(js.events));
  for (const e of native.events) if ("peer" in e) assert.match(e.peer!, /^tcp:\/\/127\.0\.0\.1:\d+$/);
});

test("CLI --json: serve echo prints the same events natively as with the JS path (--idle-timeout)", { timeout: 60_000, skip: CLI_SKIP }, async (t) => {
  const native = await cliSession(t, ["serve", "echo", "tcp://127.0.0.1:0"], session);
  const js = await cliSession(t, ["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "600"], session);
  assert.deepEqual(native.events, js.events);
});

test("close() with clients connected: the active one gets its closed event, both are disconnected", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t);
  const active = connectTo(server);
  const activeEnd = readAll(active).catch(() => Buffer.alloc(0));
  await connected(active);
  active.write("partial");
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the client accepted" });
  const waiting = connectTo(server);
  const waitingEnd = readAll(waiting).catch(() => Buffer.alloc(0));
  await waitUntil(() => events.some((e) => e.type === "queued"), { what: "the second client queued" });
  const closing = server.close();
  assert.equal(server.close(), closing, "close() is idempotent");
  await closing;
  assert.equal((await activeEnd).toString(), "partial");
  await waitingEnd;
  assert.deepEqual(
    events.map((e) => e.type),
    ["accepted", "queued", "closed"],
  );
  assert.deepEqual((events[2] as Extract<SocklabEvent, { type: "closed" }>).received, 7);
  const late = connectTo(server);
  await assert.rejects(connected(late), /ECONNREFUSED/);
});

test("the JS path is taken whenever something needs JavaScript per connection or per byte", { timeout: 30_000 }, async (t) => {
  for (const options of [{ idleTimeoutMs: 5000 }, { maxTimeMs: 5000 }, { trace: true }, { payload: true }, { acceptFilter: () => ({ ok: true as const }) }]) {
    const { server } = await echoServer(t, options);
    assert.equal(server.echoesNatively, false, JSON.stringify(Object.keys(options)));
    assert.equal((await exchange(server, Buffer.from("x"))).toString(), "x");
  }
  const other = await echoServer(t, { handler: (socket) => void socket.end("hi\n") });
  assert.equal(other.server.echoesNatively, false);
});

test("CLI: serve echo -x (a hex dump of each chunk) takes the JS path", { timeout: 30_000, skip: CLI_SKIP }, async (t) => {
  const proc = socklab(["serve", "echo", "tcp://127.0.0.1:0", "-x"], { input: "pipe", teardown: t });
  const { port } = await proc.listening();
  const server = { address: { kind: "tcp", host: "127.0.0.1", port } } as unknown as StreamServer;
  assert.equal((await exchange(server, Buffer.from("hexdump me"))).toString(), "hexdump me");
  await proc.waitForStderr(/hexdump me/);
});

test("a worker thread that ends with the engine serving: teardown closes its clients", { timeout: 30_000 }, async () => {
  const index = new URL("../src/index.js", import.meta.url).href;
  const worker = new Worker(
    `const { parentPort } = require("node:worker_threads");
     import(${JSON.stringify(index)}).then(async ({ StreamServer, streamEcho }) => {
       const server = await StreamServer.listen({ address: { kind: "tcp", host: "127.0.0.1", port: 0 }, handler: streamEcho, concurrent: true });
       parentPort.postMessage({ port: server.address.port, native: server.echoesNatively });
     });`,
    { eval: true },
  );
  const { port, native } = (await once(worker, "message"))[0] as { port: number; native: boolean };
  assert.equal(native, true);
  const client = net.connect(port, "127.0.0.1");
  await connected(client);
  client.write("abc");
  assert.equal(((await once(client, "data"))[0] as Buffer).toString(), "abc");
  const closed = once(client, "close");
  await worker.terminate(); // no server.close(): the environment's teardown must close everything
  await closed;
});

test("clients queued before listen() are served by the engine, in order, also with libuv's pool held busy meanwhile", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "early.sock");
  const fd = listenUnixStream({ path }); // listening: these clients wait in the accept queue
  const clients = [0, 1, 2].map((i) => {
    const socket = net.connect(path);
    const reply = readAll(socket);
    socket.end(`early ${i}`);
    return { socket, reply };
  });
  await Promise.all(clients.map((c) => connected(c.socket).catch(() => undefined)));
  // libuv's thread pool held busy (each thread in open(2) of a FIFO with no writer), as when
  // listen() awaited a file check while the loop accepted queued clients on the JS side (now
  // nothing in listen() waits on the pool, and whatever a net.Server accepts is routed).
  const threads = Math.min(1024, Number(process.env.UV_THREADPOOL_SIZE) || 4);
  const dir = tempDir(t);
  const fifos = Array.from({ length: threads }, (_, i) => `${dir}/pool-${i}`);
  assert.equal(spawnSync("mkfifo", fifos).status, 0);
  const blocked = fifos.map((f) => openFile(f, "r"));
  const events: SocklabEvent[] = [];
  const listening = StreamServer.listen({ address: { kind: "unix", path }, listenFd: fd, handler: streamEcho, onEvent: (e) => events.push(e) });
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  for (const f of fifos) closeSync(openSync(f, "w"));
  for (const handle of await Promise.all(blocked)) await handle.close();
  const server = await listening;
  t.after(() => server.close());
  assert.equal(server.echoesNatively, true);
  const replies = await Promise.all(clients.map((c) => c.reply));
  assert.deepEqual(
    replies.map((b) => b.toString()),
    ["early 0", "early 1", "early 2"],
  );
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 3, { what: "three closed events" });
  assert.deepEqual(
    events.filter((e) => e.type !== "queued").map((e) => e.type),
    ["accepted", "closed", "accepted", "closed", "accepted", "closed"],
  );
  assert.deepEqual(
    events.filter((e) => e.type === "accepted").map((e) => (e as { peer: string }).peer),
    [1, 2, 3].map((n) => `${server.url}#${n}`),
  );
});

test("TCP peers are named from the accepted address exactly as the JS path names them", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t);
  assert.equal(server.echoesNatively, true);
  const seen: string[] = [];
  for (const localAddress of ["127.0.0.1", "127.1.20.3", "127.200.100.255"]) {
    const socket = net.connect({ port: server.address.kind === "tcp" ? server.address.port : 0, host: "127.0.0.1", localAddress });
    const reply = readAll(socket);
    await connected(socket);
    seen.push(`tcp://${localAddress}:${socket.localPort}`);
    socket.end("x");
    await reply;
  }
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 3, { what: "three closed events" });
  assert.deepEqual(
    events.filter((e) => e.type === "accepted").map((e) => (e as { peer: string }).peer),
    seen,
  );
});

test("a client that resets while the engine waits to write to it is reported as a reset, not EBADF", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t, { concurrent: true });
  assert.equal(server.echoesNatively, true);
  const socket = connectTo(server);
  await connected(socket);
  socket.pause(); // never reads: the engine ends up holding unsent bytes and polling for writability
  const chunk = randomBytes(64 * 1024);
  await waitUntil(
    () => {
      socket.write(chunk);
      return (server.nativeEchoStats()?.buffered ?? 0) > 0 ? true : undefined;
    },
    { what: "the engine to hold bytes the client does not read", intervalMs: 20 },
  );
  socket.resetAndDestroy(); // RST with the engine's reply unread
  const error = await waitUntil(() => events.find((e) => e.type === "error"), { what: "an error event for the reset client" });
  const code = (error as Extract<SocklabEvent, { type: "error" }>).code;
  assert.ok(code === "ECONNRESET" || code === "EPIPE", `a reset is reported as what it is, got ${code}`);
  await waitUntil(() => events.some((e) => e.type === "closed"), { what: "its closed event" });
  assert.equal(server.activeCount, 0);
});

test("close() from inside an event resolves after the engine has closed: the clients' closed events came first, the port is free", { timeout: 30_000 }, async (t) => {
  const events: SocklabEvent[] = [];
  let closing: Promise<void> | undefined;
  let eventsWhenClosed: string[] | undefined;
  const server = await StreamServer.listen({
    address: TCP,
    handler: streamEcho,
    concurrent: true,
    onEvent: (e) => {
      events.push(e);
      // The second accepted client closes the server, from inside the engine's callback.
      if (e.type === "accepted" && events.filter((x) => x.type === "accepted").length === 2) {
        closing = server.close().then(() => void (eventsWhenClosed = events.map((x) => x.type)));
      }
    },
  });
  t.after(() => server.close());
  assert.equal(server.echoesNatively, true);
  const port = server.address.kind === "tcp" ? server.address.port : 0;
  const first = connectTo(server);
  await connected(first);
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the first client accepted" });
  const second = connectTo(server);
  const ended = Promise.all([readAll(first), readAll(second)]);
  // (not `() => closing`: waitUntil awaits what the condition returns)
  await waitUntil(() => closing !== undefined, { what: "close() called from the second accepted event" });
  await closing;
  assert.deepEqual(
    eventsWhenClosed?.filter((type) => type === "closed").length,
    2,
    `both clients' closed events before close() resolved: ${eventsWhenClosed?.join(", ")}`,
  );
  await ended; // both clients got EOF
  // The listening socket is gone: the same port binds again at once.
  const again = await StreamServer.listen({ address: { ...TCP, port }, handler: streamEcho });
  await again.close();
});

test("request/response: a polled client's short read ends its turn (one read per request), and data with its FIN right behind is still echoed and closed", { timeout: 30_000 }, async (t) => {
  const { server, events } = await echoServer(t, { concurrent: true });
  assert.equal(server.echoesNatively, true);
  const socket = connectTo(server);
  t.after(() => socket.destroy());
  await connected(socket);
  await waitUntil(() => events.find((e) => e.type === "accepted"), { what: "the accepted event" });
  const chunks: Buffer[] = [];
  let got = 0;
  socket.on("data", (c: Buffer) => {
    chunks.push(c);
    got += c.length;
  });
  const request = randomBytes(1024);
  const rounds = 20;
  // The accept turn found nothing yet (it reads until EAGAIN); from here each request comes
  // through the client's poll.
  const before = server.nativeEchoStats()!.reads;
  for (let i = 1; i <= rounds; i++) {
    socket.write(request);
    await waitUntil(() => got >= i * request.length || undefined, { what: `echo ${i}` });
  }
  const reads = server.nativeEchoStats()!.reads - before;
  // Until EAGAIN it would be two per request (the echo, then one finding nothing). A request
  // may arrive split (then more reads), so allow a little over one each.
  assert.ok(reads >= rounds && reads <= rounds + rounds / 4, `${reads} reads for ${rounds} requests`);
  // The last bytes and the FIN in one go: the short read ends the turn, the poll brings the EOF.
  const end = once(socket, "end");
  socket.end(request);
  await end;
  const all = Buffer.concat(chunks);
  assert.equal(all.length, (rounds + 1) * request.length);
  for (let i = 0; i <= rounds; i++) assert.ok(all.subarray(i * 1024, (i + 1) * 1024).equals(request), `echo ${i} differs`);
  const closed = await waitUntil(() => events.find((e) => e.type === "closed"), { what: "the closed event" });
  assert.equal(closed.type === "closed" && closed.received, (rounds + 1) * request.length);
  assert.equal(closed.type === "closed" && closed.sent, (rounds + 1) * request.length);
});

test("polling on: clients in another process doing request/response on 4 connections are served from polls after busy turns, every echo exact", { timeout: 60_000 }, async (t) => {
  if (PYTHON === undefined) return t.skip(NO_PYTHON);
  // The peer sends the next round a few µs after it reads the last echo. A wide window (the
  // default is 20 µs), so the test does not depend on this machine's timing or load (under
  // the sanitizers and a busy CI the default window can miss every time); one hit is
  // enough to show the path serves clients exactly.
  const stats = await rrPeerSession(t, streamEcho, { pollOnMicros: 5000, size: 1024 });
  assert.ok(stats.pollHits > 0, `polling on served clients (${stats.pollHits} polls; ${stats.pollMisses} windows found nothing)`);
});

test("polling on: pollOnMicros 0 never polls on, every echo still exact; a bad value is refused before anything is bound", { timeout: 60_000 }, async (t) => {
  if (PYTHON === undefined) return t.skip(NO_PYTHON);
  const stats = await rrPeerSession(t, streamEcho, { pollOnMicros: 0, size: 1024 });
  assert.deepEqual({ hits: stats.pollHits, misses: stats.pollMisses }, { hits: 0, misses: 0 });
  for (const bad of [-1, 1.5, Number.NaN, 1_000_001]) {
    await assert.rejects(StreamServer.listen({ address: TCP, handler: streamEcho, pollOnMicros: bad }), RangeError);
  }
});

test("polling on: one client at a time never polls on (its wake-ups are not busy), so an idle server spends nothing", { timeout: 30_000 }, async (t) => {
  // Even with a wide window: a single client's wake-ups are never busy.
  const { server } = await echoServer(t, { concurrent: true, pollOnMicros: 5000 });
  for (let k = 0; k < 3; k++) {
    const socket = connectTo(server);
    t.after(() => socket.destroy());
    await connected(socket);
    let got = 0;
    socket.on("data", (c: Buffer) => (got += c.length));
    for (let i = 1; i <= 50; i++) {
      socket.write(Buffer.alloc(1024, i));
      await waitUntil(() => got >= i * 1024 || undefined, { what: `echo ${i}` });
    }
    const end = once(socket, "end");
    socket.end();
    await end;
  }
  const stats = server.nativeEchoStats()!;
  assert.deepEqual({ hits: stats.pollHits, misses: stats.pollMisses }, { hits: 0, misses: 0 });
});

import type { SocklabEvent } from "../src/events.js";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { test } from "node:test";
import { parseAddress, type InetAddress } from "../src/address.js";
import { SEQUENTIAL_HOLD, StreamServer, type StreamHandler } from "../src/stream/server.js";
import { connectStream } from "../src/stream/connect.js";
import { readChunk, readUntilClose, sendAll, halfClose } from "../src/stream/io.js";
import { streamEcho } from "../src/services/echo.js";
import { listenExtras } from "../src/transports/registry.js";
import { lineEcho } from "../src/services/line-echo.js";
import { commandService } from "../src/services/cmd.js";
import { hold, waitUntil } from "./support/wait.js";
import { tempDir } from "./support/tmp.js";

async function start(t: { after: (fn: () => unknown) => void }, handler: StreamHandler, extra: Partial<Parameters<typeof StreamServer.listen>[0]> = {}) {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({ address: parseAddress("tcp://127.0.0.1:0"), handler, onEvent: (e) => events.push(e), ...extra });
  t.after(() => server.close());
  return { server, events, address: server.address };
}

test("sequential by default: the second client waits until the first has closed", async (t) => {
  const { address, events } = await start(t, streamEcho);
  const first = (await connectStream(address)).socket;
  const second = (await connectStream(address)).socket;
  await sendAll(second, "two");
  await sendAll(first, "one");
  assert.equal((await readChunk(first)).data.toString(), "one");
  // The second is accepted by the kernel but not served yet.
  const early = await Promise.race([readChunk(second), hold(150, "still unserved after a while").then(() => "waiting")]);
  assert.equal(early, "waiting");
  // Not served either: it waits its turn (held unread, or in the kernel's accept queue).
  assert.equal(events.filter((e) => e.type === "accepted").length, 1, JSON.stringify(events));
  first.end();
  assert.equal((await readChunk(second)).data.toString(), "two");
  second.destroy();
});

test("sequential: a few waiting clients are held unread, the rest stay in the kernel queue; all are served in turn", async (t) => {
  const { server, address, events } = await start(t, streamEcho);
  const first = (await connectStream(address)).socket;
  await sendAll(first, "0");
  assert.equal((await readChunk(first)).data.toString(), "0");
  const others: Socket[] = [];
  for (let i = 1; i <= SEQUENTIAL_HOLD + 5; i++) {
    const { socket } = await connectStream(address);
    others.push(socket);
    await sendAll(socket, String(i));
  }
  t.after(() => others.forEach((s) => s.destroy()));
  await waitUntil(() => server.waitingCount === SEQUENTIAL_HOLD, { what: `${SEQUENTIAL_HOLD} clients held` });
  await hold(150, "accepting has paused: no more clients are taken");
  assert.equal(server.waitingCount, SEQUENTIAL_HOLD);
  assert.equal(events.filter((e) => e.type === "accepted").length, 1, JSON.stringify(events));
  assert.equal(events.filter((e) => e.type === "queued").length, SEQUENTIAL_HOLD, JSON.stringify(events));
  first.end();
  // One after another, in the order they came, the held ones and then those from the kernel queue.
  for (const [i, socket] of others.entries()) {
    assert.equal((await readChunk(socket)).data.toString(), String(i + 1));
    socket.end();
  }
  await waitUntil(() => events.filter((e) => e.type === "closed").length === others.length + 1, { what: "every client closed" });
  assert.equal(server.waitingCount, 0);
});

test("concurrent: both clients are served at once", async (t) => {
  const { address } = await start(t, streamEcho, { concurrent: true });
  const a = (await connectStream(address)).socket;
  const b = (await connectStream(address)).socket;
  await sendAll(b, "b");
  assert.equal((await readChunk(b)).data.toString(), "b");
  await sendAll(a, "a");
  assert.equal((await readChunk(a)).data.toString(), "a");
  a.destroy();
  b.destroy();
});

test("idle timeout closes the connection and logs it", async (t) => {
  const { address, events } = await start(t, streamEcho, { idleTimeoutMs: 100 });
  const { socket } = await connectStream(address);
  await readUntilClose(socket);
  socket.destroy();
  assert.ok(
    events.some((e) => e.type === "idle-timeout" && /^tcp:\/\/127\.0\.0\.1:\d+$/.test(e.peer) && e.seconds === 0.1),
    JSON.stringify(events),
  );
});

test("line-echo: CRLF, split lines, many per read, final line without \\n", async (t) => {
  const { address } = await start(t, lineEcho());
  const { socket } = await connectStream(address);
  await sendAll(socket, "uno\r\nd");
  await hold(20, "the rest arrives in a later read");
  await sendAll(socket, "os\ntres\ncuatro");
  await halfClose(socket);
  assert.equal((await readUntilClose(socket)).toString(), "eco: uno\neco: dos\neco: tres\neco: cuatro\n");
  socket.destroy();
});

test("an over-long line is refused with a reply, and the next client is served", async (t) => {
  const { address, events } = await start(t, lineEcho({ maxLineLength: 16 }));
  const bad = (await connectStream(address)).socket;
  const good = (await connectStream(address)).socket;
  await sendAll(bad, "x".repeat(1000));
  assert.equal((await readUntilClose(bad)).toString(), "ERR línea demasiado larga\n");
  await sendAll(good, "hola\n");
  await halfClose(good);
  assert.equal((await readUntilClose(good)).toString(), "eco: hola\n");
  assert.ok(events.some((e) => e.type === "line-too-long" && e.limit === 16));
  bad.destroy();
  good.destroy();
});

test("line-echo: lines before an over-long one in the same read are answered, then the error reply; bytes kept exactly", async (t) => {
  const { address } = await start(t, lineEcho({ maxLineLength: 16 }));
  const { socket } = await connectStream(address);
  await sendAll(socket, Buffer.concat([Buffer.from("uno\r\n\xff\x00\x80\n", "latin1"), Buffer.from("ñ\n"), Buffer.from("x".repeat(40) + "\n")]));
  const reply = await readUntilClose(socket);
  socket.destroy();
  assert.deepEqual(
    reply,
    Buffer.concat([Buffer.from("eco: uno\neco: \xff\x00\x80\n", "latin1"), Buffer.from("eco: ñ\nERR línea demasiado larga\n")]),
  );
});

test("--trace counts the bytes a line service sends, also above 0x7f (latin1 writes)", async (t) => {
  const { address, events } = await start(t, lineEcho(), { trace: true });
  const { socket } = await connectStream(address);
  await sendAll(socket, "ñ\n"); // 2 bytes in UTF-8
  await halfClose(socket);
  assert.equal((await readUntilClose(socket)).toString(), "eco: ñ\n");
  socket.destroy();
  await waitUntil(() => events.some((e) => e.type === "closed"), { what: "the connection closed" });
  assert.deepEqual(events.filter((e) => e.type === "sent").map((e) => (e as { bytes: number }).bytes), [8]);
});

test("cmd: replies and the configurable unknown reply", async (t) => {
  const { address } = await start(t, commandService({ unknownReply: "ERR\n" }));
  const { socket } = await connectStream(address);
  await sendAll(socket, "PING\n  ECHO hola  \nTIME\nFOO\n\xff\n");
  await halfClose(socket);
  const reply = (await readUntilClose(socket)).toString();
  socket.destroy();
  assert.match(reply, /^PONG\nhola\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nERR\nERR\n$/);
});

test("backpressure: a peer that does not read makes the server stop reading", async (t) => {
  let served: Socket | undefined;
  const { address } = await start(t, (socket, ctx) => {
    served = socket;
    return streamEcho(socket, ctx);
  });
  const { socket } = await connectStream(address);
  socket.pause(); // never read the echo
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  // Write until our own side is full: the kernel buffers fill because the server stopped reading.
  for (let i = 0; i < 2000 && socket.write(chunk); i++) written += chunk.length;
  await hold(300, "let the server read and buffer all it would");
  assert.ok(served, "connection served");
  assert.ok(served!.writableLength <= 1024 * 1024, `server buffers ${served!.writableLength} bytes`);
  assert.ok(written < 2000 * chunk.length, "client writes were eventually refused");
  socket.destroy();
});

test("a reset peer does not take the server down", async (t) => {
  const { address, events } = await start(t, lineEcho(), { concurrent: true });
  const { socket } = await connectStream(address);
  socket.resetAndDestroy();
  await waitUntil(() => events.some((e) => e.type === "closed"), { what: "the server closed the reset connection" });
  const next = (await connectStream(address)).socket;
  await sendAll(next, "ok\n");
  await halfClose(next);
  assert.equal((await readUntilClose(next)).toString(), "eco: ok\n");
  next.destroy();
  assert.ok(events.filter((e) => e.type === "closed").length >= 1);
});

test("dual-stack on :: accepts IPv4 (as ::ffff:127.0.0.1) and IPv6", async (t) => {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({
    address: parseAddress("tcp://[::]:0"),
    handler: (s) => void s.end("hola dual\n"),
    dualStack: true,
    onEvent: (e) => events.push(e),
  });
  t.after(() => server.close());
  const port = server.address as InetAddress;
  // One socket serves both families, or (the OS keeps IPv6 sockets IPv6-only) a second IPv4
  // listener on the same port: `addresses` lists each, the IPv6 one first.
  assert.deepEqual(server.address, { kind: "tcp", family: "ipv6", host: "::", port: port.port });
  assert.equal(server.url, `tcp://[::]:${port.port}`);
  if (server.notes.some((n) => n.note === "dual-stack-fallback")) {
    assert.deepEqual(server.addresses, [server.address, { kind: "tcp", family: "ipv4", host: "0.0.0.0", port: port.port }]);
  } else {
    assert.ok(server.notes.some((n) => n.note === "dual-stack"), JSON.stringify(server.notes));
    assert.deepEqual(server.addresses, [server.address]);
  }
  for (const host of ["127.0.0.1", "[::1]"]) {
    const { socket } = await connectStream(parseAddress(`tcp://${host}:${port.port}`));
    assert.equal((await readUntilClose(socket)).toString(), "hola dual\n");
    socket.destroy();
  }
  assert.ok(events.some((e) => e.type === "accepted" && e.peer.includes("::ffff:127.0.0.1")), JSON.stringify(events));
});

test("close() is idempotent and stops a server with waiting clients", async (t) => {
  const { server, address, events } = await start(t, streamEcho);
  const a = (await connectStream(address)).socket;
  const b = (await connectStream(address)).socket;
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the first client served, the second waiting" });
  await Promise.all([server.close(), server.close()]);
  // Both clients see the server go away (EOF or reset), waiting one included.
  await Promise.all([readUntilClose(a).catch(() => {}), readUntilClose(b).catch(() => {})]);
  a.destroy();
  b.destroy();
});

test("close() removes its own socket file, never one re-bound at the same path since", async (t) => {
  const { existsSync, unlinkSync } = await import("node:fs");
  const { createServer } = await import("node:net");
  const dir = tempDir(t, "socklab-ino-");
  const path = `${dir}/s.sock`;
  // As the CLI does: bound natively (with its mode set before bind), removed by the runner.
  const listen = async () => {
    const address = parseAddress(`unix:${path}`);
    return StreamServer.listen({ address, handler: streamEcho, ...(await listenExtras(address)) });
  };
  const first = await listen();
  await first.close();
  assert.equal(existsSync(path), false, "own file removed");

  const ours = await listen();
  unlinkSync(path); // someone removed it and bound a new server there
  const other = createServer().listen(path);
  await new Promise((r) => other.once("listening", r));
  t.after(() => other.close());
  await ours.close();
  assert.equal(existsSync(path), true, "the other server's file is left alone");
});

test("a failed listen() removes the socket file it was given only if the path still names that file", async (t) => {
  const { closeSync, existsSync, openSync, readFileSync, readlinkSync, unlinkSync, writeFileSync } = await import("node:fs");
  const dir = tempDir(t, "socklab-fail-");
  const path = `${dir}/s.sock`;
  const address = parseAddress(`unix:${path}`);
  const failing = async (replace?: () => void) => {
    const { listenFd } = await listenExtras(address); // bound natively, as the CLI does
    t.after(() => closeSync(listenFd!));
    // listen(2) on a directory's descriptor fails (EINVAL) after the socket file exists,
    // as any failure after the bind would. The server owns the descriptor it is given:
    // refused, it is closed, not left open.
    const notASocket = openSync(dir, "r");
    const link = readlinkSync(`/proc/self/fd/${notASocket}`);
    const listening = StreamServer.listen({ address, handler: streamEcho, listenFd: notASocket });
    // listen() has recorded the file it was given before its first await: replace it now.
    replace?.();
    await assert.rejects(listening);
    let now: string | undefined;
    try {
      now = readlinkSync(`/proc/self/fd/${notASocket}`);
    } catch {
      now = undefined;
    }
    assert.notEqual(now, link, "the refused descriptor is closed");
  };

  await failing();
  assert.equal(existsSync(path), false, "its own file is removed");

  await failing(() => {
    unlinkSync(path); // someone removed it and put their own file there
    writeFileSync(path, "not yours");
  });
  assert.equal(readFileSync(path, "utf8"), "not yours", "the other file is left alone");
});

/**
 * Unix datagram sockets (guide exercise B1): socklab on both sides, the guide's Python
 * programs in both roles, and interop with `nc -Uu` and socat UNIX-SENDTO/UNIX-RECVFROM.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { UnixDatagramSocket, type UnixDatagramPeer } from "../src/unix/index.js";
import { abstractName, socketPath } from "./support/tmp.js";
import { missing, NC, PYTHON, SOCAT } from "./support/tools.js";
import { spawnTool } from "./support/process.js";
import { pyPeer } from "./support/python.js";
import { hold, waitUntil } from "./support/wait.js";

function nextMessage(socket: UnixDatagramSocket): Promise<[Buffer, UnixDatagramPeer]> {
  return once(socket, "message") as Promise<[Buffer, UnixDatagramPeer]>;
}

/** A B1 echo server: every datagram goes back to its sender. */
async function echoServer(t: { after(fn: () => unknown): void }, target: { path: string } | { abstract: string }) {
  const server = await UnixDatagramSocket.bind(target);
  t.after(() => server.close());
  server.on("message", (data, from) => {
    if ("unnamed" in from) return; // nobody to answer
    server.send(data, from).catch(() => undefined);
  });
  return server;
}

test("B1: socklab echo server and client, paths on both sides", async (t) => {
  const srvPath = socketPath(t, "srv");
  const cliPath = socketPath(t, "cli");
  await echoServer(t, { path: srvPath });
  const client = await UnixDatagramSocket.bind({ path: cliPath });
  t.after(() => client.close());
  assert.deepEqual(client.address(), { path: cliPath });
  const reply = nextMessage(client);
  await client.send(Buffer.from("hola"), { path: srvPath });
  const [data, from] = await reply;
  assert.equal(data.toString(), "hola");
  assert.deepEqual(from, { path: srvPath });
});

test("B1: autobind client, abstract server, connect + send", async (t) => {
  const name = abstractName();
  await echoServer(t, { abstract: name });
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  const address = client.address();
  assert.ok("abstract" in address && /^[0-9a-f]{5}$/.test(String(address.abstract)), JSON.stringify(address));
  await client.connect({ abstract: name });
  const reply = nextMessage(client);
  await client.send("hola");
  const [data, from] = await reply;
  assert.equal(data.toString(), "hola");
  assert.deepEqual(from, { abstract: name });
});

test("B1: a Python client peer against the socklab server", { skip: missing("python3", PYTHON) }, async (t) => {
  const srvPath = socketPath(t, "srv");
  const cliPath = socketPath(t, "cli");
  await echoServer(t, { path: srvPath });
  const result = await pyPeer(t, "unix-dgram-hello", [srvPath, cliPath], "B1 client").waitExit();
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "b'hola'\n");
});

test("B1: the socklab client against a Python server peer", { skip: missing("python3", PYTHON) }, async (t) => {
  const srvPath = socketPath(t, "srv");
  const server = pyPeer(t, "unix-dgram-echo", [srvPath], "B1 server");
  await server.waitForOutput(/^ready /m);
  for (const target of [{ path: socketPath(t, "cli") }, { autobind: true as const }]) {
    const client = await UnixDatagramSocket.bind(target);
    t.after(() => client.close());
    const reply = nextMessage(client);
    await client.send(Buffer.from("hola"), { path: srvPath });
    const [data, from] = await reply;
    assert.equal(data.toString(), "hola");
    assert.deepEqual(from, { path: srvPath });
  }
});

test("B1: nc -Uu as the client of a socklab server", { skip: missing("nc", NC) }, async (t) => {
  const srvPath = socketPath(t, "srv");
  const server = await echoServer(t, { path: srvPath });
  const received = nextMessage(server);
  const nc = spawnTool(t, NC!, ["-Uu", srvPath], "nc -Uu");
  nc.write("hola nc\n");
  const [data, from] = await received;
  assert.equal(data.toString(), "hola nc\n");
  // openbsd nc binds its client to a temporary path, so the echo can reach it.
  assert.ok("path" in from, `nc's address: ${JSON.stringify(from)}`);
  await nc.waitForOutput(/hola nc/);
  nc.kill();
});

test("B1: socklab as the client of nc -lUu", { skip: missing("nc", NC) }, async (t) => {
  const srvPath = socketPath(t, "srv");
  const nc = spawnTool(t, NC!, ["-lUu", srvPath], "nc -lUu");
  await waitUntil(() => existsSync(srvPath), { what: "nc -lUu bound its socket file", timeoutMs: 10_000 });
  const client = await UnixDatagramSocket.bind({ path: socketPath(t, "cli") });
  t.after(() => client.close());
  await client.send("hola desde socklab\n", { path: srvPath });
  await nc.waitForOutput(/hola desde socklab/);
  // nc connects to the first sender: typing into it reaches us.
  const reply = nextMessage(client);
  nc.write("respuesta\n");
  const [data] = await reply;
  assert.equal(data.toString(), "respuesta\n");
  nc.kill();
});

test("B1: socat UNIX-SENDTO to socklab and socklab to socat UNIX-RECVFROM", { skip: missing("socat", SOCAT) }, async (t) => {
  const srvPath = socketPath(t, "srv");
  const server = await UnixDatagramSocket.bind({ path: srvPath });
  t.after(() => server.close());
  const received = nextMessage(server);
  const sender = spawnTool(t, SOCAT!, ["-", `UNIX-SENDTO:${srvPath}`], "socat UNIX-SENDTO");
  sender.endInput("hola socat\n");
  const [data] = await received;
  assert.equal(data.toString(), "hola socat\n");
  await sender.waitExit();

  const recvPath = socketPath(t, "socat");
  const receiver = spawnTool(t, SOCAT!, ["-u", `UNIX-RECVFROM:${recvPath}`, "-"], "socat UNIX-RECVFROM");
  await waitUntil(() => existsSync(recvPath), { what: "socat UNIX-RECVFROM bound its socket file", timeoutMs: 10_000 });
  await server.send("hola recvfrom\n", { path: recvPath });
  await receiver.waitForOutput(/hola recvfrom/);
});

test("B1: socat to an abstract datagram socket and back", { skip: missing("socat", SOCAT) }, async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name });
  t.after(() => server.close());
  const received = nextMessage(server);
  const sender = spawnTool(t, SOCAT!, ["-", `ABSTRACT-SENDTO:${name}`], "socat ABSTRACT-SENDTO");
  sender.endInput("hola abstract dgram\n");
  const [data] = await received;
  assert.equal(data.toString(), "hola abstract dgram\n");
  await sender.waitExit();
});

test("close() is idempotent, removes the file it created, rejects later sends", async (t) => {
  const path = socketPath(t);
  const socket = await UnixDatagramSocket.bind({ path }, { mode: 0o600 });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const closed = once(socket, "close");
  await Promise.all([socket.close(), socket.close()]);
  await closed;
  await socket.close();
  assert.equal(existsSync(path), false);
  await assert.rejects(socket.send("x", { path }), { code: "ERR_SOCKET_CLOSED" });
});

test("close() leaves alone a file that replaced ours", async (t) => {
  const path = socketPath(t);
  const socket = await UnixDatagramSocket.bind({ path });
  const { unlinkSync } = await import("node:fs");
  unlinkSync(path);
  writeFileSync(path, "not ours");
  await socket.close();
  assert.equal(existsSync(path), true);
});

test("errors carry string codes and the address; bind refuses an existing path", async (t) => {
  const path = socketPath(t);
  const socket = await UnixDatagramSocket.bind({ path });
  t.after(() => socket.close());
  await assert.rejects(UnixDatagramSocket.bind({ path }), (err: NodeJS.ErrnoException & { address?: string }) => {
    assert.equal(err.code, "EADDRINUSE");
    assert.equal(err.syscall, "bind");
    assert.equal(err.path, path);
    assert.equal(err.address, `unix-dgram:${path}`);
    return true;
  });
  await assert.rejects(socket.send("x", { path: `${path}.missing` }), { code: "ENOENT", syscall: "sendto" });
  await assert.rejects(socket.send("x"), { code: "ENOTCONN" });
});

test("socket paths that do not fit sun_path are rejected, not truncated", async (t) => {
  const dir = socketPath(t, "");
  const long = `${dir}${"x".repeat(120)}`;
  await assert.rejects(UnixDatagramSocket.bind({ path: long }), { code: "ENAMETOOLONG", path: long });
  await assert.rejects(UnixDatagramSocket.bind({ abstract: "a".repeat(108) }), { code: "ENAMETOOLONG" });
  // 107 bytes fit an abstract name exactly (108 with the leading NUL).
  const fits = await UnixDatagramSocket.bind({ abstract: `${abstractName()}`.padEnd(107, "z") });
  await fits.close();
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  await assert.rejects(client.send("x", { path: long }), { code: "ENAMETOOLONG" });
});

test("datagrams larger than maxMessageSize arrive truncated and say so", async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name }, { maxMessageSize: 16 });
  t.after(() => server.close());
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  const got = once(server, "message");
  await client.send(Buffer.alloc(100, 1), { abstract: name });
  const [data, , info] = (await got) as [Buffer, UnixDatagramPeer, { size: number; truncated: boolean }];
  assert.equal(data.length, 16);
  assert.deepEqual(info, { size: 100, truncated: true });
});

test("a sender waits (not fails, not spins) while the receiver's queue is full", async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name });
  t.after(() => server.close());
  server.pause();
  const client = await UnixDatagramSocket.bind({ autobind: true }, { maxQueuedSends: 4096 });
  t.after(() => client.close());
  const count = 2000; // far beyond the default queue of the receiver (max_dgram_qlen 512)
  const sends = Array.from({ length: count }, (_, i) => client.send(Buffer.from(String(i)), { abstract: name }));
  let received = 0;
  const order: number[] = [];
  const all = new Promise<void>((resolve) => {
    server.on("message", (data) => {
      order.push(Number(data.toString()));
      if (++received === count) resolve();
    });
  });
  await hold(50, "the receiver stays paused while the sends pile up beyond its kernel queue");
  server.resume();
  await Promise.all(sends);
  await all;
  assert.deepEqual(order, Array.from({ length: count }, (_, i) => i));
});

test("the queue of waiting sends is bounded (ENOBUFS beyond maxQueuedSends)", async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name });
  t.after(() => server.close());
  server.pause();
  const client = await UnixDatagramSocket.bind({ autobind: true }, { maxQueuedSends: 8 });
  t.after(() => client.close());
  const settled = Promise.allSettled(Array.from({ length: 1000 }, () => client.send("x", { abstract: name })));
  await hold(20, "the receiver stays paused while the sends exceed maxQueuedSends");
  server.resume();
  const results = await settled;
  const refused = results.filter((r) => r.status === "rejected");
  assert.ok(refused.length > 0);
  for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.code, "ENOBUFS");
});

test("async iteration over messages, ending at close()", async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name });
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  const seen: string[] = [];
  const consumer = (async () => {
    for await (const message of server) {
      seen.push(message.data.toString());
      if (seen.length === 3) await server.close();
    }
  })();
  for (const word of ["uno", "dos", "tres"]) await client.send(word, { abstract: name });
  await consumer;
  assert.deepEqual(seen, ["uno", "dos", "tres"]);
});

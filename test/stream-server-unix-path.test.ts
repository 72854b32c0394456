/**
 * StreamServer.listen() on a Unix path through the plain library API (no listenFd): the path
 * is bound natively, as the CLI does, not by libuv. So the socket-file ownership rule holds
 * (close() removes the file only if the path still names the file it bound; libuv unlinked
 * whatever was there), accepting can pause (maxConnections: the excess waits in the kernel
 * queue, not accepted and held), and the plain echo is served by the native engine. The
 * options of the old path keep their meaning: socketMode, preparePath (stale-socket removal).
 * And a worker thread that listens and ends without close() leaves no descriptor behind (the
 * accept point's own descriptor is closed at the environment's teardown).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { closeSync, existsSync, readFileSync, readdirSync, readlinkSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import { Worker } from "node:worker_threads";
import { StreamServer, type StreamHandler } from "../src/stream/server.js";
import { streamEcho } from "../src/services/echo.js";
import { prepareSocketPath } from "../src/unix/socket-path.js";
import { listenUnixStream } from "../src/unix/index.js";
import type { SocklabEvent } from "../src/events.js";
import type { Teardown } from "./support/process.js";
import { abstractName, tempPath } from "./support/tmp.js";
import { nativeBinding, SOCK_DGRAM } from "../src/addon/binding.js";
import { hold, waitUntil } from "./support/wait.js";

async function unixServer(
  t: Teardown,
  path: string,
  options: Partial<Parameters<typeof StreamServer.listen>[0]> = {},
): Promise<{ server: StreamServer; events: SocklabEvent[] }> {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({ address: { kind: "unix", path }, handler: streamEcho, onEvent: (e) => events.push(e), ...options });
  t.after(() => server.close());
  return { server, events };
}

function connected(socket: net.Socket): Promise<unknown> {
  return once(socket, "connect");
}

/** Everything the client reads until the server's EOF. */
function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("end", () => resolve(Buffer.concat(chunks).toString()));
    socket.once("error", reject);
  });
}

test("library unix:PATH: close() leaves alone a file put at the path since, and removes its own", async (t) => {
  const path = tempPath(t, "lib.sock");
  const { server } = await unixServer(t, path);
  unlinkSync(path); // someone removed ours and put their own file there
  writeFileSync(path, "not yours");
  await server.close();
  assert.equal(readFileSync(path, "utf8"), "not yours", "the other file is left alone");

  unlinkSync(path);
  const { server: again } = await unixServer(t, path);
  assert.equal(statSync(path).isSocket(), true);
  await again.close();
  assert.equal(existsSync(path), false, "its own file is removed");
});

test("library unix:PATH: socketMode is the file's mode (default 0600); preparePath runs before bind", async (t) => {
  const path = tempPath(t, "mode.sock");
  const { server } = await unixServer(t, path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await server.close();

  // A stale socket (nobody listening) is at the path: preparePath (the CLI's) removes it.
  closeSync(listenUnixStream({ path }));
  assert.equal(statSync(path).isSocket(), true, "the stale socket file is there");
  const prepared: string[] = [];
  const { server: second } = await unixServer(t, path, {
    socketMode: 0o660,
    preparePath: async (p) => {
      prepared.push(p);
      await prepareSocketPath(p);
    },
  });
  assert.deepEqual(prepared, [path]);
  assert.equal(statSync(path).mode & 0o777, 0o660);
  const client = net.connect(path);
  const reply = readAll(client);
  client.end("through the new socket");
  assert.equal(await reply, "through the new socket");
  await second.close();
});

test("library unix:PATH: the plain echo is served by the native engine", async (t) => {
  const path = tempPath(t, "engine.sock");
  const { server, events } = await unixServer(t, path);
  assert.equal(server.echoesNatively, true);
  const client = net.connect(path);
  const reply = readAll(client);
  client.end("echoed in C");
  assert.equal(await reply, "echoed in C");
  await waitUntil(() => events.some((e) => e.type === "closed"), { what: "the closed event" });
  assert.equal(events.find((e) => e.type === "accepted")?.peer, `unix:${path}#1`);
});

test("library unix:PATH, JS path, maxConnections 2: accepting pauses, the rest wait in the kernel queue", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "pause.sock");
  // A handler that is not the plain echo: the JS path, where pausing is the AcceptPoint's.
  const handler: StreamHandler = (socket) => {
    socket.on("data", (chunk: Buffer) => socket.write(chunk));
    socket.on("end", () => socket.end());
  };
  const { server, events } = await unixServer(t, path, { handler, concurrent: true, maxConnections: 2 });
  assert.equal(server.echoesNatively, false);
  const clients = Array.from({ length: 5 }, () => net.connect(path));
  const replies = clients.map(readAll);
  await Promise.all(clients.map(connected)); // connect() completes in the kernel's queue
  await waitUntil(() => events.filter((e) => e.type === "accepted").length === 2, { what: "two clients accepted" });
  await hold(150, "accepting has paused: nobody more is accepted and held");
  assert.equal(server.activeCount, 2);
  assert.equal(server.waitingCount, 0, "nobody held accepted: the rest are in the kernel queue");
  assert.equal(events.filter((e) => e.type === "queued").length, 0, JSON.stringify(events));
  assert.equal(events.filter((e) => e.type === "accepted").length, 2, JSON.stringify(events));
  clients.forEach((c, i) => c.end(`client ${i}`));
  assert.deepEqual(
    await Promise.all(replies),
    clients.map((_, i) => `client ${i}`),
  );
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 5, { what: "five closed events" });
});

/** The inode of the listening TCP socket on 127.0.0.1:`port` (/proc/net/tcp, state 0A), if any. */
function listeningInode(port: number): string | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === `0100007F:${hexPort}` && f[3] === "0A") return f[9];
  }
  return undefined;
}

/** Our descriptors (this process: every thread) that are the socket with inode `inode`. */
function descriptorsOf(inode: string): string[] {
  const found: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `socket:[${inode}]`) found.push(fd);
    } catch {
      // closed meanwhile
    }
  }
  return found;
}

for (const [name, echo] of [
  ["the JS path", false],
  ["the native engine", true],
] as const) {
  test(`a worker that listens (${name}) and ends without close() leaves no descriptor of the socket; the port binds again`, { timeout: 30_000 }, async () => {
    const url = new URL("../src/index.js", import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       import(workerData.url).then(async ({ StreamServer, streamEcho }) => {
         const handler = workerData.echo ? streamEcho : (socket) => socket.pipe(socket);
         const server = await StreamServer.listen({ address: { kind: "tcp", host: "127.0.0.1", port: 0 }, handler });
         parentPort.postMessage({ port: server.address.port, native: server.echoesNatively });
       });`,
      { eval: true, workerData: { url, echo } },
    );
    const { port, native } = (await once(worker, "message"))[0] as { port: number; native: boolean };
    assert.equal(native, echo);
    const inode = listeningInode(port);
    assert.ok(inode !== undefined, "the worker's socket is listening");
    // The net.Server's descriptor and ours (kept for pausing; for the engine, its own too).
    assert.ok(descriptorsOf(inode).length >= 2, `descriptors of socket:[${inode}]: ${descriptorsOf(inode).join(", ")}`);
    await worker.terminate(); // no close(): the environment's teardown must close them all
    assert.deepEqual(descriptorsOf(inode), [], "no descriptor of the worker's socket is left open");
    assert.equal(listeningInode(port), undefined, "nothing listens there any more");
    const again = net.createServer();
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.listen({ host: "127.0.0.1", port, exclusive: true }, resolve);
    });
    await new Promise((resolve) => again.close(resolve));
  });
}

test("every net.Server has its connection routing before it listens: nothing accepted waits for a listener", { timeout: 30_000 }, async (t) => {
  // What replaced holding early connections and replaying them: whatever libuv accepts from
  // listen(2) on already has a listener. Checked at each Server.listen() call, for every kind.
  // listen(2) time's listeners must be the server's own routing, there for good: not a
  // stand-in removed once listen() has returned (as the holding of early connections was).
  const seen: { event: string; listeners: number; server: net.Server; at: Function[] }[] = [];
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const event = "setSecureContext" in this ? "secureConnection" : "connection"; // a tls.Server, or net
    seen.push({ event, listeners: this.listenerCount(event), server: this, at: this.listeners(event) });
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;
  t.after(() => {
    net.Server.prototype.listen = original;
  });
  const reader: StreamHandler = (socket) => {
    socket.on("end", () => socket.end());
    socket.resume();
  };
  const addresses = [
    { kind: "tcp", host: "127.0.0.1", port: 0 },
    { kind: "tls", host: "127.0.0.1", port: 0 },
    { kind: "unix", path: tempPath(t, "routed.sock") },
    { kind: "abstract", name: `socklab_routed_${process.pid}_${Date.now()}` },
  ] as const;
  for (const address of addresses) {
    const server = await StreamServer.listen({ address, handler: reader });
    t.after(() => server.close());
  }
  assert.deepEqual(
    seen.map((call) => call.event),
    ["connection", "secureConnection", "connection", "connection"],
  );
  // A pause and a resume: the resumed net.Server (a new one on the same socket) too.
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({
    address: { kind: "unix", path: tempPath(t, "resumed.sock") },
    handler: reader,
    concurrent: true,
    maxConnections: 1,
    onEvent: (e) => events.push(e),
  });
  t.after(() => server.close());
  const path = (server.address as { path: string }).path;
  const first = net.connect(path);
  const firstDone = readAll(first);
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the first client accepted (accepting pauses)" });
  const second = net.connect(path);
  const secondDone = readAll(second);
  await connected(second); // in the kernel queue
  first.end();
  await firstDone;
  await waitUntil(() => events.filter((e) => e.type === "accepted").length === 2, { what: "the second client accepted after the resume" });
  second.end();
  await secondDone;
  assert.ok(seen.length >= addresses.length + 2, `listen() calls: ${seen.length}`);
  const shown = JSON.stringify(seen.map(({ event, listeners }) => ({ event, listeners })));
  for (const { event, listeners, server, at } of seen) {
    assert.ok(listeners > 0, `a ${event} listener before listen(): ${shown}`);
    const now = server.listeners(event);
    assert.ok(at.every((listener) => now.includes(listener)), `the ${event} listeners at listen() are still there: ${shown}`);
  }
});

/** Every socket descriptor this process has open now, as /proc/self/fd names them. */
function socketDescriptors(): string[] {
  const found: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith("socket:")) found.push(`${fd} ${link}`);
    } catch {
      // the directory's own descriptor, closed by now
    }
  }
  return found.sort();
}

/**
 * Make net.Server.listen({ fd }) refuse the descriptor the way Node does for one it cannot
 * wrap (createServerHandle fails: an `error` event with EINVAL on the next tick, the
 * descriptor left untouched), while `refusing()` says so; restored after the test.
 */
function refuseDescriptors(t: Teardown, refusing: () => boolean): void {
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const first = args[0];
    if (refusing() && typeof first === "object" && first !== null && "fd" in first) {
      const err = Object.assign(new Error("listen EINVAL: invalid argument"), { code: "EINVAL", errno: -22, syscall: "listen" });
      process.nextTick(() => this.emit("error", err));
      return this;
    }
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;
  t.after(() => {
    net.Server.prototype.listen = original;
  });
}

test("a listening descriptor given to the server that Node refuses is closed, not left open", async () => {
  // A Unix datagram socket: Node's listen({ fd }) refuses it (not a handle type it knows).
  const native = nativeBinding("the test");
  const fd = native.socket(SOCK_DGRAM);
  assert.ok(fd >= 0, `socket(): ${fd}`);
  const link = readlinkSync(`/proc/self/fd/${fd}`);
  await assert.rejects(
    StreamServer.listen({ address: { kind: "abstract", name: abstractName() }, listenFd: fd, handler: streamEcho }),
    (err: Error) => /EINVAL|invalid/i.test(err.message),
  );
  let now: string | undefined;
  try {
    now = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    now = undefined; // closed
  }
  assert.notEqual(now, link, `descriptor ${fd} (${link}) is still open`);
});

test("library unix:PATH: a descriptor listenUnixStream made that Node refuses is closed, and the file removed", async (t) => {
  const path = tempPath(t, "refused.sock");
  const before = socketDescriptors();
  refuseDescriptors(t, () => true);
  await assert.rejects(StreamServer.listen({ address: { kind: "unix", path }, handler: streamEcho }), /EINVAL|invalid/i);
  assert.deepEqual(socketDescriptors(), before, "socket descriptors left open");
  assert.equal(existsSync(path), false, "the socket file bound for it is removed");
});

/** The inode of the listening Unix socket bound at `path` (/proc/net/unix), if any. */
function unixInode(path: string): string | undefined {
  for (const line of readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[7] === path) return f[6];
  }
  return undefined;
}

test("a resumed accept whose descriptor Node refuses closes that descriptor (reported as an accept error)", { timeout: 30_000 }, async (t) => {
  let refusing = false;
  refuseDescriptors(t, () => refusing);
  const events: SocklabEvent[] = [];
  const path = tempPath(t, "resume-refused.sock");
  const handler: StreamHandler = (socket) => {
    socket.on("data", () => {});
    socket.on("end", () => socket.end());
  };
  const server = await StreamServer.listen({ address: { kind: "unix", path }, handler, concurrent: true, maxConnections: 1, onEvent: (e) => events.push(e) });
  t.after(() => server.close());
  const inode = unixInode(path);
  assert.ok(inode !== undefined, "the server's socket is in /proc/net/unix");
  const first = net.connect(path);
  const firstDone = readAll(first);
  await waitUntil(() => events.some((e) => e.type === "accepted"), { what: "the first client accepted (accepting pauses)" });
  await waitUntil(() => descriptorsOf(inode).length === 1, { what: "only the accept point's own descriptor left (paused)" });
  refusing = true;
  first.end(); // room again: accepting resumes on a new descriptor, which Node refuses
  await firstDone;
  await waitUntil(() => events.some((e) => e.type === "error" && e.during === "accept"), { what: "the refused resume reported" });
  assert.equal(descriptorsOf(inode).length, 1, `descriptors of socket:[${inode}]: ${descriptorsOf(inode).join(", ")}`);
});

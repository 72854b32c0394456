/**
 * A client that connects as soon as the socket listens — before the server has said
 * "listening" — is served, not lost. From listen(2) on, libuv accepts; StreamServer.listen()
 * used to await (the socket file's inode; chmod; the dual-stack probe) before the server
 * attached its 'connection' listener, and a connection accepted in that window was held
 * open by nobody: never served, never closed (the client waited forever), and the server's
 * close() never finished, so its socket file stayed behind. Seen as the lab's B3 pair
 * "serve peercred × nc -U" hanging in CI: the lab starts the client once /proc/net/unix lists
 * the path, which is at bind(). Now each net.Server is routed before it listens (see
 * test/stream-server-unix-path.test.ts); these tests keep the window's conditions (libuv's
 * pool held busy while listen() runs) as the regression check.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { open } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import type { SocklabEvent } from "../src/events.js";
import { StreamServer, type StreamHandler } from "../src/stream/server.js";
import { listenUnixStream } from "../src/unix/index.js";
import { peercredService } from "../src/services/unix-services.js";
import { socklab } from "./support/cli.js";
import { socketPath, tempDir } from "./support/tmp.js";
import { waitUntil } from "./support/wait.js";

/** Connect to `path` (a listening socket: connect() completes in the kernel's queue) and read until EOF. */
function client(path: string): { socket: Socket; connected: Promise<unknown>; reply: Promise<string> } {
  const socket = connect({ path });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  const reply = new Promise<string>((resolve, reject) => {
    socket.once("end", () => resolve(Buffer.concat(chunks).toString()));
    socket.once("error", reject);
  });
  reply.catch(() => {}); // a refused attempt (retried) is not an unhandled rejection; awaiting it still rejects
  return { socket, connected: once(socket, "connect"), reply };
}

/** `p`, or a rejection naming `what` after `ms` (the bug made the client wait forever). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * Start `listen()` with libuv's thread pool held busy (each thread blocked in open(2) of a
 * FIFO with no writer yet), so its `await lstat()` cannot finish while the event loop polls
 * the listening socket: connections already queued are accepted in that window, as happens
 * by chance under load. Then let the pool go and return what `listen()` gave.
 */
async function listenWithPoolBusy<T>(t: { after(fn: () => unknown): void }, listen: () => Promise<T>): Promise<T> {
  const threads = Math.min(1024, Number(process.env.UV_THREADPOOL_SIZE) || 4);
  const dir = tempDir(t);
  const fifos = Array.from({ length: threads }, (_, i) => `${dir}/pool-${i}`);
  const made = spawnSync("mkfifo", fifos);
  assert.equal(made.status, 0, made.stderr?.toString());
  const blocked = fifos.map((f) => open(f, "r"));
  const listening = listen();
  // A few turns of the event loop: each polls the listening socket (already readable).
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  // A writer on each FIFO lets its blocked open() return.
  for (const f of fifos) closeSync(openSync(f, "w"));
  for (const handle of await Promise.all(blocked)) await handle.close();
  return listening;
}

test("clients queued before StreamServer.listen() are served, in order, and close() then removes the socket file", { timeout: 30_000 }, async (t) => {
  const path = socketPath(t, "early.sock");
  // Listening already (as `serve` binds it natively): these clients are in the accept queue.
  const fd = listenUnixStream({ path });
  const clients = [client(path), client(path), client(path)];
  await Promise.all(clients.map((c) => c.connected));
  let n = 0;
  const handler: StreamHandler = (socket) => void socket.end(`hola ${++n}\n`, () => socket.destroy());
  const events: SocklabEvent[] = [];
  const server = await listenWithPoolBusy(t, () =>
    StreamServer.listen({ address: { kind: "unix", path }, listenFd: fd, handler, onEvent: (e) => events.push(e) }),
  );
  let closed = false;
  t.after(() => (closed ? undefined : within(server.close(), 5000, "server.close()")));
  // Sequential: each in its turn, in the order they connected.
  const replies = await within(Promise.all(clients.map((c) => c.reply)), 10_000, "replies to the clients that connected early");
  assert.deepEqual(replies, ["hola 1\n", "hola 2\n", "hola 3\n"]);
  await waitUntil(() => events.filter((e) => e.type === "closed").length === 3, { what: "three closed events" });
  // Accepted together (the ones after the first wait their turn: `queued`), served one by one.
  assert.deepEqual(
    events.filter((e) => e.type !== "queued").map((e) => e.type),
    ["accepted", "closed", "accepted", "closed", "accepted", "closed"],
  );
  // No connection is left unowned: close() completes and removes the file it created.
  await within(server.close(), 5000, "server.close()");
  closed = true;
  assert.equal(existsSync(path), false, "the socket file is removed");
});

test("an early client still gets SO_PEERCRED's reply from the peercred service", { timeout: 30_000 }, async (t) => {
  const path = socketPath(t, "early-peercred.sock");
  const fd = listenUnixStream({ path });
  const early = client(path);
  await early.connected;
  const server = await listenWithPoolBusy(t, () => StreamServer.listen({ address: { kind: "unix", path }, listenFd: fd, handler: peercredService() }));
  t.after(() => within(server.close(), 5000, "server.close()"));
  const reply = await within(early.reply, 10_000, "the peercred reply");
  assert.equal(reply, `Hola UID=${process.getuid?.() ?? 0} PID=${process.pid}\n`);
});

test("socklab serve peercred: a client that connects as soon as it can (before the readiness line) gets its reply and EOF", { timeout: 60_000 }, async (t) => {
  for (let round = 0; round < 3; round++) {
    const path = socketPath(t, `asap-${round}.sock`);
    const server = socklab(["serve", "peercred", `unix:${path}`], { teardown: t });
    // Retry while the file is missing or not listening yet (ENOENT, ECONNREFUSED), as a
    // script polling for the socket file would: the first connect that succeeds is early.
    const connected = await waitUntil(
      async () => {
        const c = client(path);
        if (await c.connected.then(() => true, () => false)) return c;
        c.socket.destroy();
        return undefined;
      },
      { what: `round ${round}: a connect to ${path} that succeeds`, timeoutMs: 30_000, intervalMs: 5 },
    );
    const reply = await within(connected.reply, 10_000, `round ${round}: the reply of serve peercred`);
    assert.match(reply, /^Hola UID=\d+ PID=\d+\n$/);
    server.signal("SIGTERM");
    const exit = await server.waitExit();
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(existsSync(path), false, `round ${round}: the socket file is removed at stop`);
  }
});

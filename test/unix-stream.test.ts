/**
 * Unix stream sockets created natively: exercise 1 (path) and B2 (exact-length abstract
 * names), interop with nc -U / nc -U @name, socat ABSTRACT-LISTEN/CONNECT and the guide's
 * Python programs in both roles; socket-file hygiene (prepareSocketPath).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { dirname } from "node:path";
import {
  connectAbstractStream,
  connectUnixStream,
  listenAbstractStream,
  listenUnixStream,
  prepareSocketPath,
  UnixDatagramSocket,
} from "../src/unix/index.js";
import { describeError } from "../src/errors.js";
import { abstractName, socketPath } from "./support/tmp.js";
import { missing, NC, PYTHON, SOCAT } from "./support/tools.js";
import { spawnTool } from "./support/process.js";
import { pyPeer } from "./support/python.js";
import { waitUntil } from "./support/wait.js";

type Ctx = { after(fn: () => unknown): void };

/** A net.Server on a natively created listening descriptor. */
async function serve(t: Ctx, fd: number, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  server.listen({ fd });
  await once(server, "listening");
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
    socket.on("error", reject);
  });
}

const greet = (socket: Socket): void => {
  socket.end("hola abstract\n");
};

test("B2: socklab abstract server and client; no file is created", async (t) => {
  const name = abstractName();
  await serve(t, listenAbstractStream(name), greet);
  const client = await connectAbstractStream(name);
  assert.equal(await readAll(client), "hola abstract\n");
  assert.equal(existsSync(name), false);
  assert.equal(existsSync(`/tmp/${name}`), false);
});

test("B2: nc -U @name and socat ABSTRACT-CONNECT reach a socklab server", { skip: missing("nc", NC) || missing("socat", SOCAT) }, async (t) => {
  const name = abstractName();
  await serve(t, listenAbstractStream(name), greet);
  const nc = spawnTool(t, NC!, ["-U", `@${name}`], "nc -U @name");
  nc.endInput("");
  assert.equal((await nc.waitExit()).stdout.toString(), "hola abstract\n");
  const socat = spawnTool(t, SOCAT!, ["-", `ABSTRACT-CONNECT:${name}`], "socat ABSTRACT-CONNECT");
  socat.endInput("");
  assert.equal((await socat.waitExit()).stdout.toString(), "hola abstract\n");
});

test("B2: socklab reaches nc -lU @name and socat ABSTRACT-LISTEN", { skip: missing("nc", NC) || missing("socat", SOCAT) }, async (t) => {
  for (const [command, args] of [
    [NC!, (name: string) => ["-lU", `@${name}`]],
    [SOCAT!, (name: string) => [`ABSTRACT-LISTEN:${name}`, "-"]],
  ] as const) {
    const name = abstractName();
    const peer = spawnTool(t, command, args(name), command);
    peer.write("hola desde el peer\n");
    // The peer says nothing when it listens: retry while the connection is refused.
    const client = await waitUntil(
      () =>
        connectAbstractStream(name).catch((err: NodeJS.ErrnoException) => {
          assert.equal(err.code, "ECONNREFUSED");
          return undefined;
        }),
      { what: `${command} listens on @${name}`, timeoutMs: 10_000, intervalMs: 20 },
    );
    const got = once(client, "data");
    client.write("hola desde socklab\n");
    assert.equal(String((await got)[0]), "hola desde el peer\n");
    await peer.waitForOutput(/hola desde socklab/);
    client.destroy();
    peer.kill();
  }
});

test("B2: a Python client peer and server, both roles", { skip: missing("python3", PYTHON) }, async (t) => {
  const name = abstractName();
  await serve(t, listenAbstractStream(name), greet);
  const client = await pyPeer(t, "abstract-read", [`@${name}`], "B2 client").waitExit();
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.toString(), "b'hola abstract\\n'\n");

  const other = abstractName();
  const server = pyPeer(t, "abstract-greet", [other], "B2 server");
  await server.waitForStdoutLine(/^ready /, 15_000); // the peer listens before it says so
  const socket = await connectAbstractStream(other);
  assert.equal(await readAll(socket), "hola abstract\n");
  assert.equal((await server.waitExit()).code, 0);
});

test("1: a Python client peer against a socklab Unix stream server", { skip: missing("python3", PYTHON) }, async (t) => {
  const path = socketPath(t, "eco.sock");
  await serve(t, listenUnixStream({ path }, { mode: 0o600 }), (socket) => socket.pipe(socket));
  const client = await pyPeer(t, "unix-hello", [path], "1 client").waitExit();
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.toString(), "< b'hola desde UDS\\n'\n");
});

test("1: socklab client against nc -lU; a missing path says ENOENT", { skip: missing("nc", NC) }, async (t) => {
  const path = socketPath(t, "eco.sock");
  await assert.rejects(connectUnixStream({ path }), (err: Error & { code?: string; syscall?: string }) => {
    assert.equal(err.code, "ENOENT");
    assert.equal(err.syscall, "connect");
    // The CLI's one line for it.
    assert.equal(describeError(err), `unix:${path}: not found (no server is listening there)`);
    return true;
  });
  const nc = spawnTool(t, NC!, ["-lU", path], "nc -lU");
  // nc binds (the file appears) before it listens: until then a connect is refused, so retry it.
  const client = await waitUntil(() => connectUnixStream({ path }).catch(() => undefined), {
    what: "nc -lU accepting on its socket file",
    timeoutMs: 10_000,
  });
  client.write("hola desde UDS\n");
  await nc.waitForOutput(/hola desde UDS/);
  const got = once(client, "data");
  nc.write("eco\n");
  assert.equal(String((await got)[0]), "eco\n");
  client.destroy();
});

test("abstract connect to nobody is ECONNREFUSED with the address", async () => {
  const name = abstractName();
  await assert.rejects(connectAbstractStream(name), { code: "ECONNREFUSED", address: `abstract:${name}` });
});

test("paths too long are rejected before anything is created", async (t) => {
  const path = `${socketPath(t, "")}/${"y".repeat(110)}`;
  assert.throws(() => listenUnixStream({ path }), { code: "ENAMETOOLONG" });
  await assert.rejects(connectUnixStream({ path }), { code: "ENAMETOOLONG" });
  assert.throws(() => listenAbstractStream("n".repeat(108)), { code: "ENAMETOOLONG" });
});

test("prepareSocketPath: free, stale (stream and datagram), live, and not a socket", async (t) => {
  const dir = dirname(socketPath(t));
  mkdirSync(dir, { recursive: true });
  // Nothing there.
  await prepareSocketPath(`${dir}/free.sock`);

  // A regular file is never replaced.
  const file = `${dir}/file`;
  writeFileSync(file, "data");
  await assert.rejects(prepareSocketPath(file), (err: Error & { code?: string }) => {
    assert.equal(err.code, "EEXIST");
    assert.match(err.message, /exists and is not a socket; refusing to replace it/);
    return true;
  });
  assert.equal(existsSync(file), true);

  // A live stream listener and a live datagram socket are in use.
  const live = `${dir}/live.sock`;
  const server = await serve(t, listenUnixStream({ path: live }), (s) => s.destroy());
  await assert.rejects(prepareSocketPath(live), { code: "EADDRINUSE", message: /already in use/ });
  const dgramPath = `${dir}/live-dgram.sock`;
  const dgram = await UnixDatagramSocket.bind({ path: dgramPath });
  await assert.rejects(prepareSocketPath(dgramPath), { code: "EADDRINUSE" });

  // Stale ones (their owner is gone, the file stays) are removed.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.equal(existsSync(live), true, "a server on a descriptor leaves its file");
  await prepareSocketPath(live);
  assert.equal(existsSync(live), false);
  // A closed datagram socket's file: bound, renamed (close() then finds nothing to remove).
  const staleDgram = `${dir}/stale-dgram.sock`;
  const leaver = await UnixDatagramSocket.bind({ path: `${dir}/moved.sock` });
  renameSync(`${dir}/moved.sock`, staleDgram);
  await leaver.close();
  await prepareSocketPath(staleDgram);
  assert.equal(existsSync(staleDgram), false);
  await dgram.close();
});

/**
 * SO_PEERCRED (guide exercise B3): the pid/uid/gid the kernel recorded for the peer, checked
 * against processes whose pid we know (python3, nc, this process).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { once } from "node:events";
import { connectUnixStream, listenUnixStream, peerCredentials, type PeerCredentials } from "../src/unix/index.js";
import { abstractName, socketPath } from "./support/tmp.js";
import { missing, NC, PYTHON } from "./support/tools.js";
import { spawnTool } from "./support/process.js";
import { pyPeer } from "./support/python.js";

type Ctx = { after(fn: () => unknown): void };

/** The B3 server: logs the peer's credentials and replies `Hola UID=<uid> PID=<pid>\n`. */
async function peercredServer(t: Ctx, target: { path: string } | { abstract: string }): Promise<PeerCredentials[]> {
  const seen: PeerCredentials[] = [];
  const server = createServer((socket: Socket) => {
    const cred = peerCredentials(socket);
    seen.push(cred);
    socket.end(`Hola UID=${cred.uid} PID=${cred.pid}\n`);
  });
  server.listen({ fd: listenUnixStream(target) });
  await once(server, "listening");
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return seen;
}

test("B3: a Python client peer; the pid is the client process's", { skip: missing("python3", PYTHON) }, async (t) => {
  const path = socketPath(t, "peercd.sock");
  const seen = await peercredServer(t, { path });
  const client = pyPeer(t, "abstract-read", [path], "B3 client");
  const result = await client.waitExit();
  assert.equal(result.code, 0, result.stderr);
  const uid = process.getuid!();
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0], { pid: client.pid, uid, gid: process.getgid!() });
  assert.equal(result.stdout.toString(), `b'Hola UID=${uid} PID=${client.pid}\\n'\n`);
});

test("B3: nc -U as the client; its pid is reported", { skip: missing("nc", NC) }, async (t) => {
  const name = abstractName();
  const seen = await peercredServer(t, { abstract: name });
  const nc = spawnTool(t, NC!, ["-U", `@${name}`], "nc -U");
  nc.endInput("");
  const result = await nc.waitExit();
  assert.equal(result.stdout.toString(), `Hola UID=${process.getuid!()} PID=${nc.pid}\n`);
  assert.equal(seen[0]?.pid, nc.pid);
});

test("B3: socklab client against a Python server peer sees its own pid", { skip: missing("python3", PYTHON) }, async (t) => {
  const path = socketPath(t, "peercd.sock");
  const server = pyPeer(t, "peercred", [path], "B3 server");
  await server.waitForStdoutLine(/^ready /, 15_000); // the peer listens before it says so
  const socket = await connectUnixStream({ path });
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  await once(socket, "end");
  assert.equal(Buffer.concat(chunks).toString(), `Hola UID=${process.getuid!()} PID=${process.pid}\n`);
  // The Python server peer logged the same credentials.
  assert.equal((await server.waitExit()).code, 0);
  assert.match(server.stdout.toString(), new RegExp(`pid=${process.pid} `));
});

test("peerCredentials on our own connection, and on a closed socket", async (t) => {
  const name = abstractName();
  await peercredServer(t, { abstract: name });
  const socket = await connectUnixStream({ abstract: name });
  const mine = peerCredentials(socket); // the server is this process too
  assert.equal(mine.pid, process.pid);
  socket.destroy();
  assert.throws(() => peerCredentials(socket), { code: "EBADF" });
});

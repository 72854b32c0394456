/**
 * SCM_RIGHTS (guide exercise B4): a passed descriptor reads the right file, in both roles
 * against the guide's Python programs; several descriptors; extra ones closed; timeouts;
 * and no descriptor leak across 10,000 passes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { closeSync, fstatSync, openSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import {
  closeDescriptors,
  connectUnixStream,
  listenUnixStream,
  readDescriptor,
  receiveDescriptors,
  sendDescriptors,
  type SentDescriptors,
} from "../src/unix/index.js";
import { abstractName, socketPath, tempDir } from "./support/tmp.js";
import { missing, PYTHON } from "./support/tools.js";
import { openDescriptorCount } from "./support/process.js";
import { pyPeer } from "./support/python.js";
import { waitUntil } from "./support/wait.js";

type Ctx = { after(fn: () => unknown): void };

function fileWith(t: Ctx, content: string, name = "shared.txt"): string {
  const path = `${tempDir(t)}/${name}`;
  writeFileSync(path, content);
  return path;
}

/** Give handles that are closing a moment to do so (the assertion after it is the check). */
async function descriptorsBackTo(count: number): Promise<void> {
  await waitUntil(() => openDescriptorCount() === count, { what: `${count} open descriptors`, timeoutMs: 2000 }).catch(() => undefined);
}

async function serve(t: Ctx, target: { path: string } | { abstract: string }, handler: (s: Socket) => void): Promise<Server> {
  const server = createServer(handler);
  const open = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  server.listen({ fd: listenUnixStream(target) });
  await once(server, "listening");
  t.after(() => {
    // close() waits for every connection: end the ones a test kept open.
    for (const socket of open) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

/** The B4 server: sends payload `FD` with an open descriptor of `file`; `onSent` gets what was sent and the number opened. */
function fdServer(file: string, onSent?: (sent: SentDescriptors, opened: number) => void): (socket: Socket) => void {
  return (socket) => {
    const fd = openSync(file, "r");
    sendDescriptors(socket, Buffer.from("FD"), [fd])
      .then((sent) => onSent?.(sent, fd))
      .finally(() => closeSync(fd))
      .then(() => socket.end(), () => socket.destroy());
  };
}

test("B4: socklab server and client; the descriptor reads the right file; each side knows its number", async (t) => {
  const file = fileWith(t, "contenido del archivo\n");
  const name = abstractName();
  let sender: { sent: SentDescriptors; opened: number } | undefined;
  await serve(t, { abstract: name }, fdServer(file, (sent, opened) => (sender = { sent, opened })));
  const socket = await connectUnixStream({ abstract: name }, { paused: true });
  const got = await receiveDescriptors(socket, { timeoutMs: 5000 });
  socket.destroy();
  assert.equal(got.payload.toString(), "FD");
  assert.equal(got.fds.length, 1);
  assert.equal(got.truncated, false);
  // The sender's number is the one it opened; the receiver's, a descriptor open here on the same file.
  await waitUntil(() => sender !== undefined, { what: "the sender's result", timeoutMs: 5000 });
  assert.deepEqual(sender!.sent, { fds: [sender!.opened], bytes: 2 });
  const mine = got.fds[0]!;
  assert.ok(Number.isInteger(mine) && mine > 2, `received number ${mine}`);
  const [here, there] = [fstatSync(mine), statSync(file)];
  assert.deepEqual([here.dev, here.ino], [there.dev, there.ino], "the received number opens the sent file");
  assert.equal((await readDescriptor(got.fds[0]!)).toString(), "contenido del archivo\n");
  closeDescriptors(got.fds);
});

test("B4: a Python server peer sends, socklab receives", { skip: missing("python3", PYTHON) }, async (t) => {
  const file = fileWith(t, "desde python\n");
  const path = socketPath(t, "fdpass.sock");
  const server = pyPeer(t, "fd-sender", [path, file], "B4 server");
  await server.waitForStdoutLine(/^ready /, 15_000); // the peer listens before it says so
  const socket = await connectUnixStream({ path }, { paused: true });
  const got = await receiveDescriptors(socket, { timeoutMs: 5000 });
  socket.destroy();
  assert.equal(got.payload.toString(), "FD");
  assert.equal((await readDescriptor(got.fds[0]!)).toString(), "desde python\n");
  closeDescriptors(got.fds);
  assert.equal((await server.waitExit()).code, 0);
});

test("B4: socklab server sends, a Python client peer prints the file", { skip: missing("python3", PYTHON) }, async (t) => {
  const file = fileWith(t, "hola desde el descriptor\n");
  const path = socketPath(t, "fdpass.sock");
  await serve(t, { path }, fdServer(file));
  const result = await pyPeer(t, "fd-receiver", [path], "B4 client").waitExit();
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "hola desde el descriptor\n\n");
});

test("several descriptors in one message, each reading its own file", async (t) => {
  const files = ["a", "b", "c"].map((x) => fileWith(t, `file ${x}\n`, x));
  const name = abstractName();
  await serve(t, { abstract: name }, (socket) => {
    const fds = files.map((f) => openSync(f, "r"));
    sendDescriptors(socket, Buffer.from("FDS"), fds)
      .finally(() => fds.forEach((fd) => closeSync(fd)))
      .then(() => socket.end(), () => socket.destroy());
  });
  const socket = await connectUnixStream({ abstract: name }, { paused: true });
  const got = await receiveDescriptors(socket);
  socket.destroy();
  assert.equal(got.fds.length, 3);
  const contents = await Promise.all(got.fds.map((fd) => readDescriptor(fd)));
  assert.deepEqual(contents.map(String), ["file a\n", "file b\n", "file c\n"]);
  closeDescriptors(got.fds);
});

test("descriptors beyond maxDescriptors are closed and reported as truncated", async (t) => {
  const file = fileWith(t, "x");
  const name = abstractName();
  await serve(t, { abstract: name }, (socket) => {
    const fds = [openSync(file, "r"), openSync(file, "r"), openSync(file, "r")];
    sendDescriptors(socket, Buffer.from("FD"), fds)
      .finally(() => fds.forEach((fd) => closeSync(fd)))
      .then(() => socket.end(), () => socket.destroy());
  });
  // Warm up (lazy handles, addon load) so the count below measures only this exchange.
  const warm = await connectUnixStream({ abstract: name }, { paused: true });
  closeDescriptors((await receiveDescriptors(warm)).fds);
  warm.destroy();
  await once(warm, "close");
  const before = openDescriptorCount();
  const socket = await connectUnixStream({ abstract: name }, { paused: true });
  const got = await receiveDescriptors(socket, { maxDescriptors: 1 });
  assert.equal(got.fds.length, 1);
  assert.equal(got.truncated, true);
  closeDescriptors(got.fds);
  socket.destroy();
  await once(socket, "close");
  await descriptorsBackTo(before);
  assert.equal(openDescriptorCount(), before);
});

test("receiveDescriptors: timeout, abort, and a peer that closes without sending", async (t) => {
  const name = abstractName();
  const held: Socket[] = [];
  await serve(t, { abstract: name }, (socket) => {
    held.push(socket);
  });
  t.after(() => held.forEach((s) => s.destroy()));
  const a = await connectUnixStream({ abstract: name }, { paused: true });
  await assert.rejects(receiveDescriptors(a, { timeoutMs: 50 }), { code: "ETIMEDOUT" });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(receiveDescriptors(a, { signal: controller.signal }), { name: "AbortError" });
  await waitUntil(() => held.length > 0, { what: "the server accepted the client" });
  held[0]!.end();
  const got = await receiveDescriptors(a, { timeoutMs: 5000 });
  assert.deepEqual({ end: got.end, fds: got.fds, length: got.payload.length }, { end: true, fds: [], length: 0 });
  a.destroy();
  await assert.rejects(sendDescriptors(a, Buffer.from("x"), [0]), { code: "EBADF" });
  await assert.rejects(sendDescriptors(a, Buffer.alloc(0), [0]), { code: "ERR_INVALID_ARG_VALUE" });
});

test("no descriptor leak across 10,000 passes", async (t) => {
  const file = fileWith(t, "leak check\n");
  const fd = openSync(file, "r");
  t.after(() => closeSync(fd));
  const name = abstractName();
  let serverSide: Socket | undefined;
  let onAccept!: (socket: Socket) => void;
  const accepted = new Promise<Socket>((resolve) => {
    onAccept = resolve;
  });
  await serve(t, { abstract: name }, onAccept);
  const client = await connectUnixStream({ abstract: name }, { paused: true });
  serverSide = await accepted;
  t.after(() => {
    client.destroy();
    serverSide?.destroy();
  });
  const passes = 10_000;
  const pass = async (): Promise<void> => {
    const sent = sendDescriptors(serverSide!, Buffer.from("FD"), [fd]);
    const got = await receiveDescriptors(client, { maxPayload: 2 });
    await sent;
    assert.equal(got.fds.length, 1);
    closeDescriptors(got.fds);
  };
  for (let i = 0; i < 100; i++) await pass(); // warm-up
  const before = openDescriptorCount();
  for (let i = 0; i < passes; i++) await pass();
  await descriptorsBackTo(before); // pending poll handles close a little later
  assert.equal(openDescriptorCount(), before);
});

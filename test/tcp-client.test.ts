import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { test } from "node:test";
import { connectTcp } from "../src/tcp/connect.js";
import { readExactly, readLines, recvAll, sendAll, halfClose, readUntilClose } from "../src/stream/io.js";
import { UnavailableError } from "../src/errors.js";
import { spawnPython } from "./support/python.js";

async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function listen(server: Server, port = 0, host = "127.0.0.1"): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

test("refused on every attempt: N attempts recorded, then UnavailableError", async () => {
  const port = await freePort();
  const seen: number[] = [];
  await assert.rejects(
    connectTcp({ host: "127.0.0.1", port, attempts: 3, backoffMs: 20, onAttemptFailed: (r) => seen.push(r.attempt) }),
    (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assert.equal(err.attempts.length, 3);
      assert.equal(err.attempts[0]!.code, "ECONNREFUSED");
      assert.deepEqual(err.attempts.map((a) => a.delayMs), [20, 40, 0]);
      assert.match(err.message, /server unavailable after 3 attempts/);
      return true;
    },
  );
  assert.deepEqual(seen, [1, 2, 3]);
});

test("a server that comes up late is reached by a later attempt", async (t) => {
  const port = await freePort();
  const server = createServer((s) => s.end("late\n"));
  t.after(() => server.close());
  setTimeout(() => void listen(server, port), 150);
  const { socket, attempts } = await connectTcp({ host: "127.0.0.1", port, attempts: 10, backoffMs: 50 });
  assert.ok(attempts.length >= 1);
  assert.equal((await readUntilClose(socket)).toString(), "late\n");
  socket.destroy();
});

test("connect timeout per attempt against a full backlog", async (t) => {
  // A listener that never accepts (python3, backlog 0): once its queue is full, SYNs are dropped.
  const py = spawnPython("import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(20)", { teardown: t });
  const [line] = await py.waitForStdoutLine(/^\d+$/, 10_000);
  const port = Number(line);
  const fillers: import("node:net").Socket[] = [];
  for (let i = 0; i < 3; i++) {
    try {
      const filler = (await connectTcp({ host: "127.0.0.1", port, timeoutMs: 300 })).socket;
      filler.on("error", () => {}); // reset when the never-accepting listener goes away
      fillers.push(filler);
    } catch {
      break;
    }
  }
  t.after(() => fillers.forEach((s) => s.destroy()));
  await assert.rejects(connectTcp({ host: "127.0.0.1", port, timeoutMs: 200, attempts: 2, backoffMs: 10 }), (err: unknown) => {
    assert.ok(err instanceof UnavailableError);
    assert.equal(err.attempts[0]!.code, "ETIMEDOUT");
    return true;
  });
});

test("every resolved address is tried: localhost reaches an IPv4-only server", async (t) => {
  const server = createServer((s) => s.end("v4\n"));
  t.after(() => server.close());
  const port = await listen(server, 0, "127.0.0.1");
  const { socket, address } = await connectTcp({ host: "localhost", port });
  assert.equal(address, `tcp://127.0.0.1:${port}`);
  assert.equal((await readUntilClose(socket)).toString(), "v4\n");
  socket.destroy();
});

test("abort signal stops the retries", async () => {
  const port = await freePort();
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("stop")), 50);
  await assert.rejects(connectTcp({ host: "127.0.0.1", port, attempts: 100, backoffMs: 1000, signal: controller.signal }), /stop/);
});

test("recvAll, readExactly and readLines leave extra bytes for the next read", async (t) => {
  const server = createServer({ allowHalfOpen: true }, (s) => s.end("ab\ncd\nefgh"));
  t.after(() => server.close());
  const port = await listen(server);
  const { socket } = await connectTcp({ host: "127.0.0.1", port });
  assert.equal((await readLines(socket, 1)).data.toString(), "ab\n");
  assert.equal((await readExactly(socket, 2)).toString(), "cd");
  assert.equal((await recvAll(socket, 1)).toString(), "\n");
  assert.equal((await recvAll(socket)).toString(), "efgh");
  await assert.rejects(readExactly(socket, 1), /peer closed after 0 of 1 bytes/);
  socket.destroy();
});

test("half-close: the peer sees EOF and can still answer", async (t) => {
  const server = createServer({ allowHalfOpen: true }, async (s) => {
    const got = await readUntilClose(s);
    s.end(`got ${got.length}\n`);
  });
  t.after(() => server.close());
  const port = await listen(server);
  const { socket } = await connectTcp({ host: "127.0.0.1", port });
  await sendAll(socket, "uno\ndos\ntres\n");
  await halfClose(socket);
  assert.equal((await readUntilClose(socket)).toString(), "got 13\n");
  socket.destroy();
});

// The batched Unix datagram server endpoint (src/unix/dgram-batch.ts, what
// `socklab serve echo unix-dgram:PATH` runs on): byte-exact echo of bursts from several
// senders (path, abstract, autobound), an unbound sender reported instead of answered,
// file permissions and removal as before.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { test, type TestContext } from "node:test";
import { DatagramServer } from "../src/datagram/server.js";
import type { SocklabEvent } from "../src/events.js";

/** The datagram server's events as the log lines this test reads. */
function eventLine(e: SocklabEvent): string {
  if (e.type === "datagram-in") return `datagram ${e.peer} ${e.bytes} bytes`;
  if (e.type === "error") return `error ${e.message}`;
  return e.type;
}
import { datagramEcho } from "../src/services/echo.js";
import { bindUnixDatagramBatched, canBatchUnixDatagrams } from "../src/unix/dgram-batch.js";
import { UnixDatagramSocket, type UnixDatagramPeer } from "../src/unix/index.js";
import { spawnProc } from "./support/process.js";
import { tempPath } from "./support/tmp.js";
import { waitUntil } from "./support/wait.js";

const NO_ADDON = "the native addon is not built here (npm install builds it)";

async function echoServer(t: TestContext, path: string) {
  const endpoint = await bindUnixDatagramBatched({ kind: "unix-dgram", path }, { path }, 0o600);
  const log: string[] = [];
  const server = new DatagramServer({ endpoint, responder: datagramEcho, onEvent: (e) => log.push(eventLine(e)) });
  t.after(() => server.close());
  return { server, endpoint, log };
}

/** Send every payload to `to` at once; resolve with the replies (and their senders). */
function burst(socket: UnixDatagramSocket, to: string, payloads: Buffer[], timeoutMs = 5000): Promise<[Buffer, UnixDatagramPeer][]> {
  return new Promise((resolve, reject) => {
    const got: [Buffer, UnixDatagramPeer][] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${payloads.length} replies`)), timeoutMs);
    const onMessage = (data: Buffer, from: UnixDatagramPeer): void => {
      got.push([data, from]);
      if (got.length === payloads.length) {
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve(got);
      }
    };
    socket.on("message", onMessage);
    for (const p of payloads) socket.send(p, { path: to }).catch(reject);
  });
}

test("batched Unix datagram echo: bursts from three senders come back byte-exact to each", async (t) => {
  if (!canBatchUnixDatagrams()) return t.skip(NO_ADDON);
  const path = tempPath(t, "srv");
  const { server, endpoint, log } = await echoServer(t, path);
  assert.equal(typeof endpoint.onBatch, "function");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const clients = [
    await UnixDatagramSocket.bind({ path: tempPath(t, "cli") }),
    await UnixDatagramSocket.bind({ abstract: `socklab-test-${process.pid}-${Date.now()}` }),
    await UnixDatagramSocket.bind({ autobind: true }),
  ];
  for (const c of clients) t.after(() => c.close());
  for (let round = 0; round < 10; round++) {
    const sent = clients.map((_, k) =>
      Array.from({ length: 12 }, (_, j) => (j === 0 ? Buffer.alloc(0) : Buffer.from(`${k}:${round}:${j}:${"x".repeat(j * 97)}`))),
    );
    const got = await Promise.all(clients.map((c, k) => burst(c, path, sent[k]!)));
    got.forEach((replies, k) => {
      assert.deepEqual(replies.map(([d]) => d.toString("hex")).sort(), sent[k]!.map((b) => b.toString("hex")).sort());
      for (const [, from] of replies) assert.deepEqual(from, { path });
    });
  }
  assert.equal(server.received, 360);
  assert.equal(server.sent, 360);
  const abstract = clients[1]!.address() as { abstract: string };
  await waitUntil(() => log.length >= 360, { what: "360 log lines", timeoutMs: 3000, intervalMs: 5 }).catch(() => undefined); // the assertion below is the check
  assert.ok(log.includes(`datagram abstract-dgram:${abstract.abstract} 0 bytes`), "senders are logged in socklab notation");
});

test("batched Unix datagram server: an unbound sender is logged and reported, not answered; close removes the file", async (t) => {
  if (!canBatchUnixDatagrams()) return t.skip(NO_ADDON);
  const path = tempPath(t, "srv");
  const { server, log } = await echoServer(t, path);
  // Python as the peer: a socket that never binds has no address to answer.
  const sent = await spawnProc("python3", ["-c", "import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.sendto(b'anon',sys.argv[1])", path], { teardown: t }).waitExit();
  assert.equal(sent.code, 0, sent.stderr);
  await waitUntil(() => log.length >= 2, { what: "two log lines", timeoutMs: 3000 }).catch(() => undefined); // the assertions below are the check
  assert.deepEqual(log[0], "datagram unnamed 4 bytes");
  assert.match(log[1] ?? "", /^error .*unnamed.*unbound socket/);
  assert.equal(server.sent, 0);
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  const replies = await burst(client, path, [Buffer.from("hola")]);
  assert.equal(replies[0]![0].toString(), "hola");
  await server.close();
  assert.equal(existsSync(path), false, "the socket file we created is removed");
});

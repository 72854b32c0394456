// The batch socket's "poll on" (src/datagram/batch-socket.ts #onReadable): after a busy
// wake-up drains the socket it keeps polling briefly instead of sleeping, so a pipelined
// client's refill is caught at once. What must still hold with it: byte-exact replies, in
// order, to each of several pipelined senders (sizes 0–1499 and 60 000 bytes); every datagram
// seen once and every datagram-in event present; an unbound sender reported, not answered;
// the bounded reply queue (reading pauses, nothing lost) and no polling while replies wait.
// The clients are Python processes (test/support/peers.py): a client in this process could
// not send while the server polls.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { BatchDatagramSocket, hasBatchFunctions } from "../src/datagram/batch-socket.js";
import { DatagramServer } from "../src/datagram/server.js";
import { datagramEcho } from "../src/services/echo.js";
import { isNativeAvailable, nativeBinding, SOCK_DGRAM } from "../src/addon/binding.js";
import { bindUnixDatagramBatched } from "../src/unix/dgram-batch.js";
import { decodeSockaddr, encodeTarget, formatUnixPeer, SOCKADDR_UN_SIZE } from "../src/unix/sockaddr.js";
import { PYTHON, spawnPeer } from "./support/python.js";
import { tempPath } from "./support/tmp.js";
import { hold, waitUntil } from "./support/wait.js";

const NO_ADDON = "the native addon is not built here (npm install builds it)";
const NO_PYTHON = "python3 is not installed (the pipelined clients are Python peers)";

function skipReason(): string | undefined {
  if (!isNativeAvailable() || !hasBatchFunctions(nativeBinding("batched Unix datagrams"))) return NO_ADDON;
  if (PYTHON === undefined) return NO_PYTHON;
  return undefined;
}

interface Served {
  socket: BatchDatagramSocket;
  /** Datagrams seen by the batch handler, per sender as logged. */
  seen: Map<string, number>;
  errors: Error[];
}

/** A batch socket on a fresh path, echoing every datagram, polling on for `pollAgainMicros`. */
function echoSocket(t: TestContext, path: string, pollAgainMicros: number): Served {
  const native = nativeBinding("batched Unix datagrams");
  if (!hasBatchFunctions(native)) throw new Error(NO_ADDON);
  const fd = native.socket(SOCK_DGRAM);
  assert.ok(fd >= 0, `socket: ${fd}`);
  const { kind, name } = encodeTarget({ path });
  assert.equal(native.bind(fd, kind, name), 0);
  const socket = new BatchDatagramSocket(native, fd, {
    slot: 65536,
    addrSlot: SOCKADDR_UN_SIZE,
    batch: 4,
    rounds: 16,
    pollAgainMicros,
    formatPeer: (raw, offset, length) => formatUnixPeer(decodeSockaddr(raw.subarray(offset, offset + length), length), true),
    unnamedLength: 2,
  });
  t.after(() => socket.close());
  const seen = new Map<string, number>();
  const errors: Error[] = [];
  socket.onError((err) => errors.push(err));
  socket.onBatch((batch) => {
    for (let i = 0; i < batch.count; i++) seen.set(batch.peer(i), (seen.get(batch.peer(i)) ?? 0) + 1);
    batch.echoAll();
  });
  return { socket, seen, errors };
}

/** The pipelined client's "name X" line: its autobound abstract name, as the server logs it. */
async function clientName(proc: ReturnType<typeof spawnPeer>): Promise<string> {
  const [, name = ""] = await proc.waitForStdoutLine(/^name (.+)$/);
  return `abstract-dgram:${name}`;
}

test("poll on: three pipelined clients (16 in flight, 0–60 000 bytes) get every reply byte-exact and in order; an unbound sender is reported", async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const path = tempPath(t, "srv");
  // A wide window, so the test does not depend on this machine's timing to see the polls pay.
  const s = echoSocket(t, path, 5000);
  let ticks = 0;
  const interval = setInterval(() => ticks++, 5);
  t.after(() => clearInterval(interval));
  const COUNT = 3000;
  const clients = ["a", "b", "c"].map((tag) => spawnPeer("unix-dgram-pipeline", [path, COUNT, 16, tag], { teardown: t }));
  const names = await Promise.all(clients.map(clientName));
  const unbound = spawnPeer("unix-dgram-unbound", [path, 5], { teardown: t });
  const results = await Promise.all(clients.map((c) => c.waitExit(30_000)));
  for (const r of results) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), new RegExp(`^ok ${COUNT}$`, "m"));
  }
  assert.equal((await unbound.waitExit(10_000)).code, 0);
  await waitUntil(() => (s.seen.get("unnamed") ?? 0) >= 5, { what: "the unbound sender's 5 datagrams", timeoutMs: 5000 });
  for (const name of names) assert.equal(s.seen.get(name), COUNT, `${name}: each datagram seen once`);
  assert.equal(s.seen.get("unnamed"), 5);
  const refused = s.errors.filter((e) => /unbound socket/.test(e.message));
  assert.equal(refused.length, 5, "one report per datagram from the unbound sender");
  assert.equal(s.errors.length, 5, s.errors.map((e) => e.message).join("\n"));
  assert.ok(s.socket.pollAgainHits > 0, `polling on caught datagrams (${s.socket.pollAgainHits} times; ${s.socket.pollAgainMisses} found none)`);
  assert.ok(ticks > 0, "timers ran while the clients were served");
});

test("poll on through the server: every datagram-in event present, sent = received, with the default window", async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const path = tempPath(t, "srv");
  const endpoint = await bindUnixDatagramBatched({ kind: "unix-dgram", path }, { path }, 0o600);
  const events = new Map<string, number>();
  const server = new DatagramServer({
    endpoint,
    responder: datagramEcho,
    onEvent: (e) => {
      if (e.type === "datagram-in") events.set(e.peer, (events.get(e.peer) ?? 0) + 1);
      else assert.fail(`unexpected event ${JSON.stringify(e)}`);
    },
  });
  t.after(() => server.close());
  const COUNT = 2500;
  const clients = ["x", "y"].map((tag) => spawnPeer("unix-dgram-pipeline", [path, COUNT, 16, tag], { teardown: t }));
  const names = await Promise.all(clients.map(clientName));
  for (const c of clients) {
    const r = await c.waitExit(30_000);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(server.received, 2 * COUNT);
  assert.equal(server.sent, 2 * COUNT);
  await server.close(); // passes on the events it still holds (paced under load)
  for (const name of names) assert.equal(events.get(name), COUNT, `${name}: one datagram-in event per datagram`);
  assert.equal(events.size, 2);
});

test("poll on with a client that stops reading: replies wait in the bounded queue, reading pauses, nothing is lost", async (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const path = tempPath(t, "srv");
  const s = echoSocket(t, path, 2000);
  const client = spawnPeer("unix-dgram-hold", [path, 500, 2000], { teardown: t, input: "pipe" });
  const [, sentText = "0"] = await client.waitForStdoutLine(/^sent (\d+)$/);
  const sent = Number(sentText);
  // The client was held back: the server stopped reading with replies queued (at 256).
  assert.ok(sent < 500, `the client could send only ${sent} of 500`);
  const polls = s.socket.pollAgainHits + s.socket.pollAgainMisses;
  const read = [...s.seen.values()].reduce((a, b) => a + b, 0);
  await hold(100, "the server stays paused: nothing more is read, and it does not poll");
  assert.equal([...s.seen.values()].reduce((a, b) => a + b, 0), read);
  assert.ok(sent - read >= 10, `datagrams wait in the kernel (${sent} sent, ${read} read)`);
  assert.equal(s.socket.pollAgainHits + s.socket.pollAgainMisses, polls);
  client.write("go\n");
  const r = await client.waitExit(30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), new RegExp(`^ok ${sent}$`, "m"), "every reply came back, in order");
  assert.equal([...s.seen.values()].reduce((a, b) => a + b, 0), sent);
  assert.deepEqual(s.errors, []);
});

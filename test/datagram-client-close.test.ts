/**
 * Closing a UdpClient or UnixDatagramClient fails every pending request and receive at once
 * with ERR_SOCKET_CLOSED (issue 8, point 16): no retransmission runs after close() and no
 * timer is left holding the process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import type { DatagramClientBase } from "../src/datagram/client.js";
import { UdpClient } from "../src/udp/request.js";
import { UnixDatagramClient } from "../src/unix/datagram-client.js";
import { UnixDatagramSocket } from "../src/unix/index.js";
import { abstractName } from "./support/tmp.js";
import { freePort } from "./support/net.js";

type Ctx = { after(fn: () => unknown): void };

function timers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** A UDP peer that counts datagrams and never answers. */
async function silentUdp(t: Ctx): Promise<{ port: number; received: () => number; nextDatagram: () => Promise<unknown> }> {
  const socket = createSocket("udp4");
  let count = 0;
  socket.on("message", () => count++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: socket.address().port, received: () => count, nextDatagram: () => once(socket, "message") };
}

/** A Unix datagram peer that counts datagrams and never answers. */
async function silentUnix(t: Ctx): Promise<{ name: string; received: () => number; nextDatagram: () => Promise<unknown> }> {
  const name = abstractName("silent");
  const socket = await UnixDatagramSocket.bind({ abstract: name });
  let count = 0;
  socket.on("message", () => count++);
  t.after(() => socket.close());
  return { name, received: () => count, nextDatagram: () => once(socket, "message") };
}

/** A request in flight (first datagram seen by the peer), then close(): it fails at once. */
async function closeDuringRequest(client: DatagramClientBase, peer: { received: () => number; nextDatagram: () => Promise<unknown> }): Promise<void> {
  const timersBefore = timers();
  const arrived = peer.nextDatagram();
  const request = client.request(Buffer.from("hola"), { timeoutMs: 2000, attempts: 5 });
  const second = client.receive(5000);
  await arrived;
  const started = Date.now();
  await client.close();
  await assert.rejects(request, { code: "ERR_SOCKET_CLOSED" });
  await assert.rejects(second, { code: "ERR_SOCKET_CLOSED" });
  assert.ok(Date.now() - started < 500, `close took ${Date.now() - started} ms to fail the request`);
  assert.equal(timers(), timersBefore, "close() left a timer running");
  assert.equal(peer.received(), 1, "a retransmission was sent after close()");
  // A closed client refuses new work at once too.
  await assert.rejects(client.request(Buffer.from("x")), { code: "ERR_SOCKET_CLOSED" });
  await assert.rejects(client.receive(1000), { code: "ERR_SOCKET_CLOSED" });
  await client.close(); // idempotent
}

test("UdpClient: close() fails the request in flight and a pending receive at once", async (t) => {
  const peer = await silentUdp(t);
  const client = await UdpClient.open("127.0.0.1", peer.port);
  t.after(() => client.close());
  await closeDuringRequest(client, peer);
});

test("UnixDatagramClient: close() fails the request in flight and a pending receive at once", async (t) => {
  const peer = await silentUnix(t);
  const client = await UnixDatagramClient.open({ kind: "abstract-dgram", name: peer.name });
  t.after(() => client.close());
  await closeDuringRequest(client, peer);
});

test("UdpClient: close() during the pause after a refusal fails the request at once", async (t) => {
  const port = await freePort("udp");
  const timersBefore = timers();
  const client = await UdpClient.open("127.0.0.1", port);
  t.after(() => client.close());
  const failures: string[] = [];
  const request = client.request(Buffer.from("x"), { timeoutMs: 3000, attempts: 3, onAttemptFailed: (r) => failures.push(r.code) });
  // Wait until the refusal is in (the client is now pausing before its retransmission).
  const deadline = Date.now() + 3000;
  while (failures.length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.deepEqual(failures, ["ECONNREFUSED"]);
  const started = Date.now();
  await client.close();
  await assert.rejects(request, { code: "ERR_SOCKET_CLOSED", message: /closed before a reply arrived/ });
  assert.ok(Date.now() - started < 500);
  assert.equal(timers(), timersBefore);
  assert.deepEqual(failures, ["ECONNREFUSED"], "no attempt ran after close()");
});

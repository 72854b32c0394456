/**
 * A UDP client tries every address its host name resolves to, within its budget of
 * attempts (issue 8, point 5): `udp://localhost:P` reaches an IPv4-only server even where
 * localhost resolves to ::1 first. The resolver is injected so the order is the one that
 * used to fail, whatever this machine's /etc/hosts says.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import type { AttemptRecord } from "../src/errors.js";
import { UdpClient, udpRequest, type UdpResolver } from "../src/udp/request.js";
import { freePort } from "./support/net.js";

type Ctx = { after(fn: () => unknown): void };

const V6_FIRST: UdpResolver = async () => [
  { address: "::1", family: 6 },
  { address: "127.0.0.1", family: 4 },
];

async function bound(t: Ctx, type: "udp4" | "udp6", host: string, port = 0): Promise<Socket> {
  const socket = createSocket({ type, ipv6Only: type === "udp6" });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve());
  });
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

/** An IPv4-only echo server on 127.0.0.1. */
async function echo4(t: Ctx): Promise<number> {
  const socket = await bound(t, "udp4", "127.0.0.1");
  socket.on("message", (data, rinfo) => socket.send(data, rinfo.port, rinfo.address));
  return socket.address().port;
}

test("::1 refuses, 127.0.0.1 answers: the second attempt gets the reply at once", async (t) => {
  const port = await echo4(t);
  const failed: AttemptRecord[] = [];
  const started = Date.now();
  const reply = await udpRequest({
    host: "localhost",
    port,
    payload: Buffer.from("hola"),
    resolve: V6_FIRST,
    timeoutMs: 3000,
    attempts: 3,
    onAttemptFailed: (record) => failed.push(record),
  });
  assert.equal(reply.data.toString(), "hola");
  assert.equal(reply.from, `udp://127.0.0.1:${port}`);
  assert.equal(reply.attempt, 2);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.address, `udp://[::1]:${port}`);
  // No IPv6 loopback in some sandboxes: then ::1 fails at send time instead of refusing.
  assert.match(failed[0]!.code, /^(ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH|EAFNOSUPPORT)$/);
  assert.ok(Date.now() - started < 2000, `a refusal must not cost a whole timeout (${Date.now() - started} ms)`);
});

test("::1 stays silent: after its timeout the next attempt goes to 127.0.0.1, which is then kept", async (t) => {
  const port = await echo4(t);
  let silentGot = 0;
  try {
    const silent = await bound(t, "udp6", "::1", port);
    silent.on("message", () => silentGot++);
  } catch (err) {
    t.skip(`no IPv6 loopback here (${(err as Error).message})`);
    return;
  }
  const client = await UdpClient.open("localhost", port, { resolve: V6_FIRST });
  t.after(() => client.close());
  assert.equal(client.target, `udp://[::1]:${port}`);
  const first = await client.request(Buffer.from("uno"), { timeoutMs: 300, attempts: 3 });
  assert.deepEqual([first.data.toString(), first.attempt, first.from], ["uno", 2, `udp://127.0.0.1:${port}`]);
  assert.equal(silentGot, 1);
  // The address that answered is kept: the next request gets its reply on the first attempt.
  const second = await client.request(Buffer.from("dos"), { timeoutMs: 300, attempts: 3 });
  assert.deepEqual([second.data.toString(), second.attempt], ["dos", 1]);
  assert.equal(silentGot, 1);
});

test("every address refuses: the error names each address tried", async () => {
  const port = await freePort("udp");
  const codes: string[] = [];
  await assert.rejects(
    udpRequest({ host: "localhost", port, payload: Buffer.from("x"), resolve: V6_FIRST, timeoutMs: 50, attempts: 3, onAttemptFailed: (r) => codes.push(r.address) }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, "ERR_NO_RESPONSE");
      assert.match(err.message, new RegExp(`udp://\\[::1\\]:${port}, udp://127\\.0\\.0\\.1:${port}: no response after 3 attempts`));
      return true;
    },
  );
  assert.deepEqual(codes, [`udp://[::1]:${port}`, `udp://127.0.0.1:${port}`, `udp://[::1]:${port}`]);
});

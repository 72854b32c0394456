import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { test } from "node:test";
import { parseAddress, type InetAddress } from "../src/address.js";
import { bindUdp } from "../src/datagram/endpoint.js";
import { DatagramServer } from "../src/datagram/server.js";
import { datagramEcho } from "../src/services/echo.js";
import { datagramTime } from "../src/services/time.js";
import { announceService } from "../src/services/announce.js";
import { udpRequest } from "../src/udp/request.js";
import { discover } from "../src/udp/discover.js";
import { NoResponseError } from "../src/errors.js";

test("UDP echo: reply to the sender, unchanged, with its source address", async (t) => {
  const server = new DatagramServer({ endpoint: await bindUdp(parseAddress("udp://127.0.0.1:0") as InetAddress), responder: datagramEcho });
  t.after(() => server.close());
  const { port } = server.address as InetAddress;
  const reply = await udpRequest({ host: "127.0.0.1", port, payload: Buffer.from([0, 0xff, 0x70]) });
  assert.deepEqual(reply.data, Buffer.from([0, 0xff, 0x70]));
  assert.equal(reply.from, `udp://127.0.0.1:${port}`);
});

test("UDP TIME: HH:MM:SS without newline, anything else ERR\\n", async (t) => {
  const server = new DatagramServer({ endpoint: await bindUdp(parseAddress("udp://127.0.0.1:0") as InetAddress), responder: datagramTime });
  t.after(() => server.close());
  const { port } = server.address as InetAddress;
  assert.match((await udpRequest({ host: "127.0.0.1", port, payload: Buffer.from(" TIME\n") })).data.toString(), /^\d\d:\d\d:\d\d$/);
  assert.equal((await udpRequest({ host: "127.0.0.1", port, payload: Buffer.from("x") })).data.toString(), "ERR\n");
});

test("retransmission: a lost first datagram is answered on the second attempt", async (t) => {
  const lossy = createSocket("udp4");
  t.after(() => lossy.close());
  let seen = 0;
  lossy.on("message", (msg, rinfo) => {
    if (++seen > 1) lossy.send(msg, rinfo.port, rinfo.address);
  });
  lossy.bind(0, "127.0.0.1");
  await once(lossy, "listening");
  const failed: number[] = [];
  const reply = await udpRequest({
    host: "127.0.0.1",
    port: lossy.address().port,
    payload: Buffer.from("TIME"),
    timeoutMs: 100,
    attempts: 3,
    onAttemptFailed: (r) => failed.push(r.attempt),
  });
  assert.equal(reply.attempt, 2);
  assert.deepEqual(failed, [1]);
});

test("no responder: NoResponseError after every attempt", async (t) => {
  const silent = createSocket("udp4");
  t.after(() => silent.close());
  silent.bind(0, "127.0.0.1");
  await once(silent, "listening");
  const failed: string[] = [];
  await assert.rejects(
    udpRequest({ host: "127.0.0.1", port: silent.address().port, payload: Buffer.from("TIME"), timeoutMs: 50, attempts: 3, onAttemptFailed: (r) => failed.push(r.code) }),
    (err: unknown) => err instanceof NoResponseError && /no response after 3 attempts/.test(err.message),
  );
  assert.deepEqual(failed, ["ETIMEDOUT", "ETIMEDOUT", "ETIMEDOUT"]);
});

test("broadcast discovery on 127.255.255.255 lists every responder", async (t) => {
  // Two responders share one port on the loopback broadcast address (SO_REUSEADDR).
  const first = new DatagramServer({ endpoint: await bindUdp(parseAddress("udp://127.255.255.255:0") as InetAddress, { reuseAddr: true }), responder: announceService("uno\n") });
  t.after(() => first.close());
  const { port } = first.address as InetAddress;
  const second = new DatagramServer({ endpoint: await bindUdp({ kind: "udp", host: "127.255.255.255", port }, { reuseAddr: true }), responder: announceService("dos\n") });
  t.after(() => second.close());
  const replies = await discover({ host: "127.255.255.255", port, timeoutMs: 300 });
  assert.deepEqual(replies.map((r) => r.data.toString()).sort(), ["dos\n", "uno\n"]);
  assert.deepEqual(await discover({ host: "127.255.255.255", port: port === 65535 ? 65534 : port + 1, timeoutMs: 100 }), []);
});

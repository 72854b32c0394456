// Batched UDP (the addon's recvmmsg/sendmmsg path under bindUdp): byte-exact echo of many
// datagrams in bursts (empty and maximal ones included), correct senders for IPv4, IPv6 and
// v4-mapped dual-stack, the batch fast paths of time/announce, and the node:dgram fallback.
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { test, type TestContext } from "node:test";
import type { InetAddress } from "../src/address.js";
import { bindUdp, type DatagramEndpoint, type UdpPeer } from "../src/datagram/endpoint.js";
import { batchBinding } from "../src/datagram/native-udp.js";
import { DatagramServer } from "../src/datagram/server.js";
import type { SocklabEvent } from "../src/events.js";

/** The datagram server's events as the log lines this test reads. */
function eventLine(e: SocklabEvent): string {
  if (e.type === "datagram-in") return `datagram ${e.peer} ${e.bytes} bytes`;
  if (e.type === "error") return `error ${e.message}`;
  return e.type;
}
import { announceService } from "../src/services/announce.js";
import { datagramEcho } from "../src/services/echo.js";
import { datagramTime } from "../src/services/time.js";
import type { DatagramBatch, DatagramResponder } from "../src/services/types.js";
import { socklab } from "./support/cli.js";
import { waitUntil } from "./support/wait.js";

const NATIVE = batchBinding() !== undefined;
const NO_ADDON = "the native addon is not built here (npm install builds it): only the node:dgram path exists";
const MAX_V4 = 65507;

interface Served {
  server: DatagramServer<UdpPeer>;
  endpoint: DatagramEndpoint<UdpPeer>;
  port: number;
  log: string[];
}

async function serve(t: TestContext, host: string, responder: DatagramResponder, native = true): Promise<Served> {
  const endpoint = await bindUdp({ kind: "udp", host, port: 0 } as InetAddress, { native });
  const log: string[] = [];
  const server = new DatagramServer({ endpoint, responder, onEvent: (e) => log.push(eventLine(e)) });
  t.after(() => server.close());
  const port = (server.address as InetAddress).port;
  return { server, endpoint, port, log };
}

async function client(t: TestContext, type: "udp4" | "udp6", host: string): Promise<Socket> {
  const socket = createSocket(type);
  t.after(() => socket.close());
  socket.bind(0, host);
  await once(socket, "listening");
  // Large bursts of 64 KiB replies: room for them in the client's receive queue.
  socket.setRecvBufferSize(8 * 1024 * 1024);
  return socket;
}

/** Send `payloads` to host:port in one burst; resolve with the replies in arrival order. */
function burst(socket: Socket, host: string, port: number, payloads: Buffer[], timeoutMs = 5000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      reject(new Error(`only ${got.length} of ${payloads.length} replies within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (msg: Buffer): void => {
      got.push(msg);
      if (got.length === payloads.length) {
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve(got);
      }
    };
    socket.on("message", onMessage);
    for (const p of payloads) socket.send(p, port, host);
  });
}

/** Distinct payloads: each starts with its index so a mix-up cannot go unnoticed. */
function payload(i: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let k = 0; k < size; k++) b[k] = (i * 31 + k * 7) & 0xff;
  if (size >= 4) b.writeUInt32BE(i, 0);
  return b;
}

/** Wait until `cond` holds (the server paces its log under load: lines may lag ≤ 10 ms). */
async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  // Soft: the assertions after it say what was missing.
  await waitUntil(cond, { what: "the condition", timeoutMs, intervalMs: 5 }).catch(() => undefined);
}

const sortKey = (b: Buffer): string => b.toString("hex");

test("batched UDP echo: 640 datagrams in bursts of 32 come back byte-exact (IPv4)", async (t) => {
  if (!NATIVE) return t.skip(NO_ADDON);
  let largest = 0;
  const echo: DatagramResponder = Object.assign((data: Buffer) => data, {
    batch: (b: DatagramBatch) => {
      largest = Math.max(largest, b.count);
      datagramEcho.batch!(b);
    },
  });
  const s = await serve(t, "127.0.0.1", echo);
  assert.equal(typeof s.endpoint.onBatch, "function", "bindUdp uses the batched endpoint when the addon is built");
  const c = await client(t, "udp4", "127.0.0.1");
  let n = 0;
  for (let round = 0; round < 20; round++) {
    const sent: Buffer[] = [];
    for (let k = 0; k < 32; k++, n++) sent.push(payload(n, k === 0 ? 0 : 1 + ((n * 37) % 1400)));
    const got = await burst(c, "127.0.0.1", s.port, sent);
    assert.deepEqual(got.map(sortKey).sort(), sent.map(sortKey).sort());
  }
  assert.equal(s.server.received, 640);
  assert.equal(s.server.sent, 640);
  assert.ok(largest > 1, `one wake-up delivered several datagrams (largest batch ${largest})`);
});

test("batched UDP echo: empty and 65 507-byte datagrams, mixed in one burst (IPv4 and IPv6)", async (t) => {
  if (!NATIVE) return t.skip(NO_ADDON);
  for (const [type, host] of [["udp4", "127.0.0.1"], ["udp6", "::1"]] as const) {
    const s = await serve(t, host, datagramEcho);
    const c = await client(t, type, host);
    const sent = [Buffer.alloc(0), payload(1, MAX_V4), Buffer.alloc(0), payload(2, 1), payload(3, MAX_V4)];
    const got = await burst(c, host, s.port, sent);
    assert.deepEqual(got.map((b) => b.length).sort(), sent.map((b) => b.length).sort());
    assert.deepEqual(got.map(sortKey).sort(), sent.map(sortKey).sort(), `${type}: every byte back`);
  }
});

test("batched UDP: each reply goes to its own sender, and the log names it (IPv4, IPv6, v4-mapped)", async (t) => {
  if (!NATIVE) return t.skip(NO_ADDON);
  const cases = [
    { bind: "127.0.0.1", type: "udp4", from: "127.0.0.1", shown: (p: number) => `udp://127.0.0.1:${p}` },
    { bind: "::1", type: "udp6", from: "::1", shown: (p: number) => `udp://[::1]:${p}` },
    { bind: "::", type: "udp4", from: "127.0.0.1", shown: (p: number) => `udp://[::ffff:127.0.0.1]:${p}` },
  ] as const;
  for (const c of cases) {
    const s = await serve(t, c.bind, datagramEcho);
    const target = c.type === "udp4" ? "127.0.0.1" : "::1";
    const clients = [await client(t, c.type, c.from), await client(t, c.type, c.from), await client(t, c.type, c.from)];
    // Interleaved senders: one recvmmsg batch holds datagrams from all three.
    const replies = clients.map((sock, k) => burst(sock, target, s.port, [0, 1, 2, 3].map((j) => payload(k * 10 + j, 8))));
    const got = await Promise.all(replies);
    got.forEach((list, k) => {
      assert.deepEqual(list.map((b) => b.readUInt32BE(0)).sort((a, b) => a - b), [0, 1, 2, 3].map((j) => k * 10 + j));
    });
    await until(() => s.log.length >= 12);
    for (const sock of clients) {
      const expected = `datagram ${c.shown(sock.address().port)} 8 bytes`;
      assert.equal(s.log.filter((l) => l === expected).length, 4, `${c.bind}: ${expected} logged once per datagram`);
    }
  }
});

test("batched and node:dgram endpoints log the same sender text", async (t) => {
  if (!NATIVE) return t.skip(NO_ADDON);
  for (const [bind, type, from, target] of [
    ["127.0.0.1", "udp4", "127.0.0.1", "127.0.0.1"],
    ["::", "udp6", "::1", "::1"],
    ["::", "udp4", "127.0.0.1", "127.0.0.1"],
  ] as const) {
    const fast = await serve(t, bind, datagramEcho, true);
    const slow = await serve(t, bind, datagramEcho, false);
    assert.equal(fast.endpoint.onBatch !== undefined && slow.endpoint.onBatch === undefined, true);
    const c = await client(t, type, from);
    await burst(c, target, fast.port, [Buffer.from("a")]);
    await burst(c, target, slow.port, [Buffer.from("a")]);
    await until(() => fast.log.length > 0 && slow.log.length > 0);
    assert.deepEqual(fast.log, slow.log, `${bind} from ${from}`);
  }
});

test("batched UDP time and announce: the fast path answers like the per-datagram rule", async (t) => {
  if (!NATIVE) return t.skip(NO_ADDON);
  const time = await serve(t, "127.0.0.1", datagramTime);
  const c = await client(t, "udp4", "127.0.0.1");
  // One reply per datagram, so send them one at a time to know which is which.
  const ask = async (port: number, text: string): Promise<string> => (await burst(c, "127.0.0.1", port, [Buffer.from(text)]))[0]!.toString();
  assert.match(await ask(time.port, "TIME"), /^\d\d:\d\d:\d\d$/);
  assert.match(await ask(time.port, " TIME\n"), /^\d\d:\d\d:\d\d$/);
  assert.equal(await ask(time.port, "TIMEX"), "ERR\n");
  assert.equal(await ask(time.port, ""), "ERR\n");
  const mixed = await burst(c, "127.0.0.1", time.port, ["TIME", "nope", "TIME", "TIME\r\n"].map((x) => Buffer.from(x)));
  assert.deepEqual(mixed.map((b) => (b.toString() === "ERR\n" ? "ERR" : /^\d\d:\d\d:\d\d$/.test(b.toString()) ? "HMS" : b.toString())).sort(), [
    "ERR",
    "HMS",
    "HMS",
    "HMS",
  ]);

  const announce = await serve(t, "127.0.0.1", announceService("aqui\n"));
  // Only DISCOVER? (stripped) is answered: 3 of these 5.
  const sent = ["DISCOVER?", "hello", "DISCOVER?\n", "", " DISCOVER? "].map((x) => Buffer.from(x));
  const got = await burst(c, "127.0.0.1", announce.port, sent.slice(0, 1));
  assert.equal(got[0]!.toString(), "aqui\n");
  for (const s of sent) c.send(s, announce.port, "127.0.0.1");
  const replies: string[] = [];
  c.on("message", (m) => replies.push(m.toString()));
  await until(() => announce.server.received >= 6 && replies.length >= 3);
  assert.equal(announce.server.received, 6);
  assert.deepEqual(replies, ["aqui\n", "aqui\n", "aqui\n"]);
  assert.equal(announce.server.sent, 4);
});

test("fallback: bindUdp({ native: false }) serves through node:dgram, one datagram per callback", async (t) => {
  const s = await serve(t, "127.0.0.1", datagramEcho, false);
  assert.equal(s.endpoint.onBatch, undefined);
  const c = await client(t, "udp4", "127.0.0.1");
  const sent = [Buffer.alloc(0), payload(7, 100), payload(8, MAX_V4)];
  const got = await burst(c, "127.0.0.1", s.port, sent);
  assert.deepEqual(got.map(sortKey).sort(), sent.map(sortKey).sort());
  await until(() => s.log.length >= 3);
  assert.ok(s.log.includes(`datagram udp://127.0.0.1:${c.address().port} 0 bytes`));
});

test("fallback: socklab serve echo udp with SOCKLAB_UDP=dgram (the path without the addon) echoes", async (t) => {
  const proc = socklab(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t, env: { ...process.env, SOCKLAB_UDP: "dgram" } });
  t.after(() => proc.kill());
  const { port } = await proc.listening();
  const c = await client(t, "udp4", "127.0.0.1");
  const got = await burst(c, "127.0.0.1", port, [Buffer.from("hola"), Buffer.alloc(0)]);
  assert.deepEqual(got.map((b) => b.toString()).sort(), ["", "hola"]);
  await proc.waitForStderr(new RegExp(`^datagram udp://127\\.0\\.0\\.1:${c.address().port} 4 bytes$`), 3000);
});

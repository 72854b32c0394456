/** The relay library: both directions, half-close both ways, 16 MiB intact, refusals, every stream pairing, UDP mappings. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { once } from "node:events";
import net from "node:net";
import { parseAddress, type ServerAddress } from "../src/address.js";
import type { SocklabEvent } from "../src/events.js";
import { AccessList, parseCidrList } from "../src/net/cidr.js";
import { startRelay, type Relay, type RelayOptions } from "../src/relay.js";
import { listenExtras } from "../src/transports/registry.js";
import { closedPort, Collector, tcpConnect } from "./support/net.js";
import { tempPath } from "./support/tmp.js";
import { waitUntil } from "./support/wait.js";

async function upstreamServer(
  t: TestContext,
  onConnection: (socket: net.Socket) => void,
  listen: net.ListenOptions = { port: 0, host: "127.0.0.1" },
): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  server.listen(listen);
  await once(server, "listening");
  t.after(() => server.close());
  const info = server.address();
  return { server, port: typeof info === "object" && info ? info.port : NaN };
}

async function relay(t: TestContext, from: string, to: string, extra: Partial<RelayOptions> = {}): Promise<{ relay: Relay; events: SocklabEvent[] }> {
  const events: SocklabEvent[] = [];
  const fromAddress = parseAddress(from);
  const r = await startRelay({
    from: fromAddress,
    to: parseAddress(to),
    onEvent: (e) => events.push(e),
    listen: await listenExtras(fromAddress),
    ...extra,
  });
  t.after(() => r.close());
  return { relay: r, events };
}

function waitFor<T extends SocklabEvent["type"]>(events: SocklabEvent[], type: T, timeoutMs = 5000): Promise<Extract<SocklabEvent, { type: T }>> {
  return waitUntil(() => events.find((e): e is Extract<SocklabEvent, { type: T }> => e.type === type), { what: `a ${type} event`, timeoutMs }).catch((err: Error) => {
    throw new Error(`${err.message}; got ${JSON.stringify(events)}`);
  });
}

/** The port of a relay's structured address, or of an address in URL form. */
function portOf(address: ServerAddress | string): number {
  if (typeof address === "string") return Number(address.slice(address.lastIndexOf(":") + 1));
  assert.ok(address.family === "ipv4" || address.family === "ipv6", `not an IP address: ${JSON.stringify(address)}`);
  return address.port;
}

test("client half-close reaches the upstream, which still answers; then its close reaches the client", async (t) => {
  let upstreamGot = "";
  const { port } = await upstreamServer(t, (s) => {
    s.on("data", (c: Buffer) => (upstreamGot += c.toString()));
    // Answers only after the client's EOF: proves the FIN was passed on and our side stays writable.
    s.on("end", () => s.end(`got ${upstreamGot.length} bytes\n`));
  });
  const { relay: r, events } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`);
  const client = await tcpConnect(portOf(r.address), "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  client.end("hello relay\n");
  await got.waitEnd();
  assert.equal(got.text, "got 12 bytes\n");
  const closed = await waitFor(events, "relay-close");
  assert.deepEqual({ up: closed.up, down: closed.down, reason: closed.reason }, { up: 12, down: 13, reason: "done" });
  assert.equal(closed.upstream, `tcp://127.0.0.1:${port}`);
  assert.ok(events.findIndex((e) => e.type === "relay-open") < events.findIndex((e) => e.type === "relay-close"));
});

test("upstream half-close reaches the client, which can still send", async (t) => {
  const upstreamGot = new Promise<string>((resolve) => {
    void upstreamServer(t, (s) => {
      let text = "";
      s.end("greeting, then my FIN\n");
      s.on("data", (c: Buffer) => (text += c.toString()));
      s.on("end", () => resolve(text));
    }).then(({ port }) => ready(port));
  });
  let ready!: (port: number) => void;
  const port = await new Promise<number>((r) => (ready = r));
  const { relay: r } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`);
  const client = await tcpConnect(portOf(r.address), "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  await got.waitEnd();
  assert.equal(got.text, "greeting, then my FIN\n");
  client.end("sent after the upstream's FIN\n");
  assert.equal(await upstreamGot, "sent after the upstream's FIN\n");
});

test("16 MiB each way arrive intact (sha256)", { timeout: 60_000 }, async (t) => {
  const size = 16 * 1024 * 1024;
  const down = randomBytes(size);
  const upHash = new Promise<string>((resolve) => {
    void upstreamServer(t, (s) => {
      const h = createHash("sha256");
      s.on("data", (c: Buffer) => h.update(c));
      s.on("end", () => resolve(h.digest("hex")));
      s.end(down);
    }).then(({ port }) => ready(port));
  });
  let ready!: (port: number) => void;
  const port = await new Promise<number>((r) => (ready = r));
  const { relay: r, events } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`);
  const client = await tcpConnect(portOf(r.address), "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const up = randomBytes(size);
  const recv = createHash("sha256");
  let received = 0;
  client.on("data", (c: Buffer) => {
    recv.update(c);
    received += c.length;
  });
  const ended = once(client, "end");
  client.end(up);
  await ended;
  assert.equal(received, size);
  assert.equal(recv.digest("hex"), createHash("sha256").update(down).digest("hex"));
  assert.equal(await upHash, createHash("sha256").update(up).digest("hex"));
  const closed = await waitFor(events, "relay-close");
  assert.equal(closed.up, size);
  assert.equal(closed.down, size);
});

test("a client that does not read holds the upstream back (constant memory)", { timeout: 30_000 }, async (t) => {
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const limit = 256 * 1024 * 1024;
  let stalled!: () => void;
  const stall = new Promise<void>((r) => (stalled = r));
  const { port } = await upstreamServer(t, (s) => {
    const pump = (): void => {
      while (written < limit) {
        written += chunk.length;
        if (!s.write(chunk)) {
          // Held by backpressure: if no drain comes for a while, the relay is not reading.
          const timer = setTimeout(stalled, 500);
          s.once("drain", () => {
            clearTimeout(timer);
            pump();
          });
          return;
        }
      }
    };
    s.on("error", () => {});
    pump();
  });
  const { relay: r } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`);
  const client = await tcpConnect(portOf(r.address), "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  client.pause();
  await stall;
  // What is in flight is kernel socket buffers plus the relay's pipe buffers, not the 256 MiB offered.
  assert.ok(written < 64 * 1024 * 1024, `upstream got ${written} bytes out while the client read nothing`);
});

test("upstream refused: the client is closed and the failure reported", async (t) => {
  const port = await closedPort();
  const { relay: r, events } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`);
  const client = await tcpConnect(portOf(r.address), "127.0.0.1");
  t.after(() => client.destroy());
  const got = new Collector(client);
  client.write("anyone?\n");
  await got.waitClose();
  const failed = await waitFor(events, "upstream-failed");
  assert.equal(failed.code, "ECONNREFUSED");
  assert.equal(failed.upstream, `tcp://127.0.0.1:${port}`);
  assert.equal(events.some((e) => e.type === "relay-open"), false);
});

test("access lists: a denied client is told it was refused, never reaches the upstream, and the rule is reported", async (t) => {
  const { port } = await upstreamServer(t, (s) => s.end("should not be seen\n"));
  const access = new AccessList({ deny: parseCidrList("127.0.0.0/8") });
  const { relay: r, events } = await relay(t, "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`, { access });
  const client = await tcpConnect(portOf(r.address));
  const got = new Collector(client);
  await got.waitClose();
  assert.equal(got.text, "ERR refused: address-not-allowed\n");
  const refused = await waitFor(events, "refused");
  assert.equal(refused.reason, "address-not-allowed");
  assert.equal(refused.detail, "127.0.0.0/8");
});

test("every stream pairing: unix → tcp, IPv6 → IPv4, tcp → abstract, tcp → unix", async (t) => {
  const { port } = await upstreamServer(t, (s) => s.pipe(s));
  const unixUpstream = tempPath(t, "up.sock");
  await upstreamServer(t, (s) => s.pipe(s), { path: unixUpstream });
  const abstractName = `socklab-relay-test-${process.pid}-${Date.now()}`;
  const echoOnAbstract = await startRelay({
    // An abstract echo: a relay from an abstract name to the TCP echo.
    from: parseAddress(`abstract:${abstractName}`),
    to: parseAddress(`tcp://127.0.0.1:${port}`),
  });
  t.after(() => echoOnAbstract.close());

  const roundTrip = async (from: string, to: string, connect: (relayAddress: string) => net.Socket): Promise<void> => {
    const { relay: r } = await relay(t, from, to);
    const socket = connect(r.url);
    t.after(() => socket.destroy());
    const got = new Collector(socket);
    socket.end(`via ${from} to ${to}\n`);
    await got.waitEnd();
    assert.equal(got.text, `via ${from} to ${to}\n`);
  };
  const overTcp = (host: string) => (relayAddress: string) => net.connect({ host, port: portOf(relayAddress), allowHalfOpen: true });
  const unixFrom = tempPath(t, "from.sock");
  await roundTrip(`unix:${unixFrom}`, `tcp://127.0.0.1:${port}`, () => net.connect({ path: unixFrom, allowHalfOpen: true }));
  await roundTrip("tcp://[::1]:0", `tcp://127.0.0.1:${port}`, overTcp("::1"));
  await roundTrip("tcp://127.0.0.1:0", `abstract:${abstractName}`, overTcp("127.0.0.1"));
  await roundTrip("tcp://127.0.0.1:0", `unix:${unixUpstream}`, overTcp("127.0.0.1"));
});
test("UDP: one upstream socket per client, replies go back to each, idle mappings are forgotten", async (t) => {
  const upstream = dgram.createSocket("udp4");
  const sources = new Set<number>();
  upstream.on("message", (m, from) => {
    sources.add(from.port);
    upstream.send(Buffer.concat([Buffer.from("re: "), m]), from.port, from.address);
  });
  upstream.bind(0, "127.0.0.1");
  await once(upstream, "listening");
  t.after(() => upstream.close());
  const { relay: r, events } = await relay(t, "udp://127.0.0.1:0", `udp://127.0.0.1:${upstream.address().port}`, { idleTimeoutMs: 300 });
  const ask = async (socket: dgram.Socket, text: string): Promise<string> => {
    const reply = once(socket, "message");
    socket.send(text, portOf(r.address), "127.0.0.1");
    const [m] = (await reply) as [Buffer];
    return m.toString();
  };
  const a = dgram.createSocket("udp4");
  const b = dgram.createSocket("udp4");
  t.after(() => {
    a.close();
    b.close();
  });
  assert.equal(await ask(a, "one"), "re: one");
  assert.equal(await ask(b, "two"), "re: two");
  assert.equal(await ask(a, "three"), "re: three");
  assert.equal(sources.size, 2, "each client has its own upstream socket");
  assert.equal(events.filter((e) => e.type === "relay-open").length, 2);
  await waitUntil(() => events.filter((e) => e.type === "relay-close").length >= 2, { what: "two relay-close events" }).catch(() => undefined);
  const closes = events.filter((e): e is Extract<SocklabEvent, { type: "relay-close" }> => e.type === "relay-close");
  assert.equal(closes.length, 2);
  assert.ok(closes.every((c) => c.reason === "idle-timeout"));
  const first = closes.find((c) => c.up === 8);
  assert.ok(first, JSON.stringify(closes));
  assert.equal(first.down, 16);
  assert.equal(r.active, 0);
});

test("mismatched FROM and TO are refused", async () => {
  await assert.rejects(
    startRelay({ from: parseAddress("tcp://127.0.0.1:0"), to: parseAddress("udp://127.0.0.1:9") }),
    /relay joins two stream addresses .* or two udp:\/\/ addresses/,
  );
});

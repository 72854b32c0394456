/**
 * The bytes as event fields (src/format/payload.ts) for library users: the encodings and
 * their decoders, Python literals read back (checked against python3), and the `payload`
 * option of StreamServer and startRelay — every chunk a sent/received event whose bytes,
 * in order, are exactly the stream, each chunk reported once even beside `trace`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { once } from "node:events";
import net from "node:net";
import { parseAddress } from "../src/address.js";
import type { SocklabEvent } from "../src/events.js";
import { encodePayload, eventPayload, payloadEncodings, payloadEvents, type PayloadEncoding } from "../src/format/payload.js";
import { parsePythonBytes, pythonBytesRepr } from "../src/format/python-bytes.js";
import { tap } from "../src/format/tap.js";
import { startRelay } from "../src/relay.js";
import { streamEcho } from "../src/services/echo.js";
import { StreamServer } from "../src/stream/server.js";
import { Collector, tcpConnect } from "./support/net.js";
import { spawnPython } from "./support/python.js";
import { waitUntil } from "./support/wait.js";

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

type Chunk = Extract<SocklabEvent, { type: "sent" | "received" }>;

/** The events of one direction, in order, checked (contiguous offsets, sizes) and joined. */
function joined(events: SocklabEvent[], type: "sent" | "received", field: PayloadEncoding): Buffer {
  const chunks = events.filter((e): e is Chunk => e.type === type);
  let offset = 0;
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    assert.equal(chunk.offset, offset, `${type} offsets are contiguous`);
    assert.notEqual(chunk[field], undefined, `${type} carries ${field}`);
    const data = eventPayload(chunk)!;
    assert.equal(chunk.bytes, data.length);
    offset += data.length;
    parts.push(data);
  }
  return Buffer.concat(parts);
}

test("payloadEncodings: true is hex; one or several names, each once, in a fixed order; an unknown one is ERR_INVALID_ARG_VALUE", () => {
  assert.deepEqual(payloadEncodings(undefined), []);
  assert.deepEqual(payloadEncodings(false), []);
  assert.deepEqual(payloadEncodings(true), ["hex"]);
  assert.deepEqual(payloadEncodings("base64"), ["base64"]);
  assert.deepEqual(payloadEncodings(["python", "hex", "hex"]), ["hex", "python"]);
  assert.throws(() => payloadEncodings("utf8" as PayloadEncoding), { code: "ERR_INVALID_ARG_VALUE" });
});

test("every encoding gives back every byte: hex, base64, python", () => {
  for (const data of [Buffer.alloc(0), ALL_BYTES, randomBytes(4099), Buffer.from("it's \"x\"\\\n")]) {
    const fields = encodePayload(data, ["hex", "python", "base64"]);
    assert.equal(fields.hex, data.toString("hex"));
    assert.equal(fields.base64, data.toString("base64"));
    assert.equal(fields.python, pythonBytesRepr(data));
    for (const name of ["hex", "base64", "python"] as const) assert.deepEqual(eventPayload({ [name]: fields[name] }), data, name);
  }
  assert.equal(eventPayload({}), undefined, "a count-only event has no payload");
  assert.throws(() => eventPayload({ hex: "abc" }), { code: "ERR_INVALID_ARG_VALUE" });
});

test("parsePythonBytes: the escapes Python takes, and clear failures on what is not a literal", () => {
  assert.deepEqual(parsePythonBytes("b'hola\\n'"), Buffer.from("hola\n"));
  assert.deepEqual(parsePythonBytes(`b"it's"`), Buffer.from("it's"));
  assert.deepEqual(parsePythonBytes("b'\\a\\b\\f\\v\\0\\101\\x7F\\q'"), Buffer.from([7, 8, 12, 11, 0, 0x41, 0x7f, 0x5c, 0x71]));
  assert.deepEqual(parsePythonBytes(pythonBytesRepr(ALL_BYTES)), ALL_BYTES);
  for (const bad of ["'x'", "b'x", "bx", "b'\\x4'", "b'it's'", "b'ñ'", "b'\\'"]) {
    assert.throws(() => parsePythonBytes(bad), { code: "ERR_INVALID_ARG_VALUE" }, bad);
  }
});

test("parsePythonBytes agrees with python3's ast.literal_eval on 2000 random literals", async (t) => {
  // Random literals built from plain characters and every kind of escape (octal with three
  // digits starting 0-3, so a following digit can't extend it past \377).
  const pieces = (): string => {
    const roll = randomBytes(4);
    switch (roll[0]! % 6) {
      case 0:
        return "\\" + "\\'\"tnrabfv"[roll[1]! % 10]!;
      case 1:
        return `\\x${roll[1]!.toString(16).padStart(2, "0")}`;
      case 2:
        return `\\${roll[1]! % 4}${roll[2]! % 8}${roll[3]! % 8}`;
      case 3:
        return `\\${roll[1]! % 8}`;
      default: {
        const c = String.fromCharCode(0x20 + (roll[1]! % 0x5f));
        return c === "'" || c === "\\" ? "x" : c;
      }
    }
  };
  const literals = Array.from({ length: 2000 }, (_, i) => `b'${Array.from({ length: i % 30 }, pieces).join("")}'`);
  const py = spawnPython("import ast, json, sys\nfor line in sys.stdin:\n    print(ast.literal_eval(json.loads(line)).hex())\n", {
    input: literals.map((l) => `${JSON.stringify(l)}\n`).join(""),
    teardown: t,
  });
  const result = await py.waitExit(20_000);
  assert.equal(result.code, 0, result.stderr);
  const expected = result.stdout.toString("utf8").split("\n").slice(0, -1);
  assert.equal(expected.length, literals.length);
  literals.forEach((literal, i) => assert.equal(parsePythonBytes(literal).toString("hex"), expected[i], literal));
});

test("StreamServer payload: each chunk each way is one sent/received event with its bytes, also beside trace", async (t) => {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({
    address: parseAddress("tcp://127.0.0.1:0"),
    handler: streamEcho,
    onEvent: (e) => events.push(e),
    payload: "base64",
    trace: true,
  });
  t.after(() => server.close());
  const up = Buffer.concat([ALL_BYTES, randomBytes(300_000)]);
  const socket = await tcpConnect(Number(server.url.split(":").pop()), "127.0.0.1", 10_000, { allowHalfOpen: true });
  const collector = new Collector(socket);
  socket.end(up);
  await collector.waitEnd(20_000);
  socket.destroy();
  await waitUntil(() => events.some((e) => e.type === "closed"), { what: "the closed event" });
  assert.deepEqual(joined(events, "received", "base64"), up);
  assert.deepEqual(joined(events, "sent", "base64"), up);
  assert.ok(events.filter((e) => e.type === "received").length > 1, "several chunks");
  assert.ok(
    events.every((e) => (e.type !== "sent" && e.type !== "received") || e.base64 !== undefined),
    "no count-only duplicates from the trace",
  );
  assert.ok(events.some((e) => e.type === "eof"), "the trace's other steps are still reported");
});

test("StreamServer and startRelay reject an unknown payload encoding before binding anything", async () => {
  const address = parseAddress("tcp://127.0.0.1:0");
  await assert.rejects(StreamServer.listen({ address, handler: streamEcho, payload: "latin1" as PayloadEncoding }), { code: "ERR_INVALID_ARG_VALUE" });
  await assert.rejects(startRelay({ from: address, to: parseAddress("tcp://127.0.0.1:9"), payload: ["hex", "utf8" as PayloadEncoding] }), {
    code: "ERR_INVALID_ARG_VALUE",
  });
});

test("startRelay payload: the client side's bytes each way; UDP mappings one event per datagram", async (t) => {
  // A stream upstream that answers with `down` and collects what it gets.
  const down = randomBytes(150_001);
  let upstreamGot: Buffer | undefined;
  const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
    const parts: Buffer[] = [];
    socket.on("data", (d: Buffer) => parts.push(d));
    socket.on("end", () => {
      upstreamGot = Buffer.concat(parts);
      socket.end();
    });
    socket.write(down);
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  t.after(() => upstream.close());
  const events: SocklabEvent[] = [];
  const relay = await startRelay({
    from: parseAddress("tcp://127.0.0.1:0"),
    to: parseAddress(`tcp://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`),
    onEvent: (e) => events.push(e),
    payload: true,
  });
  t.after(() => relay.close());
  const up = randomBytes(200_003);
  const socket = await tcpConnect(Number(relay.url.split(":").pop()), "127.0.0.1", 10_000, { allowHalfOpen: true });
  const collector = new Collector(socket);
  socket.end(up);
  await collector.waitEnd(20_000);
  socket.destroy();
  await waitUntil(() => events.some((e) => e.type === "relay-close"), { what: "relay-close" });
  assert.deepEqual(collector.data, down);
  assert.deepEqual(upstreamGot, up);
  assert.deepEqual(joined(events, "received", "hex"), up, "received: what the client sent");
  assert.deepEqual(joined(events, "sent", "hex"), down, "sent: what the client got");

  // UDP: an echo upstream; each datagram is one event with datagram: true and no offset.
  const echo = dgram.createSocket("udp4");
  echo.on("message", (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  echo.bind(0, "127.0.0.1");
  await once(echo, "listening");
  t.after(() => echo.close());
  const udpEvents: SocklabEvent[] = [];
  const udpRelay = await startRelay({
    from: parseAddress("udp://127.0.0.1:0"),
    to: parseAddress(`udp://127.0.0.1:${echo.address().port}`),
    onEvent: (e) => udpEvents.push(e),
    payload: "python",
  });
  t.after(() => udpRelay.close());
  const client = dgram.createSocket("udp4");
  t.after(() => client.close());
  const datagram = Buffer.from([0x00, 0xff, 0x27, 0x22, 0x5c]);
  client.send(datagram, Number(udpRelay.url.split(":").pop()), "127.0.0.1");
  const [reply] = (await once(client, "message")) as [Buffer];
  assert.deepEqual(reply, datagram);
  await waitUntil(() => udpEvents.some((e) => e.type === "sent"), { what: "the sent event" });
  for (const type of ["received", "sent"] as const) {
    const event = udpEvents.find((e): e is Chunk => e.type === type)!;
    assert.equal(event.datagram, true);
    assert.equal(event.offset, undefined);
    assert.deepEqual(eventPayload(event), datagram);
  }
});

test("payloadEvents on any socket: a library client sees its own connection as events", async (t) => {
  const server = await StreamServer.listen({ address: parseAddress("tcp://127.0.0.1:0"), handler: streamEcho });
  t.after(() => server.close());
  const events: SocklabEvent[] = [];
  const socket = await tcpConnect(Number(server.url.split(":").pop()), "127.0.0.1", 10_000, { allowHalfOpen: true });
  tap(socket, payloadEvents(server.url, (e) => events.push(e), { encodings: ["hex", "python"] }));
  const collector = new Collector(socket);
  const up = randomBytes(100_000);
  socket.end(up);
  await collector.waitEnd(20_000);
  socket.destroy();
  assert.deepEqual(joined(events, "sent", "hex"), up);
  assert.deepEqual(joined(events, "received", "python"), up);
});

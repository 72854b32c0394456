/**
 * Issue 9 (items 1 and 3) meets issue 11's byte views: with `--json`, `-x` and `--show` must
 * not write text dumps on standard error. Each chunk is a `sent`/`received` event carrying its
 * offset and bytes (`hex` for -x, `python` for --show), and every stderr line is JSON.
 *
 * For connect, listen, serve and relay, against a peer in this process: every stderr line
 * must parse as a JSON object with the envelope (a single other line fails the test), and the
 * events of each direction, decoded in order, must give back exactly the bytes that crossed
 * the socket — random bytes (so not UTF-8), large enough to arrive in many chunks — with
 * contiguous offsets.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import net from "node:net";
import { eventPayload } from "../src/format/payload.js";
import { parsePythonBytes } from "../src/format/python-bytes.js";
import { socklab, type CliProc } from "./support/cli.js";
import { Collector, tcpConnect } from "./support/net.js";
import { tempDir } from "./support/tmp.js";
import { join } from "node:path";

const opts = { timeout: 60_000 } as const;

/** Random bytes (every byte value, invalid UTF-8) of an odd size: many chunks on loopback. */
function payload(size: number): Buffer {
  const data = randomBytes(size);
  for (let i = 0; i < 256; i++) data[i] = i;
  return data;
}

type JsonEvent = Record<string, unknown> & { event: string; seq: number };

/** Every stderr line as JSON: a line that is not a JSON object with the envelope fails. */
function jsonLines(stderr: string): JsonEvent[] {
  assert.ok(stderr.endsWith("\n"), "stderr ends with a newline");
  const events: JsonEvent[] = [];
  for (const [i, line] of stderr.slice(0, -1).split("\n").entries()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      assert.fail(`stderr line ${i + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
    }
    assert.ok(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed), `line ${i + 1} is a JSON object`);
    const event = parsed as JsonEvent;
    assert.equal(typeof event.event, "string", `line ${i + 1} has "event"`);
    assert.equal(typeof event.seq, "number", `line ${i + 1} has "seq"`);
    assert.equal(typeof event.t, "number", `line ${i + 1} has "t"`);
    events.push(event);
  }
  // Nothing was dropped: seq runs 1, 2, 3 … without a gap.
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    "seq has no gaps",
  );
  assert.ok(!events.some((e) => e.event === "dropped"), "no lines dropped");
  return events;
}

type Encoding = "hex" | "python";

/**
 * The bytes of one direction, from its events in order, checking on the way: one peer, a
 * `bytes` that matches the payload, contiguous offsets from 0, and the encodings asked for
 * (and no other).
 */
function stream(events: JsonEvent[], type: "sent" | "received", encodings: readonly Encoding[]): { data: Buffer; chunks: number; peer: string } {
  const chunks = events.filter((e) => e.event === type);
  assert.ok(chunks.length > 0, `some ${type} events`);
  const peer = chunks[0]!.peer as string;
  let offset = 0;
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    assert.equal(chunk.peer, peer, `every ${type} event is about one peer`);
    assert.equal(chunk.offset, offset, `${type} offsets are contiguous`);
    for (const name of ["hex", "python", "base64"] as const) {
      assert.equal(chunk[name] !== undefined, encodings.includes(name as Encoding), `${type} carries ${name} iff asked for`);
    }
    const data = eventPayload(chunk as { hex?: string; python?: string });
    assert.ok(data, `${type} event carries its bytes`);
    if (chunk.python !== undefined) assert.deepEqual(parsePythonBytes(chunk.python as string), data, "the python literal and the hex agree");
    assert.equal(chunk.bytes, data.length, "bytes is the payload's size");
    offset += data.length;
    parts.push(data);
  }
  return { data: Buffer.concat(parts), chunks: chunks.length, peer };
}

/** The same bytes, compared without printing megabytes when they differ. */
function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  assert.fail(`${what}: ${actual.length} bytes, expected ${expected.length}; first difference at ${at}`);
}

function flagsFor(encodings: readonly Encoding[]): string[] {
  return encodings.map((e) => (e === "hex" ? "-x" : "--show"));
}

/** A TCP peer in this process: sends `down` at once, collects everything, ends after the client's FIN. */
async function tcpPeer(t: TestContext, down: Buffer): Promise<{ port: number; received: Promise<Buffer> }> {
  let resolve!: (data: Buffer) => void;
  const received = new Promise<Buffer>((r) => (resolve = r));
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const parts: Buffer[] = [];
    socket.on("data", (d: Buffer) => parts.push(d));
    socket.on("end", () => {
      socket.end();
      resolve(Buffer.concat(parts));
    });
    socket.on("error", () => {});
    socket.write(down);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, received };
}

/** The real port from the JSON `listening` event. */
async function listeningPort(proc: CliProc): Promise<number> {
  const m = await proc.waitForStderr(/^\{"event":"listening".*"address":"(?:tcp|udp):\/\/127\.0\.0\.1:(\d+)"/);
  return Number(m[1]);
}

/**
 * Wait for a JSON event of `type` on stderr. Megabytes of chunk events go by: each check
 * looks only at what arrived since the last one (not the whole stderr again).
 */
function waitForEvent(proc: CliProc, type: string): Promise<true> {
  const needle = `{"event":${JSON.stringify(type)},`;
  let from = 0;
  return proc.waitFor(`a ${type} event`, () => {
    const text = proc.stderr;
    const found = text.indexOf(needle, Math.max(0, from - needle.length));
    from = text.length;
    return found >= 0 ? true : undefined;
  }, 30_000);
}

/** Stop the server with SIGTERM; it exits 0; its JSON events. */
async function stoppedEvents(proc: CliProc): Promise<JsonEvent[]> {
  proc.signal("SIGTERM");
  const result = await proc.waitExit(20_000);
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  return jsonLines(result.stderr);
}

/** Connect, send `up`, half-close, collect everything until the other side closes. */
async function client(port: number, up: Buffer): Promise<Buffer> {
  const socket = await tcpConnect(port, "127.0.0.1", 10_000, { allowHalfOpen: true });
  const collector = new Collector(socket);
  socket.end(up);
  await collector.waitEnd(20_000);
  socket.destroy();
  return collector.data;
}

for (const encodings of [["hex"], ["python"]] as const) {
  const flags = flagsFor(encodings);

  test(`connect --json ${flags.join(" ")}: only JSON on stderr; the events give back every byte each way`, opts, async (t) => {
    const up = payload(300_001);
    const down = payload(200_003);
    const peer = await tcpPeer(t, down);
    const proc = socklab(["--json", "connect", `tcp://127.0.0.1:${peer.port}`, ...flags], { input: up, teardown: t });
    const result = await proc.waitExit(30_000);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    sameBytes(result.stdout, down, "stdout carries the payload only");
    sameBytes(await peer.received, up, "the peer got stdin");
    const events = jsonLines(result.stderr);
    const sent = stream(events, "sent", encodings);
    const received = stream(events, "received", encodings);
    sameBytes(sent.data, up, "sent events");
    sameBytes(received.data, down, "received events");
    assert.equal(sent.peer, `tcp://127.0.0.1:${peer.port}`);
    assert.ok(received.chunks > 1, `the transfer came in several chunks (${received.chunks})`);
  });

  test(`listen --json ${flags.join(" ")}: only JSON on stderr; the events give back every byte each way`, opts, async (t) => {
    const up = payload(300_001);
    const down = payload(200_003);
    const proc = socklab(["--json", "listen", "tcp://127.0.0.1:0", ...flags], { input: down, teardown: t });
    const port = await listeningPort(proc);
    const got = await client(port, up);
    const result = await proc.waitExit(30_000);
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    sameBytes(got, down, "the client got listen's stdin");
    sameBytes(result.stdout, up, "stdout carries what the client sent");
    const events = jsonLines(result.stderr);
    const received = stream(events, "received", encodings);
    sameBytes(received.data, up, "received events");
    sameBytes(stream(events, "sent", encodings).data, down, "sent events");
    assert.ok(received.chunks > 1, `the transfer came in several chunks (${received.chunks})`);
    assert.equal(received.peer, events.find((e) => e.event === "accepted")?.peer, "events name the accepted peer");
  });

  test(`serve echo --json ${flags.join(" ")}: only JSON on stderr; the events give back every byte each way`, opts, async (t) => {
    const up = payload(300_001);
    const proc = socklab(["--json", "serve", "echo", "tcp://127.0.0.1:0", ...flags], { teardown: t });
    const port = await listeningPort(proc);
    sameBytes(await client(port, up), up, "echoed");
    await waitForEvent(proc, "closed");
    const events = await stoppedEvents(proc);
    const received = stream(events, "received", encodings);
    sameBytes(received.data, up, "received events");
    sameBytes(stream(events, "sent", encodings).data, up, "sent events");
    assert.ok(received.chunks > 1, `the transfer came in several chunks (${received.chunks})`);
  });

  test(`relay --json ${flags.join(" ")}: only JSON on stderr; the client side's events give back every byte each way`, opts, async (t) => {
    const up = payload(300_001);
    const down = payload(200_003);
    const upstream = await tcpPeer(t, down);
    const proc = socklab(["--json", "relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${upstream.port}`, ...flags], { teardown: t });
    const port = await listeningPort(proc);
    sameBytes(await client(port, up), down, "the client got the upstream's bytes");
    sameBytes(await upstream.received, up, "the upstream got the client's bytes");
    await waitForEvent(proc, "relay-close");
    const events = await stoppedEvents(proc);
    // On the client side: received is what the client sent, sent what it got.
    const received = stream(events, "received", encodings);
    sameBytes(received.data, up, "received events");
    sameBytes(stream(events, "sent", encodings).data, down, "sent events");
    assert.equal(received.peer, events.find((e) => e.event === "relay-open")?.peer, "events name the relayed client");
    assert.ok(received.chunks > 1, `the transfer came in several chunks (${received.chunks})`);
  });
}

test("connect --json -x --show --trace: both fields on each chunk, each chunk reported once, eof and half-closed still there", opts, async (t) => {
  const up = payload(70_001);
  const down = payload(50_003);
  const peer = await tcpPeer(t, down);
  const result = await socklab(["--json", "connect", `tcp://127.0.0.1:${peer.port}`, "-x", "--show", "--trace"], { input: up, teardown: t }).waitExit(30_000);
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const events = jsonLines(result.stderr);
  sameBytes(stream(events, "sent", ["hex", "python"]).data, up, "sent events");
  sameBytes(stream(events, "received", ["hex", "python"]).data, down, "received events");
  assert.ok(events.some((e) => e.event === "eof") && events.some((e) => e.event === "half-closed"), "the trace's other steps are reported");
});

test("serve --json --hexdump-file FILE -x: the text dump goes to FILE, stderr stays JSON without hex", opts, async (t) => {
  const file = join(tempDir(t), "dump.txt");
  const proc = socklab(["--json", "serve", "echo", "tcp://127.0.0.1:0", "-x", "--hexdump-file", file], { teardown: t });
  const port = await listeningPort(proc);
  sameBytes(await client(port, Buffer.from("hola\n")), Buffer.from("hola\n"), "echoed");
  await waitForEvent(proc, "closed");
  const events = await stoppedEvents(proc);
  assert.ok(!events.some((e) => e.event === "sent" || e.event === "received"), "no chunk events: the dump went to the file");
  assert.match(readFileSync(file, "utf8"), /^< tcp:\/\/127\.0\.0\.1:\d+ 5 bytes at 0\n00000000 {2}68 6f 6c 61 0a {2}/m);
});

test("serve udp:// --json --show: one received and one sent event per datagram, datagram: true, no offset", opts, async (t) => {
  const proc = socklab(["--json", "serve", "echo", "udp://127.0.0.1:0", "--show"], { teardown: t });
  const port = await listeningPort(proc);
  const socket = dgram.createSocket("udp4");
  t.after(() => socket.close());
  const datagram = Buffer.from([0x68, 0x69, 0x00, 0xff, 0x27, 0x0a]);
  socket.send(datagram, port, "127.0.0.1");
  const [reply] = (await once(socket, "message")) as [Buffer];
  sameBytes(reply, datagram, "echoed");
  await waitForEvent(proc, "sent");
  const events = await stoppedEvents(proc);
  for (const type of ["received", "sent"] as const) {
    const chunks = events.filter((e) => e.event === type);
    assert.equal(chunks.length, 1, `one ${type} event`);
    const [chunk] = chunks;
    assert.equal(chunk!.datagram, true);
    assert.equal(chunk!.offset, undefined);
    assert.equal(chunk!.python, `b"hi\\x00\\xff'\\n"`);
    sameBytes(eventPayload(chunk as { python?: string })!, datagram, `${type} payload`);
  }
});

test("without --json the views are still text (the JSON fields do not leak into text mode)", opts, async (t) => {
  const peer = await tcpPeer(t, Buffer.from("ok\n"));
  const result = await socklab(["connect", `tcp://127.0.0.1:${peer.port}`, "-x", "--show"], { input: "hola\n", teardown: t }).waitExit(30_000);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^> tcp:\/\/127\.0\.0\.1:\d+ 5 bytes at 0\n00000000 {2}68 6f 6c 61 0a {2}/m);
  assert.match(result.stderr, /^< tcp:\/\/127\.0\.0\.1:\d+ b'ok\\n'$/m);
  assert.doesNotMatch(result.stderr, /^\{/m);
});

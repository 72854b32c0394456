/** tap(): every chunk read and written is reported, the bytes and the flow are untouched. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { Duplex, PassThrough } from "node:stream";
import { byteViewSink, tap, type Direction } from "../src/format/tap.js";
import { holdReading, releaseReading } from "../src/read-holds.js";
import { waitUntil } from "./support/wait.js";

async function socketPair(t: { after(fn: () => unknown): void }): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer({ allowHalfOpen: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const accepted = once(server, "connection");
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: "127.0.0.1", allowHalfOpen: true });
  const [peer] = (await accepted) as [net.Socket];
  await once(client, "connect");
  t.after(() => {
    client.destroy();
    peer.destroy();
  });
  return [client, peer];
}

function recorder(): { chunks: { direction: Direction; data: Buffer }[]; ends: Direction[]; total(d: Direction): Buffer } {
  const chunks: { direction: Direction; data: Buffer }[] = [];
  const ends: Direction[] = [];
  return {
    chunks,
    ends,
    total: (d) => Buffer.concat(chunks.filter((c) => c.direction === d).map((c) => c.data)),
  };
}

test("reports bytes written and read on a TCP socket, and both FINs", async (t) => {
  const [client, peer] = await socketPair(t);
  const rec = recorder();
  tap(client, { chunk: (direction, data) => rec.chunks.push({ direction, data }), end: (d) => rec.ends.push(d) });
  const got: Buffer[] = [];
  client.on("data", (c: Buffer) => got.push(c));
  const ended = once(client, "end");
  const finished = once(client, "finish");
  client.write("PING\n");
  client.end(Buffer.from("bye"));
  peer.end("PONG\n");
  await ended;
  await finished;
  assert.equal(Buffer.concat(got).toString(), "PONG\n");
  assert.equal(rec.total("out").toString(), "PING\nbye");
  assert.equal(rec.total("in").toString(), "PONG\n");
  assert.deepEqual([...rec.ends].sort(), ["in", "out"]);
});

test("does not start the flow: a paused socket stays paused and keeps its bytes", async (t) => {
  const [client, peer] = await socketPair(t);
  const rec = recorder();
  client.pause();
  tap(client, { chunk: (direction, data) => rec.chunks.push({ direction, data }) });
  peer.write("early");
  // Wait until the bytes reached the tap (read from the kernel into the buffer).
  await waitUntil(() => rec.total("in").length >= 5, { what: "5 bytes recorded in" });
  assert.equal(client.isPaused(), true);
  assert.equal(client.read()?.toString(), "early");
});

test("8 MiB through a tapped socket with a slow reader: same bytes, memory bounded by backpressure", async (t) => {
  const [client, peer] = await socketPair(t);
  let seen = 0;
  const seenHash = createHash("sha256");
  tap(client, { chunk: (_d, data) => { seen += data.length; seenHash.update(data); } });
  const payload = randomBytes(8 * 1024 * 1024);
  const sentHash = createHash("sha256").update(payload).digest("hex");
  // The receiver reads slowly at first; the writer must see write() return false (backpressure intact).
  peer.pause();
  let sawBackpressure = false;
  let at = 0;
  const writeMore = (): void => {
    while (at < payload.length) {
      const ok = client.write(payload.subarray(at, at + 65536));
      at += 65536;
      if (!ok) {
        sawBackpressure = true;
        client.once("drain", writeMore);
        return;
      }
    }
    client.end();
  };
  writeMore();
  // The writer is now held by write() returning false; the reader starts late.
  await waitUntil(() => sawBackpressure, { what: "the tap saw backpressure" });
  peer.resume();
  const recv = createHash("sha256");
  peer.on("data", (c: Buffer) => recv.update(c));
  await once(peer, "end");
  assert.equal(sawBackpressure, true);
  assert.equal(seen, payload.length);
  assert.equal(seenHash.digest("hex"), sentHash);
  assert.equal(recv.digest("hex"), sentHash);
});

test("tap records the writes of any Duplex, and nothing once removed", async () => {
  const out = new PassThrough();
  const duplex = Duplex.from({ readable: new PassThrough(), writable: out });
  const rec = recorder();
  const untap = tap(duplex, { chunk: (direction, data) => rec.chunks.push({ direction, data }) });
  duplex.write("abc");
  await new Promise((r) => setImmediate(r));
  untap();
  duplex.write("def");
  await new Promise((r) => setImmediate(r));
  assert.equal(rec.total("out").toString(), "abc");
  assert.equal(out.read()?.toString(), "abcdef");
});

test("byteViewSink renders -x and --show for one connection", () => {
  const text: string[] = [];
  const sink = byteViewSink("tcp://127.0.0.1:7", { hexdump: true, show: true }, (s) => text.push(s));
  sink.chunk("out", Buffer.from("hola\n"));
  sink.chunk("out", Buffer.from("x"));
  assert.equal(
    text[0],
    "> tcp://127.0.0.1:7 5 bytes at 0\n00000000  68 6f 6c 61 0a                                    |hola.|\n> tcp://127.0.0.1:7 b'hola\\n'\n",
  );
  assert.match(text[1]!, /^> tcp:\/\/127\.0\.0\.1:7 1 byte at 5\n/);
});

test("holdReading: paused while any reason holds, resumed when the last lets go; a stream not flowing is left alone", () => {
  const flowing = new PassThrough();
  flowing.on("data", () => {});
  holdReading(flowing, "stdout");
  holdReading(flowing, "tap");
  assert.equal(flowing.readableFlowing, false);
  releaseReading(flowing, "stdout"); // standard output drained; the dump still waits
  assert.equal(flowing.readableFlowing, false);
  releaseReading(flowing, "tap");
  assert.equal(flowing.readableFlowing, true);
  releaseReading(flowing, "tap"); // a second release changes nothing
  assert.equal(flowing.readableFlowing, true);

  const idle = new PassThrough(); // nobody reads it: resuming it later would lose its bytes
  holdReading(idle, "tap");
  releaseReading(idle, "tap");
  assert.equal(idle.readableFlowing, null);
});

test("holdReading: a reader that knows nothing of holds (pipe(), a service's pause/resume) can't restart a held stream", async () => {
  // pipe()'s backpressure: the destination full, the source paused; on 'drain' pipe() calls
  // src.resume(), which must not restart a source the tap holds for standard error.
  const source = new PassThrough();
  const dest = new PassThrough({ highWaterMark: 4 });
  source.pipe(dest);
  source.write(Buffer.alloc(64));
  await waitUntil(() => source.readableFlowing === false, { what: "pipe() to pause the source" });
  holdReading(source, "tap"); // a paused stream is held too: its reader may resume it any time
  dest.resume(); // the destination drains: pipe() resumes the source…
  await waitUntil(() => dest.readableLength === 0 && dest.writableLength === 0, { what: "the destination to drain" });
  assert.equal(source.readableFlowing, false, "…which stays held");
  source.pause();
  source.resume(); // the last wish of the other reader: flowing
  assert.equal(source.readableFlowing, false);
  releaseReading(source, "tap");
  assert.equal(source.readableFlowing, true, "flowing once the hold lets go, as the other reader wants");

  // A reader that paused it meanwhile (a service waiting for 'drain') keeps it paused after the release.
  const echo = new PassThrough();
  echo.on("data", () => {});
  holdReading(echo, "tap");
  echo.pause();
  releaseReading(echo, "tap");
  assert.equal(echo.readableFlowing, false);
  echo.resume();
  assert.equal(echo.readableFlowing, true);
  // Nothing of the hold is left on the stream.
  assert.equal(Object.prototype.hasOwnProperty.call(echo, "resume"), false);
  assert.equal(Object.prototype.hasOwnProperty.call(echo, "pause"), false);
});

/**
 * `connect` without --send: stdin → socket, socket → stdout, half-close at stdin EOF and
 * keep printing until the peer closes (nc -N), in constant memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { createHash, randomBytes } from "node:crypto";
import { startServer, socklab, runSocklab } from "./support/cli.js";

function sha(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

test("8 MiB from stdin through serve echo come back identical on stdout", { timeout: 60_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(8 * 1024 * 1024);
  const r = await runSocklab(["connect", ready.address], { input: payload, timeoutMs: 18_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, payload.length);
  assert.equal(sha(r.stdout), sha(payload));
});

test("at stdin EOF the write side is shut down, and the reply sent after our FIN is still printed", { timeout: 30_000 }, async (t) => {
  // A peer that answers only once it has seen EOF: proves the half-close and that
  // socklab keeps reading after it.
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on("data", (c: Buffer) => (n += c.length));
    s.on("end", () => {
      setTimeout(() => s.end(`got ${n} bytes\n`), 100);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const payload = randomBytes(3 * 1024 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: payload });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `got ${payload.length} bytes\n`);
});

test("empty stdin: immediate half-close, then the peer's greeting is printed (greet)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address], { input: "" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola dual\n");
});

test("interactive: each stdin write is answered while stdin stays open", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const client = socklab(["connect", ready.address], { input: "pipe", teardown: t });
  client.write("uno\n");
  await client.waitForStdout("eco: uno\n", 5000);
  client.write("dos\n");
  await client.waitForStdout("eco: dos\n", 5000);
  assert.equal(client.hasExited, false, "still running while stdin is open");
  client.endInput();
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: uno\neco: dos\n");
});

test("stdout is a slow reader: nothing is lost (backpressure), 4 MiB through a pipe", { timeout: 60_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(4 * 1024 * 1024);
  const client = socklab(["connect", ready.address], { input: payload, teardown: t });
  // Pause reading socklab's stdout for a moment so its writes see backpressure.
  client.child.stdout!.pause();
  setTimeout(() => client.child.stdout!.resume(), 300);
  const r = await client.waitExit(18_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(sha(r.stdout), sha(payload));
});

test("-v reports the byte count on stderr: received N bytes in T s (R MiB/s)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(100_000);
  const r = await runSocklab(["connect", ready.address, "-v"], { input: payload });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, payload.length);
  assert.match(r.stderr, /received 100000 bytes in [\d.]+ ?s \([\d.]+ MiB\/s\)/);
});

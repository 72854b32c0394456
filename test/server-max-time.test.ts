/**
 * Issue 8 item 12: one client can't hold a sequential server hostage. `--idle-timeout`
 * bounds silence; `--max-time` bounds the whole connection, so a client that trickles a
 * byte just often enough to never be idle is still closed, and the next client is served.
 * Small values (fractions of a second) keep the test short; the rule is the same at 10 s.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer } from "./support/cli.js";

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

const closed = (socket: net.Socket): Promise<void> => new Promise((r) => (socket.destroyed ? r() : socket.once("close", () => r())));

test("slow loris: a byte every 0.2 s under --idle-timeout 0.4 is closed by --max-time 1; the next client is served", { timeout: 60_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "0.4", "--max-time", "1"], { teardown: t });
  const loris = await connect(ready.port);
  const trickle = setInterval(() => loris.writable && loris.write("x"), 200);
  t.after(() => clearInterval(trickle));
  const next = await connect(ready.port); // waits in the kernel queue
  t.after(() => next.destroy());
  let reply = "";
  next.on("data", (b) => (reply += b.toString()));
  next.end("served\n");
  const t0 = Date.now();
  await closed(loris);
  const held = Date.now() - t0;
  clearInterval(trickle);
  await closed(next);
  assert.equal(reply, "served\n");
  assert.match(proc.stderr, /^max-time tcp:\/\/127\.0\.0\.1:\d+ after 1s, closing$/m);
  assert.doesNotMatch(proc.stderr, /^idle-timeout /m, "the trickle kept it from being idle");
  assert.ok(held >= 700 && held < 3000, `the loris was held ${held} ms (limit 1 s)`);
});

test("a silent client, and one that sends without ever reading (both buffers full), are closed by --idle-timeout", { timeout: 60_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "0.3"], { teardown: t });
  const silent = await connect(ready.port);
  const stuck = await connect(ready.port);
  stuck.pause(); // never reads: the echo fills its receive buffer, then ours
  const flood = (): void => {
    while (stuck.writable && stuck.write(Buffer.alloc(64 * 1024))) {
      if (stuck.bytesWritten > 64 << 20) return; // bounded
    }
  };
  stuck.on("drain", flood);
  const next = await connect(ready.port);
  let reply = "";
  next.on("data", (b) => (reply += b.toString()));
  next.end("tres\n");
  t.after(() => [silent, stuck, next].forEach((s) => s.destroy()));
  flood();
  await closed(next);
  assert.equal(reply, "tres\n");
  const timeouts = proc.stderr.match(/^idle-timeout tcp:\/\/127\.0\.0\.1:\d+ after 0\.3s$/gm) ?? [];
  assert.equal(timeouts.length, 2, proc.stderr);
});

test("--max-time alone closes a connection that is busy the whole time", { timeout: 60_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--max-time", "0.5"], { teardown: t });
  const busy = await connect(ready.port);
  busy.on("data", () => {});
  const pump = setInterval(() => busy.writable && busy.write(Buffer.alloc(4096)), 5);
  t.after(() => clearInterval(pump));
  await closed(busy);
  clearInterval(pump);
  await proc.waitForStderr(/^max-time .* after 0\.5s, closing$/);
});

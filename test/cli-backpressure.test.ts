/**
 * A peer that sends but never reads makes `serve echo` stop reading (backpressure): the
 * server's memory stays bounded, and nothing is lost once the peer reads again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startServer } from "./support/cli.js";
import { rssMiB } from "./support/process.js";
import { tcpConnect } from "./support/net.js";
import { hold } from "./support/wait.js";


test("serve echo: a client that never reads cannot make the server buffer without limit", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const pid = proc.pid!;
  const before = rssMiB(pid);
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  socket.pause(); // never read the echo
  const TOTAL = 96 * 1024 * 1024;
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let queued = 0;
  // Write until the socket stays blocked: Node buffers what the kernel does not take.
  while (queued < TOTAL) {
    const ok = socket.write(chunk);
    queued += chunk.length;
    if (!ok) {
      const drained = await Promise.race([
        new Promise<boolean>((r) => socket.once("drain", () => r(true))),
        hold(700, "blocked for 0.7 s counts as stalled").then(() => false),
      ]);
      if (!drained) break;
    }
  }
  const flushed = socket.bytesWritten - socket.writableLength;
  const grown = rssMiB(pid) - before;
  t.diagnostic(`queued ${queued >> 20} MiB, accepted ${flushed >> 20} MiB, server RSS +${grown.toFixed(1)} MiB`);
  assert.ok(queued < TOTAL, `the writer got stalled (queued ${queued >> 20} MiB, ${flushed >> 20} MiB accepted by the network)`);
  assert.ok(grown < 48, `server RSS grew by ${grown.toFixed(1)} MiB while a client sent ${flushed >> 20} MiB and read nothing`);

  // Now read everything back: all bytes echoed, in order, nothing lost.
  socket.end();
  const hash = createHash("sha256");
  let received = 0;
  socket.on("data", (c: Buffer) => {
    hash.update(c);
    received += c.length;
  });
  socket.resume();
  await new Promise<void>((resolve, reject) => {
    socket.once("end", resolve);
    socket.once("error", reject);
  });
  assert.equal(received, queued, "every byte sent came back");
  assert.equal(hash.digest("hex"), createHash("sha256").update(Buffer.alloc(queued, 0x61)).digest("hex"));
});

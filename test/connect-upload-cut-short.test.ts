/**
 * Issue 8, item 2 and the hostile suite's RST mid-stream: a connection that ends before
 * every byte went through exits 1 with one line that says how much went each way.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { tcpServer } from "./support/net.js";
import { runSocklab, stderrLines } from "./support/cli.js";


const CUT = /upload cut short \((.+)\): sent (\d+) of (\d+) bytes read from standard input( \(more was coming\))?; received (\d+) bytes$/;

function cutShortLine(stderr: string): { cause: string; sent: number; read: number; more: boolean; received: number } {
  const lines = stderrLines(stderr);
  assert.equal(lines.length, 1, `exactly one line on stderr:\n${stderr}`);
  const m = lines[0]!.match(CUT);
  assert.ok(m, `the line says how much was sent of how much was read: ${lines[0]}`);
  return { cause: m[1]!, sent: Number(m[2]), read: Number(m[3]), more: m[4] !== undefined, received: Number(m[5]) };
}

test("upload cut short by a clean close: the peer says bye and closes before reading → exit 1, sent N of M", { timeout: 20_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => socket.end("bye\n", () => socket.destroy()));
  const upload = randomBytes(8 * 1024 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: upload, timeoutMs: 15_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.toString(), "bye\n", "what the peer sent is printed");
  const cut = cutShortLine(r.stderr);
  assert.ok(cut.sent <= cut.read && cut.more, `sent ${cut.sent} of ${cut.read}, and stdin had more`);
  assert.ok(cut.read <= upload.length);
  assert.equal(cut.received, 4);
  assert.match(r.stderr, new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: `), "names the address");
});

test("upload cut short by a reset: the peer reads 64 KiB then resets → exit 1, sent N of M, connection reset", { timeout: 20_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => {
    let got = 0;
    socket.on("data", (chunk: Buffer) => {
      got += chunk.length;
      if (got >= 64 * 1024) socket.resetAndDestroy();
    });
  });
  const upload = randomBytes(16 * 1024 * 1024);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: upload, timeoutMs: 15_000 });
  assert.equal(r.code, 1, r.stderr);
  const cut = cutShortLine(r.stderr);
  assert.ok(cut.sent <= cut.read && cut.more, `sent ${cut.sent} of ${cut.read}, and stdin had more`);
  assert.ok(cut.sent >= 64 * 1024, `at least what the peer read was sent (${cut.sent})`);
  assert.match(cut.cause, /reset|broken pipe/);
});

test("the same in Spanish (--lang es): one line, sent N of M", { timeout: 20_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => socket.end("adiós\n", () => socket.destroy()));
  const r = await runSocklab(["--lang", "es", "connect", `tcp://127.0.0.1:${port}`], { input: randomBytes(8 * 1024 * 1024), timeoutMs: 15_000 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^socklab: tcp:\/\/127\.0\.0\.1:\d+: envío interrumpido \(.+\): enviados \d+ de \d+ bytes leídos de la entrada estándar( \(faltaba más\))?; recibidos \d+ bytes\n$/);
});

test("RST mid-stream while downloading (-d): exit 1 every time, says how many bytes arrived", { timeout: 60_000 }, async (t) => {
  const chunk = randomBytes(1024 * 1024);
  const port = await tcpServer(t, (socket) => {
    socket.write(chunk, () => setTimeout(() => socket.resetAndDestroy(), 30));
  });
  // libuv can report a reset that follows a short read as EOF; socklab must not be fooled.
  for (let run = 0; run < 10; run++) {
    const r = await runSocklab(["connect", "-d", `tcp://127.0.0.1:${port}`], { timeoutMs: 15_000 });
    assert.equal(r.code, 1, `run ${run}: ${r.stderr}`);
    const lines = stderrLines(r.stderr);
    assert.equal(lines.length, 1, `run ${run}: ${r.stderr}`);
    // (Under load the reset can even beat the connect's completion: then the connect fails.)
    const m = lines[0]!.match(new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: connection reset by peer( after receiving (\\d+) bytes)?`));
    assert.ok(m, `run ${run}: ${lines[0]}`);
    // A reset throws away what was still queued on either side: the count is what got through.
    assert.equal(Number(m[2] ?? 0), r.stdout.length, `run ${run}: the count is what reached stdout`);
    // (On a loaded machine the reset may even beat every byte: then 0 arrived, and it says 0.)
    assert.ok(r.stdout.equals(chunk.subarray(0, r.stdout.length)), `run ${run}: what arrived is intact`);
  }
});

test("a peer that reads everything and closes: exit 0, nothing to report", { timeout: 20_000 }, async (t) => {
  const port = await tcpServer(t, (socket) => {
    socket.resume();
    socket.on("end", () => socket.end("ok\n"));
  });
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`], { input: randomBytes(4 * 1024 * 1024), timeoutMs: 15_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout.toString(), "ok\n");
});

/**
 * Exercise 10 (sequential echo), --concurrent, and exercise 12 (idle timeout), via
 * `socklab serve echo`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab, socklab } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";
import { hold } from "./support/wait.js";

test("10: connect --send 'hola mundo\\n' → the echo, exit 0; accept and close are logged", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "hola mundo\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola mundo\n");
  await proc.waitForStderr(/^accept tcp:\/\/127\.0\.0\.1:\d+$/, 3000);
  await proc.waitForStderr(/^close tcp:\/\/127\.0\.0\.1:\d+ received 11 sent 11$/, 3000);
});

test("10: sequential by default — a second client waits until the first finishes", { timeout: 45_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const a = await tcpConnect(ready.port);
  t.after(() => a.destroy());
  const ca = new Collector(a);
  a.write("A1");
  await ca.waitFor("A1");
  const b = await tcpConnect(ready.port); // the kernel accepts it; socklab must not serve it yet
  t.after(() => b.destroy());
  const cb = new Collector(b);
  b.write("B1");
  await hold(400, "B must stay unserved for a while: nothing to poll for");
  assert.equal(cb.text, "", "B is not served while A is connected");
  a.write("A2");
  await ca.waitFor("A1A2");
  a.end();
  await ca.waitEnd();
  await cb.waitFor("B1", 3000);
  b.end();
  await cb.waitEnd();
  assert.equal(cb.text, "B1");
  // The log is paced (written up to a few ms after the event): wait for B's close line,
  // which comes after both accept lines, before counting them.
  await proc.waitForStderr(/^close tcp:\/\/127\.0\.0\.1:\d+ received 2 sent 2$/, 3000);
  const accepts = proc.stderr.split("\n").filter((l) => l.startsWith("accept "));
  assert.equal(accepts.length, 2, proc.stderr);
});

test("10: three socklab clients at once with a sequential server are all served, one after another", { timeout: 45_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const results = await Promise.all(
    ["uno", "dos", "tres"].map((w) => runSocklab(["connect", ready.address], { input: `${w}\n` })),
  );
  results.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), `${["uno", "dos", "tres"][i]}\n`);
  });
});

test("--concurrent serves two clients at once", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const a = await tcpConnect(ready.port);
  const b = await tcpConnect(ready.port);
  t.after(() => {
    a.destroy();
    b.destroy();
  });
  const ca = new Collector(a);
  const cb = new Collector(b);
  a.write("from A");
  b.write("from B");
  await Promise.all([ca.waitFor("from A", 3000), cb.waitFor("from B", 3000)]);
  assert.equal(ca.isEnded || cb.isEnded, false, "both still open");
});

test("--concurrent line-echo: a client that never finishes its line does not delay others", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const slow = await tcpConnect(ready.port);
  t.after(() => slow.destroy());
  slow.write("half a line with no newline");
  const r = await runSocklab(["connect", ready.address, "--send", "rápido", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: rápido\n");
});

test("a client that resets (RST) does not take the server down", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const a = await tcpConnect(ready.port);
  const ca = new Collector(a);
  a.write("x");
  await ca.waitFor("x");
  a.resetAndDestroy();
  const r = await runSocklab(["connect", ready.address, "--send", "still here\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "still here\n");
  assert.equal(proc.hasExited, false);
});

test("12: --idle-timeout 1 closes an idle connection and logs it; the next client is served", { timeout: 45_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "1"], { teardown: t });
  const idle = await tcpConnect(ready.port);
  t.after(() => idle.destroy());
  const col = new Collector(idle);
  const localPort = idle.localPort!;
  idle.write("hi");
  await col.waitFor("hi");
  const started = Date.now();
  await col.waitClose(5000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 800 && elapsed < 3500, `closed about 1 s after the last activity (${elapsed} ms)`);
  await proc.waitForStderr(new RegExp(`^idle-timeout tcp://127\\.0\\.0\\.1:${localPort} after 1s$`), 2000);
  const r = await runSocklab(["connect", ready.address, "--send", "next\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "next\n");
});

test("12: an active connection is not closed by --idle-timeout (activity resets the timer)", { timeout: 45_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "1"], { teardown: t });
  const s = await tcpConnect(ready.port);
  t.after(() => s.destroy());
  const col = new Collector(s);
  for (let i = 0; i < 6; i++) {
    s.write(`${i}`);
    await col.waitFor(`${i}`);
    await hold(300, "active but slow: 1.8 s in total, never 1 s idle");
  }
  assert.equal(col.isEnded, false, "still open");
  s.end();
  await col.waitEnd();
  assert.equal(col.text, "012345");
  assert.doesNotMatch(proc.stderr, /idle-timeout/);
});

test("12: socklab connect --until-close returns when the server closes the idle connection", { timeout: 45_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "1"], { teardown: t });
  const client = socklab(["connect", ready.address, "--send", "ping\\n", "--until-close"], { teardown: t });
  const r = await client.waitExit(6000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
});

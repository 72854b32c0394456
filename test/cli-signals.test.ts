/**
 * SIGTERM / SIGINT: servers stop accepting, close their clients, remove a socket file they
 * created, and exit 0.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { startServer, hasStackTrace } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";
import { tempPath } from "./support/tmp.js";
import net from "node:net";

/** One echo round trip over a Unix stream socket. */
async function unixRoundTrip(path: string): Promise<void> {
  const s = net.connect(path);
  const col = new Collector(s);
  s.end("ping");
  await col.waitEnd(3000);
  assert.equal(col.text, "ping");
}

// These signal the server right after its readiness line: "listening" must mean ready,
// including for a signal (a script does exactly this: wait for the line, then kill).
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  for (const args of sig === "SIGINT" ? [["serve", "echo", "tcp://127.0.0.1:0"], ["listen", "tcp://127.0.0.1:0"]] : [
    ["serve", "echo", "tcp://127.0.0.1:0"],
    ["serve", "cmd", "tcp://127.0.0.1:0", "--concurrent"],
    ["serve", "echo", "udp://127.0.0.1:0"],
    ["serve", "time", "udp://127.0.0.1:0"],
    ["listen", "tcp://127.0.0.1:0"],
    ["listen", "tcp://127.0.0.1:0", "--keep-open"],
  ]) {
    test(`${sig} on idle \`socklab ${args.join(" ")}\` → exit 0`, { timeout: 30_000 }, async (t) => {
      const { proc } = await startServer(args, { teardown: t });
      proc.signal(sig);
      const r = await proc.waitExit(5000);
      assert.equal(r.signal, null, `exited by itself, not killed by ${sig}`);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
  }

  test(`${sig} on serve echo with a connected client → client is closed, exit 0`, { timeout: 30_000 }, async (t) => {
    const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
    const socket = await tcpConnect(ready.port);
    t.after(() => socket.destroy());
    const col = new Collector(socket);
    socket.write("hola\n");
    await col.waitFor("hola\n");
    proc.signal(sig);
    const r = await proc.waitExit(5000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.signal, null);
    await col.waitClose(3000);
  });

  test(`${sig} on serve echo unix:PATH → the socket file is removed, exit 0`, { timeout: 30_000 }, async (t) => {
    const path = tempPath(t, "echo.sock");
    const { proc, ready } = await startServer(["serve", "echo", `unix:${path}`], { teardown: t });
    assert.equal(ready.address, `unix:${path}`);
    assert.ok(existsSync(path), "socket file exists while serving");
    await unixRoundTrip(path); // settled: the signal tested here is not a start-up race
    proc.signal(sig);
    const r = await proc.waitExit(5000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(path), "socket file removed on exit");
  });

  test(`${sig} on listen unix:PATH → the socket file is removed, exit 0`, { timeout: 30_000 }, async (t) => {
    const path = tempPath(t, "listen.sock");
    const { proc } = await startServer(["listen", `unix:${path}`], { teardown: t });
    assert.ok(existsSync(path));
    const s = net.connect(path);
    t.after(() => s.destroy());
    s.write("x");
    await proc.waitForStdout("x");
    proc.signal(sig);
    const r = await proc.waitExit(5000);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(path), "socket file removed on exit");
  });
}

test("SIGTERM: the port is free again right after exit (server socket closed)", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const s = await tcpConnect(ready.port);
  const col = new Collector(s);
  s.end("x");
  await col.waitEnd();
  proc.signal("SIGTERM");
  assert.equal((await proc.waitExit(5000)).code, 0);
  const again = await startServer(["serve", "echo", `tcp://127.0.0.1:${ready.port}`], { teardown: t });
  assert.equal(again.ready.port, ready.port);
});

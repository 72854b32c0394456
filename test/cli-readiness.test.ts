/**
 * `serve` and `listen` print exactly one `listening ADDRESS` line on stderr when ready,
 * with the real bound port, and the port is really open at that moment.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "./support/cli.js";
import { tcpConnect, udpRequest, Collector, freePort } from "./support/net.js";

const TCP_CASES: Array<{ args: string[]; host: string; shown: RegExp }> = [
  { args: ["serve", "echo", "tcp://127.0.0.1:0"], host: "127.0.0.1", shown: /^tcp:\/\/127\.0\.0\.1:(\d+)$/ },
  { args: ["serve", "line-echo", "tcp://127.0.0.1:0"], host: "127.0.0.1", shown: /^tcp:\/\/127\.0\.0\.1:(\d+)$/ },
  { args: ["serve", "cmd", "tcp://127.0.0.1:0"], host: "127.0.0.1", shown: /^tcp:\/\/127\.0\.0\.1:(\d+)$/ },
  { args: ["serve", "greet", "tcp://127.0.0.1:0"], host: "127.0.0.1", shown: /^tcp:\/\/127\.0\.0\.1:(\d+)$/ },
  { args: ["serve", "echo", "tcp://[::1]:0"], host: "::1", shown: /^tcp:\/\/\[::1\]:(\d+)$/ },
  { args: ["listen", "tcp://127.0.0.1:0"], host: "127.0.0.1", shown: /^tcp:\/\/127\.0\.0\.1:(\d+)$/ },
];

for (const c of TCP_CASES) {
  test(`socklab ${c.args.join(" ")}: one readiness line with the real port, and it accepts`, { timeout: 30_000 }, async (t) => {
    const { proc, ready } = await startServer(c.args, { teardown: t });
    const m = ready.address.match(c.shown);
    assert.ok(m, `readiness address ${ready.address} has the form ${c.shown}`);
    const port = Number(m[1]);
    assert.ok(port > 0 && port < 65536, "a real port, not 0");
    const socket = await tcpConnect(port, c.host);
    t.after(() => socket.destroy());
    const col = new Collector(socket);
    if (c.args[1] !== "greet") socket.write("PING\n");
    if (c.args[0] === "listen") await proc.waitForStdout("PING\n", 3000);
    else await col.waitFor(1, 3000);
    assert.equal(proc.stderr.split("\n").filter((l) => l.startsWith("listening ")).length, 1, `exactly one listening line:\n${proc.stderr}`);
    if (c.args[0] === "serve") assert.equal(proc.stdout.length, 0, "serve prints nothing on stdout (diagnostics go to stderr)");
  });
}

test("serve echo udp://127.0.0.1:0: readiness line with the real port, and it answers", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  assert.match(ready.address, /^udp:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(ready.port > 0);
  const { data } = await udpRequest(ready.port, "ping");
  assert.equal(data.toString(), "ping");
  assert.equal(proc.stderr.split("\n").filter((l) => l.startsWith("listening ")).length, 1);
});

test("serve time udp://[::1]:0 prints udp://[::1]:PORT", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "time", "udp://[::1]:0"], { teardown: t });
  assert.match(ready.address, /^udp:\/\/\[::1\]:\d+$/);
  const { data } = await udpRequest(ready.port, "TIME", "::1");
  assert.match(data.toString(), /^\d\d:\d\d:\d\d$/);
});

test("a fixed port is printed as given", { timeout: 30_000 }, async (t) => {
  const port = await freePort();
  const { ready } = await startServer(["serve", "echo", `tcp://127.0.0.1:${port}`], { teardown: t });
  assert.equal(ready.address, `tcp://127.0.0.1:${port}`);
});

test("the readiness line is the first line on stderr", { timeout: 30_000 }, async (t) => {
  const { proc } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  assert.match(proc.stderr.split("\n")[0]!, /^listening tcp:\/\/127\.0\.0\.1:\d+$/);
});

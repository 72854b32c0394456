/**
 * Exercises 2.4 (TCP over IPv6), 2.5 (dual-stack) and 6 (every resolved address), via
 * `socklab serve` and `socklab connect`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab, hasStackTrace } from "./support/cli.js";
import { tcpConnect, Collector } from "./support/net.js";

test("2.4: serve echo tcp://[::1]:0 + connect tcp://[::1]:PORT --send 'hola ipv6\\n'", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "echo", "tcp://[::1]:0"], { teardown: t });
  assert.match(ready.address, /^tcp:\/\/\[::1\]:\d+$/);
  const r = await runSocklab(["connect", ready.address, "--send", "hola ipv6\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola ipv6\n");
  await proc.waitForStderr(/^accept tcp:\/\/\[::1\]:\d+$/, 3000);
});

test("2.5: serve greet tcp://[::]:0 --dual-stack is reached over 127.0.0.1 (as ::ffff:127.0.0.1) and [::1]", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "greet", "tcp://[::]:0", "--dual-stack"], { teardown: t });
  const v4 = await runSocklab(["connect", `tcp://127.0.0.1:${ready.port}`]);
  assert.equal(v4.code, 0, v4.stderr);
  assert.equal(v4.stdout.toString(), "hola dual\n");
  const v6 = await runSocklab(["connect", `tcp://[::1]:${ready.port}`]);
  assert.equal(v6.code, 0, v6.stderr);
  assert.equal(v6.stdout.toString(), "hola dual\n");
  // Linux allows dual-stack: one socket, IPv4 peers seen as IPv4-mapped addresses.
  await proc.waitForStderr(/^accept tcp:\/\/\[::ffff:127\.0\.0\.1\]:\d+$/, 3000);
  await proc.waitForStderr(/^accept tcp:\/\/\[::1\]:\d+$/, 3000);
});

test("2.5: greet --text changes the greeting (escapes understood)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://127.0.0.1:0", "--text", "hola\\tdual\\r\\n"], { teardown: t });
  const r = await runSocklab(["connect", ready.address]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola\tdual\r\n");
});

test("2.5: greet closes the connection after the greeting", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://127.0.0.1:0"], { teardown: t });
  const s = await tcpConnect(ready.port);
  const col = new Collector(s);
  await col.waitEnd(3000);
  assert.equal(col.text, "hola dual\n");
});

test("2.5: --ipv6-only on [::] refuses IPv4 and accepts [::1]", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "greet", "tcp://[::]:0", "--ipv6-only"], { teardown: t });
  const v4 = await runSocklab(["connect", `tcp://127.0.0.1:${ready.port}`]);
  assert.equal(v4.code, 1, v4.stderr);
  assert.match(v4.stderr, /refused/);
  assert.ok(!hasStackTrace(v4.stderr));
  const v6 = await runSocklab(["connect", `tcp://[::1]:${ready.port}`]);
  assert.equal(v6.code, 0, v6.stderr);
  assert.equal(v6.stdout.toString(), "hola dual\n");
});

test("2.5: dual-stack echo keeps working for both families at once (--concurrent)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://[::]:0", "--dual-stack", "--concurrent"], { teardown: t });
  const [a, b] = await Promise.all([
    runSocklab(["connect", `tcp://127.0.0.1:${ready.port}`], { input: "cuatro\n" }),
    runSocklab(["connect", `tcp://[::1]:${ready.port}`], { input: "seis\n" }),
  ]);
  assert.equal(a.stdout.toString(), "cuatro\n", a.stderr);
  assert.equal(b.stdout.toString(), "seis\n", b.stderr);
});

test("6: connect tcp://localhost:PORT tries every resolved address; reaches a 127.0.0.1 server", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", `tcp://localhost:${ready.port}`, "--send", "hola\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola\n");
});

test("6: -4 uses only IPv4 addresses; -6 with an IPv4-only server fails with one clear line", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r4 = await runSocklab(["connect", "-4", `tcp://localhost:${ready.port}`, "--send", "hola\\n"]);
  assert.equal(r4.code, 0, r4.stderr);
  assert.equal(r4.stdout.toString(), "hola\n");
  const r6 = await runSocklab(["connect", "-6", `tcp://127.0.0.1:${ready.port}`, "--send", "hola\\n"]);
  assert.ok(r6.code === 1 || r6.code === 2, `an IPv4 literal with -6 is an error (exit 1 or 2), got ${r6.code}; stderr: ${r6.stderr}`);
  assert.ok(!hasStackTrace(r6.stderr), r6.stderr);
  assert.ok(r6.stderr.includes(`127.0.0.1:${ready.port}`), r6.stderr);
});

test("6: -v names the address actually connected to", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://[::1]:0"], { teardown: t });
  const r = await runSocklab(["connect", "-v", `tcp://[::1]:${ready.port}`, "--send", "hola\\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`tcp://[::1]:${ready.port}`), r.stderr);
});

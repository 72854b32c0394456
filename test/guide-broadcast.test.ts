/**
 * Exercise 9: broadcast discovery, only on 127.255.255.255 (the loopback broadcast), with
 * `socklab serve announce` bound to udp://127.255.255.255:PORT and `socklab discover`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab, hasStackTrace } from "./support/cli.js";

const BCAST = "127.255.255.255";

test("9: discover lists every responder (two announce servers on the same port)", { timeout: 45_000 }, async (t) => {
  const first = await startServer(["serve", "announce", `udp://${BCAST}:0`, "--text", "uno\\n"], { teardown: t });
  const port = first.ready.port;
  assert.equal(first.ready.address, `udp://${BCAST}:${port}`);
  await startServer(["serve", "announce", `udp://${BCAST}:${port}`, "--text", "dos\\n"], { teardown: t });
  const started = Date.now();
  const r = await runSocklab(["discover", `udp://${BCAST}:${port}`, "--timeout", "0.6"]);
  const elapsed = Date.now() - started;
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.toString().split("\n").filter((l) => l !== "").sort();
  assert.equal(lines.length, 2, r.stdout.toString());
  // One line per responder: `udp://HOST:PORT PAYLOAD`, control characters escaped.
  assert.match(lines[0]!, /^udp:\/\/127\.\d+\.\d+\.\d+:\d+ dos\\n$/);
  assert.match(lines[1]!, /^udp:\/\/127\.\d+\.\d+\.\d+:\d+ uno\\n$/);
  assert.ok(elapsed >= 500, `waited the whole window to collect every reply (${elapsed} ms)`);
});

test("9: announce answers DISCOVER? with the default text 'socklab HOSTNAME\\n'", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "announce", `udp://${BCAST}:0`], { teardown: t });
  const r = await runSocklab(["discover", ready.address, "--timeout", "0.4"]);
  assert.equal(r.code, 0, r.stderr);
  const { hostname } = await import("node:os");
  assert.match(r.stdout.toString(), new RegExp(`^udp://127\\.\\d+\\.\\d+\\.\\d+:${ready.port} socklab ${hostname().replace(/[.]/g, "\\.")}\\\\n\\n$`));
});

test("9: announce ignores anything but DISCOVER? → discover --message HELLO has no responder, exit 1", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "announce", `udp://${BCAST}:0`], { teardown: t });
  const r = await runSocklab(["discover", ready.address, "--message", "HELLO", "--timeout", "0.4"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no responder within 0\.4s/);
  assert.equal(r.stdout.length, 0);
  assert.ok(!hasStackTrace(r.stderr));
});

test("9: announce answers a unicast DISCOVER? too (guide client without broadcast)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "announce", "udp://127.0.0.1:0", "--text", "aquí"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "DISCOVER?"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "aquí");
});

test("9: no responder at all → exit 1 'no responder within 0.3s' after the window", { timeout: 30_000 }, async () => {
  const { freePort } = await import("./support/net.js");
  const port = await freePort("udp");
  const started = Date.now();
  const r = await runSocklab(["discover", `udp://${BCAST}:${port}`, "--timeout", "0.3"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no responder within 0\.3s/);
  assert.ok(Date.now() - started >= 250);
});

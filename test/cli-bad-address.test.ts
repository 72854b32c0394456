/**
 * Bad addresses: exit 2 (usage) or 1, with one clear line that names the address, never a
 * stack trace. Bind failures (address in use, not a local address) exit 1 naming the cause.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { runSocklab, hasStackTrace, stderrLines } from "./support/cli.js";

const BAD = [
  "127.0.0.1:9000", // no scheme
  "9000",
  "tcp://127.0.0.1", // no port
  "tcp://127.0.0.1:99999", // port out of range
  "tcp://::1:9000", // IPv6 without brackets
  "tcp://[::1:9000", // missing ]
  "ftp://127.0.0.1:21", // unknown scheme
  "",
];

const PLAN: Array<[string[], string[]]> = [
  [["connect"], BAD],
  [["serve", "echo"], ["127.0.0.1:9000", "tcp://127.0.0.1:99999"]],
  [["listen"], ["tcp://[::1:9000"]],
];

for (const [command, addresses] of PLAN) {
  for (const address of addresses) {
    test(`bad address: socklab ${command.join(" ")} ${JSON.stringify(address)} → exit 2/1, one clear line`, { timeout: 30_000 }, async () => {
      const r = await runSocklab([...command, address]);
      assert.ok(r.code === 2 || r.code === 1, `exit 2 or 1, got ${r.code}; stderr: ${r.stderr}`);
      assert.ok(!hasStackTrace(r.stderr), `no stack trace:\n${r.stderr}`);
      const lines = stderrLines(r.stderr).filter((l) => !/^usage:?\s/i.test(l));
      assert.ok(lines.length >= 1 && lines.length <= 2, `one clear line (plus the usage line), got:\n${r.stderr}`);
      if (address !== "") assert.ok(r.stderr.includes(address), `the message names ${address}:\n${r.stderr}`);
      assert.equal(r.stdout.length, 0);
      assert.doesNotMatch(r.stderr, /^listening /m);
    });
  }
}

test("serve on an address already in use → exit 1, names the address and 'in use'", { timeout: 30_000 }, async (t) => {
  const holder = net.createServer();
  holder.listen({ port: 0, host: "127.0.0.1", exclusive: true });
  await once(holder, "listening");
  t.after(() => holder.close());
  const port = (holder.address() as net.AddressInfo).port;
  const address = `tcp://127.0.0.1:${port}`;
  const r = await runSocklab(["serve", "echo", address]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`socklab: ${address.replace(/[.]/g, "\\.")}: .*in use`), r.stderr);
  assert.equal(stderrLines(r.stderr).length, 1, `exactly one line:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr));
});

test("listen on an address already in use → exit 1 with one line", { timeout: 30_000 }, async (t) => {
  const holder = net.createServer();
  holder.listen({ port: 0, host: "127.0.0.1", exclusive: true });
  await once(holder, "listening");
  t.after(() => holder.close());
  const port = (holder.address() as net.AddressInfo).port;
  const r = await runSocklab(["listen", `tcp://127.0.0.1:${port}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /in use/);
  assert.ok(r.stderr.includes(String(port)));
  assert.equal(stderrLines(r.stderr).length, 1, r.stderr);
});

test("serve on an address that is not on this machine → exit 1, one line naming it", { timeout: 30_000 }, async () => {
  // 192.0.2.1 (TEST-NET-1) is never local: bind fails with EADDRNOTAVAIL, no packet is sent.
  const r = await runSocklab(["serve", "echo", "tcp://192.0.2.1:0"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^socklab: tcp:\/\/192\.0\.2\.1:0: /m);
  assert.match(r.stderr, /not available|EADDRNOTAVAIL|cannot assign/i);
  assert.equal(stderrLines(r.stderr).length, 1, r.stderr);
  assert.ok(!hasStackTrace(r.stderr));
});

test("serve udp on an address already in use → exit 1, names the address", { timeout: 30_000 }, async (t) => {
  const dgram = await import("node:dgram");
  const holder = dgram.createSocket("udp4");
  holder.bind(0, "127.0.0.1");
  await once(holder, "listening");
  t.after(() => holder.close());
  const port = holder.address().port;
  const r = await runSocklab(["serve", "echo", `udp://127.0.0.1:${port}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stderr.includes(`udp://127.0.0.1:${port}`), r.stderr);
  assert.match(r.stderr, /in use/);
  assert.ok(!hasStackTrace(r.stderr));
});

/**
 * Connection refused: exit 1 with exactly one line `socklab: ADDRESS: … refused …`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, hasStackTrace, stderrLines } from "./support/cli.js";
import { closedPort, freePort } from "./support/net.js";

function re(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

test("connect --send to a closed TCP port → exit 1, one line naming the address and 'refused'", { timeout: 30_000 }, async () => {
  const port = await closedPort();
  const address = `tcp://127.0.0.1:${port}`;
  const r = await runSocklab(["connect", address, "--send", "hola mundo\\n"]);
  assert.equal(r.code, 1, r.stderr);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, `exactly one line:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^socklab: ${re(address)}: .*refused`));
  assert.equal(r.stdout.length, 0);
  assert.ok(!hasStackTrace(r.stderr));
});

test("connect (stdin mode) to a closed TCP port → exit 1, one line with 'refused'", { timeout: 30_000 }, async () => {
  const port = await closedPort();
  const address = `tcp://127.0.0.1:${port}`;
  const r = await runSocklab(["connect", address], { input: "data\n" });
  assert.equal(r.code, 1, r.stderr);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, `exactly one line:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^socklab: ${re(address)}: .*refused`));
  assert.ok(!hasStackTrace(r.stderr));
});

test("connect to a closed IPv6 port → exit 1, names tcp://[::1]:PORT and 'refused'", { timeout: 30_000 }, async () => {
  const port = await freePort("tcp", "::1");
  const address = `tcp://[::1]:${port}`;
  const r = await runSocklab(["connect", address, "--send", "x"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^socklab: ${re(address)}: .*refused`, "m"));
  assert.equal(stderrLines(r.stderr).length, 1, r.stderr);
  assert.ok(!hasStackTrace(r.stderr));
});

test("connect to a closed UDP port → exit 1 within the timeout, one line naming the address", { timeout: 30_000 }, async () => {
  const port = await freePort("udp");
  const address = `udp://127.0.0.1:${port}`;
  const r = await runSocklab(["connect", address, "--send", "ping", "--timeout", "0.3"]);
  assert.equal(r.code, 1, r.stderr);
  const last = stderrLines(r.stderr).at(-1) ?? "";
  // Loopback delivers ICMP port-unreachable, so either cause is right.
  assert.match(last, new RegExp(`^socklab: ${re(address)}: .*(refused|no response)`), r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.ok(!hasStackTrace(r.stderr));
});

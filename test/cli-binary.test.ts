/**
 * Payload goes to stdout untouched: every byte value, NULs, invalid UTF-8, CR/LF, through
 * `connect` (stdin mode and --send escapes) and `serve echo` / `serve line-echo`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, runSocklab } from "./support/cli.js";
import { udpRequest } from "./support/net.js";

function allBytes(): Buffer {
  const b = Buffer.alloc(256 * 4);
  for (let i = 0; i < b.length; i++) b[i] = i % 256;
  return b;
}

test("every byte value 0–255 round-trips through connect (stdin) + serve echo", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = allBytes();
  const r = await runSocklab(["connect", ready.address], { input: payload });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `stdout differs: ${r.stdout.length} bytes, first bytes ${r.stdout.subarray(0, 16).toString("hex")}`);
});

test("invalid UTF-8 and NULs round-trip byte for byte", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = Buffer.concat([
    Buffer.from([0xff, 0xfe, 0x00, 0x00, 0xc3]), // invalid UTF-8, NULs, a truncated sequence
    Buffer.from("\r\n\r"),
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (invalid UTF-8)
    Buffer.from("ñ\u0000end"),
    Buffer.from([0x80]),
  ]);
  const r = await runSocklab(["connect", ready.address], { input: payload });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString("hex"), payload.toString("hex"));
});

test("1 MiB of random bytes round-trip through connect + serve echo", { timeout: 45_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const payload = randomBytes(1024 * 1024);
  const r = await runSocklab(["connect", ready.address], { input: payload, timeoutMs: 12_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, payload.length);
  assert.ok(r.stdout.equals(payload), "identical bytes");
});

test("line-echo keeps a line's invalid UTF-8 bytes as they are: eco: <raw bytes>\\n", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0"], { teardown: t });
  const line = Buffer.from([0x61, 0xff, 0x00, 0xfe, 0x62]);
  const r = await runSocklab(["connect", ready.address], { input: Buffer.concat([line, Buffer.from("\n")]) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString("hex"), Buffer.concat([Buffer.from("eco: "), line, Buffer.from("\n")]).toString("hex"));
});

test("--send escapes: \\0 \\t \\r \\n \\\\ \\x41 become those bytes", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "a\\0b\\tc\\rd\\\\e\\x41\\n", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString("hex"), Buffer.from("a\0b\tc\rd\\eA\n", "latin1").toString("hex"));
});

test("--send \\xff sends the single byte 0xff (printf semantics, not UTF-8 of U+00FF)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "\\xff\\x00\\xfe", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString("hex"), "ff00fe");
});

test("UDP: a datagram with NULs and invalid UTF-8 comes back unchanged (serve echo udp)", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const payload = Buffer.from([0x00, 0xff, 0x0a, 0x00, 0xc3, 0x28]);
  const { data } = await udpRequest(ready.port, payload);
  assert.equal(data.toString("hex"), payload.toString("hex"));
});

test("UDP: connect --send prints the reply bytes untouched, the sender on stderr", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "\\x00ping\\xff"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString("hex"), Buffer.from([0x00, ...Buffer.from("ping"), 0xff]).toString("hex"));
  assert.match(r.stderr, new RegExp(`reply from udp://127\\.0\\.0\\.1:${ready.port} 6 bytes`));
});

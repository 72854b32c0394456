import assert from "node:assert/strict";
import { test } from "node:test";
import { formatAddress, parseAddress } from "../src/address.js";
import { AddressError } from "../src/errors.js";

test("parses every address form of the spec", () => {
  assert.deepEqual(parseAddress("tcp://127.0.0.1:9001"), { kind: "tcp", host: "127.0.0.1", port: 9001 });
  assert.deepEqual(parseAddress("udp://localhost:0"), { kind: "udp", host: "localhost", port: 0 });
  assert.deepEqual(parseAddress("tcp://[::1]:9301"), { kind: "tcp", host: "::1", port: 9301 });
  assert.deepEqual(parseAddress("tcp://[::]:9401"), { kind: "tcp", host: "::", port: 9401 });
  assert.deepEqual(parseAddress("unix:/tmp/eco.sock"), { kind: "unix", path: "/tmp/eco.sock" });
  assert.deepEqual(parseAddress("unix-dgram:/tmp/d"), { kind: "unix-dgram", path: "/tmp/d" });
  assert.deepEqual(parseAddress("abstract:demo_abstract"), { kind: "abstract", name: "demo_abstract" });
  assert.deepEqual(parseAddress("abstract-dgram:x"), { kind: "abstract-dgram", name: "x" });
});

test("formatAddress gives back the parsed text, IPv6 in brackets", () => {
  for (const text of ["tcp://127.0.0.1:9001", "udp://[::1]:53", "unix:/tmp/x", "abstract:demo"]) {
    assert.equal(formatAddress(parseAddress(text)), text);
  }
});

test("each bad address gets an error naming what is wrong, with a did-you-mean where one fits", () => {
  const cases: [string, RegExp][] = [
    ["tcp://127.0.0.1", /missing :PORT/],
    ["tcp://127.0.0.1:99999", /out of range/],
    ["tcp://127.0.0.1:abc", /not a number/],
    ["tcp://::1:80", /brackets/],
    ["tcp://[::1:80", /missing \]/],
    ["tcp://[nope]:80", /not an IPv6/],
    ["9001", /did you mean tcp:\/\/127\.0\.0\.1:9001/],
    ["localhost:80", /did you mean tcp:\/\/localhost:80/],
    ["unix:", /missing path/],
    [`unix:/tmp/${"x".repeat(120)}`, /fits at most 107 bytes/],
    ["ftp://x:1", /unknown form/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseAddress(text), (err: unknown) => err instanceof AddressError && message.test(err.message), text);
  }
});

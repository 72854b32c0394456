/** `--show` prints exactly what Python's repr() prints for bytes: checked against python3. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { pythonBytesRepr, showLine } from "../src/format/python-bytes.js";
import { spawnPython } from "./support/python.js";

test("common payloads print as Python's bytes literal: quote choice, escapes, UTF-8 as \\x", () => {
  assert.equal(pythonBytesRepr(Buffer.from("hola\n")), "b'hola\\n'");
  assert.equal(pythonBytesRepr(Buffer.alloc(0)), "b''");
  assert.equal(pythonBytesRepr(Buffer.from("it's")), `b"it's"`);
  assert.equal(pythonBytesRepr(Buffer.from(`it's "x"`)), `b'it\\'s "x"'`);
  assert.equal(pythonBytesRepr(Buffer.from('say "hi"')), `b'say "hi"'`);
  assert.equal(pythonBytesRepr(Buffer.from("a\\b\t\r\x00\x7f\xff", "latin1")), "b'a\\\\b\\t\\r\\x00\\x7f\\xff'");
  assert.equal(pythonBytesRepr(Buffer.from("ñ")), "b'\\xc3\\xb1'");
  assert.equal(showLine("in", "tcp://127.0.0.1:9", Buffer.from("PONG\n")), "< tcp://127.0.0.1:9 b'PONG\\n'\n");
  assert.equal(showLine("out", "tcp://127.0.0.1:9", Buffer.from("PING\n")), "> tcp://127.0.0.1:9 b'PING\\n'\n");
});

test("matches python3's repr() for every byte value and 3000 random byte strings", async (t) => {
  const cases: Buffer[] = [Buffer.alloc(0), Buffer.from(Array.from({ length: 256 }, (_, i) => i))];
  for (let b = 0; b < 256; b++) cases.push(Buffer.from([b]));
  // Quotes are the tricky part: mixes of ' and " with and without other bytes.
  cases.push(Buffer.from("'"), Buffer.from('"'), Buffer.from(`'"`), Buffer.from(`"'`), Buffer.from("a'b'c"), Buffer.from(`\\'`));
  for (let i = 0; i < 3000; i++) {
    const length = i % 40;
    const bytes = randomBytes(length);
    // Bias a third of the cases to printable ASCII with quotes, where the quote rule matters.
    if (i % 3 === 0) for (let j = 0; j < length; j++) bytes[j] = 0x20 + (bytes[j]! % 0x5f);
    if (i % 7 === 0 && length > 0) bytes[bytes[0]! % length] = 0x27;
    if (i % 11 === 0 && length > 1) bytes[bytes[1]! % length] = 0x22;
    cases.push(bytes);
  }
  const py = spawnPython("import sys\nfor line in sys.stdin:\n    print(repr(bytes.fromhex(line.strip())))\n", {
    input: cases.map((c) => `${c.toString("hex")}\n`).join(""),
    teardown: t,
  });
  const result = await py.waitExit(20_000);
  assert.equal(result.code, 0, result.stderr);
  const expected = result.stdout.toString("utf8").split("\n").slice(0, -1);
  assert.equal(expected.length, cases.length);
  let mismatches = 0;
  cases.forEach((c, i) => {
    if (pythonBytesRepr(c) !== expected[i]) {
      mismatches++;
      assert.equal(pythonBytesRepr(c), expected[i], `bytes ${c.toString("hex")}`);
    }
  });
  assert.equal(mismatches, 0);
});

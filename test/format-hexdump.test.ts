/** `-x/--hexdump`: hexdump -C layout, one header per chunk, offsets kept per direction. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Hexdumper, hexdumpLines, printableColumn } from "../src/format/hexdump.js";
import { which } from "./support/process.js";

test("a short chunk is one hexdump -C line: offset, padded hex, printable column", () => {
  assert.deepEqual(hexdumpLines(Buffer.from("hola\r\n")), ["00000000  68 6f 6c 61 0d 0a                                 |hola..|"]);
});

test("full lines have a gap after the eighth byte, like hexdump -C", () => {
  const data = Buffer.from("0123456789abcdefXYZ");
  assert.deepEqual(hexdumpLines(data), [
    "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|",
    "00000010  58 59 5a                                          |XYZ|",
  ]);
});

test("the same bytes as hexdump -C prints, for a buffer of every byte value", { skip: which("hexdump") ? false : "hexdump is not installed" }, () => {
  const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
  const reference = spawnSync("hexdump", ["-C", "-v"], { input: data }).stdout.toString("latin1").split("\n");
  // hexdump -C ends with the total length line and an empty string.
  assert.deepEqual(hexdumpLines(data), reference.slice(0, -2));
});

test("a chunk starting mid-line keeps stream offsets and leaves the columns before it blank", () => {
  assert.deepEqual(hexdumpLines(Buffer.from("ABCDEF"), 13), [
    "00000000                                          41 42 43  |             ABC|",
    "00000010  44 45 46                                          |DEF|",
  ]);
});

test("the streaming formatter keeps one offset per direction", () => {
  const dump = new Hexdumper("tcp://127.0.0.1:9000");
  assert.equal(
    dump.chunk("out", Buffer.from("PING\n")),
    "> tcp://127.0.0.1:9000 5 bytes at 0\n00000000  50 49 4e 47 0a                                    |PING.|\n",
  );
  assert.equal(dump.chunk("in", Buffer.from("P")).split("\n")[0], "< tcp://127.0.0.1:9000 1 byte at 0");
  const second = dump.chunk("out", Buffer.from("X"));
  assert.equal(second.split("\n")[0], "> tcp://127.0.0.1:9000 1 byte at 5");
  assert.equal(second.split("\n")[1], "00000000                 58                                 |     X|");
  assert.equal(dump.offset("out"), 6);
  assert.equal(dump.offset("in"), 1);
});

test("printable column: ASCII 0x20..0x7e as is, the rest as dots", () => {
  assert.equal(printableColumn(Buffer.from([0x1f, 0x20, 0x41, 0x7e, 0x7f, 0xc3, 0xb1])), ". A~...");
});

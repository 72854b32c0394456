/** -C/--crlf: \n → \r\n, an existing \r\n unchanged (as nc -C and ncat -C do). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { crlf, lfToCrlf } from "../src/format/crlf.js";

test("every lone \\n becomes \\r\\n", () => {
  assert.equal(lfToCrlf(Buffer.from("a\nb\n"), false).toString(), "a\r\nb\r\n");
  assert.equal(lfToCrlf(Buffer.from("\n\n"), false).toString(), "\r\n\r\n");
  assert.equal(lfToCrlf(Buffer.from("no newline"), false).toString(), "no newline");
});

test("\\r\\n stays \\r\\n, a lone \\r stays \\r", () => {
  assert.equal(lfToCrlf(Buffer.from("a\r\nb\nc\r"), false).toString(), "a\r\nb\r\nc\r");
  assert.equal(lfToCrlf(Buffer.from("\n"), true).toString(), "\n");
});

test("a \\r\\n split across chunks is recognised", async () => {
  const chunks = ["GET / HTTP/1.0\r", "\n", "Host: x\n\r", "\n", "\n"].map((s) => Buffer.from(s));
  const out = await text(Readable.from(chunks).pipe(crlf()));
  assert.equal(out, "GET / HTTP/1.0\r\nHost: x\r\n\r\n\r\n");
});

test("byte-by-byte input gives the same result as one chunk", async () => {
  const input = Buffer.from("a\nb\r\n\r\r\n\n\nend");
  const whole = lfToCrlf(input, false);
  const split = Buffer.from(await text(Readable.from([...input].map((b) => Buffer.from([b]))).pipe(crlf())));
  assert.deepEqual(split, whole);
  assert.equal(whole.toString(), "a\r\nb\r\n\r\r\n\r\n\r\nend");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { LineSplitter, LineTooLongError } from "../src/framing/line-splitter.js";

function splitAll(input: Buffer, cuts: number[], max = 1 << 20): string[] {
  const splitter = new LineSplitter(max);
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(...splitter.push(input.subarray(at, cut)));
    at = cut;
  }
  const last = splitter.end();
  if (last) out.push(last);
  return out.map((b) => b.toString("latin1"));
}

/** Tiny deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test("lines split on \\n, one trailing \\r dropped, last line without \\n kept", () => {
  assert.deepEqual(splitAll(Buffer.from("uno\r\ndos\n\ntres\r\r\ncuatro"), []), ["uno", "dos", "", "tres\r", "cuatro"]);
});

test("property: any split of the input gives the same lines as one read", () => {
  const random = rng(42);
  const alphabet = Buffer.from("ab\r\n\n\xff\x00", "latin1");
  for (let round = 0; round < 500; round++) {
    const length = Math.floor(random() * 200);
    const input = Buffer.alloc(length);
    for (let i = 0; i < length; i++) input[i] = alphabet[Math.floor(random() * alphabet.length)]!;
    const whole = splitAll(input, []);
    const cuts = Array.from({ length: Math.floor(random() * 10) }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
    assert.deepEqual(splitAll(input, cuts), whole, `input ${JSON.stringify(input.toString("latin1"))} cuts ${cuts}`);
    // Byte-at-a-time too.
    assert.deepEqual(splitAll(input, Array.from({ length }, (_, i) => i)), whole);
  }
});

test("many lines in one read and a line split across many reads", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push(Buffer.from("a\nb\nc\nd")).map(String), ["a", "b", "c"]);
  assert.deepEqual(splitter.push(Buffer.from("e")).map(String), []);
  assert.deepEqual(splitter.push(Buffer.from("f\n")).map(String), ["def"]);
  assert.equal(splitter.end(), null);
});

test("a line longer than the limit throws instead of buffering without bound", () => {
  const splitter = new LineSplitter(8);
  assert.deepEqual(splitter.push(Buffer.from("12345678\r\n")).map(String), ["12345678"]);
  assert.throws(() => splitter.push(Buffer.from("123456789\n")), LineTooLongError);
  const unterminated = new LineSplitter(8);
  unterminated.push(Buffer.from("12345"));
  assert.throws(() => {
    for (let i = 0; i < 100; i++) unterminated.push(Buffer.from("x"));
  }, LineTooLongError);
  assert.ok(unterminated.buffered <= 10);
});

test("binary and invalid UTF-8 bytes pass through untouched", () => {
  const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]);
  const [line] = new LineSplitter().push(bytes);
  assert.deepEqual(line, bytes.subarray(0, 4));
});

test("complete lines before an over-long one in the same read are kept for answering", () => {
  const splitter = new LineSplitter(8);
  assert.throws(
    () => splitter.push(Buffer.from("ok\nalso\nthis line is too long\n")),
    (err: unknown) => err instanceof LineTooLongError && err.before.map(String).join(",") === "ok,also",
  );
});

/** respond() over `cuts`: the concatenated replies of every read, then end()'s line. */
function respondAll(input: Buffer, cuts: number[], answer: (line: Buffer) => Buffer, max = 1 << 20): string {
  const splitter = new LineSplitter(max);
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    const replies = splitter.respond(input.subarray(at, cut), answer);
    // Copy now: a reply must stay intact after later reads (it may sit in a socket's queue).
    if (replies) out.push(replies);
    at = cut;
  }
  const last = splitter.end();
  if (last) out.push(answer(last));
  return Buffer.concat(out).toString("latin1");
}

test("property: respond() answers the same lines as push(), for any split, with any reply", () => {
  const random = rng(7);
  const alphabet = Buffer.from("ab\r\n\n\xff\x00", "latin1");
  const answers = [
    (line: Buffer) => Buffer.concat([Buffer.from("<"), line, Buffer.from(">\n")]),
    (line: Buffer) => line, // the line itself: a view of the chunk or of the carry buffer
    () => Buffer.from("PONG\n"),
  ];
  for (let round = 0; round < 300; round++) {
    const length = Math.floor(random() * 200);
    const input = Buffer.alloc(length);
    for (let i = 0; i < length; i++) input[i] = alphabet[Math.floor(random() * alphabet.length)]!;
    const cuts = Array.from({ length: Math.floor(random() * 10) }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
    for (const answer of answers) {
      const expected = splitAll(input, []).map((l) => answer(Buffer.from(l, "latin1")).toString("latin1")).join("");
      assert.equal(respondAll(input, cuts, answer), expected, `input ${JSON.stringify(input.toString("latin1"))} cuts ${cuts}`);
      assert.equal(respondAll(input, Array.from({ length }, (_, i) => i), answer), expected);
    }
  }
});

test("respond(): replies that are views of the carried line stay intact after the next read", () => {
  const splitter = new LineSplitter();
  assert.equal(splitter.respond(Buffer.from("hel"), (l) => l), null);
  const first = splitter.respond(Buffer.from("lo\nwor"), (l) => l)!;
  assert.equal(first.toString(), "hello");
  splitter.respond(Buffer.from("XXXXXXXXXXXXXXX"), (l) => l);
  assert.equal(first.toString(), "hello", "not overwritten by the next carried bytes");
});

test("respond(): an over-long line gives the complete lines before it, a carried first line included", () => {
  const splitter = new LineSplitter(8);
  assert.equal(splitter.respond(Buffer.from("ca"), (l) => l), null);
  assert.throws(
    () => splitter.respond(Buffer.from("rry\nok\nthis line is too long\n"), (l) => l),
    (err: unknown) => err instanceof LineTooLongError && err.before.map(String).join(",") === "carry,ok",
  );
  const carried = new LineSplitter(8);
  carried.respond(Buffer.from("1234567"), (l) => l);
  assert.throws(
    () => carried.respond(Buffer.from("89\nfine\n"), (l) => l),
    (err: unknown) => err instanceof LineTooLongError && err.before.length === 0,
  );
});

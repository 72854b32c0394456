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

/** respond(): every read's replies as one latin1 string, answered with `[line]`. */
function respondAll(input: Buffer, cuts: number[], max = 1 << 20): { replies: string[]; last: string | null } {
  const splitter = new LineSplitter(max);
  const replies: string[] = [];
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    replies.push(splitter.respond(input.subarray(at, cut), (line) => `[${line}]`));
    at = cut;
  }
  const last = splitter.end();
  return { replies, last: last === null ? null : last.toString("latin1") };
}

test("respond(): the same lines as push(), any split, bytes kept exactly, one reply string per read", () => {
  const random = rng(7);
  const alphabet = Buffer.from("ab\r\n\n\xff\x00\x80", "latin1");
  for (let round = 0; round < 500; round++) {
    const length = Math.floor(random() * 200);
    const input = Buffer.alloc(length);
    for (let i = 0; i < length; i++) input[i] = alphabet[Math.floor(random() * alphabet.length)]!;
    const cuts = Array.from({ length: Math.floor(random() * 10) }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
    const lines = splitAll(input, cuts);
    const hadFinal = length > 0 && input[length - 1] !== 0x0a;
    const expected = (hadFinal ? lines.slice(0, -1) : lines).map((l) => `[${l}]`).join("");
    const got = respondAll(input, cuts);
    assert.equal(got.replies.join(""), expected, `input ${JSON.stringify(input.toString("latin1"))} cuts ${cuts}`);
    assert.equal(got.last, hadFinal ? lines.at(-1) : null);
    // Latin1 in and out: the reply's bytes are the line's bytes.
    assert.deepEqual(Buffer.from(got.replies.join(""), "latin1"), Buffer.from(expected, "latin1"));
  }
  const split = respondAll(Buffer.from("uno\r\ndos\ntres\n"), [6, 11, 12]); // "uno\r\nd" "os\ntr" "e" "s\n"
  assert.deepEqual(split.replies, ["[uno]", "[dos]", "", "[tres]"]);
});

test("respond(): an over-long line throws, carrying the replies to the lines before it", () => {
  const splitter = new LineSplitter(8);
  assert.throws(
    () => splitter.respond(Buffer.from("ok\r\nalso\nthis line is too long\n"), (l) => `<${l}>`),
    (err: unknown) => err instanceof LineTooLongError && err.replies.toString("latin1") === "<ok><also>",
  );
  const unterminated = new LineSplitter(8);
  assert.equal(unterminated.respond(Buffer.from("a\n12345"), (l) => l), "a");
  assert.throws(() => {
    for (let i = 0; i < 100; i++) unterminated.respond(Buffer.from("x"), (l) => l);
  }, LineTooLongError);
  assert.ok(unterminated.buffered <= 10);
  // 8 bytes plus \r\n is within the limit, also when it spans reads.
  const spanning = new LineSplitter(8);
  assert.equal(spanning.respond(Buffer.from("1234"), (l) => l), "");
  assert.equal(spanning.respond(Buffer.from("5678\r\n"), (l) => `<${l}>`), "<12345678>");
});

/**
 * `serve cmd`'s ECHO returns exactly the bytes it received (issue 8, point 6): invalid
 * UTF-8, NUL and a lone \r inside the text come back unchanged; only ASCII whitespace at
 * the ends of the line is stripped, as the guides' line.strip() does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { commandReplyBytes, commandReplyLatin1, stripAsciiWhitespace } from "../src/services/cmd.js";
import { startServer } from "./support/cli.js";
import { Collector, tcpConnect } from "./support/net.js";

const b = (s: string): Buffer => Buffer.from(s, "latin1");

test("ECHO over TCP: \\xff, \\x00 and a lone \\r come back byte for byte", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "cmd", "tcp://127.0.0.1:0"], { teardown: t });
  const socket = await tcpConnect(ready.port);
  t.after(() => socket.destroy());
  const col = new Collector(socket);
  const sent = b("ECHO \xff\xfe\n" + "ECHO a\x00b\n" + "ECHO a\rb\n" + "ECHO \xc3\x28 \x80\r\n" + "  ECHO \x00\xff\t\n" + "ECHO last\r");
  const expected = b("\xff\xfe\n" + "a\x00b\n" + "a\rb\n" + "\xc3\x28 \x80\n" + "\x00\xff\n" + "last\n");
  socket.end(sent);
  await col.waitEnd(5000);
  assert.deepEqual(col.data, expected, `got ${JSON.stringify(col.data.toString("latin1"))}`);
});

test("commandReplyBytes: only ASCII whitespace is stripped; text after 'ECHO ' is kept exactly", () => {
  const unknown = b("ERR\n");
  assert.deepEqual(commandReplyBytes(b("ECHO \xff"), unknown), b("\xff\n"));
  assert.deepEqual(commandReplyBytes(b("ECHO \x00"), unknown), b("\x00\n"));
  assert.deepEqual(commandReplyBytes(b("ECHO  two\rparts "), unknown), b(" two\rparts\n"));
  // NBSP (U+00A0, bytes c2 a0) is not ASCII whitespace: it stays, and makes PING unknown.
  assert.deepEqual(commandReplyBytes(b("ECHO x\xc2\xa0"), unknown), b("x\xc2\xa0\n"));
  assert.deepEqual(commandReplyBytes(b("\xc2\xa0PING"), unknown), unknown);
  assert.deepEqual(commandReplyBytes(b(" \t\v\fPING\r "), unknown), b("PONG\n"));
  assert.deepEqual(commandReplyBytes(b("ECHO"), unknown), unknown);
  assert.deepEqual(commandReplyBytes(b("ECHO "), unknown), unknown);
  assert.deepEqual(stripAsciiWhitespace(b("\r\n\t ")), Buffer.alloc(0));
});

test("commandReplyLatin1 (the line service's fast path) gives exactly commandReplyBytes's bytes", () => {
  let seed = 11;
  const random = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const words = ["PING", "ECHO ", "ECHO", "TIME", "FOO", " ", "\t", "\r", "\x0b", "\x00", "\xff", "\x80", "ñ", "a", "E"];
  const now = new Date(2026, 10, 30, 21, 45, 7);
  const unknown = Buffer.from("ERR señal\n");
  for (let round = 0; round < 3000; round++) {
    const line = Buffer.from(Array.from({ length: Math.floor(random() * 5) }, () => words[Math.floor(random() * words.length)]).join(""), "latin1");
    const fast = Buffer.from(commandReplyLatin1(line.toString("latin1"), unknown.toString("latin1"), now), "latin1");
    assert.deepEqual(fast, commandReplyBytes(line, unknown, now), JSON.stringify(line.toString("latin1")));
  }
});

/**
 * A Unix path or abstract name may hold control characters (an ESC sequence, a BEL, a
 * newline). Human output shows them as `\xHH` escapes, so such a name cannot drive the
 * terminal or forge a line; the name itself is bound and reached byte for byte, and --json
 * carries it exactly (JSON's own escaping).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runSocklab, socklab, startServer } from "./support/cli.js";
import { abstractName, tempDir } from "./support/tmp.js";

/** Any C0 control but the newline ending each line, DEL, or a C1 control. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test("listening line and payload dump show an abstract name's control characters escaped", { timeout: 45_000 }, async (t) => {
  const name = `${abstractName()}\u001b[31mred\u0007`;
  const { proc, ready } = await startServer(["serve", "echo", `abstract:${name}`], { teardown: t });
  const shown = `abstract:${name.replace("\u001b", "\\x1b").replace("\u0007", "\\x07")}`;
  assert.equal(ready.address, shown);
  // The exact name is bound: a client given the same bytes reaches it.
  const r = await runSocklab(["connect", `abstract:${name}`, "--send", "hola", "-x"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola");
  assert.match(r.stderr, new RegExp(`^> ${shown.replace(/[\\[\]]/g, "\\$&")} 4 bytes at 0$`, "m"));
  assert.doesNotMatch(r.stderr, RAW_CONTROL, JSON.stringify(r.stderr));
  assert.doesNotMatch(proc.stderr, RAW_CONTROL, JSON.stringify(proc.stderr));
});

test("--json keeps the exact name in the listening event (JSON escapes it)", { timeout: 45_000 }, async (t) => {
  const name = `${abstractName()}\u001b]0;title\u0007`;
  const proc = socklab(["--json", "listen", `abstract:${name}`], { teardown: t, input: "pipe" });
  const line = (await proc.waitForStderr(/^\{"event":"listening".*$/m))[0];
  assert.equal(JSON.parse(line).address, `abstract:${name}`);
  assert.doesNotMatch(line, RAW_CONTROL);
});

test("an error line names a path with control characters escaped, in both languages", { timeout: 45_000 }, async (t) => {
  const path = `${tempDir(t)}/no\u001b[2Jbody\nhere.sock`;
  for (const lang of ["en", "es"]) {
    const r = await runSocklab(["--lang", lang, "connect", `unix:${path}`, "--send", "x"]);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes("no\\x1b[2Jbody\\x0ahere.sock"), r.stderr);
    assert.doesNotMatch(r.stderr, RAW_CONTROL, JSON.stringify(r.stderr));
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  }
});

/**
 * --trace logs socket-level steps on stderr (with byte counts) and never touches stdout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, runSocklab } from "./support/cli.js";

test("serve --trace and connect --trace log recv/send with byte counts on stderr; stdout stays payload only", { timeout: 30_000 }, async (t) => {
  const { proc, ready } = await startServer(["serve", "line-echo", "tcp://127.0.0.1:0", "--trace"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--trace", "--send", "hola", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: hola\n", "trace output never goes to stdout");
  assert.match(r.stderr, /send .*\b5 bytes/, `client trace shows the 5 bytes sent:\n${r.stderr}`);
  assert.match(r.stderr, /recv .*\b10 bytes/, `client trace shows the 10 bytes received:\n${r.stderr}`);
  await proc.waitForStderr(/recv .*\b5 bytes/, 3000);
  await proc.waitForStderr(/send .*\b10 bytes/, 3000);
  assert.equal(proc.stdout.length, 0);
});

/**
 * `--help` / `-h` on every command prints help to stdout and exits 0 (meow's convention),
 * without starting anything (no listener, no lab run, no bench).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, hasStackTrace } from "./support/cli.js";

const COMMANDS = ["serve", "connect", "listen", "discover", "recv-fd", "lab", "bench"];

/** Words each command's help must mention (the options of the contract). */
const MENTIONS: Record<string, string[]> = {
  serve: ["echo", "line-echo", "cmd", "time", "greet", "announce", "--concurrent", "--idle-timeout", "--dual-stack", "--err", "--text", "--max-line"],
  connect: ["--send", "--lines", "--half-close", "--timeout", "--retries", "--backoff", "-4", "-6"],
  listen: ["--keep-open"],
  discover: ["--message", "--timeout"],
};

for (const flag of ["--help", "-h"]) {
  test(`socklab ${flag} prints the command list to stdout and exits 0`, { timeout: 30_000 }, async () => {
    const r = await runSocklab([flag]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    for (const command of ["serve", "connect", "listen", "discover", "lab"]) {
      assert.match(out, new RegExp(`\\b${command}\\b`), `top-level help mentions ${command}`);
    }
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  });
}

for (const command of COMMANDS) {
  // -h is checked on two commands; --help on all of them.
  for (const flag of command === "serve" || command === "connect" ? ["--help", "-h"] : ["--help"]) {
    test(`socklab ${command} ${flag} prints help to stdout and exits 0`, { timeout: 30_000 }, async () => {
      const r = await runSocklab([command, flag]);
      assert.equal(r.code, 0, `exit code; stderr: ${r.stderr}`);
      const out = r.stdout.toString();
      assert.match(out, new RegExp(`socklab ${command}`), "help names the command");
      for (const word of MENTIONS[command] ?? []) assert.ok(out.includes(word), `${command} help mentions ${word}`);
      assert.doesNotMatch(out, /^listening /m, "help must not start a server");
      assert.doesNotMatch(r.stderr, /^listening /m, "help must not start a server");
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    });
  }
}

test("--help after other arguments still wins and starts nothing", { timeout: 30_000 }, async () => {
  const r = await runSocklab(["serve", "echo", "tcp://127.0.0.1:0", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /socklab serve/);
  assert.doesNotMatch(r.stderr, /^listening /m);
});

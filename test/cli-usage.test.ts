/**
 * Usage errors: exit 2, a usage line on stderr, nothing on stdout, never a stack trace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, hasStackTrace, stderrLines } from "./support/cli.js";

const USAGE = /usage:?\s+socklab/i;

const CASES: Array<{ args: string[]; why: string; mentions?: RegExp }> = [
  { args: [], why: "no command" },
  { args: ["frobnicate"], why: "unknown command", mentions: /frobnicate/ },
  { args: ["serve"], why: "serve without a service" },
  { args: ["serve", "echo"], why: "serve without an address" },
  { args: ["serve", "nosuchservice", "tcp://127.0.0.1:0"], why: "unknown service", mentions: /nosuchservice/ },
  { args: ["serve", "echo", "tcp://127.0.0.1:0", "--bogus"], why: "unknown option", mentions: /--bogus/ },
  { args: ["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout"], why: "option without its value", mentions: /--idle-timeout/ },
  { args: ["serve", "echo", "tcp://127.0.0.1:0", "extra"], why: "an extra positional argument", mentions: /extra/ },
  { args: ["connect"], why: "connect without an address" },
  { args: ["connect", "tcp://127.0.0.1:1", "--retries", "abc"], why: "non-numeric --retries", mentions: /abc|retries/ },
  { args: ["connect", "tcp://127.0.0.1:1", "--retries", "0"], why: "zero attempts", mentions: /retries/ },
  { args: ["connect", "tcp://127.0.0.1:1", "--timeout=-1"], why: "negative timeout (--timeout=-1)", mentions: /-1|timeout/ },
  { args: ["connect", "tcp://127.0.0.1:1", "-4", "-6"], why: "-4 and -6 together" },
  { args: ["listen"], why: "listen without an address" },
  { args: ["discover", "udp://127.255.255.255:9008", "--timeout", "never"], why: "non-numeric discover timeout", mentions: /never|timeout/ },
  { args: ["serve", "echo", "tcp://[::]:0", "--dual-stack", "--ipv6-only"], why: "--dual-stack with --ipv6-only" },
];

for (const c of CASES) {
  test(`usage error (${c.why}): socklab ${c.args.join(" ")} → exit 2 with a usage line`, { timeout: 30_000 }, async () => {
    const r = await runSocklab(c.args);
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    assert.match(r.stderr, USAGE, "a usage line on stderr");
    if (c.mentions) assert.match(r.stderr, c.mentions, "the error names the offending argument");
    assert.equal(r.stdout.length, 0, "nothing on stdout");
    assert.ok(!hasStackTrace(r.stderr), `no stack trace:\n${r.stderr}`);
    assert.ok(stderrLines(r.stderr).length <= 6, `a short message, got:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /^listening /m, "nothing was started");
  });
}

// Services on a transport they do not support: a clear refusal, not a crash or a silent server.
const MISMATCHES: Array<string[]> = [
  ["serve", "time", "tcp://127.0.0.1:0"],
  ["serve", "line-echo", "udp://127.0.0.1:0"],
  ["serve", "announce", "tcp://127.0.0.1:0"],
];
for (const args of MISMATCHES) {
  test(`service/transport mismatch: socklab ${args.join(" ")} → exit 2 or 1, one clear line`, { timeout: 30_000 }, async () => {
    const r = await runSocklab(args);
    assert.ok(r.code === 2 || r.code === 1, `exit 2 or 1, got ${r.code}; stderr: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(args[1]!), "names the service");
    assert.doesNotMatch(r.stderr, /^listening /m, "no server was started");
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  });
}

/**
 * Hostile command lines for the server side (`serve`, `listen`): bad flags, bad values and
 * bad addresses, combined by a seeded generator (the same cases every run). Each must end
 * quickly with exit 2 (usage: one error line, then the usage line) or exit 1 (one line
 * naming the address and the cause), and never a stack trace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { runSocklab, stderrLines } from "./support/cli.js";
import { seededRandom } from "./support/random.js";
import { tempDir } from "./support/tmp.js";

const BAD_NUMBERS = ["0", "abc", "", " ", "1e999", "NaN", "Infinity", "0x10", "1.5.2", "--", "99999999999999999999"];
const BAD_COUNTS = ["0", "1.5", "x", "1e3", "", "99999999999"];
const BAD_MODES = ["7777", "8", "60", "rwx", "06000", "1777"];
const BAD_UIDS = ["root", "1,,2", "", "1;2", "0x0"];

function badAddresses(dir: string, regular: string): string[] {
  return [
    "", "tcp://", "tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://[::1", "tcp://127.0.0.1:abc", "tcp://:0",
    "unix:", "abstract:", "ftp://x:1", "127.0.0.1:9000", `unix:${"a".repeat(200)}`, `unix:${dir}/missing/s.sock`,
    `unix:${regular}`, "udp://127.0.0.1:70000", `unix-dgram:${dir}/missing/d.sock`,
  ];
}

interface Case {
  args: string[];
}

function cases(seed: number, count: number, dir: string, regular: string): Case[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const addresses = badAddresses(dir, regular);
  const good = ["tcp://127.0.0.1:0", `unix:${dir}/ok-${seed}.sock`];
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const command = rand() < 0.75 ? "serve" : "listen";
    const head = command === "serve" ? ["serve", pick(["echo", "line-echo", "cmd", "greet"])] : ["listen"];
    const kind = Math.floor(rand() * 6);
    let args: string[];
    if (kind === 0) args = [...head, pick(addresses)];
    else if (kind === 1 && command === "serve") args = [...head, pick(good), pick(["--idle-timeout", "--max-time"]), pick(BAD_NUMBERS)];
    else if (kind === 2 && command === "serve") args = [...head, pick(good), "--concurrent", pick(["--max-conns", "--max-line"]), pick(BAD_COUNTS)];
    else if (kind === 3 && command === "serve") args = [...head, good[1]!, "--mode", pick(BAD_MODES)];
    else if (kind === 4 && command === "serve") args = [...head, good[1]!, "--allow-uid", pick(BAD_UIDS)];
    else args = [...head, pick(good), pick(["--bogus", "-z", "--concurrent=yes", "--keep-open=1", "--text", "--mode"])];
    // Shuffle the options after the address: order must not matter.
    out.push({ args: rand() < 0.3 ? ["--lang", "es", ...args] : args });
  }
  // Services that do not exist, and no service at all.
  out.push({ args: ["serve", "nosuch", "tcp://127.0.0.1:0"] }, { args: ["serve"] }, { args: ["listen"] }, { args: ["serve", "time", "tcp://127.0.0.1:0"] });
  return out;
}

/** Runs `c`; returns a failure description or undefined. */
async function check(c: Case, timeoutMs: number): Promise<string | undefined> {
  let r;
  try {
    r = await runSocklab(c.args, { timeoutMs });
  } catch (err) {
    return `${(err as Error).message}`;
  }
  const lines = stderrLines(r.stderr);
  if (r.code !== 1 && r.code !== 2) return `exit ${r.code}: ${r.stderr}`;
  if (!/^socklab( \w[\w-]*)?: /.test(lines[0] ?? "")) return `first line is not socklab's: ${r.stderr}`;
  if (r.code === 2) {
    const usageAt = lines.findIndex((l) => l.startsWith("usage: ") || l.startsWith("uso: "));
    if (usageAt !== 1) return `usage error without exactly one line before the usage: ${r.stderr}`;
  } else if (lines.length !== 1) return `failure in ${lines.length} lines: ${r.stderr}`;
  if (r.stdout.length > 0) return `wrote to stdout: ${r.stdout.toString()}`;
  return undefined;
}

async function runAll(all: Case[], parallel = 2, timeoutMs = 20_000): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < all.length) {
      const c = all[next++]!;
      const failure = await check(c, timeoutMs);
      if (failure) failures.push(`socklab ${c.args.map((a) => JSON.stringify(a)).join(" ")}: ${failure}`);
    }
  }));
  return failures;
}

test("60 generated bad serve/listen command lines: exit 1 or 2, one line, no stack trace", { timeout: 360_000 }, async (t) => {
  const dir = tempDir(t);
  const regular = `${dir}/regular-file`;
  writeFileSync(regular, "not a socket\n");
  const all = cases(0x5eed, 56, dir, regular);
  const failures = await runAll(all);
  t.diagnostic(`${all.length} command lines, ${failures.length} failures`);
  assert.deepEqual(failures, []);
});

test("listen --mode 7777 (setuid, setgid and sticky bits on a socket file): a usage error", {
  timeout: 60_000,
}, async (t) => {
  // A listen that took the mode would wait for a client forever: the 20 s limit catches that,
  // and a slow start on a loaded machine (several seconds at load 20 on 2 cores) does not.
  const failures = await runAll([{ args: ["listen", `unix:${tempDir(t)}/l.sock`, "--mode", "7777"] }], 1);
  assert.deepEqual(failures, []);
});

test("negative numbers (--idle-timeout -1, --max-conns -3): one line, then the usage", {
  timeout: 30_000,
}, async () => {
  const failures = await runAll([
    { args: ["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "-1"] },
    { args: ["serve", "echo", "tcp://127.0.0.1:0", "--concurrent", "--max-conns", "-3"] },
  ]);
  assert.deepEqual(failures, []);
});

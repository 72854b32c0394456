/**
 * Tests wait for what they mean ("until the server accepted"), not for a fixed time: a fixed
 * sleep is either too short on a loaded machine (a flaky test) or too long everywhere (a slow
 * suite). Waits go through test/support/wait.ts: `waitUntil(condition, { what })` polls, and
 * `hold(ms, why)` is the one way to say "the time passing is itself the behaviour under test".
 * This check fails on a new bare sleep in a test file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The TypeScript sources (this file runs as dist/test/no-fixed-sleeps.test.js). */
const TEST_DIR = fileURLToPath(new URL("../../test/", import.meta.url));

/** A promise that only waits: `setTimeout(r, 20)`, `setTimeout(() => r(x), 20)`, `sleep(20)`. */
const BARE_SLEEP = [
  /setTimeout\(\s*(?:r|res|resolve|done)\s*,/,
  /setTimeout\(\s*\(\)\s*=>\s*(?:r|res|resolve)\(/,
  /(?<![.\w])sleep\(/,
  /from\s+"node:timers\/promises"/,
];

/** Lines allowed to keep a bare sleep: file and a fragment of the line, each with its reason. */
const ALLOWED: ReadonlyArray<{ file: string; fragment: string; why: string }> = [];

test("test files wait with waitUntil/hold from test/support/wait.ts, never a bare sleep", () => {
  // This file names the forms it looks for; every other test file is checked.
  const files = readdirSync(TEST_DIR).filter((f) => f.endsWith(".test.ts") && f !== "no-fixed-sleeps.test.ts");
  assert.ok(files.length > 50, `found only ${files.length} test files in ${TEST_DIR}`);
  const found: string[] = [];
  for (const file of files) {
    const lines = readFileSync(TEST_DIR + file, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (line.trimStart().startsWith("//") || line.trimStart().startsWith("*")) return;
      if (!BARE_SLEEP.some((re) => re.test(line))) return;
      if (ALLOWED.some((a) => a.file === file && line.includes(a.fragment))) return;
      found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, [], "use waitUntil(condition, { what }) or hold(ms, why) from ./support/wait.js");
});

test("the sleep detector recognises the bare forms and lets scheduled actions pass", () => {
  const flagged = (line: string): boolean => BARE_SLEEP.some((re) => re.test(line));
  assert.ok(flagged("await new Promise((r) => setTimeout(r, 20));"));
  assert.ok(flagged('new Promise((r) => setTimeout(() => r("waiting"), 150))'));
  assert.ok(flagged("await sleep(400);"));
  assert.ok(flagged('import { setTimeout as delay } from "node:timers/promises";'));
  assert.ok(!flagged("setTimeout(() => child.kill(\"SIGKILL\"), timeoutMs);"));
  assert.ok(!flagged('await hold(300, "active but slow");'));
  assert.ok(!flagged("time.sleep(20)"));
});

/**
 * The socklab × socklab reproduce-by-hand pair of every exercise (the commands the lab
 * shows "with socklab"), run as shown on loopback; the nc/socat and Python pairs are in
 * test/lab-reproduce.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobs, runAll } from "./lab-support/reproduce.js";

test("every socklab reproduce-by-hand pair (server + client) does what the exercise does", { timeout: 300_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), "socklab-repro-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const mine = jobs().filter((j) => j.server === "socklab" && j.client === "socklab");
  assert.equal(mine.length, 25);
  assert.deepEqual(await runAll(root, mine), []);
  t.diagnostic(`${mine.length} pairs ran`);
});

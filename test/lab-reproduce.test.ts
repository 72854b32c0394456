/**
 * Every reproduce-by-hand pair the lab shows (src/lab/reproduce.ts) is run: here the nc/socat
 * and Python ones (test/lab-reproduce-socklab.test.ts runs socklab's own), for each exercise
 * its server side and its client side, on loopback with a free port and paths in a private
 * directory, and the client's output is checked. Where nc/socat cannot play a side, that
 * side is played by socklab (so every command shown still runs), and the reason must be in
 * the table. Also: the commands appear in `--list --verbose`, in the report's language, and
 * the Python programs compile exactly as shown.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLab } from "../src/lab/main.js";
import { EXAMPLE_VALUES, isSide, REPRO, substitute, TOOLS } from "../src/lab/reproduce.js";
import { EXERCISES } from "../src/lab/exercises/index.js";
import { jobs, MISSING, runAll } from "./lab-support/reproduce.js";

test(
  "every nc/socat and Python reproduce-by-hand pair (server + client) does what the exercise does",
  { timeout: 300_000, skip: MISSING.length ? `not installed: ${MISSING.join(", ")}` : false },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), "socklab-repro-"));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const all = jobs();
    const mine = all.filter((j) => j.server !== "socklab" || j.client !== "socklab");
    assert.deepEqual(await runAll(root, mine), []);
    // Every exercise ran with each program on at least one side, or says why it cannot.
    for (const e of EXERCISES) {
      for (const tool of TOOLS) {
        const played = all.some((j) => j.id === e.id && (j.server === tool || j.client === tool));
        const sides = REPRO[e.id].sides[tool];
        assert.ok(played || (!isSide(sides.server) && !isSide(sides.client)), `${e.id}: ${tool} never ran`);
      }
    }
    t.diagnostic(`${mine.length} pairs ran`);
  },
);

async function lab(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runLab(argv, { out: (s) => void (out += s), err: (s) => void (out += s), width: 100 });
  return { code, out };
}

test("--list --verbose shows the three ways to reproduce each exercise, and says where nc cannot", async () => {
  const en = await lab(["--list", "--verbose", "--lang", "en", "B3", "2"]);
  assert.equal(en.code, 0, en.out);
  assert.match(en.out, /Reproduce it by hand/);
  assert.match(en.out, /with socklab\n\s+server: socklab serve peercred unix:\/tmp\/socklab-lab\.sock/);
  assert.match(en.out, /server: nc and socat cannot: neither reads SO_PEERCRED/);
  assert.match(en.out, /with Python\n\s+server: python3 -c 'if 1:\n\s+import os, socket, struct/);
  assert.match(en.out, /server: printf 'hola, soy nc\\n' \| nc -N -l 127\.0\.0\.1 5000/);
  const es = await lab(["--list", "--verbose", "--lang", "es", "B4"]);
  assert.match(es.out, /Reprodúcelo a mano/);
  assert.match(es.out, /nc y socat no pueden: ninguno envía ni recibe descriptores/);
});

test("the Python programs compile as shown: indented under the label, pasted as they are", { skip: MISSING.includes("python3") ? "python3 is not installed" : false }, () => {
  // What a student copies is the shown block: the first line, then every line indented by the
  // label's width. One python3 compiles them all.
  const shown: string[] = [];
  for (const e of EXERCISES) {
    for (const key of ["server", "client"] as const) {
      const side = REPRO[e.id].sides.python[key];
      if (!isSide(side)) continue;
      const [first, ...rest] = substitute(side.argv[2] ?? "", EXAMPLE_VALUES).split("\n");
      shown.push([first, ...rest.map((l) => `            ${l}`)].join("\n"));
    }
  }
  assert.equal(shown.length, 2 * EXERCISES.length, "every exercise has a Python server and client");
  const r = spawnSync(
    "python3",
    ["-c", "import json, sys\nfor i, code in enumerate(json.load(sys.stdin)): compile(code, f'snippet {i}', 'exec')\nprint('ok')"],
    { input: JSON.stringify(shown), encoding: "utf8" },
  );
  assert.equal(r.stdout.trim(), "ok", r.stderr);
});

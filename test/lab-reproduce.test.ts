/**
 * Every reproduce-by-hand pair the lab shows (src/lab/reproduce.ts) is run here: for each
 * exercise and each of socklab, nc/socat and Python, its server side and its client side,
 * on loopback with a free port and paths in a private directory, and the client's output is
 * checked. Where nc/socat cannot play a side, that side is played by socklab (so every
 * command shown still runs), and the reason must be in the table. Also: the commands appear
 * in the narration and in `--list --verbose`, in the report's language.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPair } from "../src/lab/against.js";
import { LabContext, LabFailure, LabSkip } from "../src/lab/context.js";
import { EXERCISES } from "../src/lab/exercises/index.js";
import { loadFactor, runLab } from "../src/lab/main.js";
import { EXAMPLE_VALUES, isSide, onPath, REPRO, substitute, TOOLS, type Tool } from "../src/lab/reproduce.js";
import type { ExerciseId } from "../src/lab/texts.js";

const BIN = fileURLToPath(new URL("../../bin/socklab.js", import.meta.url));
const MISSING = ["python3", "nc", "socat"].filter((p) => !onPath(p));

interface Job {
  id: ExerciseId;
  server: Tool;
  client: Tool;
}

function jobs(): Job[] {
  const out: Job[] = [];
  for (const e of EXERCISES) {
    const repro = REPRO[e.id];
    for (const tool of TOOLS) {
      const sides = repro.sides[tool];
      const server: Tool = isSide(sides.server) ? tool : "socklab";
      const client: Tool = isSide(sides.client) ? tool : "socklab";
      if (tool !== "socklab" && server === "socklab" && client === "socklab") continue; // socklab × socklab runs once
      out.push({ id: e.id, server, client });
    }
  }
  return out;
}

async function runJob(root: string, job: Job): Promise<string | undefined> {
  const dir = join(root, `${job.id}-${job.server}-${job.client}`);
  mkdirSync(dir, { recursive: true });
  const controller = new AbortController();
  const ctx = new LabContext({ node: process.execPath, bin: BIN, tmpDir: dir, narrate: false, signal: controller.signal, lang: "en" });
  const timer = setTimeout(() => controller.abort(new LabFailure(`timed out ${ctx.step}`)), Math.round(20_000 * loadFactor()));
  try {
    await runPair(ctx, job.id, job.server, job.client, { events: false });
    return undefined;
  } catch (err) {
    return err instanceof LabFailure || err instanceof LabSkip ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    ctx.killAll();
    await ctx.cleanup();
  }
}

test(
  "every reproduce-by-hand pair (socklab, nc/socat, Python; server + client) does what the exercise does",
  { timeout: 300_000, skip: MISSING.length ? `not installed: ${MISSING.join(", ")}` : false },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), "socklab-repro-"));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const all = jobs();
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < all.length) {
        const job = all[next++] as Job;
        const problem = await runJob(root, job);
        if (problem !== undefined) failures.push(`${job.id} server ${job.server} × client ${job.client}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.deepEqual(failures, []);
    // Every exercise ran with each program on at least one side, or says why it cannot.
    for (const e of EXERCISES) {
      for (const tool of TOOLS) {
        const played = all.some((j) => j.id === e.id && (j.server === tool || j.client === tool));
        const sides = REPRO[e.id].sides[tool];
        assert.ok(played || (!isSide(sides.server) && !isSide(sides.client)), `${e.id}: ${tool} never ran`);
      }
    }
    t.diagnostic(`${all.length} pairs ran`);
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

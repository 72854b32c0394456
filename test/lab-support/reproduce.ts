/**
 * Running the reproduce-by-hand pairs of src/lab/reproduce.ts for the lab's tests (split in
 * two files, socklab's own pairs and the nc/socat and Python ones, so each fits its budget).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runPair } from "../../src/lab/against.js";
import { LabContext, LabFailure, LabSkip } from "../../src/lab/context.js";
import { EXERCISES } from "../../src/lab/exercises/index.js";
import { loadFactor } from "../../src/lab/main.js";
import { isSide, onPath, REPRO, TOOLS, type Tool } from "../../src/lab/reproduce.js";
import type { ExerciseId } from "../../src/lab/texts.js";

const BIN = fileURLToPath(new URL("../../../bin/socklab.js", import.meta.url));
export const MISSING = ["python3", "nc", "socat"].filter((p) => !onPath(p));

export interface Job {
  id: ExerciseId;
  server: Tool;
  client: Tool;
}

export function jobs(): Job[] {
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

export async function runJob(root: string, job: Job): Promise<string | undefined> {
  const dir = join(root, `${job.id}-${job.server}-${job.client}`);
  mkdirSync(dir, { recursive: true });
  const controller = new AbortController();
  const ctx = new LabContext({ node: process.execPath, bin: BIN, tmpDir: dir, narrate: false, signal: controller.signal, lang: "en" });
  const limitMs = Math.round(20_000 * loadFactor());
  const timer = setTimeout(() => controller.abort(new LabFailure(ctx.t.fail.timedOut(ctx.seconds(limitMs), ctx.step))), limitMs);
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


/** Run `list` four at a time; the failures, one line each. */
export async function runAll(root: string, list: Job[]): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const job = list[next++] as Job;
      const problem = await runJob(root, job);
      if (problem !== undefined) failures.push(`${job.id} server ${job.server} × client ${job.client}: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return failures;
}



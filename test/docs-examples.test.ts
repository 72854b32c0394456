/**
 * The docs cannot rot: every ```sh block of README.md, README.es.md and docs/CLI.md runs as
 * written, with this checkout's socklab first on PATH, in a fresh temporary directory, on
 * loopback and Unix sockets only. Each block is bounded in time and runs in its own process
 * group, which is killed afterwards (so its background servers go with it).
 *
 * A command that fails makes the block fail, unless its comment says it is meant to
 * (`# exit 1`, `# sale con 1`: the documented failures). A block that cannot run here is
 * preceded by `<!-- not-run: REASON -->`; the reason is required, and such blocks are counted
 * so that they stay few.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SOCKLAB_BIN } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FILES = ["README.md", "README.es.md", "docs/CLI.md"];
/** Blocks that may be marked not-run across all the files. */
const MAX_NOT_RUN = 3;
const BLOCK_TIMEOUT_MS = 90_000;

interface Block {
  file: string;
  line: number;
  code: string;
  notRun?: string;
}

function blocks(file: string): Block[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const found: Block[] = [];
  for (const m of text.matchAll(/(?:<!-- not-run: ([^>]*?) -->\n)?```sh\n([\s\S]*?)```/g)) {
    const line = text.slice(0, m.index).split("\n").length;
    found.push({ file, line, code: m[2]!, ...(m[1] !== undefined ? { notRun: m[1].trim() } : {}) });
  }
  return found;
}

/** A line whose comment says it fails on purpose. */
const MEANT_TO_FAIL = /#.*\b(exit|sale con) [12]\b/;

/** Run one block; resolves with its output and the lines that failed. */
function runBlock(dir: string, code: string): Promise<{ status: number | null; output: string; failed: number[]; timedOut: boolean }> {
  writeFileSync(join(dir, "block.sh"), code);
  // Each failing command's line is recorded (ERR trap); the block goes on, as in a terminal.
  const script = `trap 'echo "@@failed $LINENO" >&2' ERR\n. ./block.sh\n`;
  writeFileSync(join(dir, "run.sh"), script);
  return new Promise((resolve) => {
    const child = spawn("bash", ["run.sh"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, LANG: "C", LC_ALL: "C" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, "SIGKILL");
    }, BLOCK_TIMEOUT_MS);
    child.on("close", (status) => {
      clearTimeout(timer);
      // Whatever the block left running (its servers) goes with its process group.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      // LINENO counts lines of block.sh (sourced): the trap line is in run.sh.
      const failed = [...output.matchAll(/^@@failed (\d+)$/gm)].map((m) => Number(m[1]));
      resolve({ status, output, failed, timedOut });
    });
  });
}

test("every shell example of README.md, README.es.md and docs/CLI.md runs as written", { timeout: 600_000 }, async (t) => {
  const all = FILES.flatMap(blocks);
  assert.ok(all.length >= 5, `found ${all.length} shell blocks`);
  const notRun = all.filter((b) => b.notRun !== undefined);
  for (const b of notRun) assert.ok(b.notRun!.length >= 10, `${b.file}:${b.line}: a not-run marker says why`);
  assert.ok(notRun.length <= MAX_NOT_RUN, `${notRun.length} blocks marked not-run (at most ${MAX_NOT_RUN}): ${notRun.map((b) => `${b.file}:${b.line}`).join(", ")}`);
  t.diagnostic(`${all.length - notRun.length} blocks run, ${notRun.length} marked not-run: ${notRun.map((b) => `${b.file}:${b.line} (${b.notRun})`).join("; ")}`);

  // One block at a time: the examples use the documented fixed ports (9003, 9010 …).
  for (const block of all.filter((b) => b.notRun === undefined)) {
    const dir = tempDir(t, "socklab-docs-");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "socklab"), `#!/bin/sh\nexec "${process.execPath}" "${SOCKLAB_BIN}" "$@"\n`);
    chmodSync(join(dir, "bin", "socklab"), 0o755);
    const r = await runBlock(dir, block.code);
    const where = `${block.file}:${block.line}`;
    assert.equal(r.timedOut, false, `${where}: the block did not finish within ${BLOCK_TIMEOUT_MS / 1000} s\n${r.output}`);
    const lines = block.code.split("\n");
    const unexpected = r.failed.filter((n) => !MEANT_TO_FAIL.test(lines[n - 1] ?? ""));
    assert.deepEqual(
      unexpected.map((n) => lines[n - 1]),
      [],
      `${where}: these commands failed (mark a documented failure with "# exit 1"):\n${r.output}`,
    );
    assert.doesNotMatch(r.output, /^\s+at .*\(.*:\d+:\d+\)$/m, `${where}: a stack trace`);
  }
});

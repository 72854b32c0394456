/**
 * Exercise 10 (a sequential server makes client 2 wait) checks something only once the
 * server holds client 2: a client 2 that has not even connected, or a server that serves it
 * at once, is a FAIL with the reason, never a PASS. The socklab under test is the real one,
 * bent by a small wrapper (SOCKLAB_LAB_BIN) that runs it in-process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLab } from "../src/lab/main.js";

const BIN = fileURLToPath(new URL("../../bin/socklab.js", import.meta.url));

/**
 * The real socklab, except: with FAKE_LATE, client 2 (`connect … --send`) connects only once
 * client 1 has exited (a client that is slow to connect, as on a loaded machine); with
 * FAKE_FAIL, client 2 fails at once (exit 1, one stderr line); with FAKE_CONCURRENT,
 * `serve` serves every client at once.
 */
const WRAPPER = [
  `import { existsSync, writeFileSync } from "node:fs";`,
  `import { pathToFileURL } from "node:url";`,
  `const args = process.argv.slice(2);`,
  `const marker = process.env.FAKE_MARKER;`,
  `if (args[0] === "connect" && args.includes("--send") && process.env.FAKE_FAIL) {`,
  `  process.stderr.write("error: simulated client failure\\n");`,
  `  process.exit(1);`,
  `}`,
  `if (args[0] === "connect" && args.includes("--send") && process.env.FAKE_LATE) {`,
  `  await new Promise((resolve) => {`,
  `    const timer = setInterval(() => existsSync(marker) && (clearInterval(timer), resolve()), 20);`,
  `  });`,
  `} else if (args[0] === "connect") {`,
  `  process.on("exit", () => writeFileSync(marker, ""));`,
  `}`,
  `if (args[0] === "serve" && process.env.FAKE_CONCURRENT) process.argv.push("--concurrent");`,
  `await import(pathToFileURL(process.env.REAL_SOCKLAB).href);`,
  ``,
].join("\n");

async function lab10(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "socklab-lab10-"));
  const bin = join(dir, "wrapper.mjs");
  writeFileSync(bin, WRAPPER);
  const all: Record<string, string> = { SOCKLAB_LAB_BIN: bin, REAL_SOCKLAB: BIN, FAKE_MARKER: join(dir, "client1-exited"), ...env };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(all)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  let out = "";
  try {
    const code = await runLab(["10", "--lang", "en"], { out: (s) => void (out += s), err: (s) => void (out += s), width: 80 });
    return { code, out };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row 10 of the table: its status, what was exchanged (its wrapped lines joined) and the reason. */
function row10(out: string): { status: string; exchanged: string; reason: string | undefined } {
  const lines = out.split("\n");
  const at = lines.findIndex((l) => /^10\s.*\s(PASS|FAIL|SKIP) +\d+\.\ds$/.test(l));
  if (at < 0) return { status: "(no row)", exchanged: "", reason: undefined };
  const status = /\s(PASS|FAIL|SKIP) +\d+\.\ds$/.exec(lines[at] as string)?.[1] as string;
  let text = (lines[at] as string).replace(/\s(PASS|FAIL|SKIP) +\d+\.\ds$/, "");
  let reason: string | undefined;
  for (let j = at + 1; j < lines.length && /^      \S/.test(lines[j] ?? ""); j++) {
    const r = /^\s+↳ (.*)$/.exec(lines[j] ?? "")?.[1];
    if (r !== undefined) reason = r;
    else text += ` ${(lines[j] ?? "").trim()}`;
  }
  return { status, exchanged: text.replace(/\s+/g, " "), reason };
}

test("exercise 10 with the real socklab passes, and says client 2 was held", { timeout: 30_000 }, async () => {
  const r = await lab10({});
  const row = row10(r.out);
  assert.equal(row.status, "PASS", r.out);
  assert.match(row.exchanged, /c2 connected, queued by the server, nothing for \d\.\d s; once c1 closed → "hola mundo\\n" ← same/);
  assert.equal(r.code, 0);
});

test("exercise 10 does not pass while client 2 has not even connected: it fails naming the wait", { timeout: 30_000 }, async () => {
  // Before, the lab waited at most 3 s for client 2, then checked "no reply yet" and passed.
  const r = await lab10({ FAKE_LATE: "1", SOCKLAB_LAB_TIMEOUT_MS: "8000" });
  const row = row10(r.out);
  assert.equal(row.status, "FAIL", r.out);
  assert.equal(row.reason, "timed out after 8 s waiting for the connected event of client 2");
  assert.equal(r.code, 1);
});

test("exercise 10 fails when the server serves client 2 at once (not sequential)", { timeout: 30_000 }, async () => {
  const r = await lab10({ FAKE_CONCURRENT: "1" });
  const row = row10(r.out);
  assert.equal(row.status, "FAIL", r.out);
  assert.match(row.reason ?? "", /the server is not sequential|accepted connections while serving client 1, expected 1/, r.out);
  assert.equal(r.code, 1);
});

test("exercise 10 names a client 2 that fails by itself (exit 1, its stderr), not 'the server is not sequential'", { timeout: 30_000 }, async () => {
  const r = await lab10({ FAKE_FAIL: "1" });
  const row = row10(r.out);
  assert.equal(row.status, "FAIL", r.out);
  assert.match(row.reason ?? "", /^client 2 exited with code 1 while the lab was waiting for the queued event of server.*simulated client failure/, r.out);
  assert.doesNotMatch(row.reason ?? "", /not sequential/);
  assert.equal(r.code, 1);
});

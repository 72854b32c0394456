/**
 * Issue 8 item 7: a second SIGINT/SIGTERM within milliseconds of the first must not leave
 * the Unix socket file behind. The first signal stops gracefully (exit 0); a second one
 * while stopping forces the exit with 128 + the signal's number after removing the file.
 * Either way: no file left, never killed by the signal itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import net from "node:net";
import { startServer, hasStackTrace } from "./support/cli.js";
import { tempPath } from "./support/tmp.js";
import { Proc } from "./support/process.js";
import { fileURLToPath } from "node:url";
import { hold } from "./support/wait.js";

const EXPECTED: Record<string, number[]> = { SIGINT: [0, 130], SIGTERM: [0, 143] };

/** Send the second signal: at once (the kernel may merge it with the first), or a few ms later. */
async function secondSignal(run: number, send: () => void): Promise<void> {
  const ms = run % 4;
  if (ms === 0) return send();
  await hold(ms, "the second signal a few ms after the first is the case under test");
  send();
}

for (const [sig, runs, args] of [
  ["SIGINT", 16, (p: string) => ["serve", "echo", `unix:${p}`]],
  ["SIGTERM", 8, (p: string) => ["serve", "echo", `unix:${p}`, "--concurrent"]],
  ["SIGINT", 4, (p: string) => ["serve", "time", `unix-dgram:${p}`]],
  ["SIGTERM", 4, (p: string) => ["listen", `unix:${p}`]],
] as const) {
  const shown = args("PATH").join(" ");
  test(`two ${sig}s within 0–3 ms, ${runs} runs of \`socklab ${shown}\`: the socket file is removed every time`, { timeout: 120_000 }, async (t) => {
    const statuses = new Map<number, number>();
    const stream = !shown.includes("unix-dgram:");
    // Two runs at a time: half the wall time, and the machine is busier (as in real life).
    for (let run = 0; run < runs; run += 2) {
      await Promise.all([run, run + 1].map(async (n) => {
        const path = tempPath(t, `double-${n}.sock`);
        const { proc } = await startServer(args(path), { teardown: t });
        assert.ok(existsSync(path));
        // Every other run has a connected client, so the graceful stop has work to do.
        let client: net.Socket | undefined;
        if (stream && n % 2 === 1) {
          client = net.connect(path);
          client.on("error", () => {});
          await new Promise((r) => client!.once("connect", r));
        }
        proc.signal(sig);
        await secondSignal(n, () => proc.signal(sig));
        const r = await proc.waitExit(5000);
        client?.destroy();
        assert.equal(r.signal, null, `run ${n}: killed by ${r.signal}; stderr: ${r.stderr}`);
        assert.ok(EXPECTED[sig]!.includes(r.code!), `run ${n}: exit ${r.code}; stderr: ${r.stderr}`);
        assert.ok(!hasStackTrace(r.stderr), r.stderr);
        assert.ok(!existsSync(path), `run ${n}: socket file left behind (exit ${r.code}); stderr: ${r.stderr}`);
        statuses.set(r.code!, (statuses.get(r.code!) ?? 0) + 1);
      }));
    }
    t.diagnostic(`exit statuses over ${runs} runs: ${[...statuses].map(([c, n]) => `${c}×${n}`).join(", ")}`);
  });
}

const HUNG = fileURLToPath(new URL("./support/hung-stop.js", import.meta.url));

for (const [sig, status] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  test(`a second ${sig} while the graceful stop hangs: socket file removed, exit ${status}`, { timeout: 60_000 }, async (t) => {
    const path = tempPath(t, "hung.sock");
    const proc = new Proc(process.execPath, [HUNG, `unix:${path}`], { teardown: t });
    await proc.waitForStderr(/^listening /);
    assert.ok(existsSync(path));
    proc.signal(sig);
    await proc.waitForStderr(/^stopping$/);
    proc.signal(sig);
    const r = await proc.waitExit(5000);
    assert.equal(r.signal, null, "not killed by the signal");
    assert.equal(r.code, status);
    assert.ok(!existsSync(path), "the socket file is removed");
    assert.match(r.stderr, new RegExp(`stopping now \\(${sig} again\\)`));
  });
}

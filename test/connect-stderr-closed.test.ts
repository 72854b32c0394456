/**
 * `socklab connect -x HOST PORT < file 2>&1 >/dev/null | head -c 1000`: standard error's
 * reader goes away early, so every later write there fails with EPIPE. Diagnostics are not
 * the data: the transfer goes on without them and ends as it would have (every byte of stdin
 * delivered, exit 0), promptly, without spinning on the failed writes. (Before: each failed
 * write was reported as an internal error, itself a write to standard error that failed: a
 * busy loop that never exited.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { SOCKLAB_BIN } from "./support/cli.js";
import { tcpServer } from "./support/net.js";

const TOTAL = 4 * 1024 * 1024;

/** CPU seconds (user + system) used so far by `pid`, or undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

for (const json of [false, true]) {
  test(`connect -x${json ? " --json" : ""} whose standard error is closed early: all sent, exit 0, no spin`, { timeout: 60_000 }, async (t) => {
    const data = randomBytes(TOTAL);
    const got = createHash("sha256");
    let received = 0;
    const port = await tcpServer(t, (socket) => {
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        got.update(chunk);
      });
      socket.on("end", () => socket.end());
    });

    const args = [SOCKLAB_BIN, ...(json ? ["--json"] : []), "connect", "-x", "127.0.0.1", String(port)];
    const child = spawn(process.execPath, args, { stdio: ["pipe", "ignore", "pipe"] });
    t.after(() => child.kill("SIGKILL"));
    const exited = once(child, "exit");
    child.stdin.on("error", () => {});
    child.stdin.end(data);
    // Read the first 1000 bytes of standard error, then close it, as `| head -c 1000` does.
    let seen = 0;
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= 1000) {
          child.stderr.destroy();
          resolve();
        }
      });
    });
    let cpu = 0;
    const sampler = setInterval(() => (cpu = cpuSeconds(child.pid!) ?? cpu), 100);
    const started = performance.now();
    const limit = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const [code, signal] = await exited;
    clearTimeout(limit);
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(signal, null, `socklab did not exit within 30 s of standard error closing (${cpu.toFixed(1)} s of CPU by then)`);
    assert.equal(code, 0);
    assert.equal(received, TOTAL, "every byte of stdin delivered");
    assert.equal(got.digest("hex"), createHash("sha256").update(data).digest("hex"), "byte-exact");
    // Dumping 4 MiB costs well under this; a busy loop on EPIPE would use the whole wait.
    assert.ok(cpu < 15, `${cpu.toFixed(1)} s of CPU in ${seconds.toFixed(1)} s`);
  });
}

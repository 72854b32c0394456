/**
 * The hostile suite's bulk case: 1 GiB through `socklab listen` and `socklab connect -d`,
 * streamed (never held in memory by the test or by socklab), with matching sha256 and a
 * bounded resident size on both sides. SOCKLAB_TRANSFER_MIB changes the size (default 1024).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { SOCKLAB_BIN } from "./support/cli.js";

const MIB = 1024 * 1024;
const TOTAL_MIB = Number(process.env.SOCKLAB_TRANSFER_MIB ?? 1024);
/** Resident size either side may reach, whatever the size moved. */
const RSS_LIMIT = 256 * MIB;

function rssOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function start(args: string[], t: { after(fn: () => unknown): void }): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [SOCKLAB_BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = once(child, "close").then(([code]) => code as number | null);
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, stderr: () => err, exit };
}

test(`${TOTAL_MIB} MiB through socklab listen → socklab connect -d: sha256 matches, memory stays bounded`, { timeout: 120_000 }, async (t) => {
  const listen = start(["listen", "tcp://127.0.0.1:0"], t);
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const m = listen.stderr().match(/^listening tcp:\/\/127\.0\.0\.1:(\d+)$/m);
      if (m) resolve(Number(m[1]));
    };
    listen.child.stderr!.on("data", onData);
    listen.child.once("close", () => reject(new Error(`listen exited: ${listen.stderr()}`)));
  });
  const connect = start(["connect", "-d", `tcp://127.0.0.1:${port}`], t);

  // Receiving side: hash connect's stdout as it streams.
  const received = createHash("sha256");
  let receivedBytes = 0;
  connect.child.stdout!.on("data", (chunk: Buffer) => {
    received.update(chunk);
    receivedBytes += chunk.length;
  });
  listen.child.stdout!.resume();

  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(listen.child.pid), rssOf(connect.child.pid));
  }, 250);
  t.after(() => clearInterval(sampler));

  // Sending side: 1 MiB blocks, each stamped with its number, written with backpressure.
  const sent = createHash("sha256");
  const block = randomBytes(MIB);
  const started = Date.now();
  const input = listen.child.stdin!;
  input.on("error", () => {});
  for (let i = 0; i < TOTAL_MIB; i++) {
    block.writeUInt32BE(i, 0);
    const copy = Buffer.from(block);
    sent.update(copy);
    if (!input.write(copy)) await once(input, "drain");
  }
  input.end();

  const [listenCode, connectCode] = await Promise.all([listen.exit, connect.exit]);
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  t.diagnostic(`${TOTAL_MIB} MiB in ${seconds.toFixed(1)} s (${(TOTAL_MIB / seconds).toFixed(0)} MiB/s); peak RSS ${(peakRss / MIB).toFixed(0)} MiB`);
  assert.equal(listenCode, 0, listen.stderr());
  assert.equal(connectCode, 0, connect.stderr());
  assert.equal(receivedBytes, TOTAL_MIB * MIB, "every byte arrived");
  assert.equal(received.digest("hex"), sent.digest("hex"), "sha256 matches");
  assert.ok(peakRss > 0 && peakRss < RSS_LIMIT, `peak RSS ${(peakRss / MIB).toFixed(0)} MiB stays under ${RSS_LIMIT / MIB} MiB`);
});

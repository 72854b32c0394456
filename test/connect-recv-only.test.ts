/**
 * Issue 8, item 1: fetching a file from `nc -l`, `nc -N -l` and `ncat -l` with
 * `socklab connect -d` (never reads stdin, never half-closes), 64 MiB byte for byte; and
 * --no-shutdown / --send-only, the other two ways of using the connection one way.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { socklab, runSocklab } from "./support/cli.js";
import { freePort } from "./support/net.js";
import { NC, NCAT } from "./support/tools.js";
import { spawnProc, type Proc, type Teardown } from "./support/process.js";

const SIZE = 64 * 1024 * 1024;
const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** One 64 MiB payload for the whole file (random: no compression, no pattern luck). */
const payload = randomBytes(SIZE);
const payloadHash = sha256(payload);

const ncOpts = { timeout: 60_000, skip: NC ? false : "nc (netcat-openbsd) is not installed: apt-get install -y netcat-openbsd" } as const;
const ncatOpts = { timeout: 60_000, skip: NCAT ? false : "ncat is not installed: apt-get install -y ncat" } as const;

/** `nc [-N] -l 127.0.0.1 0 < payload`: nc binds port 0 itself and prints the port it got. */
async function ncListening(t: Teardown, flags: string[], input: Buffer | "pipe"): Promise<{ nc: Proc; port: number }> {
  const nc = spawnProc(NC!, ["-v", ...flags, "-l", "127.0.0.1", "0"], { teardown: t, input });
  const m = await nc.waitForStderr(/Listening on \S+ (\d+)/, 5000);
  return { nc, port: Number(m[1]) };
}

/** `ncat -l` can't report a port-0 bind: take a free port, and try another if it was taken meanwhile. */
async function ncatListening(t: Teardown, flags: string[], input: Buffer): Promise<{ ncat: Proc; port: number }> {
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const ncat = spawnProc(NCAT!, ["-v", ...flags, "-l", "127.0.0.1", String(port)], { teardown: t, input });
    try {
      await ncat.waitForStderr(/Listening on 127\.0\.0\.1:(\d+)/, 5000);
      return { ncat, port };
    } catch (err) {
      await ncat.kill();
      if (tries === 4) throw err;
    }
  }
}

/**
 * Wait until `proc` has written `n` bytes to stdout, counting chunks as they come (Proc's
 * waitForStdout joins the whole output at every chunk: quadratic on 64 MiB).
 */
function stdoutBytes(proc: Proc, n: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = proc.stdout.length;
    const stream = proc.child.stdout!;
    const done = (err?: Error): void => {
      clearTimeout(timer);
      stream.removeListener("data", onData);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen >= n) done();
    };
    const timer = setTimeout(() => done(new Error(`${proc.label}: ${seen} of ${n} bytes on stdout after ${timeoutMs} ms\n${proc.stderr}`)), timeoutMs);
    if (seen >= n) return done();
    stream.on("data", onData);
  });
}

function assertSameBytes(got: Buffer): void {
  assert.equal(got.length, SIZE, `all ${SIZE} bytes arrived (got ${got.length})`);
  assert.equal(sha256(got), payloadHash, "sha256 matches");
}

test("nc -l < 64 MiB → socklab connect -d: every byte; nc never closes by itself, so it is stopped once all arrived", ncOpts, async (t) => {
  const { nc, port } = await ncListening(t, [], payload);
  const client = socklab(["connect", "-d", `tcp://127.0.0.1:${port}`], { teardown: t, input: "pipe" });
  await stdoutBytes(client, SIZE, 40_000);
  // No FIN came from us: plain nc -l quits at the client's FIN, and it is still there.
  assert.equal(nc.hasExited, false, "nc -l is still running: socklab did not half-close");
  assert.equal(client.hasExited, false, "plain nc -l never closes the connection by itself");
  nc.signal("SIGTERM");
  const r = await client.waitExit(10_000);
  assert.equal(r.code, 0, r.stderr);
  assertSameBytes(r.stdout);
});

test("nc -N -l < 64 MiB → socklab connect -d: every byte, both exit 0 on their own", ncOpts, async (t) => {
  const { nc, port } = await ncListening(t, ["-N"], payload);
  const r = await runSocklab(["connect", "--recv-only", `tcp://127.0.0.1:${port}`], { timeoutMs: 40_000, input: "pipe" });
  assert.equal(r.code, 0, r.stderr);
  assertSameBytes(r.stdout);
  assert.equal((await nc.waitExit(10_000)).code, 0);
});

test("ncat -l < 64 MiB → socklab connect -d: every byte, both exit 0 on their own", ncatOpts, async (t) => {
  const { ncat, port } = await ncatListening(t, [], payload);
  const r = await runSocklab(["connect", "-d", `tcp://127.0.0.1:${port}`], { timeoutMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assertSameBytes(r.stdout);
  assert.equal((await ncat.waitExit(10_000)).code, 0);
});

test("nc -N -l < 64 MiB → socklab connect --no-shutdown </dev/null: every byte (no FIN at stdin EOF)", ncOpts, async (t) => {
  const { nc, port } = await ncListening(t, ["-N"], payload);
  const r = await runSocklab(["connect", "--no-shutdown", `tcp://127.0.0.1:${port}`], { timeoutMs: 40_000, input: "" });
  assert.equal(r.code, 0, r.stderr);
  assertSameBytes(r.stdout);
  assert.equal((await nc.waitExit(10_000)).code, 0);
});

test("--no-shutdown: what stdin had is sent, no FIN follows, the peer's close ends it", ncOpts, async (t) => {
  const { nc, port } = await ncListening(t, [], "pipe");
  const client = socklab(["connect", "--no-shutdown", `tcp://127.0.0.1:${port}`], { teardown: t, input: "uno\n" });
  await nc.waitForStdout("uno\n");
  assert.equal(nc.hasExited, false, "no FIN reached nc -l (it would have quit)");
  assert.equal(client.hasExited, false, "socklab waits for the peer to close");
  nc.endInput("fin\n");
  nc.signal("SIGTERM");
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
});

test("--send-only < 4 MiB → nc -l: every byte arrives, nothing is printed, both exit 0", ncOpts, async (t) => {
  const upload = payload.subarray(0, 4 * 1024 * 1024);
  const { nc, port } = await ncListening(t, [], Buffer.from("ignored by --send-only\n"));
  const r = await runSocklab(["connect", "--send-only", `tcp://127.0.0.1:${port}`], { timeoutMs: 20_000, input: upload });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0, "--send-only prints nothing");
  const n = await nc.waitExit(10_000);
  assert.equal(n.code, 0);
  assert.equal(sha256(n.stdout), sha256(upload));
});

test("-d, --send-only and --no-shutdown are usage errors with --send, on datagrams, or together", async () => {
  for (const args of [
    ["connect", "-d", "--send-only", "tcp://127.0.0.1:9"],
    ["connect", "-d", "tcp://127.0.0.1:9", "--send", "x"],
    ["connect", "--no-shutdown", "tcp://127.0.0.1:9", "--send", "x"],
    ["connect", "--send-only", "udp://127.0.0.1:9"],
  ]) {
    const r = await runSocklab(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^socklab connect: .*\nusage: socklab connect/);
  }
});

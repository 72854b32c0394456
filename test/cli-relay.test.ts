/** socklab relay with real peers: nc, socat and Python on either side, half-close, refusals, -x/--show. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { runSocklab, socklab, startServer, stderrLines } from "./support/cli.js";
import { closedPort, freePort } from "./support/net.js";
import { NC, SOCAT } from "./support/tools.js";
import { spawnProc } from "./support/process.js";
import { PYTHON, runPeer, startPeer } from "./support/python.js";
import { tempPath } from "./support/tmp.js";

const needs = (...tools: [string, string | undefined][]): { timeout: number; skip: string | false } => {
  const missing = tools.filter(([, path]) => path === undefined).map(([name]) => name);
  return { timeout: 30_000, skip: missing.length > 0 ? `not installed: ${missing.join(", ")}` : false };
};

async function socatSha256Upstream(t: TestContext): Promise<number> {
  const port = await freePort();
  const socat = spawnProc(SOCAT!, ["-d", "-d", `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, "EXEC:sha256sum"], { teardown: t });
  await socat.waitForStderr(/listening on/, 5000);
  return port;
}

test("nc -N client → relay → socat EXEC:sha256sum: 1 MiB up, the digest back, bytes reported", needs(["nc", NC], ["socat", SOCAT]), async (t) => {
  const upstream = await socatSha256Upstream(t);
  const { proc, ready } = await startServer(["relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${upstream}`], { teardown: t });
  const payload = randomBytes(1024 * 1024);
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: payload });
  const r = await nc.waitExit(15_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().split(" ")[0], createHash("sha256").update(payload).digest("hex"));
  const closed = await proc.waitForStderr(/^relay-close (\S+) -> (\S+) up (\d+) down (\d+) bytes/m, 5000);
  assert.equal(closed[2], `tcp://127.0.0.1:${upstream}`);
  assert.equal(Number(closed[3]), payload.length);
  assert.equal(Number(closed[4]), 64 + 4, "the digest line: 64 hex digits, two spaces, '-', newline");
  assert.match(proc.stderr, /^relay tcp:\/\/127\.0\.0\.1:\d+ -> tcp:\/\/127\.0\.0\.1:\d+$/m);
});

test("Python client (lines, then SHUT_WR) → relay → Python echo server", needs(["python3", PYTHON]), async (t) => {
  const echo = await startPeer(t, "seq-echo");
  const { ready } = await startServer(["relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${echo.port}`], { teardown: t });
  const r = await runPeer("lines-half-close", [ready.port, "uno", "dos"], { teardown: t });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "uno\ndos\n\n");
});

test("socat client on a Unix path → relay → nc -N -l: both directions and both half-closes", needs(["nc", NC], ["socat", SOCAT]), async (t) => {
  const port = await freePort();
  // nc -N: sends its stdin, shuts down its write side at stdin EOF, reads until the client closes.
  const nc = spawnProc(NC!, ["-N", "-l", "127.0.0.1", String(port)], { teardown: t, input: "hello from nc\n" });
  const path = tempPath(t, "relay.sock");
  await startServer(["relay", `unix:${path}`, `tcp://127.0.0.1:${port}`], { teardown: t });
  const socat = spawnProc(SOCAT!, ["-t", "5", "-", `UNIX-CONNECT:${path}`], { teardown: t, input: "hello from socat\n" });
  const client = await socat.waitExit(15_000);
  assert.equal(client.code, 0, client.stderr);
  assert.equal(client.stdout.toString(), "hello from nc\n");
  const server = await nc.waitExit(15_000);
  assert.equal(server.stdout.toString(), "hello from socat\n");
});

test("upstream refused: the client's connection ends and the failure is one line", needs(["nc", NC]), async (t) => {
  const port = await closedPort();
  const { proc, ready } = await startServer(["relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${port}`], { teardown: t });
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: "anyone?\n" });
  const r = await nc.waitExit(10_000);
  assert.equal(r.stdout.length, 0);
  await proc.waitForStderr(
    new RegExp(`^relay tcp://127\\.0\\.0\\.1:\\d+: cannot reach tcp://127\\.0\\.0\\.1:${port}: connection refused \\(nothing is listening there\\); closing the client$`, "m"),
    5000,
  );
});

test("--deny wins over --allow: the client is closed and the refusal is an event with the rule (--json)", needs(["nc", NC]), async (t) => {
  const { ready: echo } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const relay = socklab(["relay", "tcp://127.0.0.1:0", echo.address, "--allow", "127.0.0.0/8", "--deny", "127.0.0.1", "--json"], {
    teardown: t,
    input: "pipe",
  });
  // Under --json the readiness line is a JSON event too.
  const m = await relay.waitForStderr(/"event":"listening".*"address":"tcp:\/\/127\.0\.0\.1:(\d+)"/, 8000);
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", m[1]!], { teardown: t, input: "x\n" });
  const r = await nc.waitExit(10_000);
  // Nothing is relayed; the client is only told why, as every refused client is (docs/CLI.md).
  assert.equal(r.stdout.toString(), "ERR refused: address-not-allowed\n");
  const refused = await relay.waitForStderr(/^\{"event":"refused".*$/m, 5000);
  const event = JSON.parse(refused[0]) as { reason: string; detail: string };
  assert.equal(event.reason, "address-not-allowed");
  assert.equal(event.detail, "127.0.0.1");
});

test("--show and -x on the relay: the client's bytes as Python literals and as a hexdump", needs(["nc", NC]), async (t) => {
  const { ready: echo } = await startServer(["serve", "echo", "tcp://127.0.0.1:0", "--concurrent"], { teardown: t });
  const { proc, ready } = await startServer(["relay", "tcp://127.0.0.1:0", echo.address, "--show", "-x"], { teardown: t });
  const nc = spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { teardown: t, input: "hola\n" });
  const r = await nc.waitExit(10_000);
  assert.equal(r.stdout.toString(), "hola\n");
  await proc.waitForStderr(/^> tcp:\/\/127\.0\.0\.1:\d+ b'hola\\n'$/m, 5000);
  assert.match(proc.stderr, /^< tcp:\/\/127\.0\.0\.1:\d+ b'hola\\n'$/m);
  assert.match(proc.stderr, /^< tcp:\/\/127\.0\.0\.1:\d+ 5 bytes at 0\n00000000  68 6f 6c 61 0a {36}\|hola\.\|$/m);
});

test("SIGTERM stops the relay cleanly (exit 0)", async (t) => {
  const { proc } = await startServer(["relay", "tcp://127.0.0.1:0", "tcp://127.0.0.1:9"], { teardown: t });
  proc.signal("SIGTERM");
  const r = await proc.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(stderrLines(r.stderr).at(-1)!, /^stopping \(SIGTERM\)$/);
});

test("bad relay arguments exit 2 with one line", async (t) => {
  const path = tempPath(t, "x.sock");
  for (const [args, why] of [
    [["relay", "tcp://127.0.0.1:0"], /missing TO/],
    [["relay", "tcp://127.0.0.1:0", "udp://127.0.0.1:9"], /relay joins two stream addresses/],
    [["relay", `unix:${path}`, "tcp://127.0.0.1:9", "--allow", "127.0.0.1"], /filters IP clients: it applies to tcp:\/\/ and udp:\/\/ addresses/],
    [["relay", "tcp://127.0.0.1:0", "tcp://127.0.0.1:9", "--deny", "nope"], /"nope" is not an IP address or CIDR/],
  ] as const) {
    const r = await runSocklab(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(stderrLines(r.stderr)[0]!, why);
  }
});

test("UDP: socat client → relay → socklab serve echo over UDP, and the mapping in the log", needs(["socat", SOCAT]), async (t) => {
  const { ready: echo } = await startServer(["serve", "echo", "udp://127.0.0.1:0"], { teardown: t });
  const { proc, ready } = await startServer(["relay", "udp://127.0.0.1:0", echo.address, "--idle-timeout", "0.3"], { teardown: t });
  const socat = spawnProc(SOCAT!, ["-t", "1", "-", `UDP:127.0.0.1:${ready.port}`], { teardown: t, input: "pipe" });
  socat.write("hola udp\n");
  await socat.waitForStdout("hola udp\n", 5000);
  socat.endInput();
  await proc.waitForStderr(/^relay-close udp:\/\/127\.0\.0\.1:\d+ -> udp:\/\/127\.0\.0\.1:\d+ up 9 down 9 bytes in [\d.]+ s \(idle timeout\)$/m, 5000);
});

/**
 * Happy eyeballs (RFC 8305) in src/tcp/connect.ts, with an injected resolver: IPv6 first, a
 * 250 ms head start, attempts raced, the first to connect wins, the others closed; a failure
 * hands over at once; when all fail, the error lists every address. `connect -v` lists the
 * attempts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { connectAny, connectTcp, interleaveFamilies, type ConnectAttemptReport, type Resolver } from "../src/tcp/connect.js";
import { runSocklab } from "./support/cli.js";
import { FULL_BACKLOG_PY, closedPort } from "./support/net.js";
import { spawnProc, which, type Teardown } from "./support/process.js";

const PYTHON = which("python3");

function listen4(t: Teardown): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on("error", () => {}); // the client may reset: not this test's business
      socket.end("hi\n");
    });
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
    t.after(() => server.close());
  });
}

/** 127.0.0.1:PORT answering and [::1]:PORT silent (same port: one name, two addresses). */
async function dualWithSilentV6(t: Teardown): Promise<number> {
  for (let tries = 0; tries < 10; tries++) {
    const server = await listen4(t);
    const port = (server.address() as { port: number }).port;
    const py = spawnProc(PYTHON!, ["-c", FULL_BACKLOG_PY, "::1", String(port)], { teardown: t, input: "pipe", label: "silent ::1" });
    const m = await py.waitForStdoutLine(/^(\d+|busy)$/m, 5000);
    if (m[1] !== "busy") return port; // [::1]:PORT silent: its queue is full
    server.close();
  }
  throw new Error("no port free on both 127.0.0.1 and ::1");
}

const dual: Resolver = async () => [
  { address: "127.0.0.1", family: 4 },
  { address: "::1", family: 6 },
];

test("interleaveFamilies: IPv6 first, then alternating, order kept within a family", () => {
  const got = interleaveFamilies([
    { a: "4a", family: 4 },
    { a: "4b", family: 4 },
    { a: "6a", family: 6 },
    { a: "4c", family: 4 },
    { a: "6b", family: 6 },
  ]).map((x) => x.a);
  assert.deepEqual(got, ["6a", "4a", "6b", "4b", "4c"]);
});

test("::1 silent, 127.0.0.1 answering: connects via IPv4 after the 250 ms head start, not after the timeout", { timeout: 30_000, skip: PYTHON ? false : "python3 is not installed" }, async (t) => {
  const port = await dualWithSilentV6(t);
  const reports: ConnectAttemptReport[] = [];
  const started = performance.now();
  const { socket, address } = await connectAny("dual.test", port, { resolve: dual, timeoutMs: 8000, onAttempt: (r) => reports.push(r) });
  const took = performance.now() - started;
  socket.destroy();
  assert.equal(address, `tcp://127.0.0.1:${port}`);
  assert.ok(took >= 240 && took < 4000, `took ${took} ms`);
  const states = reports.map((r) => `${r.state} ${r.address}`);
  assert.deepEqual(states, [
    `trying tcp://[::1]:${port}`,
    `trying tcp://127.0.0.1:${port}`,
    `connected tcp://127.0.0.1:${port}`,
    `cancelled tcp://[::1]:${port}`,
  ]);
  assert.ok(reports[1]!.ms >= 240, `IPv4 started at ${reports[1]!.ms} ms (head start 250 ms)`);
});

test("a failed attempt hands over at once; when all fail the error lists every address", async () => {
  const port = await closedPort();
  const reports: ConnectAttemptReport[] = [];
  const started = performance.now();
  await assert.rejects(
    connectTcp({ host: "dual.test", port, resolve: dual, timeoutMs: 5000, onAttempt: (r) => reports.push(r) }),
    (err: Error) => {
      assert.match(err.message, new RegExp(`tcp://\\[::1\\]:${port}: .*refused`));
      assert.match(err.message, new RegExp(`tcp://127\\.0\\.0\\.1:${port}: .*refused`));
      return true;
    },
  );
  assert.ok(performance.now() - started < 240, "refusals do not wait out the head start");
  assert.deepEqual(
    reports.map((r) => r.state),
    ["trying", "failed", "trying", "failed"],
  );
});

test("connect -v lists the attempt; an unreachable port lists it in the error", async (t) => {
  const server = await listen4(t);
  const port = (server.address() as { port: number }).port;
  const ok = await runSocklab(["connect", "-v", "-d", `tcp://127.0.0.1:${port}`], { teardown: t });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, new RegExp(`^trying tcp://127\\.0\\.0\\.1:${port} \\(at \\d+ ms\\)$`, "m"));
  assert.match(ok.stderr, new RegExp(`^connected to tcp://127\\.0\\.0\\.1:${port} after \\d+ ms$`, "m"));
  const closed = await closedPort();
  const bad = await runSocklab(["connect", "-v", `tcp://127.0.0.1:${closed}`], { teardown: t, input: "" });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`attempt tcp://127\\.0\\.0\\.1:${closed} failed: connection refused`));
});

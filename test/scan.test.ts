/** socklab scan (nc -z): port lists, open/closed/filtered, order, concurrency, exit codes. Loopback only. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { parsePorts, probePort, scanPorts } from "../src/scan.js";
import type { SocklabEvent } from "../src/events.js";
import { runSocklab, stderrLines } from "./support/cli.js";
import { closedPort, FULL_BACKLOG_PY } from "./support/net.js";
import { PYTHON, spawnPython } from "./support/python.js";

async function listener(t: TestContext, host = "127.0.0.1"): Promise<number> {
  const server = net.createServer((s) => s.destroy());
  server.listen(0, host);
  await once(server, "listening");
  t.after(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

async function fullBacklogPort(t: TestContext): Promise<number> {
  const py = spawnPython(FULL_BACKLOG_PY, { teardown: t, input: "pipe", label: "full-backlog listener" });
  const m = await py.waitForStdoutLine(/^(\d+)$/, 5000);
  return Number(m[1]);
}

test("port lists: numbers and ranges, order kept, duplicates dropped", () => {
  assert.deepEqual(parsePorts("22"), [22]);
  assert.deepEqual(parsePorts("22,80,8000-8003"), [22, 80, 8000, 8001, 8002, 8003]);
  assert.deepEqual(parsePorts("443, 80 ,80,79-81"), [443, 80, 79, 81]);
  assert.equal(parsePorts("1-65535").length, 65535);
  for (const bad of ["", "0", "65536", "a", "5-3", "22,,80", "1-2-3", "-5", "80-"]) {
    assert.throws(() => parsePorts(bad), { code: "ERR_BAD_PORTS" }, bad);
  }
});

test("open, closed and filtered ports, each reported once, in list order", { skip: PYTHON ? false : "python3 not installed", timeout: 60_000 }, async (t) => {
  const open = [await listener(t), await listener(t)];
  const closed = await closedPort();
  const filtered = await fullBacklogPort(t);
  const events: SocklabEvent[] = [];
  const order: number[] = [];
  const ports = [closed, open[0]!, filtered, open[1]!];
  const report = await scanPorts({ host: "127.0.0.1", ports, timeoutMs: 400, onEvent: (e) => events.push(e), onResult: (r) => order.push(r.port) });
  assert.deepEqual(order, ports, "results come out in the order given, though the filtered one finished last");
  assert.deepEqual(report.open, open);
  assert.deepEqual(report.results.map((r) => r.state), ["closed", "open", "filtered", "open"]);
  assert.equal(report.results[0]!.code, "ECONNREFUSED");
  const portEvents = events.filter((e) => e.type === "port");
  assert.equal(portEvents.length, 4);
  assert.deepEqual(events.at(-1), { type: "scan-done", target: "127.0.0.1", scanned: 4, open: 2, seconds: report.seconds });
});

test("concurrency bounds the probes in flight: 4 filtered probes take 2 rounds at 2, 1 round at 4", { skip: PYTHON ? false : "python3 not installed", timeout: 60_000 }, async (t) => {
  const filtered = await fullBacklogPort(t);
  const two = await scanPorts({ host: "127.0.0.1", ports: [filtered, filtered, filtered, filtered], timeoutMs: 300, concurrency: 2 });
  assert.ok(two.seconds >= 0.58, `2 rounds of 300 ms took ${two.seconds} s`);
  const four = await scanPorts({ host: "127.0.0.1", ports: [filtered, filtered, filtered, filtered], timeoutMs: 300, concurrency: 4 });
  assert.ok(four.seconds < two.seconds, `one round (${four.seconds} s) is faster than two (${two.seconds} s)`);
  assert.deepEqual(new Set(four.results.map((r) => r.state)), new Set(["filtered"]));
});

test("IPv6 loopback and an aborted scan", async (t) => {
  const port = await listener(t, "::1");
  assert.equal((await probePort("::1", port, 2000)).state, "open");
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(scanPorts({ host: "127.0.0.1", ports: [port], signal: ac.signal }), { name: "AbortError" });
});

test("CLI: open ports on stdout in order, exit 0; -v shows every port and a summary", async (t) => {
  const a = await listener(t);
  const b = await listener(t);
  const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
  // A range around our two listeners: other ports in it may belong to parallel tests, so check ours.
  const from = Math.max(1, lo - 3);
  const to = Math.min(65535, hi + 3);
  const spec = hi - lo > 500 ? `${from}-${lo + 3},${hi - 3}-${to}` : `${from}-${to}`;
  const r = await runSocklab(["scan", `tcp://127.0.0.1:${spec}`, "-v", "--timeout", "2"], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.toString().trim().split("\n");
  assert.ok(lines.includes(`tcp://127.0.0.1:${a}`) && lines.includes(`tcp://127.0.0.1:${b}`), r.stdout.toString());
  const shown = lines.map((l) => Number(l.split(":").at(-1)));
  assert.deepEqual(shown, [...shown].sort((x, y) => x - y), "in the order given");
  const err = stderrLines(r.stderr);
  assert.ok(err.some((l) => l.startsWith(`port tcp://127.0.0.1:${a} open (`)), r.stderr);
  assert.ok(err.some((l) => / closed \(\d+ ms\)$/.test(l)), r.stderr);
  assert.match(err.at(-1)!, /^scanned \d+ ports of 127\.0\.0\.1 in [\d.]+ s: \d+ open$/);
});

test("CLI: nothing open → exit 1 and empty stdout; --json gives events", async () => {
  const port = await closedPort();
  const r = await runSocklab(["scan", `tcp://127.0.0.1:${port}`, "-v", "--json"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout.length, 0);
  const events = stderrLines(r.stderr).map((l) => JSON.parse(l) as { event: string; state?: string; code?: string });
  assert.deepEqual(events.map((e) => e.event), ["port", "scan-done"]);
  assert.equal(events[0]!.state, "closed");
  assert.equal(events[0]!.code, "ECONNREFUSED");
});

test("CLI: bad input exits 2 with one line that says why", async () => {
  for (const [args, why] of [
    [["scan"], /missing tcp:\/\/HOST:PORTS/],
    [["scan", "tcp://127.0.0.1:5-3"], /range 5-3 goes backwards/],
    [["scan", "tcp://127.0.0.1:http"], /"http" is not a port or a range/],
    [["scan", "udp://127.0.0.1:53"], /UDP scanning is out of scope/],
    [["scan", "127.0.0.1:80"], /is not tcp:\/\/HOST:PORTS/],
    [["scan", "tcp://127.0.0.1:80", "81"], /unexpected argument "81"/],
    [["scan", "tcp://127.0.0.1:80", "--concurrency", "0"], /--concurrency needs a whole number/],
  ] as const) {
    const r = await runSocklab(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(stderrLines(r.stderr)[0]!, why);
  }
});

test("CLI: --help prints the scan help with the nc equivalent", async () => {
  const r = await runSocklab(["scan", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout.toString(), /^usage: socklab scan tcp:\/\/HOST:PORTS/);
  assert.match(r.stdout.toString(), /nc -z/);
});

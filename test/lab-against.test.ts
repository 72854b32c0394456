/**
 * `socklab lab --against python|nc`: socklab plays the guide's program, python3 (or nc/socat)
 * the other side; what the peer cannot play is a SKIP row with the reason. And exercise 2.5,
 * which binds [::]: in a network namespace of the lab's own where the platform allows it,
 * else said to bind every interface, with for how long — each path that can run here runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { once } from "node:events";
import net from "node:net";
import { EXERCISES } from "../src/lab/exercises/index.js";
import { runLab } from "../src/lab/main.js";
import { isBound } from "../src/lab/against.js";
import { onPath, REPRO } from "../src/lab/reproduce.js";
import { spawnPython } from "./support/python.js";
import { abstractName, socketPath } from "./support/tmp.js";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/socklab.js", import.meta.url));

async function lab(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = "";
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  try {
    const code = await runLab(argv, { out: (s) => void (out += s), err: (s) => void (out += s), width: 80 });
    return { code, out };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function rowStatus(out: string, id: string): string | undefined {
  return new RegExp(`^${id.replace(".", "\\.")}\\s.*\\s(PASS|FAIL|SKIP) +\\d+\\.\\ds$`, "m").exec(out)?.[1];
}

const noPython = onPath("python3") ? false : "python3 is not installed";
const noNc = onPath("nc") && onPath("socat") ? false : "nc or socat is not installed";

test("--against python: every exercise passes with python3 playing the other side", { timeout: 120_000, skip: noPython }, async () => {
  const r = await lab(["--against", "python", "--lang", "en"]);
  assert.match(r.out, /^socklab lab --against python — 25 exercises/);
  for (const e of EXERCISES) assert.equal(rowStatus(r.out, e.id), "PASS", `${e.id}:\n${r.out}`);
  assert.match(r.out, /server: socklab, client: python;\s+the client printed "b'PONG\\\\nhola\\\\nERR desconocido\\\\n'\\n"/);
  assert.match(r.out, /\n25 passed, 0 failed\n$/);
  assert.equal(r.code, 0);
});

test("--against nc: nc/socat play what they can; the rest is SKIP with the reason, never dropped", { timeout: 60_000, skip: noNc }, async () => {
  const r = await lab(["--against", "nc", "--lang", "en", "2", "10", "B2", "B4", "2.1c"]);
  for (const id of ["2", "10", "B2"]) assert.equal(rowStatus(r.out, id), "PASS", `${id}:\n${r.out}`);
  assert.equal(rowStatus(r.out, "B4"), "SKIP", r.out);
  assert.match(r.out, /↳ nc and socat cannot: neither sends nor receives descriptors/);
  assert.equal(rowStatus(r.out, "2.1c"), "SKIP", r.out);
  assert.match(r.out, /\n3 passed, 0 failed, 2 skipped\n$/);
  assert.equal(r.code, 0);
});

test("--against narrates socklab's events and the peer's command, output and exit (Spanish)", { timeout: 30_000, skip: noPython }, async () => {
  const r = await lab(["--against", "python", "--lang", "es", "B3"]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /\$ python3 -c 'if 1: import socket …'/);
  // python3 -u may write print()'s text and its newline in two writes: the lab shows each chunk.
  assert.match(r.out, /cliente \(python\)\s+stdout ← b"b'Hola UID=\d+ PID=\d+\\\\n'(\\n)?"/);
  assert.match(r.out, /cliente \(python\) terminó \(0\)/);
  assert.match(r.out, /servidor \(socklab\)\s+escuchando/);
  assert.match(r.out, /Reprodúcelo a mano/);
  const bad = await lab(["--against", "perl"]);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /--against needs python or nc, got "perl"/);
});

function netnsPossible(): string | false {
  if (process.getuid?.() !== 0) return "not root";
  const r = spawnSync("unshare", ["-n", "true"]);
  return r.status === 0 ? false : "unshare -n does not work here";
}

test("2.5 in the lab's own network namespace (root + unshare)", { timeout: 30_000, skip: netnsPossible() }, async (t) => {
  const r = await lab(["2.5", "--lang", "en"]);
  assert.equal(rowStatus(r.out, "2.5"), "PASS", r.out);
  assert.match(r.out, /the lab runs this exercise in a network namespace of\s+its own/);
  assert.match(r.out, /; own network namespace/);
  t.diagnostic("2.5 ran inside a network namespace of the lab's own");
});

test("2.5 without a namespace says it binds every interface, and for how long", { timeout: 30_000 }, async (t) => {
  // The lab is told not to make a namespace; where this test can, it runs the lab inside one
  // of its own, so that even this path never binds the host's interfaces.
  let out: string;
  if (netnsPossible() === false) {
    const r = spawnSync(
      "unshare",
      ["-n", "sh", "-c", 'ip link set lo up && exec "$0" "$1" lab 2.5 --lang en', process.execPath, BIN],
      { encoding: "utf8", env: { ...process.env, SOCKLAB_LAB_NETNS: "0" }, timeout: 25_000 },
    );
    out = r.stdout + r.stderr;
    t.diagnostic("2.5's every-interface path ran in a namespace this test made (unshare -n)");
  } else {
    out = (await lab(["2.5", "--lang", "en"], { SOCKLAB_LAB_NETNS: "0" })).out;
    t.diagnostic("2.5's every-interface path ran on this machine's [::] for a moment (no namespace possible)");
  }
  const status = rowStatus(out, "2.5");
  if (status === "SKIP") {
    assert.match(out, /no IPv6 loopback/);
    t.diagnostic("2.5 skipped: no IPv6 loopback here");
    return;
  }
  assert.equal(status, "PASS", out);
  assert.match(out, /this exercise really binds \[::\], every interface/);
  assert.match(out, /the server was bound to every interface\s+for \d+\.\d s/);
  assert.match(out, /; bound to every interface for \d+\.\d s/);
});

test("a Unix stream server is ready once it listens, not once bound (bind(2) shows the path, connect is refused until listen(2))", { skip: noPython }, async (t) => {
  const path = socketPath(t);
  const name = abstractName();
  const v = { "@PATH@": path, "@NAME@": name, "@PORT@": "0" };
  // Binds a path, an abstract name and a datagram path, then listens on the two stream
  // sockets only when told (a line on stdin): the state nc -lU and Python pass through.
  const py = spawnPython(
    [
      "import socket, sys",
      `path, name = ${JSON.stringify(path)}, ${JSON.stringify(name)}`,
      "s = socket.socket(socket.AF_UNIX); s.bind(path)",
      "a = socket.socket(socket.AF_UNIX); a.bind('\\0' + name)",
      "d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind(path + '.dgram')",
      "print('bound', flush=True); sys.stdin.readline()",
      "s.listen(); a.listen()",
      "print('listening', flush=True); sys.stdin.readline()",
    ].join("\n"),
    { teardown: t, input: "pipe" },
  );
  await py.waitForStdout("bound\n");
  assert.equal(isBound(REPRO.B3, v, "self"), false, "a bound, not listening, stream path counted as ready");
  assert.equal(isBound(REPRO.B2, v, "self"), false, "a bound, not listening, abstract name counted as ready");
  assert.equal(isBound(REPRO.B1, { ...v, "@PATH@": `${path}.dgram` }, "self"), true, "a bound datagram path is ready");
  py.write("go\n");
  await py.waitForStdout("listening\n");
  assert.equal(isBound(REPRO.B3, v, "self"), true);
  assert.equal(isBound(REPRO.B2, v, "self"), true);
  // Only the server's own socket: held by python3, not by this process.
  assert.equal(isBound(REPRO.B3, v, "self", py.pid), true);
  assert.equal(isBound(REPRO.B1, { ...v, "@PATH@": `${path}.dgram` }, "self", py.pid), true);
  assert.equal(isBound(REPRO.B3, v, "self", process.pid), false, "a socket of another process counted as the server's");
});

test("a TCP or UDP port counts as the server's only while the server holds it", async (t) => {
  const tcp = net.createServer();
  tcp.listen({ port: 0, host: "127.0.0.1" });
  await once(tcp, "listening");
  t.after(() => tcp.close());
  const udp = dgram.createSocket("udp4");
  udp.bind(0, "127.0.0.1");
  await once(udp, "listening");
  t.after(() => udp.close());
  const tcpPort = { "@PORT@": String((tcp.address() as net.AddressInfo).port) };
  const udpPort = { "@PORT@": String(udp.address().port) };
  assert.equal(isBound(REPRO["10"], tcpPort, "self"), true);
  assert.equal(isBound(REPRO["10"], tcpPort, "self", process.pid), true);
  assert.equal(isBound(REPRO["13"], udpPort, "self", process.pid), true);
  // A process that does not hold them (this one's parent): not the server's.
  assert.equal(isBound(REPRO["10"], tcpPort, "self", process.ppid), false);
  assert.equal(isBound(REPRO["13"], udpPort, "self", process.ppid), false);
});

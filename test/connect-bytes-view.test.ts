/**
 * Issue 11 on `socklab connect`: -x / --hexdump-file / --show (every chunk each way, payload on
 * stdout untouched), -C (\n from stdin sent as \r\n, compared with nc -C and ncat -C on the same
 * peer), and nc-style arguments (HOST PORT, -u HOST PORT, -U PATH). The peers are python3
 * sockets that report what they received as Python's repr(), so `--show` is checked against
 * Python itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runSocklab } from "./support/cli.js";
import { spawnProc, which, type Teardown } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const PYTHON = which("python3");
const NC = which("nc");
const NCAT = which("ncat");
const pyOpts = { timeout: 30_000, skip: PYTHON ? false : "python3 is not installed" } as const;

/**
 * One-shot peer: prints its port (or "ready"), takes one connection (or one datagram), reads
 * to EOF, answers `ok\n`, closes, then prints repr() of everything it received.
 */
const PEER_PY = String.raw`
import socket, sys
kind = sys.argv[1]
if kind == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    s.settimeout(20)
    data, peer = s.recvfrom(65536)
    s.sendto(b"ok\n", peer)
    print(repr(data), flush=True)
    sys.exit(0)
if kind == "unix":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(sys.argv[2])
    s.listen(1)
    print("ready", flush=True)
else:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
s.settimeout(20)
c, _ = s.accept()
c.settimeout(20)
data = b""
while True:
    d = c.recv(65536)
    if not d:
        break
    data += d
c.sendall(b"ok\n")
c.close()
print(repr(data), flush=True)
`;

async function pythonPeer(t: Teardown, kind: "tcp" | "udp" | "unix", path?: string) {
  const proc = spawnProc(PYTHON!, ["-c", PEER_PY, kind, ...(path ? [path] : [])], { teardown: t, label: `python3 ${kind} peer` });
  const first = await proc.waitForStdoutLine(/^(\d+|ready)$/m, 5000);
  return {
    port: Number(first[1]),
    /** repr() of what the peer received, as Python printed it. */
    received: async (): Promise<string> => (await proc.waitForStdoutLine(/^(b['"].*)$/m, 10_000))[1]!,
  };
}

/** `hexdump -C`-style lines of the dump, after a `> ADDRESS N bytes at K` header. */
const DUMP_LINE = /^[0-9a-f]{8} {2}(?:[0-9a-f ]{2} ){8} (?:[0-9a-f ]{2} ){8} \|.*\|$/;

test("-x and --show: every chunk each way on stderr, stdout untouched; --show is Python's repr", pyOpts, async (t) => {
  const peer = await pythonPeer(t, "tcp");
  const input = "hola\n\t'x'\\\u00ff";
  const result = await runSocklab(["connect", `tcp://127.0.0.1:${peer.port}`, "-x", "--show"], { input, teardown: t });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString("latin1"), "ok\n", "stdout carries the payload only");
  const sent = Buffer.from(input);
  const received = await peer.received();
  const lines = result.stderr.split("\n").filter((l) => l !== "");
  const address = `tcp://127.0.0.1:${peer.port}`;
  assert.ok(lines.includes(`> ${address} ${sent.length} bytes at 0`), result.stderr);
  assert.ok(lines.includes(`< ${address} 3 bytes at 0`), result.stderr);
  assert.ok(lines.includes(`> ${address} ${received}`), `--show line equals python's repr ${received}:\n${result.stderr}`);
  assert.ok(lines.includes(`< ${address} b'ok\\n'`), result.stderr);
  assert.ok(lines.includes("00000000  6f 6b 0a                                          |ok.|"), result.stderr);
  const dump = lines.filter((l) => DUMP_LINE.test(l));
  assert.ok(dump.length >= 2, `hexdump -C lines: ${result.stderr}`);
});

test("--hexdump-file: the dump goes to the file (appended), not to stderr", pyOpts, async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "dump.txt");
  const peer = await pythonPeer(t, "tcp");
  const result = await runSocklab(["connect", `tcp://127.0.0.1:${peer.port}`, "--hexdump-file", file], { input: "abc", teardown: t });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "ok\n");
  assert.equal(result.stderr, "");
  const text = readFileSync(file, "utf8");
  assert.match(text, /^> tcp:\/\/127\.0\.0\.1:\d+ 3 bytes at 0\n00000000 {2}61 62 63 +\|abc\|\n/m);
  assert.match(text, /^< tcp:\/\/127\.0\.0\.1:\d+ 3 bytes at 0$/m);
  assert.equal(await peer.received(), "b'abc'");
});

const CRLF_INPUT = "a\r\nb\nc\n\nd";

for (const [name, bin, args] of [
  ["nc -C", NC, (port: number) => ["-N", "-C", "127.0.0.1", String(port)]],
  ["ncat -C", NCAT, (port: number) => ["-C", "127.0.0.1", String(port)]],
] as const) {
  test(`-C sends exactly what ${name} sends (\\n → \\r\\n, \\r\\n kept)`, { timeout: 30_000, skip: !PYTHON ? "python3 missing" : !bin ? `${name.split(" ")[0]} is not installed` : false }, async (t) => {
    const ours = await pythonPeer(t, "tcp");
    const result = await runSocklab(["connect", "127.0.0.1", String(ours.port), "-C"], { input: CRLF_INPUT, teardown: t });
    assert.equal(result.code, 0, result.stderr);
    const theirsPeer = await pythonPeer(t, "tcp");
    const theirs = spawnProc(bin!, args(theirsPeer.port), { teardown: t, input: CRLF_INPUT, label: name });
    const fromUs = await ours.received();
    const fromThem = await theirsPeer.received();
    await theirs.kill();
    assert.equal(fromUs, "b'a\\r\\nb\\r\\nc\\r\\n\\r\\nd'");
    assert.equal(fromUs, fromThem);
  });
}

test("datagram: -u HOST PORT, -C turns each stdin line's \\n into \\r\\n, -x dumps both ways", pyOpts, async (t) => {
  const peer = await pythonPeer(t, "udp");
  const result = await runSocklab(["connect", "-u", "127.0.0.1", String(peer.port), "-C", "-x", "--timeout", "2"], { input: "hola\n", teardown: t });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "ok\n");
  assert.equal(await peer.received(), "b'hola\\r\\n'");
  assert.match(result.stderr, new RegExp(`^> udp://127\\.0\\.0\\.1:${peer.port} 6 bytes at 0\\n00000000  68 6f 6c 61 0d 0a`, "m"));
  assert.match(result.stderr, new RegExp(`^< udp://127\\.0\\.0\\.1:${peer.port} 3 bytes at 0\\n00000000  6f 6b 0a `, "m"));
});

test("datagram --send with --show: the request and the reply as Python literals", pyOpts, async (t) => {
  const peer = await pythonPeer(t, "udp");
  const result = await runSocklab(["connect", `udp://127.0.0.1:${peer.port}`, "--send", "ping\\n", "--show"], { teardown: t });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "ok\n");
  assert.match(result.stderr, new RegExp(`^> udp://127\\.0\\.0\\.1:${peer.port} b'ping\\\\n'$`, "m"));
  assert.match(result.stderr, new RegExp(`^< udp://127\\.0\\.0\\.1:${peer.port} b'ok\\\\n'$`, "m"));
});

test("nc style: connect -U PATH is unix:PATH", pyOpts, async (t) => {
  const path = join(tempDir(t), "s.sock");
  const peer = await pythonPeer(t, "unix", path);
  const result = await runSocklab(["connect", "-U", path], { input: "via unix", teardown: t });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "ok\n");
  assert.equal(await peer.received(), "b'via unix'");
});

test("nc-style guesses that are wrong get a usage error showing the URL form", async (t) => {
  const cases: [string[], RegExp][] = [
    [["connect", "localhost", "http"], /"http" is not a port .*tcp:\/\/localhost:PORT/],
    [["connect", "::1", "99999"], /tcp:\/\/\[::1\]:PORT/],
    [["connect", "-u", "localhost"], /udp:\/\/localhost:PORT/],
    [["connect", "-u", "tcp://127.0.0.1:9"], /udp:\/\/127\.0\.0\.1:9/],
    [["connect", "-U", "unix:/tmp/x.sock"], /write unix:\/tmp\/x\.sock/],
    [["connect", "-u", "-U", "x"], /-u and -U exclude each other/],
    [["connect", "tcp://127.0.0.1:9", "extra"], /unexpected argument "extra"/],
  ];
  for (const [args, expected] of cases) {
    const result = await runSocklab(args, { teardown: t });
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, expected, args.join(" "));
    assert.match(result.stderr.split("\n")[0]!, expected, `the first line says it: ${result.stderr}`);
  }
  const es = await runSocklab(["--lang", "es", "connect", "localhost", "http"], { teardown: t });
  assert.equal(es.code, 2);
  assert.match(es.stderr, /no es un puerto/);
});

/**
 * recv-fd: the "received N descriptors" report is the `descriptors-received` event (so --json
 * shows it), and -v adds `connected` and a `summary`, as connect -v does; --trace adds
 * `connected` only, as connect --trace does (with --json too). Served by socklab's
 * `serve fd` and by a python3 server passing a descriptor with socket.send_fds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { runSocklab, startServer } from "./support/cli.js";
import { which } from "./support/process.js";
import { spawnPython } from "./support/python.js";
import { tempDir } from "./support/tmp.js";

const PY = which("python3");

interface Json {
  event: string;
  [field: string]: unknown;
}

test("recv-fd -v --json: connected, descriptors-received and summary events; the file on stdout", { timeout: 20_000 }, async (t) => {
  const dir = tempDir(t);
  writeFileSync(`${dir}/file.txt`, "contenido\n");
  const server = await startServer(["serve", "fd", `unix:${dir}/fd.sock`, "--file", `${dir}/file.txt`], { teardown: t });
  const r = await runSocklab(["--json", "recv-fd", `unix:${dir}/fd.sock`, "-v"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "contenido\n");
  const events = r.stderr.trim().split("\n").map((l) => JSON.parse(l) as Json);
  assert.deepEqual(events.map((e) => e.event), ["connected", "descriptors-received", "summary"]);
  assert.equal(events[1]!.count, 1);
  assert.equal(events[1]!.kind, "file");
  assert.equal(events[1]!.printedBytes, 10);
  // The descriptor's number here (what recvmsg installed), and the file's number in the server.
  const fds = events[1]!.fds as number[];
  assert.equal(fds.length, 1);
  assert.ok(Number.isInteger(fds[0]) && fds[0]! > 2, `the received number ${fds[0]} is a fresh descriptor (not stdin/stdout/stderr)`);
  const sent = Number((await server.proc.waitForStderr(/^sent-fd \S+ \S+ fd=(\d+)$/m))[1]);
  assert.ok(sent > 2, `the file's number in the server, ${sent}, is a descriptor it opened`);
  assert.equal(events[2]!.received, 12, "10 bytes of file and the 2-byte payload");
  const text = await runSocklab(["recv-fd", `unix:${dir}/fd.sock`]);
  assert.match(text.stderr, /^received 1 descriptor \(fd \d+ here\) with payload "FD": a regular file; printed 10 bytes of the file through it, then closed it$/m);
  assert.doesNotMatch(text.stderr, /^connected /m, "without -v: no connection line");
});

test("recv-fd --json: connected only with -v or --trace, as connect --json", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  writeFileSync(`${dir}/file.txt`, "contenido\n");
  await startServer(["serve", "fd", `unix:${dir}/fd.sock`, "--file", `${dir}/file.txt`], { teardown: t });
  const kinds = async (...args: string[]): Promise<string[]> => {
    const r = await runSocklab(["--json", "recv-fd", `unix:${dir}/fd.sock`, ...args]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), "contenido\n");
    return r.stderr.trim().split("\n").map((l) => (JSON.parse(l) as Json).event);
  };
  assert.deepEqual(await kinds(), ["descriptors-received"]);
  assert.deepEqual(await kinds("--trace"), ["connected", "descriptors-received"]);
  // connect under --json: the same rule.
  const echo = await startServer(["serve", "echo", `unix:${dir}/echo.sock`], { teardown: t });
  const plain = await runSocklab(["--json", "connect", echo.ready.address, "--send", "x"]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /"event":"connected"/);
  const traced = await runSocklab(["--json", "connect", echo.ready.address, "--send", "x", "--trace"]);
  assert.match(traced.stderr, /"event":"connected"/);
});

test("recv-fd -v from a python3 server (socket.send_fds): two descriptors, the first printed", { timeout: 20_000, skip: PY ? false : "python3 is not installed" }, async (t) => {
  const dir = tempDir(t);
  writeFileSync(`${dir}/a.txt`, "desde python\n");
  const path = `${dir}/py.sock`;
  const server = spawnPython(
    `import socket,os,sys
s=socket.socket(socket.AF_UNIX,socket.SOCK_STREAM)
s.bind(${JSON.stringify(path)}); s.listen(1)
sys.stderr.write("ready\\n")
c,_=s.accept()
a=os.open(${JSON.stringify(`${dir}/a.txt`)},os.O_RDONLY); b=os.open("/dev/null",os.O_RDONLY)
socket.send_fds(c,[b"PY"],[a,b])
c.close()`,
    { teardown: t },
  );
  await server.waitForStderr(/^ready$/, 5000);
  const r = await runSocklab(["recv-fd", `unix:${path}`, "-v"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "desde python\n");
  assert.match(r.stderr, new RegExp(`^connected to unix:${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
  assert.match(r.stderr, /^received 2 descriptors \(fds \d+, \d+ here\) with payload "PY": a regular file; .*; closed the other 1 unread$/m);
  assert.match(r.stderr, /^received 15 bytes in \d+\.\d{3} s/m);
});

test("recv-fd usage errors come from the catalogue (English and Spanish)", async () => {
  const en = await runSocklab(["recv-fd", "tcp://127.0.0.1:9"]);
  assert.equal(en.code, 2);
  assert.match(en.stderr, /recv-fd needs a Unix stream address \(unix:PATH or abstract:NAME\)/);
  const es = await runSocklab(["--lang", "es", "recv-fd", "unix:/tmp/x", "sobra"]);
  assert.equal(es.code, 2);
  assert.doesNotMatch(es.stderr, /unexpected argument/);
});

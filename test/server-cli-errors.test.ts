/**
 * Issue 8 items 10 and 11, server side. Nonsense is a usage error (exit 2, one error line,
 * then the usage); a bind that fails says which address and why in socklab's words
 * (exit 1, one line), never Node's `listen EADDRINUSE: …`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import net from "node:net";
import { runSocklab, stderrLines } from "./support/cli.js";
import { tempDir, tempPath } from "./support/tmp.js";

const USAGE_CASES: [string[], RegExp][] = [
  [["serve", "echo", "unix:/tmp/x.sock", "--mode", "7777"], /--mode needs octal permission bits like 600/],
  [["serve", "echo", "unix:/tmp/x.sock", "--mode", "abc"], /--mode needs octal permission bits/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--mode", "600"], /--mode applies to Unix socket files .*tcp:\/\/127\.0\.0\.1:0/],
  [["serve", "echo", "abstract:x", "--mode", "600"], /--mode applies to Unix socket files/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--ipv6-only"], /--ipv6-only applies to IPv6 addresses .*tcp:\/\/127\.0\.0\.1:0/],
  [["serve", "echo", "unix:/tmp/x.sock", "--dual-stack"], /--dual-stack applies to IPv6 addresses/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "0"], /--idle-timeout needs a number of seconds greater than 0/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "soon"], /--idle-timeout needs a number of seconds greater than 0/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--max-time", "0"], /--max-time needs a number of seconds greater than 0/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--concurrent", "--max-conns", "0"], /--max-conns needs a whole number from 1/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--max-conns", "10"], /--max-conns applies with --concurrent/],
  [["serve", "echo", "udp://127.0.0.1:0", "--max-time", "5"], /--max-time applies to stream addresses only/],
];

for (const [args, message] of USAGE_CASES) {
  test(`usage error: socklab ${args.join(" ")}`, async () => {
    const r = await runSocklab(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = stderrLines(r.stderr);
    assert.match(lines[0]!, /^socklab serve: /);
    assert.match(lines[0]!, message);
    assert.match(lines[1]!, /^usage: socklab serve /);
    assert.equal(lines.length, 3, r.stderr);
  });
}

/** Runs `args`, expects exit 1 and exactly one line matching `line`. */
async function failsWith(args: string[], line: RegExp): Promise<void> {
  const r = await runSocklab(args);
  assert.equal(r.code, 1, r.stderr);
  const lines = stderrLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, line);
}

test("address already in use (TCP): one line naming the address, not Node's `listen EADDRINUSE`", async (t) => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
  t.after(() => busy.close());
  const port = (busy.address() as net.AddressInfo).port;
  await failsWith(["serve", "echo", `tcp://127.0.0.1:${port}`], new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: cannot listen there: address already in use`));
  await failsWith(["--lang", "es", "serve", "echo", `tcp://127.0.0.1:${port}`], /^socklab: tcp:\/\/127\.0\.0\.1:\d+: no se puede escuchar ahí: la dirección ya está en uso/);
});

test("address already in use (Unix, a live server there): one line", async (t) => {
  const path = tempPath(t, "busy.sock");
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(path, r));
  t.after(() => busy.close());
  await failsWith(["serve", "echo", `unix:${path}`], new RegExp(`^socklab: unix:${path}: cannot listen there: address already in use`));
});

test("a Unix path whose directory does not exist: one line naming the directory", async (t) => {
  const dir = `${tempDir(t)}/missing`;
  await failsWith(["serve", "echo", `unix:${dir}/s.sock`], new RegExp(`^socklab: unix:${dir}/s\\.sock: cannot listen there: directory ${dir} does not exist$`));
  await failsWith(["serve", "time", `unix-dgram:${dir}/d.sock`], new RegExp(`^socklab: unix-dgram:${dir}/d\\.sock: cannot listen there: directory ${dir} does not exist$`));
});

test("a path taken by a regular file is not replaced", async (t) => {
  const path = tempPath(t, "regular-file");
  writeFileSync(path, "keep me\n");
  await failsWith(["serve", "echo", `unix:${path}`], /cannot listen there: a file that is not a socket is there; refusing to replace it$/);
});

test("serve fd --file that does not exist: one line naming the file (not 'no server is listening')", async (t) => {
  const path = tempPath(t, "fd.sock");
  await failsWith(["serve", "fd", `unix:${path}`, "--file", "/nonexistent/file.txt"], /^socklab: --file \/nonexistent\/file\.txt: no such file or directory$/);
});

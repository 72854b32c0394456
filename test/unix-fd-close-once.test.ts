/**
 * Received descriptors are closed exactly once, whatever arrives (issue 8, point 14): a
 * regular file, a socket, a pipe, a directory, many at once, none, or more than the receiver
 * has room for (truncated control data). The peer is a short Python program that calls
 * sendmsg with SCM_RIGHTS. The library soak passes over 10,000 descriptors through one
 * long-lived receiver and checks /proc/self/fd after every message; the CLI says in one line
 * what it got and what it did, and under strace no close() ever fails with EBADF.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { connectUnixStream, descriptorKind, receiveDescriptors, type DescriptorKind } from "../src/unix/index.js";
import { socketPath, tempDir } from "./support/tmp.js";
import { missing, PYTHON, which } from "./support/tools.js";
import { openDescriptorCount, Proc, spawnTool } from "./support/process.js";
import { runSocklab, SOCKLAB_BIN } from "./support/cli.js";

type Ctx = { after(fn: () => unknown): void };

/** A short Python program written here, run unbuffered as a peer. */
function python(t: Ctx, code: string, label: string): Proc {
  const file = `${tempDir(t)}/peer.py`;
  writeFileSync(file, code);
  return spawnTool(t, PYTHON!, ["-u", file], label);
}

/** The sanitizer run (native-sanitizers.test) preloads libasan: CLI-process tests skip there. */
const CLI_SKIP = /libasan/.test(process.env.LD_PRELOAD ?? "") ? "CLI processes run in the normal suite, not under the sanitizer run" : false;

/**
 * The sender: listens on argv[1], serves one connection. argv[2] = mode: one of the kinds
 * below for the CLI, or "soak N" (N rounds of every kind, 8-byte payloads, an ack byte from
 * the receiver after each round so few descriptors are in flight at once).
 */
const SENDER = String.raw`
import array, os, socket, sys
path, mode, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fname = os.path.join(workdir, "content.txt")
fileno = os.open(fname, os.O_RDONLY)
pair_a, pair_b = socket.socketpair()
pipe_r, pipe_w = os.pipe()
dirfd = os.open(workdir, os.O_RDONLY)
MIXED = [fileno, pair_a.fileno(), pipe_r, dirfd] * 2 + [fileno, pair_a.fileno()]
KINDS = {"F": [fileno], "S": [pair_a.fileno()], "P": [pipe_r], "D": [dirfd], "M": MIXED, "N": [], "T": [fileno] * 20}

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print("ready", flush=True)
conn, _ = srv.accept()

def send(payload, fds):
    if fds:
        conn.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        conn.sendall(payload)

if mode == "soak":
    for i in range(rounds):
        for letter in "FSPDMNT":
            send(("%s%07d" % (letter, i)).encode(), KINDS[letter])
        if conn.recv(1) != b"k":
            sys.exit("receiver went away")
    print("sent", flush=True)
else:
    send(b"FD", KINDS[mode])
while conn.recv(4096):
    pass
`;

const CONTENT = "contenido por SCM_RIGHTS\n";

/** Start the Python sender for `mode`; resolves when it listens. */
async function sender(t: Ctx, mode: string): Promise<{ path: string; peer: Proc }> {
  const dir = tempDir(t);
  writeFileSync(`${dir}/content.txt`, CONTENT);
  const path = socketPath(t, "fd.sock");
  return { path, peer: await startWithArgs(t, path, mode, dir) };
}

/** python() runs a program without arguments: the arguments are set inside it. */
async function startWithArgs(t: Ctx, path: string, mode: string, dir: string, rounds?: number): Promise<Proc> {
  const args = JSON.stringify([path, mode, dir, ...(rounds === undefined ? [] : [String(rounds)])]);
  const peer = python(t, `import sys, json\nsys.argv = [sys.argv[0]] + json.loads(${JSON.stringify(args)})\n${SENDER}`, `sender ${mode}`);
  await peer.waitForOutput(/ready/);
  return peer;
}

const EXPECTED: Record<string, DescriptorKind[]> = {
  F: ["file"],
  S: ["socket"],
  P: ["pipe"],
  D: ["directory"],
  M: [...Array<DescriptorKind[]>(2).fill(["file", "socket", "pipe", "directory"]).flat(), "file", "socket"],
  N: [],
  T: Array<DescriptorKind>(16).fill("file"),
};

test("soak: over 10,000 descriptors of every kind through one receiver, open count constant after each", { skip: missing("python3", PYTHON), timeout: 90_000 }, async (t) => {
  const rounds = 334; // 30 descriptors received per round (4 more are dropped by the kernel)
  const dir = tempDir(t);
  writeFileSync(`${dir}/content.txt`, CONTENT);
  const path = socketPath(t, "soak.sock");
  const peer = await startWithArgs(t, path, "soak", dir, rounds);
  const socket: Socket = await connectUnixStream({ path }, { paused: true });
  t.after(() => socket.destroy());
  let baseline = -1;
  let received = 0;
  let truncatedMessages = 0;
  for (let round = 0; round < rounds; round++) {
    for (const letter of "FSPDMNT") {
      const got = await receiveDescriptors(socket, { maxDescriptors: 16, maxPayload: 8, timeoutMs: 10_000 });
      const payload = got.payload.toString();
      assert.equal(payload, `${letter}${String(round).padStart(7, "0")}`);
      assert.deepEqual(got.fds.map(descriptorKind), EXPECTED[letter], `kinds of ${payload}`);
      assert.equal(got.truncated, letter === "T", `truncated flag of ${payload}`);
      if (letter === "F" && round % 50 === 0) {
        const buffer = Buffer.alloc(64);
        const n = readSync(got.fds[0]!, buffer, 0, 64, 0);
        assert.equal(buffer.toString("utf8", 0, n), CONTENT);
      }
      received += got.fds.length;
      if (letter === "T") truncatedMessages++;
      got.close();
      got.close(); // idempotent: never a second close(2)
      const count = openDescriptorCount();
      if (baseline < 0) baseline = count;
      else assert.equal(count, baseline, `open descriptors after ${payload}`);
    }
    socket.write("k");
  }
  await peer.waitForOutput(/sent/);
  t.diagnostic(`${received} descriptors received (${truncatedMessages} truncated messages), ${rounds * 7} messages; /proc/self/fd stayed at ${baseline}`);
  assert.ok(received >= 10_000);
});

interface Case {
  mode: string;
  stdout: string;
  line: RegExp;
}

const CASES: Case[] = [
  { mode: "F", stdout: CONTENT, line: /^received 1 descriptor \(fd \d+ here\) with payload "FD": a regular file; printed 25 bytes of the file through it, then closed it$/ },
  { mode: "S", stdout: "", line: /^received 1 descriptor \(fd \d+ here\) with payload "FD": a socket; closed it unread/ },
  { mode: "P", stdout: "", line: /^received 1 descriptor \(fd \d+ here\) with payload "FD": a pipe; closed it unread/ },
  { mode: "D", stdout: "", line: /^received 1 descriptor \(fd \d+ here\) with payload "FD": a directory; closed it unread/ },
  { mode: "M", stdout: CONTENT, line: /^received 10 descriptors \(fds \d+, \d+, \d+, …, \d+ here\) with payload "FD": a regular file; printed 25 bytes .*; closed the other 9 unread$/ },
  { mode: "T", stdout: CONTENT, line: /^received 16 descriptors \(fds \d+, \d+, \d+, …, \d+ here\) .*; closed the other 15 unread; the message was truncated/ },
];

for (const c of CASES) {
  test(`recv-fd, ${c.mode}: one line says what arrived and what was done; exit 0`, { skip: missing("python3", PYTHON) || CLI_SKIP, timeout: 45_000 }, async (t) => {
    const { path } = await sender(t, c.mode);
    const r = await runSocklab(["recv-fd", `unix:${path}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), c.stdout);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, c.line);
  });
}

test("recv-fd, none: only a payload arrives; exit 1 with one line", { skip: missing("python3", PYTHON) || CLI_SKIP, timeout: 45_000 }, async (t) => {
  const { path } = await sender(t, "N");
  const r = await runSocklab(["recv-fd", `unix:${path}`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /no descriptor arrived \(only a payload "FD"\)/);
});

const STRACE = which("strace");

/** Can strace trace a child here (ptrace may be forbidden in a container)? */
function straceWorks(): string | false {
  if (STRACE === undefined) return "strace is not installed (CI installs it)";
  if (CLI_SKIP) return CLI_SKIP;
  const r = spawnSync(STRACE, ["-f", "-qq", "-e", "trace=close", "true"], { encoding: "utf8" });
  return r.status === 0 ? false : `strace cannot trace here: ${r.stderr.trim().split("\n")[0]}`;
}

for (const mode of ["S", "F", "M"]) {
  test(`recv-fd under strace, ${mode}: each received descriptor closed once, no close() fails; the event names recvmsg's numbers`, { skip: missing("python3", PYTHON) || straceWorks(), timeout: 30_000 }, async (t) => {
    const { path } = await sender(t, mode);
    const trace = `${tempDir(t)}/trace`;
    const result = spawnSync(STRACE!, ["-f", "-qq", "-e", "trace=close,recvmsg", "-o", trace, process.execPath, SOCKLAB_BIN, "--json", "recv-fd", `unix:${path}`], {
      encoding: "utf8",
      timeout: 25_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = readFileSync(trace, "utf8").split("\n");
    const withFds = lines.find((l) => /SCM_RIGHTS, cmsg_data=\[/.test(l));
    assert.ok(withFds, "no recvmsg with SCM_RIGHTS in the trace");
    const fds = /cmsg_data=\[([\d, ]+)\]/.exec(withFds)![1]!.split(",").map((x) => Number(x.trim()));
    assert.ok(fds.length >= 1);
    // The event's numbers are the ones the kernel put in recvmsg()'s control data, in order.
    const event = result.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { event: string; fds?: number[] }).find((e) => e.event === "descriptors-received");
    assert.deepEqual(event?.fds, fds, `descriptors-received event ${JSON.stringify(event)} vs recvmsg's cmsg_data ${JSON.stringify(fds)}`);
    const after = lines.slice(lines.indexOf(withFds) + 1);
    for (const fd of fds) {
      const closes = after.filter((l) => new RegExp(`\\bclose\\(${fd}\\)\\s+= 0`).test(l));
      assert.ok(closes.length >= 1, `descriptor ${fd} was never closed`);
    }
    const failed = lines.filter((l) => /\bclose\(\d+\)\s+= -1/.test(l));
    assert.deepEqual(failed, [], "a close() failed: a descriptor was closed twice");
    assert.doesNotMatch(result.stderr, /EBADF/);
  });
}

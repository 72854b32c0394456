/**
 * `connect --progress` (pv-style, on stderr): one line per second when stderr is not a
 * terminal; redrawn in place on a real terminal (tmux). Bytes each way, rate, elapsed, and the
 * percentage and time left when standard input is a regular file. The peer (python3) holds
 * the connection for a bit more than 2 s before reading, so there are periodic reports.
 */
import { hold } from "./support/wait.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSocklab, SOCKLAB_BIN } from "./support/cli.js";
import { spawnProc, which, type Teardown } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const PYTHON = which("python3");
const TMUX = which("tmux");
const SIZE = 300 * 1024;

/** Takes one connection, waits 2.2 s, reads to EOF, answers `done\n`, closes. */
const SLOW_PEER_PY = String.raw`
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
s.settimeout(20)
c, _ = s.accept()
time.sleep(2.2)
while c.recv(65536):
    pass
c.sendall(b"done\n")
c.close()
`;

async function slowPeer(t: Teardown): Promise<number> {
  const proc = spawnProc(PYTHON!, ["-c", SLOW_PEER_PY], { teardown: t, label: "python3 slow peer" });
  return Number((await proc.waitForStdoutLine(/^(\d+)$/m, 5000))[1]);
}

function inputFile(t: Teardown): string {
  const file = join(tempDir(t), "upload.bin");
  writeFileSync(file, randomBytes(SIZE));
  return file;
}

const PROGRESS_LINE = /^sent [\d.]+ (?:B|KiB|MiB), received [\d.]+ (?:B|KiB|MiB), [\d.]+ (?:B|KiB|MiB)\/s, \d+:\d\d, \d+% of 300\.0 KiB, (?:\d+:\d\d|\?) left$/;

test("--progress without a terminal: a line per second and a last one, with the size of stdin", { timeout: 30_000, skip: PYTHON ? false : "python3 is not installed" }, async (t) => {
  const port = await slowPeer(t);
  const file = inputFile(t);
  const result = await runSocklab(["connect", "--progress", "127.0.0.1", String(port)], {
    teardown: t,
    input: readFileSync(file),
    timeoutMs: 15_000,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "done\n", "payload untouched");
  assert.ok(!result.stderr.includes("\r"), "no in-place redraw without a terminal");
  const lines = result.stderr.split("\n").filter((l) => l !== "");
  assert.ok(lines.length >= 3, `at least two periodic reports and the last one:\n${result.stderr}`);
  // Piped stdin is not a regular file: no size, no percentage.
  for (const line of lines) assert.match(line, /^sent [\d.]+ \S+, received [\d.]+ \S+, [\d.]+ \S+\/s, \d+:\d\d$/);
  assert.match(lines[lines.length - 1]!, /^sent 300\.0 KiB, received 5 B, /);

  // A regular file on stdin (through the shell's <): percentage and time left.
  const port2 = await slowPeer(t);
  const sh = spawnProc("/bin/sh", ["-c", `exec "${process.execPath}" "${SOCKLAB_BIN}" connect --progress tcp://127.0.0.1:${port2} < "${file}"`], { teardown: t, label: "socklab < file" });
  const done = await sh.waitExit(15_000);
  assert.equal(done.code, 0, done.stderr);
  const fileLines = done.stderr.split("\n").filter((l) => l !== "");
  assert.ok(fileLines.length >= 3, done.stderr);
  for (const line of fileLines) assert.match(line, PROGRESS_LINE);
  assert.match(fileLines[fileLines.length - 1]!, /^sent 300\.0 KiB, received 5 B, .*, 100% of 300\.0 KiB, 0:00 left$/);
});

test("--progress on a real terminal (tmux): one line, redrawn in place", { timeout: 30_000, skip: !PYTHON ? "python3 is not installed" : !TMUX ? "tmux is not installed: apt-get install -y tmux" : false }, async (t) => {
  const port = await slowPeer(t);
  const file = inputFile(t);
  const sock = join(tempDir(t), "tmux.sock");
  const command = `"${process.execPath}" "${SOCKLAB_BIN}" connect --progress tcp://127.0.0.1:${port} < "${file}" > /dev/null; echo "EXIT=$?"; sleep 60`;
  const started = spawnSync(TMUX!, ["-S", sock, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "12", command], { encoding: "utf8" });
  assert.equal(started.status, 0, started.stderr);
  t.after(() => spawnSync(TMUX!, ["-S", sock, "kill-server"]));
  const capture = (): string => spawnSync(TMUX!, ["-S", sock, "capture-pane", "-p"], { encoding: "utf8" }).stdout;
  let screen = "";
  const deadline = Date.now() + 15_000;
  while (!/EXIT=\d+/.test(screen) && Date.now() < deadline) {
    await hold(100, "tmux has no change notification: poll the screen");
    screen = capture();
  }
  assert.match(screen, /EXIT=0/, screen);
  const progress = screen.split("\n").filter((l) => l.startsWith("sent "));
  assert.equal(progress.length, 1, `one line, redrawn in place:\n${screen}`);
  assert.match(progress[0]!.trimEnd(), PROGRESS_LINE);
  assert.match(progress[0]!, /, 100% of 300\.0 KiB, 0:00 left/);
  // It lasted over 2 s: the periodic reports were drawn over each other, not below.
  assert.match(progress[0]!, /, 0:0[2-9],/);
});

/**
 * Issue 11 on `socklab listen`, end to end with real peers (nc, python3), loopback only:
 * nc-style arguments (listen PORT, -u PORT, -U PATH) and the usage errors of wrong guesses,
 * -v, --progress, access lists, -x/--show, --mode checks, and a forced stop of a
 * unix-dgram listener removing its file.
 */
import { hold } from "./support/wait.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { runSocklab, SOCKLAB_BIN, startServer } from "./support/cli.js";
import { spawnProc, which } from "./support/process.js";
import { spawnPython } from "./support/python.js";
import { tempDir, tempPath } from "./support/tmp.js";
import { renderProgress, formatBytes, formatDuration } from "../src/cli/progress.js";

const NC = which("nc");
const PY = which("python3");
const TMUX = which("tmux");

test("listen PORT is tcp://127.0.0.1:PORT: nc sends, stdout has it, -v sums it up", { timeout: 20_000, skip: NC ? false : "nc is not installed" }, async (t) => {
  const { proc, ready } = await startServer(["listen", "0", "-v"], { teardown: t, input: "" });
  assert.equal(ready.host, "127.0.0.1");
  const client = await spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { input: "hola nc\n" }).waitExit(8000);
  assert.equal(client.code, 0, client.stderr);
  const r = await proc.waitExit(8000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola nc\n");
  assert.match(r.stderr, /^accept tcp:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(r.stderr, /^received 8 bytes in \d+\.\d{3} s \([\d.]+ MiB\/s\); sent 0 bytes$/m);
});

test("listen -u PORT is udp://127.0.0.1:PORT; listen -U PATH is unix:PATH", { timeout: 20_000, skip: NC && PY ? false : "nc or python3 is not installed" }, async (t) => {
  const udp = await startServer(["listen", "-u", "0"], { teardown: t });
  assert.match(udp.ready.address, /^udp:\/\/127\.0\.0\.1:\d+$/);
  await spawnPython(`import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.sendto(b"dgram\\n",("127.0.0.1",${udp.ready.port}))`).waitExit(5000);
  await udp.proc.waitForStdout("dgram\n", 5000);

  const path = tempPath(t, "nc-style.sock");
  const unix = await startServer(["listen", "-U", path], { teardown: t, input: "" });
  assert.equal(unix.ready.address, `unix:${path}`);
  await spawnProc(NC!, ["-N", "-U", path], { input: "por unix\n" }).waitExit(8000);
  const r = await unix.proc.waitExit(8000);
  assert.equal(r.stdout.toString(), "por unix\n");
});

test("wrong nc guesses are usage errors that show the URL form", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["listen", "127.0.0.1", "9000"], /listen 127\.0\.0\.1 9000: not an address; write tcp:\/\/127\.0\.0\.1:9000/],
    [["listen", "::1", "9000"], /write tcp:\/\/\[::1\]:9000/],
    [["listen", "-u", "localhost", "9000"], /write udp:\/\/localhost:9000/],
    [["listen", "-u", "localhost:9000"], /listen -u localhost:9000: not an address; write udp:\/\/localhost:9000/],
    [["listen", "-U", "unix:/tmp/x.sock"], /write unix:\/tmp\/x\.sock/],
    [["listen", "-u", "-U", "9000"], /exclude each other/],
    [["listen", "70000"], /port 70000 is out of range/],
    [["listen", "localhost:9000"], /did you mean tcp:\/\/localhost:9000\?/],
    [["listen", "0", "--mode", "7777"], /--mode needs octal permission bits like 600 or 660, got "7777"/],
    [["listen", "0", "--mode", "600"], /--mode applies to Unix socket files/],
    [["listen", "unix:/tmp/never.sock", "--deny", "127.0.0.1"], /--deny filters IP clients/],
    [["listen", "0", "extra"], /unexpected argument "extra"/],
  ];
  for (const [args, re] of cases) {
    const r = await runSocklab(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, `${args.join(" ")}: ${r.stderr}`);
  }
});

test("listen --deny: the refused client is told and not counted; the next allowed client is served", { timeout: 20_000, skip: NC ? false : "nc is not installed" }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0", "--deny", "127.0.0.1"], { teardown: t });
  const refused = await spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { input: "x" }).waitExit(8000);
  assert.equal(refused.stdout.toString(), "ERR refused: address-not-allowed\n");
  await proc.waitForStderr(/^refused tcp:\/\/127\.0\.0\.1:\d+ address not allowed \(127\.0\.0\.1\)$/);
  assert.equal(proc.hasExited, false, "a refused client does not end listen");
  proc.signal("SIGTERM");
  assert.equal((await proc.waitExit(5000)).code, 0);
  assert.equal(proc.stdout.length, 0);

  const ok = await startServer(["listen", "tcp://127.0.0.1:0", "--allow", "127.0.0.0/8"], { teardown: t, input: "" });
  await spawnProc(NC!, ["-N", "127.0.0.1", String(ok.ready.port)], { input: "dentro\n" }).waitExit(8000);
  assert.equal((await ok.proc.waitExit(8000)).stdout.toString(), "dentro\n");
});

test("listen -u --deny drops the datagram and reports it", { timeout: 20_000, skip: PY ? false : "python3 is not installed" }, async (t) => {
  const { proc, ready } = await startServer(["listen", "-u", "0", "--deny", "127.0.0.0/8"], { teardown: t });
  await spawnPython(`import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.sendto(b"no",("127.0.0.1",${ready.port}))`).waitExit(5000);
  await proc.waitForStderr(/^refused udp:\/\/127\.0\.0\.1:\d+ address not allowed \(127\.0\.0\.0\/8\)$/);
  assert.equal(proc.stdout.length, 0);
});

test("listen -x --show: what nc sent and what we sent, as dump and as Python bytes; stdout untouched", { timeout: 20_000, skip: NC ? false : "nc is not installed" }, async (t) => {
  const { proc, ready } = await startServer(["listen", "0", "-x", "--show"], { teardown: t, input: "ok\n" });
  const client = await spawnProc(NC!, ["-N", "127.0.0.1", String(ready.port)], { input: "hola\n" }).waitExit(8000);
  assert.equal(client.stdout.toString(), "ok\n");
  const r = await proc.waitExit(8000);
  assert.equal(r.stdout.toString(), "hola\n");
  assert.match(r.stderr, /^< tcp:\/\/127\.0\.0\.1:\d+ 5 bytes at 0\n00000000 {2}68 6f 6c 61 0a .*\|hola\.\|$/m);
  assert.match(r.stderr, /^> tcp:\/\/127\.0\.0\.1:\d+ 3 bytes at 0$/m);
  assert.match(r.stderr, /^< tcp:\/\/127\.0\.0\.1:\d+ b'hola\\n'$/m);
  assert.match(r.stderr, /^> tcp:\/\/127\.0\.0\.1:\d+ b'ok\\n'$/m);
});

test("listen --progress (not a terminal): a last line at 100% of a regular file on stdin", { timeout: 20_000, skip: NC ? false : "nc is not installed" }, async (t) => {
  const file = `${tempDir(t)}/payload.bin`;
  writeFileSync(file, Buffer.alloc(300_000, 0x61));
  // Standard input must be the file itself (a regular file) for its size to be known.
  const sh = spawnProc("sh", ["-c", 'exec "$0" "$1" listen 0 --progress < "$2"', process.execPath, SOCKLAB_BIN, file], { teardown: t });
  const m = await sh.waitForStderr(/^listening tcp:\/\/127\.0\.0\.1:(\d+)$/);
  const client = await spawnProc(NC!, ["-N", "-d", "127.0.0.1", m[1]!], {}).waitExit(8000);
  assert.equal(client.stdout.length, 300_000);
  const r = await sh.waitExit(8000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^> 293\.0KiB < 0B [\d.]+[KMGT]?i?B\/s 0:00:\d\d \[100% ETA \S+\]$/m);
  assert.doesNotMatch(r.stderr, /\r|\x1b/, "no terminal controls when stderr is not a terminal");
});

test("--progress in a real terminal (tmux): the line is redrawn in place", { timeout: 30_000, skip: TMUX && NC ? false : "tmux or nc is not installed" }, async (t) => {
  const dir = tempDir(t);
  const file = `${dir}/payload.bin`;
  writeFileSync(file, Buffer.alloc(100_000, 0x62));
  const session = `socklab-progress-${process.pid}`;
  writeFileSync(`${dir}/run.sh`, `"${process.execPath}" "${SOCKLAB_BIN}" listen 0 --progress < "${file}" > /dev/null\nsleep 30\n`);
  const tmux = spawnProc(TMUX!, ["-L", session, "new-session", "-d", "-x", "150", "-y", "20", "-s", session, `sh ${dir}/run.sh`], {});
  t.after(() => spawnProc(TMUX!, ["-L", session, "kill-server"], {}).waitExit(5000).catch(() => {}));
  assert.equal((await tmux.waitExit(5000)).code, 0);
  const screen = async (re: RegExp): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = (await spawnProc(TMUX!, ["-L", session, "capture-pane", "-p", "-t", session], {}).waitExit(5000)).stdout.toString();
      if (re.test(text) || Date.now() > deadline) return text;
      await hold(100, "tmux has no change notification: poll the screen");
    }
  };
  const port = (await screen(/listening tcp:\/\/127\.0\.0\.1:\d+/)).match(/listening tcp:\/\/127\.0\.0\.1:(\d+)/)?.[1];
  assert.ok(port, "listening in tmux");
  await spawnProc(NC!, ["-N", "-d", "127.0.0.1", port], {}).waitExit(8000);
  const shown = await screen(/\[100% ETA/);
  assert.match(shown, /^> 97\.7KiB < 0B .*\[100% ETA/m, shown);
  // Redrawn in place: the screen holds one progress line, not a scroll of them.
  assert.equal((shown.match(/^> /gm) ?? []).length, 1, `one progress line on the screen:\n${shown}`);
});

test("renderProgress: bytes each way, rate, elapsed, percentage and time left", () => {
  assert.equal(formatBytes(512), "512B");
  assert.equal(formatBytes(1536), "1.5KiB");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(renderProgress({ sent: 1024 * 1024, received: 10 }, 2000, 1024 * 1024), "> 1.0MiB < 10B 1.0MiB/s 0:00:02");
  assert.equal(renderProgress({ sent: 1024 * 1024, received: 0 }, 1000, 1024 * 1024, 4 * 1024 * 1024), "> 1.0MiB < 0B 1.0MiB/s 0:00:01 [ 25% ETA 0:00:03]");
});

test("a forced stop (two signals) of listen unix-dgram: removes its file every time", { timeout: 60_000 }, async (t) => {
  for (let run = 0; run < 4; run++) {
    const path = tempPath(t, `dgram-${run}.sock`);
    const { proc } = await startServer(["listen", `unix-dgram:${path}`], { teardown: t });
    assert.ok(existsSync(path));
    proc.signal("SIGINT");
    if (run % 2 === 1) await hold(run, "the second signal a few ms after the first");
    proc.signal("SIGINT");
    const r = await proc.waitExit(5000);
    assert.ok([0, 130].includes(r.code!), `run ${run}: exit ${r.code}: ${r.stderr}`);
    assert.ok(!existsSync(path), `run ${run}: socket file left behind (exit ${r.code}); ${r.stderr}`);
  }
});

/**
 * The Unix-domain CLI (issue 3): exercise 1 and B1–B4 through `socklab` on both sides,
 * socket-file hygiene, --mode, --allow-uid, and errors that name the path.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { statSync, writeFileSync, existsSync } from "node:fs";
import { test } from "node:test";
import { runSocklab, startServer } from "./support/cli.js";
import { tempDir, tempPath } from "./support/tmp.js";
import { spawnProc } from "./support/process.js";

test("1: unix stream echo, both sides socklab; the file is owner-only and removed on SIGTERM", { timeout: 45_000 }, async (t) => {
  const path = tempPath(t, "eco.sock");
  const { proc } = await startServer(["serve", "echo", `unix:${path}`], { teardown: t });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const r = await runSocklab(["connect", `unix:${path}`, "--send", "hola desde UDS", "--lines"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola desde UDS\n");
  proc.signal("SIGTERM");
  assert.equal((await proc.waitExit(5000)).code, 0);
  assert.equal(existsSync(path), false, "socket file removed");
});

test("1: a missing socket path says no server is listening there (exit 1)", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "nadie.sock");
  const r = await runSocklab(["connect", `unix:${path}`, "--send", "x"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`unix:${path}: .*no server is listening there`));
});

test("hygiene: a stale socket is replaced, a live one refused, a non-socket never touched", { timeout: 45_000 }, async (t) => {
  const dir = tempDir(t);
  // A stale socket file: bound, listened and closed without unlink (as a crashed server leaves it).
  const stale = `${dir}/stale.sock`;
  const made = await spawnProc("python3", ["-c", "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(1)\ns.close()", stale], { teardown: t }).waitExit(10_000);
  assert.equal(made.code, 0, made.stderr);
  assert.ok(existsSync(stale));
  const { proc } = await startServer(["serve", "echo", `unix:${stale}`], { teardown: t });
  const again = await runSocklab(["serve", "echo", `unix:${stale}`]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already in use/);
  proc.signal("SIGTERM");
  await proc.waitExit(5000);

  const plain = `${dir}/plain.txt`;
  writeFileSync(plain, "no tocar\n");
  const r = await runSocklab(["serve", "echo", `unix:${plain}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not a socket.*refusing to replace it/);
  assert.equal(existsSync(plain), true);
});

test("--mode sets the socket file's permissions", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "m.sock");
  await startServer(["serve", "echo", `unix:${path}`, "--mode", "660"], { teardown: t });
  assert.equal(statSync(path).mode & 0o777, 0o660);
});

test("B1: unix datagram echo, client autobound or bound to --bind", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  await startServer(["serve", "echo", `unix-dgram:${dir}/srv`], { teardown: t });
  const auto = await runSocklab(["connect", `unix-dgram:${dir}/srv`, "--send", "hola"]);
  assert.equal(auto.code, 0, auto.stderr);
  assert.equal(auto.stdout.toString(), "hola");
  const bound = await runSocklab(["connect", `unix-dgram:${dir}/srv`, "--send", "hola", "--bind", `${dir}/cli`]);
  assert.equal(bound.code, 0, bound.stderr);
  assert.equal(bound.stdout.toString(), "hola");
  assert.match(bound.stderr, new RegExp(`reply from unix-dgram:${dir}/srv 4 bytes`));
});

test("B2: abstract name, no file on disk, exact name visible in /proc/net/unix", { timeout: 30_000 }, async (t) => {
  const name = `socklab-test-${randomBytes(4).toString("hex")}`;
  await startServer(["serve", "greet", `abstract:${name}`, "--text", "hola abstract\\n"], { teardown: t });
  const table = await import("node:fs/promises").then((fs) => fs.readFile("/proc/net/unix", "utf8"));
  assert.ok(table.split("\n").some((line) => line.endsWith(` @${name}`)), "bound with its exact length, no NUL padding");
  const r = await runSocklab(["connect", `abstract:${name}`], { input: "" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola abstract\n");
});

test("B3: peercred replies with the client's uid and pid; --allow-uid refuses other uids", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const { proc } = await startServer(["serve", "peercred", `unix:${dir}/pc.sock`], { teardown: t });
  const r = await runSocklab(["connect", `unix:${dir}/pc.sock`], { input: "" });
  assert.equal(r.code, 0, r.stderr);
  const m = /^Hola UID=(\d+) PID=(\d+)\n$/.exec(r.stdout.toString());
  assert.ok(m, r.stdout.toString());
  assert.equal(Number(m[1]), process.getuid!());
  await proc.waitForStderr(new RegExp(`peercred .* pid=${m[2]} uid=${m[1]} gid=\\d+`));

  const uid = process.getuid!();
  const other = uid === 0 ? 12345 : 0;
  const { proc: guarded } = await startServer(["serve", "echo", `unix:${dir}/g.sock`, "--allow-uid", String(other)], { teardown: t });
  const refused = await runSocklab(["connect", `unix:${dir}/g.sock`, "--send", "x"]);
  assert.equal(refused.stdout.toString(), "ERR refused: uid-not-allowed\n", "the refused client is told");
  await guarded.waitForStderr(new RegExp(`refused .*uid ${uid} .*is not allowed`));
  await startServer(["serve", "echo", `unix:${dir}/ok.sock`, "--allow-uid", `${other},${uid}`], { teardown: t });
  const allowed = await runSocklab(["connect", `unix:${dir}/ok.sock`, "--send", "x"]);
  assert.equal(allowed.stdout.toString(), "x");
});

test("B4: fd passes a descriptor; recv-fd prints the file through it", { timeout: 30_000 }, async (t) => {
  const dir = tempDir(t);
  const file = `${dir}/compartido.txt`;
  writeFileSync(file, "contenido secreto\n");
  await startServer(["serve", "fd", `unix:${dir}/fd.sock`, "--file", file], { teardown: t });
  const r = await runSocklab(["recv-fd", `unix:${dir}/fd.sock`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "contenido secreto\n");
  assert.match(r.stderr, /received 1 descriptor \(fd \d+ here\) with payload "FD"/);
  const wrong = await runSocklab(["recv-fd", "tcp://127.0.0.1:1"]);
  assert.equal(wrong.code, 2);
});

test("listen on unix: and abstract: plays nc -lU", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "l.sock");
  const { proc } = await startServer(["listen", `unix:${path}`], { teardown: t, input: "respuesta\n" });
  const r = await runSocklab(["connect", `unix:${path}`, "--send", "hola\n"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "respuesta\n");
  assert.equal((await proc.waitExit(5000)).code, 0);
  assert.equal(proc.stdout.toString(), "hola\n");
});

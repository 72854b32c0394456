/**
 * src/child.ts on its own: the one child-process core under the lab's Proc
 * (src/lab/process.ts) and the tests' Proc (test/support/process.ts). Output kept or hashed,
 * stderr as text or as lines, the exit settled on 'close' and on a failed start, a broken
 * stdin pipe kept and not thrown, waiters woken on output and exit, stop escalating to SIGKILL.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { Child, type ChildOptions } from "../src/child.js";
import { WAIT_MS } from "./support/wait.js";

const NODE = process.execPath;

function node(code: string, options: ChildOptions = {}): Child {
  return new Child(NODE, ["-e", code], options);
}

class LineChild extends Child {
  readonly lines: string[] = [];
  protected override stderrLine(line: string): void {
    this.lines.push(line);
  }
}

test("stdout is kept as bytes, or only counted and hashed", async (t) => {
  const code = "process.stdout.write(Buffer.alloc(300000, 0x61))";
  const kept = node(code);
  const hashed = node(code, { hashStdout: true });
  t.after(() => (kept.kill(), hashed.kill()));
  assert.deepEqual(await kept.closed, { code: 0, signal: null });
  assert.deepEqual(await hashed.closed, { code: 0, signal: null });
  const digest = createHash("sha256").update(Buffer.alloc(300000, 0x61)).digest("hex");
  assert.equal(kept.stdout.length, 300000);
  assert.equal(kept.stdoutDigest(), digest);
  assert.equal(hashed.stdout.length, 0, "hashing keeps nothing");
  assert.equal(hashed.stdoutBytes, 300000);
  assert.equal(hashed.stdoutDigest(), digest);
});

test("stderr is kept as text, or handed out line by line with the unfinished last line at exit", async (t) => {
  const code = "process.stderr.write('one\\r\\ntwo\\n\\nthree')";
  const text = node(code);
  const lines = new LineChild(NODE, ["-e", code], { stderrLines: true });
  t.after(() => (text.kill(), lines.kill()));
  await Promise.all([text.closed, lines.closed]);
  assert.equal(text.stderr, "one\r\ntwo\n\nthree");
  assert.deepEqual(lines.lines, ["one", "two", "", "three"]);
  assert.equal(lines.stderr, "", "nothing left over once the lines are handed out");
});

test("a program that cannot start settles the exit with its error, and is not running", async () => {
  const missing = new Child("/nonexistent/socklab-child-test", []);
  assert.deepEqual(await missing.closed, { code: null, signal: null });
  assert.equal((missing.error as NodeJS.ErrnoException | undefined)?.code, "ENOENT");
  assert.equal(missing.running, false);
  await missing.until(() => !missing.running);
});

test("stdin written to a child that exits without reading keeps the error, never throws", async (t) => {
  const child = node("process.exit(3)", { stdin: Buffer.alloc(4 << 20) });
  t.after(() => child.kill());
  assert.equal((await child.closed).code, 3);
  const stdin = child.child.stdin!;
  if (!stdin.destroyed) await once(stdin, "close");
  assert.ok(child.stdinError instanceof Error, "the EPIPE is kept");
  child.write("more");
  child.end();
});

test("until wakes on output and at exit, and rejects when its signal aborts", async (t) => {
  const child = node("process.stdout.write('ready\\n'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0))", { stdin: "pipe" });
  t.after(() => child.kill());
  const deadline = AbortSignal.timeout(WAIT_MS);
  await child.until(() => child.stdout.includes("ready"), deadline);
  const aborted = new AbortController();
  const never = child.until(() => false, aborted.signal);
  aborted.abort(new Error("given up"));
  await assert.rejects(never, /given up/);
  child.end();
  await child.until(() => !child.running, deadline);
  assert.deepEqual(child.exitStatus, { code: 0, signal: null });
});

test("stop asks with SIGTERM and forces with SIGKILL after the grace period", async (t) => {
  const child = node("process.on('SIGTERM', () => {}); process.stdout.write('up'); setInterval(() => {}, 1000)");
  t.after(() => child.kill());
  await child.until(() => child.stdout.length > 0, AbortSignal.timeout(WAIT_MS));
  assert.deepEqual(await child.stop(200), { code: null, signal: "SIGKILL" });
  assert.deepEqual(await child.stop(200), { code: null, signal: "SIGKILL" }, "stopping again returns the same status");
});

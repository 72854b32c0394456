/**
 * UDP retransmission against real packet loss: inside a network namespace made by the test
 * (its own loopback, nothing else), iptables drops datagrams to the server's port, and
 * `socklab connect udp://… --retries N` must retransmit until one gets through, or say that
 * none did. Needs root, `ip` and `iptables`; elsewhere the tests say why they did not run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { which } from "./support/tools.js";

const BIN = fileURLToPath(new URL("../../bin/socklab.js", import.meta.url));

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return "needs root to create a network namespace";
  for (const tool of ["ip", "iptables"]) {
    if (which(tool) === undefined) return `${tool} is not installed (apt-get install -y iproute2 iptables)`;
  }
  const probe = `sl-probe-${randomBytes(3).toString("hex")}`;
  const made = spawnSync("ip", ["netns", "add", probe]);
  if (made.status !== 0) return `ip netns add failed here: ${made.stderr.toString().trim()}`;
  spawnSync("ip", ["netns", "del", probe]);
  return false;
}

const skip = whyNot();

/** A namespace with loopback up, deleted after the test (which kills what runs in it). */
function namespace(t: { after(fn: () => unknown): void }): string {
  const name = `sl-loss-${randomBytes(4).toString("hex")}`;
  assert.equal(spawnSync("ip", ["netns", "add", name]).status, 0, "ip netns add");
  t.after(() => {
    spawnSync("ip", ["netns", "pids", name]).stdout
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((pid) => spawnSync("kill", ["-9", pid]));
    spawnSync("ip", ["netns", "del", name]);
  });
  assert.equal(spawnSync("ip", ["-n", name, "link", "set", "lo", "up"]).status, 0, "lo up");
  return name;
}

function inNs(ns: string, args: string[]): ReturnType<typeof spawn> {
  return spawn("ip", ["netns", "exec", ns, process.execPath, BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

/** Start `serve echo udp://127.0.0.1:0 --json` in the namespace; resolve with its port. */
async function echoServer(ns: string): Promise<number> {
  const server = inNs(ns, ["serve", "echo", "udp://127.0.0.1:0", "--json"]);
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening event: ${err}`)), 10_000);
    server.stderr!.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      for (const line of err.split("\n")) {
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as { event: string; address?: string };
        if (event.event === "listening" && event.address) {
          clearTimeout(timer);
          resolve(Number(event.address.slice(event.address.lastIndexOf(":") + 1)));
        }
      }
    });
    server.once("exit", (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

function run(ns: string, args: string[]): Promise<{ code: number | null; stdout: string; events: Array<Record<string, unknown>>; stderr: string }> {
  const child = inNs(ns, args);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once("close", (code) =>
      resolve({
        code,
        stdout,
        stderr,
        events: stderr
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    ),
  );
}

function drop(ns: string, port: number, every: number): void {
  const rule = ["-A", "INPUT", "-p", "udp", "--dport", String(port), "-m", "statistic", "--mode", "nth", "--every", String(every), "--packet", "0", "-j", "DROP"];
  const r = spawnSync("ip", ["netns", "exec", ns, "iptables", ...rule]);
  assert.equal(r.status, 0, `iptables: ${r.stderr.toString()}`);
}

test("UDP request: the first datagram is dropped (iptables, own namespace), the retransmission gets the reply", { skip, timeout: 30_000 }, async (t) => {
  const ns = namespace(t);
  const port = await echoServer(ns);
  drop(ns, port, 2); // every other datagram to the server, starting with the first
  const r = await run(ns, ["connect", `udp://127.0.0.1:${port}`, "--send", "ping", "--timeout", "0.5", "--retries", "3", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "ping");
  const failed = r.events.filter((e) => e.event === "attempt-failed");
  assert.equal(failed.length, 1, r.stderr);
  assert.equal(failed[0]!.code, "ETIMEDOUT");
  assert.equal(failed[0]!.attempt, 1);
});

test("UDP request: every datagram dropped → three attempts, then a clear 'no response' and exit 1", { skip, timeout: 30_000 }, async (t) => {
  const ns = namespace(t);
  const port = await echoServer(ns);
  drop(ns, port, 1);
  const r = await run(ns, ["connect", `udp://127.0.0.1:${port}`, "--send", "TIME", "--timeout", "0.3", "--retries", "3", "--lang", "en"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /attempt 1\/3: no reply within 0\.3s; retransmitting/);
  assert.match(r.stderr, /attempt 3\/3: no reply within 0\.3s\n/);
  assert.match(r.stderr, new RegExp(`udp://127\\.0\\.0\\.1:${port}: no response after 3 attempts`));
});

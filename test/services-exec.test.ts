/** The exec service (ncat -e): one child per client, stdin/stdout wired with backpressure, exit ends the connection, a leaving client kills the child. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { parseAddress, type InetAddress } from "../src/address.js";
import type { SocklabEvent } from "../src/events.js";
import { commandLine, execBindRefusal, execService, isLoopbackHost, type ExecOptions } from "../src/services/exec.js";
import { AccessList, parseCidrList } from "../src/net/cidr.js";
import { streamHandlerFor } from "../src/services/registry.js";
import { StreamServer } from "../src/stream/server.js";
import { Collector, tcpConnect } from "./support/net.js";
import { waitUntil } from "./support/wait.js";

async function serveExec(t: TestContext, options: ExecOptions): Promise<{ port: number; events: SocklabEvent[] }> {
  const events: SocklabEvent[] = [];
  const server = await StreamServer.listen({
    address: parseAddress("tcp://127.0.0.1:0"),
    handler: execService({ stderr: "ignore", ...options }),
    concurrent: true,
    onEvent: (e) => events.push(e),
  });
  t.after(() => server.close());
  return { port: (server.address as InetAddress).port, events };
}

async function until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  await waitUntil(ok, { what, timeoutMs });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("cat: the client's bytes come back through the child; EOF ends the child and the connection", async (t) => {
  const { port, events } = await serveExec(t, { command: "cat" });
  const client = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  client.write("hola exec\n");
  await got.waitFor("hola exec\n");
  client.end();
  await got.waitEnd();
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  const start = events.find((e) => e.type === "exec-start") as Extract<SocklabEvent, { type: "exec-start" }>;
  const exit = events.find((e) => e.type === "exec-exit") as Extract<SocklabEvent, { type: "exec-exit" }>;
  assert.equal(start.command, "cat");
  assert.equal(exit.pid, start.pid);
  assert.deepEqual([exit.code, exit.signal], [0, null]);
});

test("the child's exit closes the connection, with its exit status reported", async (t) => {
  const { port, events } = await serveExec(t, { command: "sh", args: ["-c", "echo hi from $0; exit 3"] });
  const client = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  await got.waitEnd();
  assert.equal(got.text, "hi from sh\n");
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  assert.equal((events.find((e) => e.type === "exec-exit") as { code: number }).code, 3);
});

test("a client that sends after the child exited does not crash the server", async (t) => {
  const { port, events } = await serveExec(t, { command: "true" });
  const client = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  client.on("error", () => {});
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  client.write(Buffer.alloc(256 * 1024));
  await got.waitEnd();
  client.end();
  await until(() => events.some((e) => e.type === "closed"), "the connection to close");
});

test("the client leaving (a reset) kills the child (SIGTERM)", async (t) => {
  const { port, events } = await serveExec(t, { command: "sleep", args: ["30"] });
  const client = await tcpConnect(port);
  await until(() => events.some((e) => e.type === "exec-start"), "exec-start");
  const pid = (events.find((e) => e.type === "exec-start") as { pid: number }).pid;
  assert.equal(alive(pid), true);
  // A FIN alone is a half-close (the child's stdin ends, it may still answer); leaving is a reset.
  client.resetAndDestroy();
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  assert.equal((events.find((e) => e.type === "exec-exit") as { signal: string }).signal, "SIGTERM");
  await until(() => !alive(pid), "the child to be gone");
});

test("a child that ignores SIGTERM gets SIGKILL after the grace period", async (t) => {
  const { port, events } = await serveExec(t, { command: "sh", args: ["-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"], killGraceMs: 200 });
  const client = await tcpConnect(port);
  const got = new Collector(client);
  await got.waitFor("ready\n");
  client.resetAndDestroy();
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  assert.equal((events.find((e) => e.type === "exec-exit") as { signal: string }).signal, "SIGKILL");
});

test("8 MiB through sha256sum: backpressure both ways, the digest is right", { timeout: 30_000 }, async (t) => {
  const { port } = await serveExec(t, { command: "sha256sum" });
  const client = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
  t.after(() => client.destroy());
  const got = new Collector(client);
  const payload = randomBytes(8 * 1024 * 1024);
  client.end(payload);
  await got.waitEnd(20_000);
  assert.equal(got.text.split(" ")[0], createHash("sha256").update(payload).digest("hex"));
});

test("a client that closes (FIN) and no longer reads: the child's next output meets a reset and the child is killed", async (t) => {
  const { port, events } = await serveExec(t, { command: "sh", args: ["-c", "read line; sleep 0.2; while :; do echo tick; sleep 0.05; done"] });
  const client = await tcpConnect(port);
  await until(() => events.some((e) => e.type === "exec-start"), "exec-start");
  client.end("go\n");
  client.destroy();
  await until(() => events.some((e) => e.type === "exec-exit"), "exec-exit");
  assert.equal((events.find((e) => e.type === "exec-exit") as { signal: string | null }).signal, "SIGTERM");
});

test("each client gets its own child", async (t) => {
  const { port, events } = await serveExec(t, { command: "sh", args: ["-c", "echo $$"] });
  const read = async (): Promise<string> => {
    const c = await tcpConnect(port, "127.0.0.1", 5000, { allowHalfOpen: true });
    t.after(() => c.destroy());
    const got = new Collector(c);
    await got.waitEnd();
    return got.text.trim();
  };
  const [a, b] = await Promise.all([read(), read()]);
  assert.notEqual(a, b);
  assert.equal(events.filter((e) => e.type === "exec-start").length, 2);
});

test("a command that cannot run is an error event and the client is closed", async (t) => {
  const { port, events } = await serveExec(t, { command: "/nonexistent/socklab-no-such-command" });
  const client = await tcpConnect(port);
  const got = new Collector(client);
  client.on("error", () => {});
  await got.waitClose();
  await until(() => events.some((e) => e.type === "error"), "the error event");
  assert.equal((events.find((e) => e.type === "error") as { code: string }).code, "ENOENT");
  assert.equal(events.some((e) => e.type === "exec-start"), false);
});

test("registry: serve exec needs a command; with one it builds the handler", async () => {
  await assert.rejects(streamHandlerFor("exec", {}), /serve exec needs a command: socklab serve exec ADDRESS -- CMD/);
  assert.equal(typeof (await streamHandlerFor("exec", { command: ["cat"] })), "function");
});

test("commandLine quotes arguments with spaces or quotes", () => {
  assert.equal(commandLine("sh", ["-c", "echo 'hi there'"]), `sh -c 'echo '\\''hi there'\\'''`);
  assert.equal(commandLine("cat"), "cat");
});

test("the bind rule: beyond loopback, serve exec needs an explicit --allow", () => {
  const none = new AccessList();
  for (const ok of ["tcp://127.0.0.1:9000", "tcp://127.1.2.3:9000", "tcp://[::1]:9000", "tcp://localhost:9000", "unix:/tmp/x.sock", "abstract:x"]) {
    assert.equal(execBindRefusal(parseAddress(ok), none), undefined, ok);
  }
  for (const risky of ["tcp://0.0.0.0:9000", "tcp://[::]:9000", "tcp://198.51.100.10:9000", "tcp://[::ffff:203.0.113.1]:9000", "tcp://myhost:9000"]) {
    assert.match(execBindRefusal(parseAddress(risky), none) ?? "", /would run the command for anyone .* --allow CIDR/, risky);
  }
  assert.equal(execBindRefusal(parseAddress("tcp://0.0.0.0:9000"), new AccessList({ allow: parseCidrList("198.51.100.0/24") })), undefined);
  assert.equal(isLoopbackHost("::ffff:127.0.0.1"), true);
});

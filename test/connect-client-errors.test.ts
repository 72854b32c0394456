/**
 * Issue 8, item 10 (client side): one clear line naming the address and the cause, in
 * socklab's words: port 0 as a destination, a Unix path whose directory does not exist,
 * a path that is not a socket, and a reset (the address is the one connected to).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { runSocklab, stderrLines } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";

test("connect to port 0 (udp and tcp) is a usage error that names the address", async () => {
  for (const address of ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]) {
    const r = await runSocklab(["connect", address, "--send", "x"]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(stderrLines(r.stderr)[0], `socklab connect: ${address}: port 0 is not a destination (it means "any free port" only when listening)`);
    assert.doesNotMatch(r.stderr, /Received type number/);
  }
});

test("a Unix path whose directory does not exist says so (exit 1, one line, en and es)", async (t) => {
  const path = `${tempDir(t)}/no/such/dir/s.sock`;
  const r = await runSocklab(["connect", `unix:${path}`, "--send", "x"]);
  assert.equal(r.code, 1);
  assert.deepEqual(stderrLines(r.stderr), [`socklab: unix:${path}: no such directory (no server can be listening there)`]);
  const es = await runSocklab(["--lang", "es", "connect", `unix:${path}`]);
  assert.equal(es.code, 1);
  assert.deepEqual(stderrLines(es.stderr), [`socklab: unix:${path}: el directorio no existe (nadie puede estar escuchando ahí)`]);
});

test("a Unix path that is a directory, not a socket, says so", async (t) => {
  const dir = tempDir(t);
  const r = await runSocklab(["connect", `unix:${dir}`, "--send", "x"]);
  assert.equal(r.code, 1);
  assert.deepEqual(stderrLines(r.stderr), [`socklab: unix:${dir}: not a socket`]);
});

test("a reset names the address connected to, never tcp://?:0", async (t) => {
  const srv = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.resetAndDestroy();
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  t.after(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  for (const args of [["-d"], ["--send", "x", "--until-close"], []]) {
    const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, ...args], { input: "" });
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    const lines = stderrLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    // Reset before or after our bytes went out: either way the line names the address.
    assert.match(
      lines[0]!,
      new RegExp(`^socklab: tcp://127\\.0\\.0\\.1:${port}: (connection reset by peer|upload cut short \\((connection reset by peer|broken pipe \\(the peer closed the connection\\))\\))`),
    );
    assert.doesNotMatch(r.stderr, /\?:0/);
  }
});

/**
 * Guide-1 TCP client exercises 2–5 with socklab on both sides: `socklab connect` against
 * `socklab serve …` / `socklab listen` (the nc role of the guide).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { startServer, runSocklab, socklab } from "./support/cli.js";
import { freePort } from "./support/net.js";

test("2: 'hola mundo' — connect --send 'hola mundo\\n' against listen (nc -l role) answering by hand", { timeout: 30_000 }, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t });
  const client = socklab(["connect", ready.address, "--send", "hola mundo\\n"], { teardown: t });
  await server.waitForStdout("hola mundo\n");
  server.write("hola cliente\n");
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola cliente\n", "the guide's single recv: the first chunk, then exit");
  server.endInput();
  const s = await server.waitExit(5000);
  assert.equal(s.code, 0, s.stderr);
});

test("3: lines uno/dos/tres + half-close against listen; everything until the peer closes is printed", { timeout: 30_000 }, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t });
  const client = socklab(["connect", ready.address, "--send", "uno", "--send", "dos", "--send", "tres", "--lines", "--half-close"], { teardown: t });
  await server.waitForStdout("uno\ndos\ntres\n");
  server.write("respuesta 1\n");
  server.write("respuesta 2\n");
  server.endInput(); // listen half-closes at stdin EOF; it already saw the client's FIN → exits
  const r = await client.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "respuesta 1\nrespuesta 2\n");
  assert.equal((await server.waitExit(5000)).code, 0);
  assert.equal(server.stdout.toString(), "uno\ndos\ntres\n");
});

test("3 against serve echo: uno\\ndos\\ntres\\n comes back, connect exits when the server closes", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "uno", "--send", "dos\\n", "--send", "tres", "--lines", "--half-close"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "uno\ndos\ntres\n", "--lines appends \\n only where missing");
});

test("4 / 2.6: bulk — listen < 16 MiB file, connect reads until EOF; -v reports the byte count", { timeout: 60_000 }, async (t) => {
  const payload = randomBytes(16 * 1024 * 1024);
  // Like `nc -l 127.0.0.1 9003 < archivo_grande.bin`: the file arrives on listen's stdin.
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0"], { teardown: t, input: payload });
  const r = await runSocklab(["connect", ready.address, "-v"], { timeoutMs: 18_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, payload.length);
  assert.equal(createHash("sha256").update(r.stdout).digest("hex"), createHash("sha256").update(payload).digest("hex"));
  assert.match(r.stderr, new RegExp(`received ${payload.length} bytes in [\\d.]+ ?s \\([\\d.]+ MiB/s\\)`));
  assert.equal((await server.waitExit(5000)).code, 0);
});

test("5: the guide's parameters (--timeout 1.5 --retries 5 --backoff 0.5), server already up → ping\\n echoed", { timeout: 30_000 }, async (t) => {
  const { ready } = await startServer(["serve", "echo", "tcp://127.0.0.1:0"], { teardown: t });
  const r = await runSocklab(["connect", ready.address, "--send", "ping\\n", "--timeout", "1.5", "--retries", "5", "--backoff", "0.5"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
  assert.doesNotMatch(r.stderr, /attempt/);
});

test("5: guide parameters, server started after two failures — attempt lines report 0.5s then 1.0s", { timeout: 60_000 }, async (t) => {
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  const client = socklab(["connect", address, "--send", "ping\\n", "--timeout", "1.5", "--retries", "5", "--backoff", "0.5"], { teardown: t });
  await client.waitForStderr(/attempt 1\/5 failed: (?:\S+: )?connection refused.*retrying in 0\.5s/, 5000);
  await client.waitForStderr(/attempt 2\/5 failed: (?:\S+: )?connection refused.*retrying in 1(\.0)?s/, 5000);
  await startServer(["serve", "echo", address], { teardown: t });
  const r = await client.waitExit(8000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ping\n");
});

test("connect --send without --lines exits after the first chunk (single recv); --until-close reads to EOF", { timeout: 30_000 }, async (t) => {
  const { proc: server, ready } = await startServer(["listen", "tcp://127.0.0.1:0", "--keep-open"], { teardown: t });
  const a = socklab(["connect", ready.address, "--send", "q\\n", "--until-close"], { teardown: t });
  await server.waitForStdout("q\n");
  server.write("part 1\n");
  await a.waitForStdout("part 1\n");
  assert.equal(a.hasExited, false, "--until-close keeps reading");
  server.write("part 2\n");
  await a.waitForStdout("part 2\n");
  server.signal("SIGTERM"); // closes the connection
  const r = await a.waitExit(5000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "part 1\npart 2\n");
});

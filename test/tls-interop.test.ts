/**
 * TLS interop both ways with the tools people use today: openssl s_client / s_server,
 * ncat --ssl and socat openssl: / openssl-listen:. socklab's side runs in this process
 * through the library (the CLI wiring comes with the integration). Loopback only; every
 * certificate and key is made at test time and written to a private temp dir.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { parseAddress } from "../src/address.js";
import { halfClose, readLines, readUntilClose, sendAll } from "../src/stream/io.js";
import { connectTls } from "../src/tls/client.js";
import { freePort } from "./support/net.js";
import { OPENSSL, NCAT, SOCAT } from "./support/tools.js";
import { spawnProc } from "./support/process.js";
import { pemFiles, startTlsServer, testPki } from "./support/tls.js";

const withOpenssl = { timeout: 30_000, skip: OPENSSL ? false : "openssl is not installed: apt-get install -y openssl" } as const;
const withNcat = { timeout: 30_000, skip: NCAT ? false : "ncat is not installed: apt-get install -y ncat" } as const;
const withSocat = { timeout: 30_000, skip: SOCAT ? false : "socat is not installed: apt-get install -y socat" } as const;

/** Echo each chunk back upper-cased; answer the peer's close_notify with ours. */
function shout(socket: TLSSocket): void {
  socket.on("data", (chunk: Buffer) => socket.write(chunk.toString("latin1").toUpperCase(), "latin1"));
  socket.on("end", () => socket.end());
}

/** The guide's server shape: read to EOF (the client's half-close), answer, close. */
async function readAllThenAnswer(socket: TLSSocket): Promise<void> {
  const request = await readUntilClose(socket);
  await sendAll(socket, Buffer.from(request.toString("latin1").toUpperCase(), "latin1"));
  await halfClose(socket);
}

/** Echo everything back after the client's half-close. */
async function echoAfterEof(socket: TLSSocket): Promise<void> {
  await sendAll(socket, await readUntilClose(socket));
  await halfClose(socket);
}

test("openssl s_client (verifying, -CAfile = the ephemeral certificate) ↔ socklab TLS server", withOpenssl, async (t) => {
  const srv = await startTlsServer(t, {}, shout);
  const files = pemFiles(t, { "server.pem": srv.setup.cert });
  const client = spawnProc(
    OPENSSL!,
    ["s_client", "-connect", `127.0.0.1:${srv.port}`, "-CAfile", files["server.pem"], "-verify_return_error", "-verify_ip", "127.0.0.1", "-brief"],
    { teardown: t, input: "pipe" },
  );
  await client.waitForStderr(/Verification: OK/, 15_000);
  client.write("hola desde openssl\n");
  await client.waitForStdout("HOLA DESDE OPENSSL\n", 10_000);
  client.endInput();
  const r = await client.waitExit(10_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(srv.sessions.length, 1);
  assert.equal(srv.failures.length, 0, srv.failures.map((f) => f.message).join("; "));
});

test("openssl s_client with a client certificate ↔ socklab TLS server with a client CA", withOpenssl, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "ca.pem": pki.ca.cert, "alice.pem": pki.client.cert, "alice.key": pki.client.key });
  const srv = await startTlsServer(t, { cert: { pem: pki.server.cert }, key: { pem: pki.server.key }, clientCa: files["ca.pem"] }, shout);
  const client = spawnProc(
    OPENSSL!,
    ["s_client", "-connect", `127.0.0.1:${srv.port}`, "-CAfile", files["ca.pem"], "-verify_return_error", "-cert", files["alice.pem"], "-key", files["alice.key"], "-brief"],
    { teardown: t, input: "pipe" },
  );
  await client.waitForStderr(/Verification: OK/, 15_000);
  client.write("mtls\n");
  await client.waitForStdout("MTLS\n", 10_000);
  client.endInput();
  assert.equal((await client.waitExit(10_000)).code, 0);
  assert.equal(srv.sessions[0]?.commonName, "alice");
  assert.equal(srv.sessions[0]?.verifiedBy, "client-ca");
});

test("socklab client (verifying with ca) ↔ openssl s_server, both directions", withOpenssl, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "ca.pem": pki.ca.cert, "server.pem": pki.server.cert, "server.key": pki.server.key });
  const port = await freePort();
  const server = spawnProc(OPENSSL!, ["s_server", "-accept", `127.0.0.1:${port}`, "-naccept", "1", "-cert", files["server.pem"], "-key", files["server.key"]], {
    teardown: t,
    input: "pipe",
  });
  await server.waitForStdout("ACCEPT", 15_000);
  const c = await connectTls(parseAddress(`tls://localhost:${port}`), { ca: files["ca.pem"] });
  t.after(() => c.socket.destroy());
  assert.equal(c.tls.verified, true);
  assert.equal(c.tls.fingerprint, pki.server.fingerprint);
  await sendAll(c.socket, "hola desde socklab\n");
  await server.waitForStdout("hola desde socklab\n", 10_000);
  server.write("hola desde s_server\n");
  const line = await readLines(c.socket, 1, { idleTimeoutMs: 10_000 });
  assert.equal(line.data.toString(), "hola desde s_server\n");
});

test("socklab client with a client certificate ↔ openssl s_server -Verify (requires one)", withOpenssl, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, {
    "ca.pem": pki.ca.cert,
    "server.pem": pki.server.cert,
    "server.key": pki.server.key,
    "alice.pem": pki.client.cert,
    "alice.key": pki.client.key,
  });
  const port = await freePort();
  const server = spawnProc(
    OPENSSL!,
    ["s_server", "-accept", `127.0.0.1:${port}`, "-naccept", "1", "-cert", files["server.pem"], "-key", files["server.key"], "-Verify", "1", "-CAfile", files["ca.pem"], "-verify_return_error"],
    { teardown: t, input: "pipe" },
  );
  await server.waitForStdout("ACCEPT", 15_000);
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${port}`), { ca: files["ca.pem"], cert: files["alice.pem"], key: files["alice.key"] });
  t.after(() => c.socket.destroy());
  await sendAll(c.socket, "soy alice\n");
  await server.waitForStdout("soy alice\n", 10_000);
  assert.match(server.stdout.toString(), /CN\s*=\s*alice/, "s_server saw our certificate");
});

test("ncat --ssl --ssl-verify (client) ↔ socklab TLS server: read to EOF, answer, close", withNcat, async (t) => {
  const srv = await startTlsServer(t, {}, (socket) => void readAllThenAnswer(socket).catch(() => socket.destroy()));
  const files = pemFiles(t, { "server.pem": srv.setup.cert });
  const client = spawnProc(NCAT!, ["--ssl", "--ssl-verify", "--ssl-trustfile", files["server.pem"], "localhost", String(srv.port)], {
    teardown: t,
    input: "hola\nmundo\n",
  });
  const r = await client.waitExit(15_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "HOLA\nMUNDO\n");
});

test("socklab client (half-close, read to EOF) ↔ ncat --ssl -l", withNcat, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "ca.pem": pki.ca.cert, "server.pem": pki.server.cert, "server.key": pki.server.key });
  const port = await freePort();
  const server = spawnProc(NCAT!, ["-v", "--ssl", "--ssl-cert", files["server.pem"], "--ssl-key", files["server.key"], "-l", "127.0.0.1", String(port)], {
    teardown: t,
    input: "desde ncat\n",
  });
  await server.waitForStderr(/Listening on/, 15_000);
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${port}`), { ca: files["ca.pem"] });
  await sendAll(c.socket, "desde socklab\n");
  await halfClose(c.socket);
  const got = await readUntilClose(c.socket, { idleTimeoutMs: 10_000 });
  assert.equal(got.toString(), "desde ncat\n");
  await server.waitForStdout("desde socklab\n", 10_000);
});

test("socat - OPENSSL:127.0.0.1:PORT (verifying) ↔ socklab TLS server, 256 KiB after half-close", withSocat, async (t) => {
  const srv = await startTlsServer(t, {}, (socket) => void echoAfterEof(socket).catch(() => socket.destroy()));
  const files = pemFiles(t, { "server.pem": srv.setup.cert });
  const payload = randomBytes(256 * 1024);
  const client = spawnProc(SOCAT!, ["-t", "10", "-", `OPENSSL:127.0.0.1:${srv.port},cafile=${files["server.pem"]}`], { teardown: t, input: payload });
  const r = await client.waitExit(20_000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.equals(payload), `identical bytes (${r.stdout.length} of ${payload.length})`);
});

test("socklab client ↔ socat OPENSSL-LISTEN … PIPE (echo), 256 KiB with half-close", withSocat, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "ca.pem": pki.ca.cert, "server.pem": pki.server.cert, "server.key": pki.server.key });
  const port = await freePort();
  const server = spawnProc(
    SOCAT!,
    ["-d", "-d", `OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,cert=${files["server.pem"]},key=${files["server.key"]},verify=0`, "PIPE"],
    { teardown: t },
  );
  await server.waitForStderr(/listening on/, 15_000);
  const c = await connectTls(parseAddress(`tls://localhost:${port}`), { ca: files["ca.pem"] });
  const payload = randomBytes(256 * 1024);
  const reading = readUntilClose(c.socket, { idleTimeoutMs: 10_000 });
  await sendAll(c.socket, payload);
  await halfClose(c.socket);
  const back = await reading;
  assert.ok(back.equals(payload), `identical bytes (${back.length} of ${payload.length})`);
});

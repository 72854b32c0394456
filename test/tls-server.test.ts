/**
 * The TLS server side: its certificate (given or ephemeral, with the fingerprint clients
 * pin), client certificates against a client CA, ALPN, half-close over TLS, and clear
 * errors for clients that do not speak TLS. Loopback only; keys made at test time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate, randomBytes } from "node:crypto";
import { once } from "node:events";
import { hostname } from "node:os";
import net from "node:net";
import { parseAddress } from "../src/address.js";
import { SocklabError } from "../src/errors.js";
import { halfClose, readUntilClose, sendAll } from "../src/stream/io.js";
import { connectTls } from "../src/tls/client.js";
import { tlsError } from "../src/tls/errors.js";
import { createTlsServerOptions } from "../src/tls/server.js";
import { pemFiles, startTlsServer, testPki } from "./support/tls.js";

const T = { timeout: 20_000 } as const;

test("without cert/key the server makes a self-signed certificate for the local names", T, async () => {
  const setup = await createTlsServerOptions({ names: ["192.0.2.7", "[fe80::1]", "0.0.0.0"] });
  assert.equal(setup.ephemeral, true);
  assert.match(setup.fingerprint, /^sha256:[0-9a-f]{64}$/);
  const cert = new X509Certificate(setup.cert);
  assert.equal(setup.fingerprint, `sha256:${cert.fingerprint256.replaceAll(":", "").toLowerCase()}`);
  assert.ok(cert.verify(cert.publicKey), "self-signed");
  assert.equal(cert.ca, false);
  const names = cert.subjectAltName ?? "";
  for (const name of ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", `DNS:${hostname()}`, "IP Address:192.0.2.7", "IP Address:FE80:0:0:0:0:0:0:1"]) {
    assert.ok(names.toUpperCase().includes(name.toUpperCase()), `${name} in ${names}`);
  }
  assert.doesNotMatch(names, /IP Address:0\.0\.0\.0/, "the unspecified address is not a name");
  assert.ok(new Date(cert.validTo).getTime() > Date.now() + 24 * 3600 * 1000);
  // Each server gets its own key.
  const other = await createTlsServerOptions({});
  assert.notEqual(other.fingerprint, setup.fingerprint);
});

test("with cert/key files the server uses them, and their fingerprint is the one announced", T, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "server.pem": pki.server.cert + pki.ca.cert, "server.key": pki.server.key, "alice.key": pki.client.key });
  const setup = await createTlsServerOptions({ cert: files["server.pem"], key: files["server.key"] });
  assert.equal(setup.ephemeral, false);
  assert.equal(setup.fingerprint, pki.server.fingerprint, "the leaf, not the CA after it in the file");
  assert.equal(setup.subject, "CN=localhost");
  await assert.rejects(createTlsServerOptions({ cert: files["server.pem"], key: files["alice.key"] }), (e: unknown) =>
    e instanceof SocklabError && e.code === "ERR_TLS_KEY_MISMATCH" && /is not the private key of --cert/.test(e.message),
  );
  await assert.rejects(createTlsServerOptions({ key: files["server.key"] }), (e: unknown) => e instanceof SocklabError && e.code === "ERR_TLS_OPTION");
  await assert.rejects(createTlsServerOptions({ cert: files["server.key"], key: files["server.key"] }), (e: unknown) =>
    e instanceof SocklabError && e.code === "ERR_TLS_FILE" && /no PEM certificate/.test(e.message),
  );
});

test("half-close over TLS: a line client sends, half-closes, and reads the answer to EOF", T, async (t) => {
  const sawEof: boolean[] = [];
  const srv = await startTlsServer(t, {}, async (socket) => {
    // The guide's line server: read everything up to EOF, then answer and close.
    const request = await readUntilClose(socket);
    sawEof.push(socket.readableEnded);
    assert.equal(socket.writable, true, "our write side is still open after the client's close_notify");
    const lines = request.toString().split("\n").filter((l) => l !== "");
    await sendAll(socket, lines.map((l) => `eco: ${l}\n`).join(""));
    await halfClose(socket);
  });
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { pin: srv.setup.fingerprint });
  await sendAll(c.socket, "hola\nmundo\n");
  await halfClose(c.socket);
  assert.equal(c.socket.readable, true, "our read side stays open after we half-close");
  const answer = await readUntilClose(c.socket, { idleTimeoutMs: 5000 });
  assert.equal(answer.toString(), "eco: hola\neco: mundo\n");
  assert.deepEqual(sawEof, [true]);
  if (!c.socket.closed) await once(c.socket, "close");
});

test("half-close over TLS carries 2 MiB each way intact (bulk reader)", T, async (t) => {
  const srv = await startTlsServer(t, {}, async (socket) => {
    const data = await readUntilClose(socket);
    await sendAll(socket, data);
    await halfClose(socket);
  });
  const payload = randomBytes(2 * 1024 * 1024);
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { pin: srv.setup.fingerprint });
  const reading = readUntilClose(c.socket, { idleTimeoutMs: 10_000 });
  await sendAll(c.socket, payload);
  await halfClose(c.socket);
  const back = await reading;
  assert.equal(back.length, payload.length);
  assert.ok(back.equals(payload), "identical bytes");
});

test("client certificates: a client CA admits its clients and names them (CN) on the server", T, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "clients-ca.pem": pki.ca.cert, "alice.pem": pki.client.cert, "alice.key": pki.client.key });
  const srv = await startTlsServer(t, { clientCa: files["clients-ca.pem"] }, (socket) => socket.end("welcome\n"));
  assert.equal(srv.setup.requireClientCert, true);
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), {
    pin: srv.setup.fingerprint,
    cert: files["alice.pem"],
    key: files["alice.key"],
  });
  assert.equal((await readUntilClose(c.socket, { idleTimeoutMs: 5000 })).toString(), "welcome\n");
  assert.equal(srv.sessions.length, 1);
  const session = srv.sessions[0]!;
  assert.equal(session.commonName, "alice");
  assert.equal(session.verified, true);
  assert.equal(session.verifiedBy, "client-ca");
  assert.equal(session.fingerprint, pki.client.fingerprint);
});

test("client certificates: no certificate, or one from another CA, is refused with the reason", T, async (t) => {
  const pki = await testPki();
  const srv = await startTlsServer(t, { clientCa: { pem: pki.ca.cert } }, (socket) => socket.end("welcome\n"));
  const address = parseAddress(`tls://127.0.0.1:${srv.port}`);

  // No certificate. In TLS 1.3 the client learns it on its first read (the alert comes
  // after its Finished); the error classifies to the same code on both sides.
  const bare = await connectTls(address, { pin: srv.setup.fingerprint }).then(
    async (c) => readUntilClose(c.socket, { idleTimeoutMs: 5000 }).then(() => undefined, (e: unknown) => e),
    (e: unknown) => e,
  );
  assert.ok(bare !== undefined, "the client is told");
  const classified = tlsError(bare, { address: "tls://server", side: "client" });
  assert.equal(classified.code, "ERR_TLS_CLIENT_CERT_REQUIRED", String(bare));
  assert.match(classified.message, /requires a client certificate \(use --cert and --key\)/);
  const noCert = await srv.nextFailure();
  assert.equal(noCert.code, "ERR_TLS_CLIENT_CERT_REQUIRED");
  assert.match(noCert.message, /sent no certificate/);

  // A certificate from another CA: the server hangs up and says why.
  const rogue = await connectTls(address, { pin: srv.setup.fingerprint, cert: { pem: pki.rogueClient.cert }, key: { pem: pki.rogueClient.key } });
  const got = await readUntilClose(rogue.socket, { idleTimeoutMs: 5000 }).catch(() => Buffer.alloc(0));
  assert.equal(got.length, 0, "no byte of the service reaches an unknown client");
  const rejected = await srv.nextFailure();
  assert.equal(rejected.code, "ERR_TLS_CLIENT_CERT_REJECTED");
  assert.match(rejected.message, /not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  assert.equal(srv.sessions.length, 0, "neither reached the handler");
});

test("ALPN: the server picks from the client's list; no overlap is a clear refusal", T, async (t) => {
  const srv = await startTlsServer(t, { alpn: ["socklab/1", "h2"] }, (socket) => socket.end());
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { pin: srv.setup.fingerprint, alpn: ["x-other", "socklab/1"] });
  assert.equal(c.tls.alpn, "socklab/1");
  await readUntilClose(c.socket, { idleTimeoutMs: 5000 });
  assert.equal(srv.sessions[0]?.alpn, "socklab/1");
  const err = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { pin: srv.setup.fingerprint, alpn: ["x-other"] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SocklabError && err.code === "ERR_TLS_NO_ALPN", String(err));
  assert.match(err.message, /no application protocol in common \(ALPN: x-other\)/);
  assert.equal((await srv.nextFailure()).code, "ERR_TLS_NO_ALPN");
});

test("a plain TCP client against a TLS server: the server says the client does not speak TLS", T, async (t) => {
  const srv = await startTlsServer(t, {}, (socket) => socket.end("secret\n"));
  const plain = net.connect(srv.port, "127.0.0.1");
  plain.on("error", () => {});
  const chunks: Buffer[] = [];
  plain.on("data", (d: Buffer) => chunks.push(d));
  plain.write("GET / HTTP/1.0\r\n\r\n");
  const failure = await srv.nextFailure();
  assert.equal(failure.code, "ERR_TLS_NOT_TLS");
  assert.match(failure.message, /^tls:\/\/127\.0\.0\.1:\d+: the client does not speak TLS/);
  if (!plain.closed) await once(plain, "close");
  assert.doesNotMatch(Buffer.concat(chunks).toString("latin1"), /secret/);
});

test("IPv6 loopback: the ephemeral certificate carries ::1, so trusting it as a CA verifies [::1]", T, async (t) => {
  const started = await startTlsServer(t, {}, (socket) => socket.end("v6\n"), "::1").catch((e: unknown) => e as Error);
  if (started instanceof Error) {
    t.skip(`no IPv6 loopback here: ${started.message}`);
    return;
  }
  const srv = started;
  const c = await connectTls(parseAddress(`tls://[::1]:${srv.port}`), { ca: { pem: srv.setup.cert } });
  assert.equal(c.tls.verified, true);
  assert.equal(c.tls.verifiedBy, "ca");
  assert.equal(c.address, `tls://[::1]:${srv.port}`);
  assert.equal((await readUntilClose(c.socket, { idleTimeoutMs: 5000 })).toString(), "v6\n");
});

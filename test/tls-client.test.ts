/**
 * The TLS client: safe by default (chain and host name checked against the system store or
 * --ca), pinning, --insecure that says so, and one clear error per handshake failure.
 * Loopback only; every certificate is made at test time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { parseAddress } from "../src/address.js";
import { SocklabError, UnavailableError } from "../src/errors.js";
import { describeErrorIn } from "../src/i18n/format.js";
import { createCertificate } from "../src/tls/certificates.js";
import { connectTls, openTls, prepareTlsClient, type TlsClientOptions } from "../src/tls/client.js";
import { parsePin } from "../src/tls/fingerprint.js";
import { sessionEvents } from "../src/tls/session.js";
import { freePort } from "./support/net.js";
import { pemFiles, startTlsServer, testPki } from "./support/tls.js";

const T = { timeout: 20_000 } as const;

/** Connect and expect a socklab error with `code`; returns it. */
async function failsWith(port: number, options: TlsClientOptions & { host?: string }, code: string): Promise<SocklabError> {
  const host = options.host ?? "127.0.0.1";
  const address = parseAddress(`tls://${host.includes(":") ? `[${host}]` : host}:${port}`);
  const err = await connectTls(address, options).then(
    (c) => {
      c.socket.destroy();
      return undefined;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof SocklabError, `expected a SocklabError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.ok(err.messageKey?.startsWith("tls-"), "carries a catalogue key");
  assert.doesNotMatch(err.message, /\n|SSL routines|openssl/i, "one line, no OpenSSL internals");
  return err;
}

/** A server that answers "hi\n" and closes. */
function hello(socket: import("node:tls").TLSSocket): void {
  socket.end("hi\n");
}

test("a server issued by a CA given with ca (PEM file) is verified; the session says how", T, async (t) => {
  const pki = await testPki();
  const srv = await startTlsServer(t, { cert: { pem: pki.server.cert }, key: { pem: pki.server.key } }, hello);
  const files = pemFiles(t, { "ca.pem": pki.ca.cert });
  const c = await connectTls(parseAddress(`tls://localhost:${srv.port}`), { ca: files["ca.pem"] });
  t.after(() => c.socket.destroy());
  assert.equal(c.tls.verified, true);
  assert.equal(c.tls.verifiedBy, "ca");
  assert.match(c.tls.protocol, /^TLSv1\.[23]$/);
  assert.ok(c.tls.cipher.length > 0);
  assert.equal(c.tls.commonName, "localhost");
  assert.equal(c.tls.subject, "CN=localhost");
  assert.equal(c.tls.fingerprint, pki.server.fingerprint);
  assert.equal(c.tls.fingerprint, srv.setup.fingerprint);
  assert.match(c.address, /^tls:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
  const events = sessionEvents(c.address, c.tls, true);
  assert.deepEqual(events.map((e) => e.type), ["tls-established"], "no warning for a verified peer");
});

test("without ca, the default trust store does not know a private CA: unknown issuer, with the fix", T, async (t) => {
  const pki = await testPki();
  const srv = await startTlsServer(t, { cert: { pem: pki.server.cert }, key: { pem: pki.server.key } }, hello);
  const err = await failsWith(srv.port, { host: "localhost" }, "ERR_TLS_UNKNOWN_ISSUER");
  assert.match(err.message, /unknown CA \("socklab test CA"\).*--ca/);
});

test("a CA that did not issue the server's certificate: unknown issuer", T, async (t) => {
  const pki = await testPki();
  const srv = await startTlsServer(t, { cert: { pem: pki.server.cert }, key: { pem: pki.server.key } }, hello);
  await failsWith(srv.port, { ca: { pem: pki.otherCa.cert } }, "ERR_TLS_UNKNOWN_ISSUER");
});

test("an ephemeral self-signed server is refused by default, and the error shows the pin to use", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const err = await failsWith(srv.port, {}, "ERR_TLS_SELF_SIGNED");
  assert.ok(err.message.includes(`--pin ${srv.setup.fingerprint}`), err.message);
  // The server sees a client that hung up during the handshake.
  const seen = await srv.nextFailure();
  assert.equal(seen.code, "ERR_TLS_HANDSHAKE_CLOSED");
});

test("pin: sha256:hex and the colon-separated form both match; the host name is not checked", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const hex = srv.setup.fingerprint;
  assert.match(hex, /^sha256:[0-9a-f]{64}$/);
  const colon = `sha256:${hex.slice(7).toUpperCase().match(/../g)!.join(":")}`;
  for (const pin of [hex, colon, colon.slice(7), hex.slice(7)]) {
    // Dialled by IP with an SNI the certificate does not carry: the pin alone decides.
    const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { pin, sni: "not-in-the-cert.example" });
    assert.equal(c.tls.verified, true, pin);
    assert.equal(c.tls.verifiedBy, "pin");
    assert.equal(c.tls.fingerprint, hex);
    c.socket.destroy();
  }
});

test("pin mismatch: refused, saying which fingerprint was expected and which came", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const wrong = `sha256:${"ab".repeat(32)}`;
  const err = await failsWith(srv.port, { pin: wrong }, "ERR_TLS_PIN_MISMATCH");
  assert.ok(err.message.includes(wrong) && err.message.includes(srv.setup.fingerprint), err.message);
});

test("pins that are not 32 bytes of hex are usage errors before any connection", () => {
  for (const bad of ["sha256:abc", "sha1:" + "ab".repeat(20), "ab".repeat(31), "zz".repeat(32), "sha256:" + "ab:".repeat(32)]) {
    assert.throws(() => parsePin(bad), (e: unknown) => e instanceof SocklabError && e.code === "ERR_TLS_BAD_PIN", bad);
  }
  assert.equal(parsePin(` SHA256:${"AB".repeat(32)} `), `sha256:${"ab".repeat(32)}`);
});

test("insecure connects to anything, and the session and events say it was not verified", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { insecure: true });
  t.after(() => c.socket.destroy());
  assert.equal(c.tls.verified, false);
  assert.equal(c.tls.verifiedBy, undefined);
  assert.equal(c.tls.unverifiedReason, "DEPTH_ZERO_SELF_SIGNED_CERT");
  const events = sessionEvents(c.address, c.tls, true);
  assert.deepEqual(events.map((e) => e.type), ["tls-established", "tls-unverified"]);
  assert.deepEqual(events[1], { type: "tls-unverified", peer: c.address, reason: "DEPTH_ZERO_SELF_SIGNED_CERT" });
});

test("wrong host name: the certificate's names and the name checked are both in the error", T, async (t) => {
  const pki = await testPki();
  const srv = await startTlsServer(t, { cert: { pem: pki.server.cert }, key: { pem: pki.server.key } }, hello);
  const err = await failsWith(srv.port, { ca: { pem: pki.ca.cert }, sni: "www.example.org" }, "ERR_TLS_HOSTNAME_MISMATCH");
  assert.match(err.message, /is for localhost, 127\.0\.0\.1, ::1, not for www\.example\.org/);
});

test("sni names the certificate wanted when dialling an IP, and is what gets checked", T, async (t) => {
  const pki = await testPki();
  const svc = await createCertificate({ commonName: "svc.test", names: ["svc.test"], issuer: pki.ca, usage: ["server"] });
  let seen: (name: string | false | null) => void = () => {};
  const servername = new Promise<string | false | null>((resolve) => (seen = resolve));
  const srv = await startTlsServer(t, { cert: { pem: svc.cert }, key: { pem: svc.key } }, (socket) => {
    seen(socket.servername);
    socket.end();
  });
  const c = await connectTls(parseAddress(`tls://127.0.0.1:${srv.port}`), { ca: { pem: pki.ca.cert }, sni: "svc.test" });
  t.after(() => c.socket.destroy());
  assert.equal(c.tls.verified, true);
  assert.equal(c.tls.commonName, "svc.test");
  assert.equal(await servername, "svc.test", "the server saw the SNI");
  // Without --sni the IP is checked, and this certificate has no IP in it.
  await failsWith(srv.port, { ca: { pem: pki.ca.cert } }, "ERR_TLS_HOSTNAME_MISMATCH");
});

test("an expired certificate is refused as expired, with its end date", T, async (t) => {
  const pki = await testPki();
  const day = 24 * 60 * 60 * 1000;
  const expired = await createCertificate({
    commonName: "localhost",
    names: ["localhost", "127.0.0.1"],
    issuer: pki.ca,
    notBefore: new Date(Date.now() - 30 * day),
    notAfter: new Date(Date.now() - day),
  });
  const srv = await startTlsServer(t, { cert: { pem: expired.cert }, key: { pem: expired.key } }, hello);
  const err = await failsWith(srv.port, { ca: { pem: pki.ca.cert } }, "ERR_TLS_CERT_EXPIRED");
  assert.match(err.message, /has expired \(valid until \w{3} +\d+ .*GMT\)/);
});

test("the Spanish line for a handshake failure comes from the catalogue", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const err = await failsWith(srv.port, {}, "ERR_TLS_SELF_SIGNED");
  const es = describeErrorIn(err, "es");
  assert.match(es, /autofirmado/);
  assert.ok(es.includes(srv.setup.fingerprint));
  assert.equal(describeErrorIn(err, "en"), err.message);
});

/** A plain TCP server on loopback running `onSocket` for each client. */
async function plainServer(t: { after(fn: () => unknown): void }, onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return (server.address() as net.AddressInfo).port;
}

test("a plain TCP server that talks first (a banner): the server does not speak TLS", T, async (t) => {
  const port = await plainServer(t, (s) => s.end("SSH-2.0-OpenSSH_9.6\r\n"));
  const err = await failsWith(port, { insecure: true }, "ERR_TLS_NOT_TLS");
  assert.match(err.message, /does not speak TLS/);
});

test("a plain TCP echo server (sends our ClientHello back): the server does not speak TLS", T, async (t) => {
  const port = await plainServer(t, (s) => s.pipe(s));
  await failsWith(port, { insecure: true }, "ERR_TLS_NOT_TLS");
});

test("a plain TCP server that hangs up on the ClientHello: closed during the handshake", T, async (t) => {
  const port = await plainServer(t, (s) => s.once("data", () => s.destroy()));
  await failsWith(port, { insecure: true }, "ERR_TLS_HANDSHAKE_CLOSED");
});

test("a plain TCP server that says nothing: the handshake times out, bounded", T, async (t) => {
  const port = await plainServer(t, (s) => s.on("data", () => {}));
  const started = Date.now();
  const err = await failsWith(port, { insecure: true, handshakeTimeoutMs: 300 }, "ERR_TLS_HANDSHAKE_TIMEOUT");
  assert.ok(Date.now() - started < 5000);
  assert.match(err.message, /no TLS handshake within 0\.3s/);
});

test("no cipher in common and no TLS version in common are told apart", T, async (t) => {
  const pki = await testPki();
  const key = { cert: { pem: pki.server.cert }, key: { pem: pki.server.key } };
  const a = await startTlsServer(t, { ...key, maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA" }, hello);
  await failsWith(a.port, { ca: { pem: pki.ca.cert }, maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384" }, "ERR_TLS_NO_SHARED_CIPHER");
  assert.equal((await a.nextFailure()).code, "ERR_TLS_NO_SHARED_CIPHER");
  const b = await startTlsServer(t, { ...key, minVersion: "TLSv1.3" }, hello);
  await failsWith(b.port, { ca: { pem: pki.ca.cert }, maxVersion: "TLSv1.2" }, "ERR_TLS_PROTOCOL_VERSION");
  assert.equal((await b.nextFailure()).code, "ERR_TLS_PROTOCOL_VERSION");
});

test("contradictory or unreadable options fail before connecting, one clear line each", (t) => {
  const check = (options: TlsClientOptions, code: string, re: RegExp): void => {
    assert.throws(
      () => prepareTlsClient(options),
      (e: unknown) => e instanceof SocklabError && e.code === code && re.test(e.message),
      JSON.stringify(options),
    );
  };
  const files = pemFiles(t, { "not-pem.txt": "hello\n" });
  check({ pin: `sha256:${"ab".repeat(32)}`, insecure: true }, "ERR_TLS_OPTION", /--pin and --insecure/);
  check({ pin: `sha256:${"ab".repeat(32)}`, ca: files["not-pem.txt"] }, "ERR_TLS_OPTION", /--pin or --ca/);
  check({ insecure: true, ca: files["not-pem.txt"] }, "ERR_TLS_OPTION", /--ca or --insecure/);
  check({ cert: files["not-pem.txt"] }, "ERR_TLS_OPTION", /--cert needs --key/);
  check({ ca: "/nonexistent/ca.pem" }, "ERR_TLS_FILE", /--ca \/nonexistent\/ca\.pem: cannot read the file \(ENOENT\)/);
  check({ ca: files["not-pem.txt"] }, "ERR_TLS_FILE", /no PEM certificate/);
});

test("openTls is one attempt (for openStream): TCP failures are recorded; connectTls retries only TCP", T, async (t) => {
  const srv = await startTlsServer(t, {}, hello);
  const config = prepareTlsClient({ pin: srv.setup.fingerprint });
  const c = await openTls(parseAddress(`tls://127.0.0.1:${srv.port}`), config);
  assert.equal(c.address, `tls://127.0.0.1:${srv.port}`);
  assert.equal(c.tls.verifiedBy, "pin");
  c.socket.destroy();

  const closed = await freePort();
  const recorded: string[] = [];
  await assert.rejects(openTls(parseAddress(`tls://127.0.0.1:${closed}`), config, {}, (where, err) => recorded.push(`${where} ${(err as { code?: string }).code}`)), {
    code: "ECONNREFUSED",
  });
  assert.deepEqual(recorded, [`tcp://127.0.0.1:${closed} ECONNREFUSED`]);

  const err = await connectTls(parseAddress(`tls://127.0.0.1:${closed}`), { insecure: true, attempts: 2, backoffMs: 10 }).catch((e: unknown) => e);
  assert.ok(err instanceof UnavailableError, String(err));
  assert.equal(err.attempts.length, 2);
  assert.match(err.message, /^tls:\/\/127\.0\.0\.1:\d+: server unavailable after 2 attempts/);
});

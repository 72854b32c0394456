/**
 * tls:// end to end, with the CLI spawned as a user would: serve with an ephemeral
 * certificate and connect --pin from the readiness line, the self-signed refusal with its
 * --pin hint, --insecure's warning, a private CA, mutual TLS, relay in both directions,
 * openssl s_client as the peer, and the guides' line client over TLS. Loopback only;
 * certificates are made at test time.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, socklab, type CliProc } from "./support/cli.js";
import { spawnProc, which } from "./support/process.js";
import { pemFiles, testPki } from "./support/tls.js";

const T = { timeout: 30_000 };
const READY = /^listening (tls:\/\/\S+|tcp:\/\/\S+)(?: (sha256:[0-9a-f]{64}))?$/m;

async function serve(t: TestContext, args: string[]): Promise<{ proc: CliProc; address: string; pin: string | undefined }> {
  const proc = socklab(args, { teardown: t, input: "pipe" });
  const m = await proc.waitForStderr(READY, 10_000);
  return { proc, address: m[1]!, pin: m[2] };
}

test("serve echo tls:// prints its fingerprint; connect --pin with it gets the echo (half-close over TLS)", T, async (t) => {
  const { address, pin } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  assert.ok(pin, "the readiness line carries sha256:HEX");
  const r = await runSocklab(["connect", address, "--pin", pin, "--send", "hola\\n", "--half-close", "-v"], { timeoutMs: 10_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "hola\n");
  assert.match(r.stderr, /TLSv1\.[23]/, "-v shows the protocol");
  assert.ok(r.stderr.includes(pin), "-v shows the peer's fingerprint");
});

test("connect without --pin to an ephemeral server fails in one line: self-signed, with the --pin to use", T, async (t) => {
  const { address, pin } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const r = await runSocklab(["connect", address, "--send", "x"], { timeoutMs: 10_000 });
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.match(r.stderr, /self-signed/);
  assert.ok(r.stderr.includes(`--pin ${pin}`), r.stderr);
  const json = await runSocklab(["--json", "connect", address, "--send", "x"], { timeoutMs: 10_000 });
  assert.match(json.stderr, /"code":"ERR_TLS_SELF_SIGNED"/);
});

test("--insecure connects and says on stderr that the peer was not verified", T, async (t) => {
  const { address } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const r = await runSocklab(["connect", address, "--insecure", "--send", "ok\\n", "--half-close"], { timeoutMs: 10_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "ok\n");
  assert.match(r.stderr, /NOT verified/);
});

test("--cert/--key on the server and --ca on the client (a private CA)", T, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, { "ca.pem": pki.ca.cert, "server.pem": pki.server.cert, "server.key": pki.server.key });
  const { address, pin } = await serve(t, ["serve", "line-echo", "tls://127.0.0.1:0", "--cert", files["server.pem"], "--key", files["server.key"]]);
  assert.ok(pin);
  const r = await runSocklab(["connect", address, "--ca", files["ca.pem"], "--send", "uno", "--send", "dos", "--lines", "--half-close"], { timeoutMs: 10_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "eco: uno\neco: dos\n", "the guides' line client works unchanged over TLS");
  const wrongName = await runSocklab(["connect", address, "--ca", files["ca.pem"], "--sni", "www.example.org", "--send", "x"], { timeoutMs: 10_000 });
  assert.equal(wrongName.code, 1);
  assert.match(wrongName.stderr, /www\.example\.org/);
});

test("--client-ca: a client with a certificate from the CA is served; one without is refused", T, async (t) => {
  const pki = await testPki();
  const files = pemFiles(t, {
    "ca.pem": pki.ca.cert,
    "server.pem": pki.server.cert,
    "server.key": pki.server.key,
    "alice.pem": pki.client.cert,
    "alice.key": pki.client.key,
  });
  const { proc, address } = await serve(t, [
    "serve", "echo", "tls://127.0.0.1:0", "--cert", files["server.pem"], "--key", files["server.key"], "--client-ca", files["ca.pem"],
  ]);
  const ok = await runSocklab(
    ["connect", address, "--ca", files["ca.pem"], "--cert", files["alice.pem"], "--key", files["alice.key"], "--send", "hi\\n", "--half-close"],
    { timeoutMs: 10_000 },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.toString(), "hi\n");
  const without = await runSocklab(["connect", address, "--ca", files["ca.pem"], "--send", "hi\\n", "--half-close"], { timeoutMs: 10_000 });
  assert.notEqual(without.code, 0);
  assert.equal(without.stdout.length, 0);
  await proc.waitForStderr(/no certificate|client certificate/i, 10_000);
});

test("relay tls:// → tcp:// and tcp:// → tls://", T, async (t) => {
  const echo = await serve(t, ["serve", "echo", "tcp://127.0.0.1:0"]);
  const front = await serve(t, ["relay", "tls://127.0.0.1:0", echo.address]);
  assert.ok(front.pin, "a TLS relay front prints its fingerprint");
  const a = await runSocklab(["connect", front.address, "--pin", front.pin, "--send", "via tls\\n", "--half-close"], { timeoutMs: 10_000 });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout.toString(), "via tls\n");

  const back = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const plain = await serve(t, ["relay", "tcp://127.0.0.1:0", back.address, "--pin", back.pin!]);
  const b = await runSocklab(["connect", plain.address, "--send", "to tls\\n", "--half-close"], { timeoutMs: 10_000 });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout.toString(), "to tls\n");
});

const OPENSSL = which("openssl");
test("openssl s_client talks to socklab serve echo tls://", { ...T, skip: OPENSSL ? false : "openssl is not installed" }, async (t) => {
  const { address } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const hostPort = address.replace("tls://", "");
  const client = spawnProc(OPENSSL!, ["s_client", "-quiet", "-connect", hostPort], { teardown: t, input: "pipe" });
  client.write("ping from openssl\n");
  await client.waitForStdout("ping from openssl", 10_000);
});

const NCAT = which("ncat");
test("ncat --ssl talks to socklab serve echo tls://", { ...T, skip: NCAT ? false : "ncat is not installed" }, async (t) => {
  const { address } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const [host, port] = [address.replace(/^tls:\/\/(.*):\d+$/, "$1"), address.replace(/^.*:(\d+)$/, "$1")];
  const client = spawnProc(NCAT!, ["--ssl", host, port], { teardown: t, input: "pipe" });
  client.write("ping from ncat\n");
  await client.waitForStdout("ping from ncat", 10_000);
});

test("scan tls://HOST:PORTS probes with plain TCP connects and says so", T, async (t) => {
  const { address } = await serve(t, ["serve", "echo", "tls://127.0.0.1:0"]);
  const port = address.replace(/^.*:(\d+)$/, "$1");
  const r = await runSocklab(["scan", `tls://127.0.0.1:${port}`], { timeoutMs: 10_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), `tcp://127.0.0.1:${port}\n`);
  assert.match(r.stderr, /plain TCP connect/);
});

/**
 * The library as a user imports it: `import … from "socklab"` resolves through package.json
 * "exports" and offers every documented area; the README's library snippet and every example
 * of docs/LIBRARY.md run as written, each as its own `node example.mjs` in a folder where
 * `socklab` is installed (a node_modules/socklab link to this package), within a time bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnProc } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Names each area of docs/LIBRARY.md must export. */
const EXPORTS: Record<string, string[]> = {
  streams: ["StreamServer", "connectTcp", "openStream", "readUntilClose", "sendAll", "halfClose", "parseAddress"],
  datagrams: ["DatagramServer", "bindUdp", "bindUnixDatagram", "udpRequest", "openDatagramClient"],
  tls: ["connectTls", "createTlsServerOptions", "ephemeralServerCertificate", "fingerprintOf", "parsePin"],
  scanRelay: ["scanPorts", "parsePorts", "startRelay"],
  format: ["hexdumpLines", "Hexdumper", "pythonBytesRepr", "crlf", "tap", "byteViewSink"],
  access: ["AccessList", "accessListFrom", "accessFilter", "parseCidr", "cidrContains"],
  services: ["chatService", "brokerService", "execService", "streamEcho", "lineEcho", "datagramTime"],
  events: ["eventChannel", "EVENT_TYPES"],
  errors: ["SocklabError", "ConnectError", "SocketError", "UnavailableError", "NoResponseError", "AbortError", "TimeoutError", "retry", "withDeadline", "startDeadline", "backoffDelay"],
};

test('import "socklab" (the package\'s own name) offers every documented area', async () => {
  const lib = (await import("socklab" as string)) as Record<string, unknown>;
  const missing = Object.entries(EXPORTS).flatMap(([area, names]) => names.filter((n) => lib[n] === undefined).map((n) => `${area}: ${n}`));
  assert.deepEqual(missing, [], `not exported from src/index.ts: ${missing.join(", ")}`);
  assert.equal((lib.eventChannel as { name: string }).name, "socklab:event");
});

/** The ```js / ```ts blocks of a Markdown text that import "socklab". */
function examples(markdown: string): string[] {
  return [...markdown.matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => /from "socklab"/.test(code));
}

/** A folder where `socklab` is installed, as a user's project would have it. */
function userProject(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t, "socklab-lib-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "socklab"), "dir");
  return dir;
}

async function runExample(dir: string, name: string, code: string): Promise<string> {
  writeFileSync(join(dir, name), code);
  const proc = spawnProc(process.execPath, [name], { cwd: dir });
  const r = await proc.waitExit(20_000);
  assert.equal(r.code, 0, `${name} failed:\n${code}\n--- stderr:\n${r.stderr}`);
  return r.stdout.toString();
}

for (const file of ["README.md", "README.es.md"]) {
  test(`${file}: the library snippet runs as written`, { timeout: 30_000 }, async (t) => {
    const blocks = examples(readFileSync(join(ROOT, file), "utf8"));
    assert.equal(blocks.length, 1, "the README has one library snippet");
    const out = await runExample(userProject(t), "readme.mjs", blocks[0]!);
    assert.match(out, /^eco: hola\n\d\d:\d\d:\d\d\n$/);
  });
}

test("every example of docs/LIBRARY.md runs as written and prints what it says", { timeout: 120_000 }, async (t) => {
  const blocks = examples(readFileSync(join(ROOT, "docs/LIBRARY.md"), "utf8"));
  assert.equal(blocks.length, 10, "one example per area (streams has two: TCP, and an abstract name)");
  const dir = userProject(t);
  const outputs: string[] = [];
  for (const [i, code] of blocks.entries()) outputs.push(await runExample(dir, `example-${i + 1}.mjs`, code));
  const [streams, abstract, datagrams, tls, relay, format, access, exec, errors, events] = outputs as [string, string, string, string, string, string, string, string, string, string];
  const [, port, urlPort] = /^(\d+) tcp:\/\/127\.0\.0\.1:(\d+)\neco: uno\neco: dos\n$/.exec(streams) ?? [];
  assert.ok(port !== undefined && port === urlPort, streams);
  assert.match(abstract, /^abstract (socklab-doc-\d+) abstract:\1\nhola abstract\n$/);
  assert.match(datagrams, /^ping from udp:\/\/127\.0\.0\.1:\d+\nhola\n$/);
  assert.equal(tls, "TLSv1.3 true\nhola por TLS\n");
  assert.match(relay, /^through the relay\nopen: \[ \d+ \]\n$/);
  assert.match(format, /^00000000 {2}68 6f 6c 61 0a +\|hola\.\|\nb"it's\\t\\xff\\n"\n"a\\r\\nb\\r\\n"\n$/);
  assert.match(access, /\{ ok: true \} \{ ok: false, why: 'denied', rule: '198\.51\.100\.66' \} \{ ok: false, why: 'not-allowed' \}/);
  assert.equal(exec, "manzana\npera\n");
  assert.match(
    errors,
    /^true ECONNREFUSED tcp:\/\/127\.0\.0\.1:\d+ ECONNREFUSED\ntrue ECONNREFUSED then 10 ms, ECONNREFUSED then 20 ms, ECONNREFUSED then 0 ms\ntrue 2 ECONNREFUSED\ntrue ABORT_ERR\ntrue ETIMEDOUT\n$/,
  );
  assert.match(events, /^channel: accepted\nchannel: closed\ntcp:\/\/127\.0\.0\.1:\d+: 0 in, 0 out/);
});

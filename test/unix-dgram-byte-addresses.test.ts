/**
 * Unix datagram sender addresses are bytes end to end (issue 8, point 15): a peer bound to
 * an abstract name or a path that is not valid UTF-8 (b"\0p\xff…", cl\xff.sock) gets its
 * reply, from the library and from `socklab serve echo`; the text form escapes the bytes
 * that are not printable. The peers are short Python programs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { UnixDatagramSocket, formatUnixPeer, type UnixDatagramPeer } from "../src/unix/index.js";
import { decodeSockaddr, escapeName } from "../src/unix/sockaddr.js";
import { abstractName, tempDir } from "./support/tmp.js";
import { missing, PYTHON } from "./support/tools.js";
import { Proc, spawnTool } from "./support/process.js";
import { startServer } from "./support/cli.js";

type Ctx = { after(fn: () => unknown): void };

/** A short Python program written here, run unbuffered as a peer. */
function python(t: Ctx, code: string, label: string): Proc {
  const file = `${tempDir(t)}/peer.py`;
  writeFileSync(file, code);
  return spawnTool(t, PYTHON!, ["-u", file], label);
}

/** The sanitizer run (native-sanitizers.test) preloads libasan: CLI-process tests skip there. */
const CLI_SKIP = /libasan/.test(process.env.LD_PRELOAD ?? "") ? "CLI processes run in the normal suite, not under the sanitizer run" : false;

/** Bind to the exact bytes `bindHex`, send "hola" to the server, print what comes back. */
function pythonClient(t: Ctx, bindHex: string, server: { path: string } | { abstract: string }) {
  const to = "path" in server ? JSON.stringify(server.path) : `b"\\0" + ${JSON.stringify(server.abstract)}.encode()`;
  return python(
    t,
    `import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(bytes.fromhex("${bindHex}"))
s.settimeout(5)
s.sendto(b"hola", ${to})
data, sender = s.recvfrom(100)
print("reply", data.decode())
`,
    "python client",
  );
}

const rand = (): string => randomBytes(4).toString("hex");

test("library: a reply reaches a sender bound to the abstract name \\0p\\xff…", { skip: missing("python3", PYTHON) }, async (t) => {
  const name = abstractName();
  const server = await UnixDatagramSocket.bind({ abstract: name });
  t.after(() => server.close());
  const got = once(server, "message") as Promise<[Buffer, UnixDatagramPeer]>;
  const suffix = rand();
  const client = pythonClient(t, Buffer.concat([Buffer.from([0, 0x70, 0xff]), Buffer.from(suffix)]).toString("hex"), { abstract: name });
  const [data, from] = await got;
  assert.ok("abstract" in from && Buffer.isBuffer(from.abstract), `a Buffer name, got ${JSON.stringify(from)}`);
  assert.deepEqual(from.abstract, Buffer.concat([Buffer.from([0x70, 0xff]), Buffer.from(suffix)]));
  assert.equal(formatUnixPeer(from, true), `abstract-dgram:p\\xff${suffix}`);
  await server.send(data, from);
  const result = await client.waitExit();
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), "reply hola\n");
});

for (const kind of ["unix-dgram", "abstract-dgram"] as const) {
  for (const peer of ["path", "abstract"] as const) {
    test(`serve echo ${kind}: a peer bound to a non-UTF-8 ${peer} gets its reply`, { skip: missing("python3", PYTHON) || CLI_SKIP, timeout: 45_000 }, async (t) => {
      const dir = tempDir(t);
      const server = kind === "unix-dgram" ? { path: `${dir}/srv.sock` } : { abstract: abstractName() };
      const address = "path" in server ? `unix-dgram:${server.path}` : `abstract-dgram:${server.abstract}`;
      const { proc } = await startServer(["serve", "echo", address], { teardown: t });
      const suffix = rand();
      const bytes =
        peer === "path"
          ? Buffer.concat([Buffer.from(`${dir}/cl`), Buffer.from([0xff]), Buffer.from(`${suffix}.sock`)])
          : Buffer.concat([Buffer.from([0, 0x70, 0xff]), Buffer.from(suffix)]);
      const shown = peer === "path" ? `unix-dgram:${dir}/cl\\xff${suffix}.sock` : `abstract-dgram:p\\xff${suffix}`;
      const result = await pythonClient(t, bytes.toString("hex"), server).waitExit(8000);
      assert.equal(result.code, 0, `no reply: ${result.stderr}\nserver: ${proc.stderr}`);
      assert.equal(result.stdout.toString(), "reply hola\n");
      // The log names the sender with the byte escaped, and no send failed.
      await proc.waitForStderr(new RegExp(`datagram ${shown.replace(/[\\.]/g, "\\$&")} 4 bytes`));
      assert.doesNotMatch(proc.stderr, /error/i);
    });
  }
}

test("decodeSockaddr: valid UTF-8 stays a string, anything else the exact bytes; the text form never merges two names", () => {
  const sockaddr = (sunPath: Buffer): Buffer => Buffer.concat([Buffer.from([1, 0]), sunPath]);
  const utf8 = sockaddr(Buffer.from("\0ñandú"));
  assert.deepEqual(decodeSockaddr(utf8, utf8.length), { abstract: "ñandú" });
  const raw = sockaddr(Buffer.from([0, 0x70, 0xff, 0x00, 0x41]));
  assert.deepEqual(decodeSockaddr(raw, raw.length), { abstract: Buffer.from([0x70, 0xff, 0x00, 0x41]) });
  const path = sockaddr(Buffer.concat([Buffer.from("/tmp/cl"), Buffer.from([0xff]), Buffer.from(".sock\0")]));
  assert.deepEqual(decodeSockaddr(path, path.length), { path: Buffer.concat([Buffer.from("/tmp/cl"), Buffer.from([0xff]), Buffer.from(".sock")]) });
  assert.equal(escapeName(Buffer.from([0x70, 0xff, 0x00, 0x0a])), "p\\xff\\x00\\x0a");
  assert.equal(escapeName("ñandú 日本"), "ñandú 日本");
  // A literal backslash is escaped too, so the byte \xff and the text "\xff" differ.
  assert.notEqual(escapeName(Buffer.from([0xff])), escapeName("\\xff"));
  assert.equal(escapeName("a\\b"), "a\\\\b");
  // Overlong and surrogate encodings are not valid UTF-8: escaped byte by byte.
  assert.equal(escapeName(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80])), "\\xc0\\xaf\\xed\\xa0\\x80");
});

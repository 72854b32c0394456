/**
 * Servers' structured addresses (issue 11, "Addresses and the library"): StreamServer,
 * DatagramServer and the relay give `address` as { kind, family, host and port | path |
 * name } — an Address a client can be opened on as is — and `url` in socklab notation.
 * An abstract name is listened on through the plain StreamServer API, from its address
 * string, with its exact length (no libuv padding), without listenExtras.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  bindDatagram,
  connectTls,
  datagramEcho,
  DatagramServer,
  formatAddress,
  halfClose,
  openDatagramClient,
  openStream,
  parseAddress,
  readUntilClose,
  sendAll,
  startRelay,
  StreamServer,
  streamEcho,
  type ServerAddress,
} from "../src/index.js";
import { abstractName, socketPath } from "./support/tmp.js";

type Ctx = { after(fn: () => unknown): void };

async function listen(t: Ctx, text: string): Promise<StreamServer> {
  const server = await StreamServer.listen({ address: parseAddress(text), handler: streamEcho, concurrent: true });
  t.after(() => server.close());
  return server;
}

/** Connect to the server's structured address as given, send `text`, half-close, read the echo. */
async function echoThrough(address: ServerAddress, text: string): Promise<string> {
  const { socket } = await openStream(address);
  try {
    await sendAll(socket, text);
    await halfClose(socket);
    return (await readUntilClose(socket)).toString();
  } finally {
    socket.destroy();
  }
}

/** Abstract names listening now, as the kernel shows them (a NUL is shown as @). */
function abstractNamesListening(): string[] {
  return readFileSync("/proc/net/unix", "latin1")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/).slice(7).join(" "))
    .filter((path) => path.startsWith("@"));
}

test("tcp://127.0.0.1:0: ipv4 family, host and the real port; url is the notation; bytes go through", async (t) => {
  const server = await listen(t, "tcp://127.0.0.1:0");
  const { address } = server;
  assert.equal(address.kind, "tcp");
  assert.equal(address.family, "ipv4");
  assert.ok(address.family === "ipv4" && address.host === "127.0.0.1" && address.port > 0, JSON.stringify(address));
  assert.equal(server.url, `tcp://127.0.0.1:${address.port}`);
  assert.equal(formatAddress(address), server.url);
  assert.deepEqual(server.addresses, [address]);
  assert.equal(await echoThrough(address, "hola tcp\n"), "hola tcp\n");
  // The URL form parses back to the same place.
  assert.equal(await echoThrough(parseAddress(server.url) as ServerAddress, "otra vez\n"), "otra vez\n");
});

test("tcp://[::1]:0: ipv6 family; the url puts the host in brackets", async (t) => {
  const server = await listen(t, "tcp://[::1]:0");
  const { address } = server;
  assert.ok(address.family === "ipv6" && address.host === "::1" && address.port > 0, JSON.stringify(address));
  assert.equal(server.url, `tcp://[::1]:${address.port}`);
  assert.equal(await echoThrough(address, "hola ipv6\n"), "hola ipv6\n");
});

test("unix:PATH: unix family and the path; url unix:PATH", async (t) => {
  const path = socketPath(t, "echo.sock");
  const server = await listen(t, `unix:${path}`);
  assert.deepEqual(server.address, { kind: "unix", family: "unix", path });
  assert.equal(server.url, `unix:${path}`);
  assert.equal(await echoThrough(server.address, "hola unix\n"), "hola unix\n");
});

test("abstract:NAME through the plain StreamServer API: bound with its exact length, name kept as given", async (t) => {
  // Non-ASCII on purpose: the name is its UTF-8 bytes, unescaped in `name` and in the url.
  const name = `${abstractName("socklab_addr")}_ñ`;
  const server = await listen(t, `abstract:${name}`);
  assert.deepEqual(server.address, { kind: "abstract", family: "abstract", name });
  assert.equal(server.url, `abstract:${name}`);
  // Exactly @NAME (no trailing NUL padding, which the kernel would show as @@@…).
  const shown = `@${Buffer.from(name).toString("latin1")}`;
  assert.ok(abstractNamesListening().includes(shown), `${shown} not among ${JSON.stringify(abstractNamesListening().filter((n) => n.includes("socklab_addr")))}`);
  // A client on the exact name (the native connect) reaches it.
  assert.equal(await echoThrough(server.address, "hola abstract\n"), "hola abstract\n");
  await server.close();
  assert.ok(!abstractNamesListening().includes(shown), "the abstract name is released on close");
});

test("abstract:NAME already in use: one clear EADDRINUSE error naming the address", async (t) => {
  const name = abstractName("socklab_addr_busy");
  await listen(t, `abstract:${name}`);
  await assert.rejects(StreamServer.listen({ address: parseAddress(`abstract:${name}`), handler: streamEcho }), (err: Error & { code?: string }) => {
    assert.equal(err.code, "EADDRINUSE");
    assert.ok(err.message.includes(`abstract:${name}`), err.message);
    assert.ok(!err.message.includes("\n"), err.message);
    return true;
  });
});

test("DatagramServer: udp, unix-dgram and abstract-dgram addresses are structured too", async (t) => {
  const path = socketPath(t, "dgram.sock");
  const name = abstractName("socklab_addr_dgram");
  for (const text of ["udp://127.0.0.1:0", `unix-dgram:${path}`, `abstract-dgram:${name}`]) {
    const server = new DatagramServer({ endpoint: await bindDatagram(parseAddress(text)), responder: datagramEcho });
    t.after(() => server.close());
    const { address } = server;
    if (address.kind === "udp") {
      assert.ok(address.family === "ipv4" && address.host === "127.0.0.1" && address.port > 0, JSON.stringify(address));
      assert.equal(server.url, `udp://127.0.0.1:${address.port}`);
    } else if (address.kind === "unix-dgram") {
      assert.deepEqual(address, { kind: "unix-dgram", family: "unix", path });
      assert.equal(server.url, text);
    } else {
      assert.deepEqual(address, { kind: "abstract-dgram", family: "abstract", name });
      assert.equal(server.url, text);
    }
    const client = await openDatagramClient(address);
    try {
      const reply = await client.request(Buffer.from(`hola ${address.kind}`), { timeoutMs: 2000, attempts: 3 });
      assert.equal(reply.data.toString(), `hola ${address.kind}`);
    } finally {
      await client.close();
    }
  }
});

test("relay: the listening side is structured as the servers' (abstract FROM without listenExtras)", async (t) => {
  const echo = await listen(t, "tcp://127.0.0.1:0");
  const name = abstractName("socklab_addr_relay");
  const relay = await startRelay({ from: parseAddress(`abstract:${name}`), to: echo.address });
  t.after(() => relay.close());
  assert.deepEqual(relay.address, { kind: "abstract", family: "abstract", name });
  assert.equal(relay.url, `abstract:${name}`);
  assert.equal(await echoThrough(relay.address, "por el relay\n"), "por el relay\n");
});

test("tls://127.0.0.1:0 through the plain API: TLS with an ephemeral certificate, never plain TCP under a tls:// name", async (t) => {
  const server = await listen(t, "tls://127.0.0.1:0");
  const { address } = server;
  assert.ok(address.kind === "tls" && address.family === "ipv4" && address.port > 0, JSON.stringify(address));
  assert.equal(server.url, `tls://127.0.0.1:${address.port}`);
  assert.match(server.fingerprint ?? "", /^sha256:[0-9a-f]{64}$/);
  const { socket, tls } = await connectTls(address, { pin: server.fingerprint! });
  try {
    assert.equal(tls.verified, true);
    await sendAll(socket, "hola tls\n");
    await halfClose(socket);
    assert.equal((await readUntilClose(socket)).toString(), "hola tls\n");
  } finally {
    socket.destroy();
  }
});

/**
 * What a library user catches, through the public API (dist/src/index.js, as `socklab`
 * resolves): every failure is a SocklabError subclass with a string `code`, the `address`
 * (with its port), and `cause` = the original error, which socklab leaves untouched.
 * Aborts are socklab's AbortError (code "ABORT_ERR", cause: the signal's reason), never a
 * DOMException with a numeric code; timeouts are socklab's TimeoutError. Clients that retry
 * list their attempts. A Unix server removes only the socket file it created.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { once } from "node:events";
import { existsSync, lstatSync } from "node:fs";
import net from "node:net";
import {
  AbortError,
  ConnectError,
  connectStream,
  connectTcp,
  describeError,
  listenExtras,
  NoResponseError,
  openStream,
  parseAddress,
  readUntilClose,
  scanPorts,
  SocketError,
  SocklabError,
  StreamServer,
  TimeoutError,
  UnavailableError,
  bindUdp,
  udpRequest,
  UdpClient,
  bindUnixDatagram,
} from "../src/index.js";
import { closedPort, freePort, silentUdpPeer } from "./support/net.js";
import { tempPath } from "./support/tmp.js";

/** The shape every library failure has. */
function assertSocklab(err: unknown, code: string, address: string | RegExp): asserts err is SocklabError {
  assert.ok(err instanceof SocklabError, `not a SocklabError: ${String(err)}`);
  assert.equal(typeof err.code, "string");
  assert.equal(err.code, code);
  if (typeof address === "string") assert.equal(err.address, address);
  else assert.match(err.address ?? "", address);
}

/** A Node error left as Node made it (not a socklab error, not re-addressed). */
function assertNodeCause(cause: unknown, code: string): asserts cause is NodeJS.ErrnoException {
  assert.ok(cause instanceof Error, "cause is an Error");
  assert.ok(!(cause instanceof SocklabError), "cause is the original error, not a socklab one");
  assert.equal((cause as NodeJS.ErrnoException).code, code);
}

test("openStream on TCP: ConnectError, ECONNREFUSED as a string, address with the port, Node's error as cause", async () => {
  const port = await closedPort();
  const where = `tcp://127.0.0.1:${port}`;
  await assert.rejects(openStream(parseAddress(where)), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.ok(err instanceof SocketError);
    assertSocklab(err, "ECONNREFUSED", where);
    assert.equal(err.syscall, "connect");
    assertNodeCause(err.cause, "ECONNREFUSED");
    // Node's own `address` ("127.0.0.1") and `port` stay as they were.
    assert.equal((err.cause as { address?: unknown }).address, "127.0.0.1");
    assert.equal((err.cause as { port?: unknown }).port, port);
    assert.match(err.message, new RegExp(`^tcp://127\\.0\\.0\\.1:${port}: connection refused`));
    // The CLI's one line: the address with its port, and the cause in words.
    assert.equal(describeError(err), `${where}: connection refused (nothing is listening there)`);
    return true;
  });
});

test("connectTcp / connectStream give up with UnavailableError: attempts listed, cause the last ConnectError", async () => {
  const port = await closedPort();
  const where = `tcp://127.0.0.1:${port}`;
  for (const connect of [
    () => connectTcp({ host: "127.0.0.1", port, attempts: 2, backoffMs: 5 }),
    () => connectStream(parseAddress(where), { attempts: 2, backoffMs: 5 }),
  ]) {
    await assert.rejects(connect(), (err: unknown) => {
      assert.ok(err instanceof UnavailableError);
      assertSocklab(err, "ERR_UNAVAILABLE", where);
      assert.deepEqual(err.attempts.map((a) => [a.attempt, a.address, a.code, a.delayMs]), [
        [1, where, "ECONNREFUSED", 5],
        [2, where, "ECONNREFUSED", 0],
      ]);
      assert.ok(err.cause instanceof ConnectError);
      assertNodeCause(err.cause.cause, "ECONNREFUSED");
      return true;
    });
  }
});

test("openStream on a Unix path nobody serves: ConnectError with the path and Node's error as cause", async (t) => {
  const path = tempPath(t);
  await assert.rejects(openStream(parseAddress(`unix:${path}`)), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assertSocklab(err, "ENOENT", `unix:${path}`);
    assertNodeCause(err.cause, "ENOENT");
    return true;
  });
});

test("a refused udpRequest: NoResponseError with the attempts list and cause (SocketError ECONNREFUSED → Node's error)", async () => {
  const port = await freePort("udp");
  const where = `udp://127.0.0.1:${port}`;
  await assert.rejects(udpRequest({ host: "127.0.0.1", port, payload: Buffer.from("ping"), attempts: 3, timeoutMs: 500 }), (err: unknown) => {
    assert.ok(err instanceof NoResponseError);
    assertSocklab(err, "ERR_NO_RESPONSE", where);
    assert.equal(err.attempts.length, 3);
    assert.deepEqual(err.attempts.map((a) => a.attempt), [1, 2, 3]);
    for (const a of err.attempts) {
      assert.equal(a.address, where);
      assert.equal(a.code, "ECONNREFUSED");
    }
    // One address: a refusal waits out the attempt before the next send; none after the last.
    // (500 ms: long enough that the refusal beats the attempt's deadline on a loaded machine.)
    assert.deepEqual(err.attempts.map((a) => a.delayMs), [500, 500, 0]);
    assert.ok(err.cause instanceof SocketError);
    assertSocklab(err.cause, "ECONNREFUSED", where);
    assertNodeCause(err.cause.cause, "ECONNREFUSED");
    return true;
  });
});

test("a silent UDP peer: NoResponseError whose attempts timed out and whose cause is a TimeoutError", async (t) => {
  const peer = await silentUdpPeer();
  t.after(() => peer.close());
  const where = `udp://127.0.0.1:${peer.port}`;
  await assert.rejects(udpRequest({ host: "127.0.0.1", port: peer.port, payload: Buffer.from("x"), attempts: 2, timeoutMs: 30 }), (err: unknown) => {
    assert.ok(err instanceof NoResponseError);
    assert.deepEqual(err.attempts.map((a) => [a.address, a.code, a.delayMs]), [
      [where, "ETIMEDOUT", 0],
      [where, "ETIMEDOUT", 0],
    ]);
    assert.ok(err.cause instanceof TimeoutError);
    assertSocklab(err.cause, "ETIMEDOUT", where);
    return true;
  });
  assert.equal(peer.received.length, 2, "one send per attempt");
});

test("bindUdp on a port in use: SocketError EADDRINUSE with the udp:// address; Node's error is the cause, unmutated", async (t) => {
  const holder = dgram.createSocket("udp4");
  holder.bind(0, "127.0.0.1");
  await once(holder, "listening");
  t.after(() => holder.close());
  const port = holder.address().port;
  const where = `udp://127.0.0.1:${port}`;
  // The node:dgram path wraps Node's error; the native path reports the errno itself.
  await assert.rejects(bindUdp({ kind: "udp", host: "127.0.0.1", port }, { native: false }), (err: unknown) => {
    assert.ok(err instanceof SocketError);
    assertSocklab(err, "EADDRINUSE", where);
    assertNodeCause(err.cause, "EADDRINUSE");
    assert.equal((err.cause as { address?: unknown }).address, "127.0.0.1", "Node's address field is not overwritten");
    return true;
  });
  await assert.rejects(bindUdp({ kind: "udp", host: "127.0.0.1", port }), (err: unknown) => {
    assertSocklab(err, "EADDRINUSE", where);
    return true;
  });
});

test("aborts: socklab's AbortError (string code, cause = the signal's reason), never a DOMException", async (t) => {
  const port = await closedPort();
  const where = `tcp://127.0.0.1:${port}`;

  // Already aborted, with no reason: the signal holds a DOMException (numeric code 20).
  const aborted = new AbortController();
  aborted.abort();
  for (const call of [
    () => connectTcp({ host: "127.0.0.1", port, signal: aborted.signal }),
    () => openStream(parseAddress(where), { signal: aborted.signal }),
    () => udpRequest({ host: "127.0.0.1", port, payload: Buffer.from("x"), signal: aborted.signal }),
    () => scanPorts({ host: "127.0.0.1", ports: [port], signal: aborted.signal }),
  ]) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof AbortError, `${String(err)} is not socklab's AbortError`);
      assert.ok(!(err instanceof DOMException));
      assert.equal(err.code, "ABORT_ERR");
      assert.ok(err.cause instanceof DOMException);
      assert.equal((err.cause as DOMException).code, 20);
      return true;
    });
  }

  // Aborted while waiting between retries, with the caller's own reason.
  const controller = new AbortController();
  const reason = new Error("shutting down");
  const retrying = connectTcp({ host: "127.0.0.1", port, attempts: 5, backoffMs: 60_000, onAttemptFailed: () => controller.abort(reason), signal: controller.signal });
  await assert.rejects(retrying, (err: unknown) => {
    assert.ok(err instanceof AbortError);
    assertSocklab(err, "ABORT_ERR", where);
    assert.equal(err.cause, reason);
    return true;
  });

  // Aborted while a UDP request waits for its reply.
  const peer = await silentUdpPeer();
  t.after(() => peer.close());
  const udpAbort = new AbortController();
  const waiting = udpRequest({ host: "127.0.0.1", port: peer.port, payload: Buffer.from("x"), timeoutMs: 60_000, signal: udpAbort.signal });
  udpAbort.abort(reason);
  await assert.rejects(waiting, (err: unknown) => err instanceof AbortError && err.cause === reason);

  // Aborted while reading.
  const server = net.createServer(() => {}).listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const { socket } = await openStream(parseAddress(`tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  t.after(() => socket.destroy());
  const readAbort = new AbortController();
  const reading = readUntilClose(socket, { signal: readAbort.signal });
  readAbort.abort();
  await assert.rejects(reading, (err: unknown) => err instanceof AbortError && err.cause instanceof DOMException);
});

test("a signal from AbortSignal.timeout() ends in socklab's TimeoutError (code ETIMEDOUT), not a DOMException 23", async (t) => {
  const peer = await silentUdpPeer();
  t.after(() => peer.close());
  const signal = AbortSignal.timeout(40);
  await assert.rejects(
    udpRequest({ host: "127.0.0.1", port: peer.port, payload: Buffer.from("x"), timeoutMs: 60_000, signal }),
    (err: unknown) => {
      assert.ok(err instanceof TimeoutError, `${String(err)} is not socklab's TimeoutError`);
      assert.equal(err.code, "ETIMEDOUT");
      assert.ok(err.cause instanceof DOMException);
      assert.equal((err.cause as DOMException).code, 23);
      return true;
    },
  );
  // A client kept open: the same for a request on it.
  const client = await UdpClient.open("127.0.0.1", peer.port);
  t.after(() => client.close());
  await assert.rejects(client.request(Buffer.from("y"), { timeoutMs: 60_000, signal: AbortSignal.timeout(30) }), TimeoutError);
});

test("a Unix server removes its socket file on close, but not a file that replaced it", async (t) => {
  // Stream: bound natively (listenExtras), served by StreamServer.
  const path = tempPath(t);
  const address = parseAddress(`unix:${path}`);
  const first = await StreamServer.listen({ address, handler: async () => {}, ...(await listenExtras(address)) });
  const ours = lstatSync(path).ino;
  // Someone else takes the path: our file is removed, theirs bound in its place.
  const { rmSync } = await import("node:fs");
  rmSync(path);
  const second = await StreamServer.listen({ address, handler: async () => {}, ...(await listenExtras(address)) });
  assert.notEqual(lstatSync(path).ino, ours);
  await first.close();
  assert.ok(existsSync(path), "the first server's close left the second server's file alone");
  await second.close();
  assert.ok(!existsSync(path), "the second server removed its own file");

  // Datagram: the same rule.
  const dpath = tempPath(t, "dgram");
  const dAddress = parseAddress(`unix-dgram:${dpath}`);
  const d1 = await bindUnixDatagram(dAddress);
  rmSync(dpath);
  const d2 = await bindUnixDatagram(dAddress);
  await d1.close();
  assert.ok(existsSync(dpath), "the first datagram socket's close left the new file alone");
  await d2.close();
  assert.ok(!existsSync(dpath));
});

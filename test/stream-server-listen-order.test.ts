/**
 * The CLI prints `listening` as soon as StreamServer.listen() resolves, and every client's
 * `accepted` comes from a 'connection' that libuv dispatches in a turn of the event loop.
 * So `listening` comes first if the event loop does not turn between listen()'s first
 * listen(2) and listen() resolving: checked here for every kind of address, for `::` where
 * the OS keeps IPv6 sockets IPv6-only (a second listener on 0.0.0.0, set up after the first
 * one already listens), and for a Unix path without the native addon (libuv binds it; its
 * chmod used to be awaited, a turn in which a client could be accepted before `listening`).
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { Worker } from "node:worker_threads";
import type { Address } from "../src/address.js";
import { StreamServer } from "../src/stream/server.js";
import { streamEcho } from "../src/services/echo.js";
import { abstractName, tempPath } from "./support/tmp.js";

/**
 * From the first net.Server.listen() call on, notes whether the event loop turned (a
 * setImmediate ran); with `v6only`, `::` listeners are IPv6-only, as on an OS that forbids
 * dual-stack sockets. Restored after the test.
 */
function watchTurns(t: TestContext, v6only = false): { turned: () => boolean; listens: () => number } {
  let turned = false;
  let listens = 0;
  const original = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    if (listens++ === 0) setImmediate(() => void (turned = true));
    const first = args[0] as { host?: string } | undefined;
    if (v6only && typeof first === "object" && first?.host === "::") args[0] = { ...first, ipv6Only: true };
    return (original as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof net.Server.prototype.listen;
  t.after(() => {
    net.Server.prototype.listen = original;
  });
  return { turned: () => turned, listens: () => listens };
}

const CASES: [string, (t: TestContext) => Address][] = [
  ["tcp://127.0.0.1:0", () => ({ kind: "tcp", host: "127.0.0.1", port: 0 })],
  ["tcp://[::]:0 (one dual-stack socket)", () => ({ kind: "tcp", host: "::", port: 0 })],
  ["tls://127.0.0.1:0", () => ({ kind: "tls", host: "127.0.0.1", port: 0 })],
  ["unix:PATH", (t) => ({ kind: "unix", path: tempPath(t, "order.sock") })],
  ["abstract:NAME", () => ({ kind: "abstract", name: abstractName() })],
];

for (const [name, address] of CASES) {
  test(`StreamServer.listen() on ${name}: no turn of the event loop between its first listen(2) and resolving`, async (t) => {
    const watch = watchTurns(t);
    const server = await StreamServer.listen({ address: address(t), handler: streamEcho });
    const turned = watch.turned();
    await server.close();
    assert.ok(watch.listens() >= 1, "listen() was called");
    assert.equal(turned, false, "the event loop turned: a client could have been accepted before the caller could say it listens");
  });
}

test("tcp://[::]:0 where IPv6 sockets are IPv6-only: the IPv4 fallback listener is set up without a turn of the event loop too", async (t) => {
  const watch = watchTurns(t, true);
  const server = await StreamServer.listen({ address: { kind: "tcp", host: "::", port: 0 }, handler: streamEcho });
  const turned = watch.turned();
  const notes = server.notes.map((n) => n.note);
  const addresses = server.addresses.length;
  await server.close();
  assert.deepEqual(notes, ["dual-stack-fallback"], "the second listener was needed");
  assert.equal(addresses, 2);
  assert.equal(turned, false, "the event loop turned between the IPv6 listener and the end of listen()");
});

test("unix:PATH without the native addon (libuv binds it): no turn of the event loop between listen(2) and resolving", { timeout: 30_000 }, async (t) => {
  const path = tempPath(t, "no-addon.sock");
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const net = require("node:net");
     Promise.all([import(workerData.server), import(workerData.echo), import(workerData.binding)]).then(async ([{ StreamServer }, { streamEcho }, { isNativeAvailable }]) => {
       let turned = false;
       let listens = 0;
       const original = net.Server.prototype.listen;
       net.Server.prototype.listen = function (...args) {
         if (listens++ === 0) setImmediate(() => { turned = true; });
         return original.apply(this, args);
       };
       const server = await StreamServer.listen({ address: { kind: "unix", path: workerData.path }, handler: streamEcho });
       const result = { turned, listens, native: isNativeAvailable(), url: server.url };
       await server.close();
       parentPort.postMessage(result);
     });`,
    {
      eval: true,
      env: { ...process.env, SOCKLAB_NATIVE_ADDON: "/nonexistent/socklab_native.node" },
      workerData: {
        path,
        server: new URL("../src/stream/server.js", import.meta.url).href,
        echo: new URL("../src/services/echo.js", import.meta.url).href,
        binding: new URL("../src/addon/binding.js", import.meta.url).href,
      },
    },
  );
  t.after(() => worker.terminate());
  const [result] = (await once(worker, "message")) as [{ turned: boolean; listens: number; native: boolean; url: string }];
  assert.equal(result.native, false, "the worker runs without the addon");
  assert.equal(result.url, `unix:${path}`);
  assert.ok(result.listens >= 1);
  assert.equal(result.turned, false, "the event loop turned (the socket file's chmod was awaited)");
});

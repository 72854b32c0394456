/**
 * The addon is context-aware: it loads and works inside worker_threads (each with its own
 * event loop), and a worker that ends with sockets still open releases them (the addon's
 * environment cleanup hook), without taking the process down.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { isNativeAvailable, UnixDatagramSocket } from "../src/unix/index.js";
import { abstractName } from "./support/tmp.js";

const UNIX_INDEX = new URL("../src/unix/index.js", import.meta.url).href;

/** Worker code: an abstract datagram echo server that posts "ready", then serves. */
const ECHO_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.url).then(async ({ UnixDatagramSocket }) => {
  const server = await UnixDatagramSocket.bind({ abstract: workerData.name });
  server.on("message", (data, from) => {
    if (data.toString() === "quit") {
      server.close().then(() => parentPort.postMessage("closed"));
      return;
    }
    server.send(Buffer.concat([Buffer.from("worker: "), data]), from);
  });
  parentPort.postMessage("ready");
});
`;

interface EchoWorker {
  worker: Worker;
  /** Resolves with the exit code; registered at once, so a quick exit is never missed. */
  exited: Promise<number>;
}

function startEchoWorker(name: string): EchoWorker {
  const worker = new Worker(ECHO_WORKER, { eval: true, workerData: { url: UNIX_INDEX, name } });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  return { worker, exited };
}

/** terminate(), but only if the worker is still running (terminate() after exit may never settle). */
async function stop(w: EchoWorker): Promise<number> {
  const done = await Promise.race([w.exited, Promise.resolve(undefined)]);
  if (done !== undefined) return done;
  void w.worker.terminate();
  return w.exited;
}

async function ask(client: UnixDatagramSocket, name: string, text: string): Promise<string> {
  const reply = once(client, "message");
  await client.send(text, { abstract: name });
  return String((await reply)[0]);
}

test("the addon works inside two workers at once and in the main thread", async (t) => {
  assert.equal(isNativeAvailable(), true);
  const names = [abstractName("worker_a"), abstractName("worker_b")];
  const workers = names.map(startEchoWorker);
  t.after(() => Promise.all(workers.map(stop)));
  await Promise.all(workers.map((w) => once(w.worker, "message")));
  const client = await UnixDatagramSocket.bind({ autobind: true });
  t.after(() => client.close());
  for (const name of names) assert.equal(await ask(client, name, "hola"), "worker: hola");
  // A clean close inside the worker, then a normal exit.
  const first = workers[0]!;
  const closed = once(first.worker, "message");
  await client.send("quit", { abstract: names[0]! });
  assert.equal((await closed)[0], "closed");
  // Nothing keeps the worker's loop alive now: it ends by itself, cleanly.
  assert.equal(await first.exited, 0);
});

test("terminating a worker with open sockets releases them", async () => {
  const name = abstractName("worker_leak");
  for (let round = 0; round < 3; round++) {
    const w = startEchoWorker(name);
    await once(w.worker, "message");
    const client = await UnixDatagramSocket.bind({ autobind: true });
    assert.equal(await ask(client, name, "uno"), "worker: uno");
    assert.equal(await stop(w), 1);
    // The worker's socket is closed by the cleanup hook: its name is free again.
    await assert.rejects(client.send("x", { abstract: name }), { code: "ECONNREFUSED" });
    await client.close();
  }
});

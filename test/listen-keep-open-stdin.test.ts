/**
 * Issue 8, item 5a: `listen --keep-open` shares stdin among successive connections. A
 * chunk read from stdin while one connection is closing must reach the next one: every
 * line typed arrives exactly once, in order, across the connections.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { startServer } from "./support/cli.js";
import { tcpConnect } from "./support/net.js";

const ROUNDS = 40;

test(`listen --keep-open: stdin lines written while a connection closes go to the next one (${ROUNDS} rounds)`, { timeout: 60_000 }, async (t) => {
  const { proc, ready } = await startServer(["listen", "tcp://127.0.0.1:0", "--keep-open"], { teardown: t, input: "pipe" });
  let received = "";
  const accepted = (n: number): Promise<unknown> =>
    proc.waitFor(`${n} accepted connections`, () => ((proc.stderr.match(/^accept /gm)?.length ?? 0) >= n ? true : undefined), 5000);
  for (let i = 0; i < ROUNDS; i++) {
    const socket = await tcpConnect(ready.port);
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const closed = once(socket, "close");
    const ended = once(socket, "end");
    await accepted(i + 1);
    socket.end();
    if (i % 2 === 0) {
      // listen answered our FIN with its own: this connection is ending, so a line typed
      // now belongs to the next one (it used to be written into the ending one, and lost).
      await ended;
      proc.write(`line ${i}\n`);
    } else {
      // Our FIN and the line cross in flight: either connection may take it, never none.
      proc.write(`line ${i}\n`);
    }
    await closed;
  }
  // A last connection collects what is left; stdin EOF then ends it.
  const last = await tcpConnect(ready.port);
  last.on("data", (chunk: Buffer) => (received += chunk.toString()));
  const lastEnded = once(last, "end");
  await accepted(ROUNDS + 1);
  proc.endInput();
  await lastEnded;
  last.end();
  const expected = Array.from({ length: ROUNDS }, (_, i) => `line ${i}\n`).join("");
  assert.equal(received, expected, "every stdin line arrived once, in order");
  assert.equal(proc.hasExited, false, "still listening with --keep-open");
});

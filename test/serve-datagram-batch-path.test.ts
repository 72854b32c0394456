// `socklab serve` wraps its datagram endpoint for --allow/--deny and -x/--show. Without those
// flags the wrapper must not hide the batched path (onBatch: recvmmsg/sendmmsg, one JS call
// per wake-up): a wrapper without onBatch made the server take every datagram one at a time
// (one sendmmsg per datagram, 3-4x the CPU per round trip in the bench's unix-dgram-16 row).
// And the CLI's log of a busy datagram server, handed over as runs (event, count), still has
// every datagram's line in order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { byteViewFromFlags, guardedEndpoint } from "../src/cli/server-options.js";
import type { DatagramEndpoint } from "../src/datagram/endpoint.js";
import type { DatagramBatch } from "../src/datagram/types.js";
import { AccessList, parseCidr } from "../src/net/cidr.js";
import { isNativeAvailable } from "../src/addon/binding.js";
import { UnixDatagramSocket } from "../src/unix/index.js";
import { CLI_WAIT_MS, socklab } from "./support/cli.js";
import { tempPath } from "./support/tmp.js";
import { waitUntil } from "./support/wait.js";

function batchedEndpoint(): DatagramEndpoint<{ address: string; port: number }> {
  return {
    address: "udp://127.0.0.1:9",
    bound: { kind: "udp", family: "ipv4", host: "127.0.0.1", port: 9 },
    onMessage: () => {},
    onBatch: (_listener: (batch: DatagramBatch) => void) => {},
    onError: () => {},
    send: () => Promise.resolve(),
    formatPeer: (peer) => `udp://${peer.address}:${peer.port}`,
    close: () => Promise.resolve(),
  };
}

test("serve without access lists or byte views keeps the endpoint's batch path", () => {
  const endpoint = batchedEndpoint();
  const guarded = guardedEndpoint(endpoint, new AccessList(), byteViewFromFlags({}), () => {});
  assert.equal(guarded, endpoint, "the endpoint itself, not a per-datagram wrapper");
  assert.equal(typeof guarded.onBatch, "function");
});

test("serve with --deny or --show sees datagrams one at a time (the wrapper filters and shows each)", () => {
  const endpoint = batchedEndpoint();
  const denied = guardedEndpoint(endpoint, new AccessList({ deny: [parseCidr("192.0.2.0/24")] }), byteViewFromFlags({}), () => {});
  assert.notEqual(denied, endpoint);
  assert.equal(denied.onBatch, undefined, "a refused sender must never reach a batch reply");
  const shown = guardedEndpoint(endpoint, new AccessList(), byteViewFromFlags({ show: true }), () => {});
  assert.equal(shown.onBatch, undefined, "every datagram in and out is shown");
});

/** Sizes of the datagrams the log test sends: runs of equal ones, broken by other sizes. */
function logPattern(): number[] {
  const sizes: number[] = [];
  for (let run = 0; sizes.length < 400; run++) for (let k = 0; k < 1 + ((run * 7) % 23); k++) sizes.push(run % 3 === 0 ? 16 : 20 + (run % 5));
  return sizes.slice(0, 400);
}

/**
 * Send `sizes` to `path` from one autobound socket, at most 8 unanswered (a Unix datagram
 * socket queues 10): the server sees runs of equal datagrams from one sender, the case its
 * log hands over as (event, count). Resolves with the sender's name once every reply is back.
 */
async function sendAll(path: string, sizes: number[]): Promise<string> {
  const client = await UnixDatagramSocket.bind({ autobind: true });
  try {
    let replies = 0;
    let next = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${replies} of ${sizes.length} replies within 20 s`)), 20_000);
      const pump = (): void => {
        while (next < sizes.length && next - replies < 8) client.send(Buffer.alloc(sizes[next++]!, 0x61), { path }).catch(reject);
      };
      client.on("message", () => {
        replies++;
        if (replies === sizes.length) {
          clearTimeout(timer);
          resolve();
        } else pump();
      });
      pump();
    });
    const me = client.address();
    return "abstract" in me ? `abstract-dgram:${Buffer.from(me.abstract).toString()}` : "?";
  } finally {
    await client.close();
  }
}

test("serve echo unix-dgram logs every datagram once, in order, through the paced run-length log (text and --json)", { timeout: 60_000 }, async (t) => {
  if (!isNativeAvailable()) return t.skip("the native addon is not built here (npm install builds it)");
  const sizes = logPattern();
  for (const json of [false, true]) {
    const path = tempPath(t);
    const proc = socklab(["serve", "echo", `unix-dgram:${path}`, ...(json ? ["--json"] : [])], { teardown: t });
    t.after(() => proc.kill());
    await proc.waitForStderr(json ? /"event":"listening"/ : /^listening /m, CLI_WAIT_MS);
    const sender = await sendAll(path, sizes);
    const lines = (): string[] =>
      proc.stderr.split("\n").filter((l) => (json ? l.includes('"event":"datagram-in"') : l.startsWith("datagram ")));
    await waitUntil(() => lines().length >= sizes.length, { what: `${sizes.length} datagram lines`, timeoutMs: 10_000 });
    const got = lines();
    assert.equal(got.length, sizes.length, "one line per datagram, none lost, none doubled");
    if (json) {
      const events = got.map((l) => JSON.parse(l) as { peer: string; bytes: number; seq: number });
      assert.deepEqual(events.map((e) => e.bytes), sizes, "sizes in arrival order");
      assert.ok(events.every((e) => e.peer === sender), "every event names the sender");
      for (let i = 1; i < events.length; i++) assert.equal(events[i]!.seq, events[i - 1]!.seq + 1, "consecutive seq numbers");
    } else {
      assert.deepEqual(got, sizes.map((n) => `datagram ${sender} ${n} bytes`), "every line, in arrival order");
    }
  }
});

// `socklab serve` wraps its datagram endpoint for --allow/--deny and -x/--show. Without those
// flags the wrapper must not hide the batched path (onBatch: recvmmsg/sendmmsg, one JS call
// per wake-up): a wrapper without onBatch made the server take every datagram one at a time
// (one sendmmsg per datagram, 3-4x the CPU per round trip in the bench's unix-dgram-16 row).
import assert from "node:assert/strict";
import { test } from "node:test";
import { byteViewFromFlags, guardedEndpoint } from "../src/cli/server-options.js";
import type { DatagramEndpoint } from "../src/datagram/endpoint.js";
import type { DatagramBatch } from "../src/datagram/types.js";
import { AccessList, parseCidr } from "../src/net/cidr.js";

function batchedEndpoint(): DatagramEndpoint<{ address: string; port: number }> {
  return {
    address: "udp://127.0.0.1:9",
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

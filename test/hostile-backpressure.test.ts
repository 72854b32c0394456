/**
 * Hostile peers, server side: 10 clients that send as fast as they can and never read.
 * The echo server must stop reading from them (backpressure) instead of buffering their
 * echoes: its resident memory (VmRSS of the server process) stays bounded. Once the peers
 * read again, every byte comes back. Loopback and Unix, bounded in bytes and time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startServer } from "./support/cli.js";
import { rssMiB } from "./support/process.js";
import { tempPath } from "./support/tmp.js";

const PEERS = 10;
/** Most each peer sends (when the kernel keeps taking more). */
const CAP = 32 << 20;
/** Most the server may grow while all peers are stuck. */
const BOUND_MIB = 48;


/** Write until the socket stays blocked for `quietMs` (or CAP bytes); resolve with bytes accepted by write(). */
function writeUntilStuck(socket: net.Socket, quietMs = 300): Promise<number> {
  const chunk = Buffer.alloc(256 * 1024, 0x62);
  let sent = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (sent < CAP) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          const timer = setTimeout(() => {
            socket.removeListener("drain", again);
            resolve(sent);
          }, quietMs);
          const again = (): void => {
            clearTimeout(timer);
            pump();
          };
          socket.once("drain", again);
          return;
        }
      }
      resolve(sent);
    };
    pump();
  });
}

for (const transport of ["tcp", "unix"] as const) {
  test(`${PEERS} non-reading peers against \`serve echo --concurrent\` (${transport}): server memory stays bounded, nothing lost`, { timeout: 60_000 }, async (t) => {
    const where = transport === "tcp" ? "tcp://127.0.0.1:0" : `unix:${tempPath(t, "bp.sock")}`;
    const { proc, ready } = await startServer(["serve", "echo", where, "--concurrent"], { teardown: t });
    const pid = proc.pid!;
    const before = rssMiB(pid);
    const peers = await Promise.all(
      Array.from({ length: PEERS }, () => new Promise<net.Socket>((resolve, reject) => {
        const s = transport === "tcp" ? net.connect({ host: "127.0.0.1", port: ready.port }) : net.connect(ready.address.slice(5));
        s.once("connect", () => resolve(s));
        s.once("error", reject);
      })),
    );
    t.after(() => peers.forEach((s) => s.destroy()));
    for (const s of peers) s.pause(); // never read
    const sent = await Promise.all(peers.map((s) => writeUntilStuck(s)));
    const stuck = rssMiB(pid);
    const grown = stuck - before;
    const total = sent.reduce((a, b) => a + b, 0);
    t.diagnostic(`${PEERS} peers stuck after ${(total / 2 ** 20).toFixed(0)} MiB written; server RSS ${before.toFixed(1)} → ${stuck.toFixed(1)} MiB (+${grown.toFixed(1)})`);
    assert.ok(grown < BOUND_MIB, `the server grew ${grown.toFixed(1)} MiB with ${PEERS} stuck peers (bound ${BOUND_MIB})`);
    // Now read: every byte written comes back.
    const echoed = await Promise.all(peers.map((s, i) => new Promise<number>((resolve) => {
      let got = 0;
      s.on("data", (b: Buffer) => {
        got += b.length;
        if (got === sent[i]) resolve(got);
      });
      s.resume();
    })));
    assert.deepEqual(echoed, sent);
  });
}

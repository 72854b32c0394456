/**
 * `connect -x` shows every byte on standard error. A reader of standard error that does not
 * keep up (here: nobody reads it) holds the connection, as a slow reader of standard output
 * does: the transfer stalls with memory bounded instead of the dump piling up in socklab,
 * and once standard error is read everything goes through, byte-exact, every chunk dumped.
 * Both directions: bytes received (the socket stops being read) and bytes sent (the next
 * write to the kernel waits, so stdin stops being read).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { SOCKLAB_BIN } from "./support/cli.js";
import { tcpServer } from "./support/net.js";
import { stalled, waitUntil } from "./support/wait.js";
import { rssMiB } from "./support/process.js";

const TOTAL = 20 * 1024 * 1024;
const MiB = 1024 * 1024;



for (const direction of ["in", "out"] as const) {
  test(`connect -x, stderr unread: ${direction === "in" ? "receiving" : "sending"} stalls with bounded memory, then all goes through`, { timeout: 120_000 }, async (t) => {
    const data = randomBytes(TOTAL);
    let moved = 0; // bytes the server received (out), or socklab wrote to stdout (in)
    const got = createHash("sha256");
    const port = await tcpServer(t, (socket) => {
      if (direction === "in") {
        socket.on("data", () => {});
        let at = 0;
        const pump = (): void => {
          while (at < TOTAL) {
            const chunk = data.subarray(at, at + 64 * 1024);
            at += chunk.length;
            if (!socket.write(chunk)) return void socket.once("drain", pump);
          }
          socket.end();
        };
        pump();
      } else {
        socket.on("data", (chunk: Buffer) => {
          moved += chunk.length;
          got.update(chunk);
        });
        socket.on("end", () => socket.end());
      }
    });

    const args = [SOCKLAB_BIN, "connect", `tcp://127.0.0.1:${port}`, "-x", ...(direction === "in" ? ["-d"] : [])];
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    t.after(() => child.kill("SIGKILL"));
    const exited = once(child, "exit");
    const out = createHash("sha256");
    child.stdout.on("data", (chunk: Buffer) => {
      if (direction === "in") moved += chunk.length;
      out.update(chunk);
    });
    child.stderr.pause(); // nobody reads standard error (yet)
    child.stdin.on("error", () => {});
    if (direction === "out") {
      let at = 0;
      const feed = (): void => {
        while (at < TOTAL) {
          const chunk = data.subarray(at, at + 64 * 1024);
          at += chunk.length;
          if (!child.stdin.write(chunk)) return void child.stdin.once("drain", feed);
        }
        child.stdin.end();
      };
      feed();
    }

    const at = await stalled(() => moved, "the transfer to stall while standard error is not read");
    assert.ok(at < TOTAL / 4, `stalled only after ${(at / MiB).toFixed(1)} MiB of ${TOTAL / MiB}: the dump piled up in memory`);
    const rss = rssMiB(child.pid!);
    assert.ok(rss < 160, `socklab's memory while held: ${rss.toFixed(0)} MiB`);

    // Now read standard error: every chunk is dumped, in order, offsets contiguous.
    let shown = 0;
    let partial = "";
    const header = new RegExp(`^${direction === "in" ? "<" : ">"} tcp://127\\.0\\.0\\.1:${port} (\\d+) bytes? at (\\d+)$`);
    child.stderr.setEncoding("latin1");
    child.stderr.on("data", (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        if (line[0] !== "<" && line[0] !== ">") continue;
        const m = header.exec(line);
        assert.ok(m, `unexpected header ${JSON.stringify(line)}`);
        assert.equal(Number(m[2]), shown, "contiguous offsets");
        shown += Number(m[1]);
      }
    });
    const ended = once(child.stderr, "end");
    child.stderr.resume();
    const [code] = await exited;
    await ended;
    assert.equal(code, 0);
    assert.equal(shown, TOTAL, "every byte dumped");
    const want = createHash("sha256").update(data).digest("hex");
    assert.equal((direction === "in" ? out : got).digest("hex"), want, "byte-exact");
  });
}

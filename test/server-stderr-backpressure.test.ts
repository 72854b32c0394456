/**
 * `serve echo -x`, `listen -x` and `relay -x` show every byte on standard error, as
 * `connect -x` does (test/connect-stderr-backpressure.test.ts), and like it they wait for a
 * reader of standard error that does not keep up (here: nobody reads it): the transfer
 * stalls with memory bounded instead of the dump piling up (or, for text lines, being
 * dropped), even though echo and relay's pipes pause and resume the socket on their own
 * (src/read-holds.ts keeps it held). Once standard error is read, everything goes through,
 * byte-exact, every chunk dumped with contiguous offsets. With --json the chunks are
 * `received`/`sent` events carrying the bytes: same rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { SOCKLAB_BIN } from "./support/cli.js";
import { stalled, waitUntil } from "./support/wait.js";
import { rssMiB } from "./support/process.js";

const TOTAL = 20 * 1024 * 1024;
const MiB = 1024 * 1024;



/** Read standard error up to the `listening ADDRESS` line (or its JSON event); then stop reading it. */
async function listeningPort(child: ChildProcessWithoutNullStreams, json: boolean): Promise<number> {
  let text = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("latin1");
      const m = json ? /"event":"listening".*?"address":"tcp:\/\/127\.0\.0\.1:(\d+)"/.exec(text) : /^listening tcp:\/\/127\.0\.0\.1:(\d+)$/m.exec(text);
      if (m) {
        child.stderr.off("data", onData);
        resolve(Number(m[1]));
      }
    };
    child.stderr.on("data", onData);
    child.once("exit", () => reject(new Error(`socklab exited before listening: ${text}`)));
  });
  child.stderr.pause(); // nobody reads standard error (yet)
  return port;
}

/** Counts what standard error shows per direction, checking each chunk's offset continues the last. */
class DumpReader {
  readonly shown = { "<": 0, ">": 0 };
  readonly bytes = { "<": createHash("sha256"), ">": createHash("sha256") };
  private partial = "";
  constructor(private readonly json: boolean) {}

  feed(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop()!;
    for (const line of lines) this.json ? this.event(line) : this.text(line);
  }

  private text(line: string): void {
    if (line[0] !== "<" && line[0] !== ">") return;
    const m = /^([<>]) tcp:\/\/127\.0\.0\.1:\d+ (\d+) bytes? at (\d+)$/.exec(line);
    assert.ok(m, `unexpected header ${JSON.stringify(line)}`);
    const direction = m[1] as "<" | ">";
    assert.equal(Number(m[3]), this.shown[direction], `contiguous offsets (${direction})`);
    this.shown[direction] += Number(m[2]);
  }

  private event(line: string): void {
    const e = JSON.parse(line) as { event: string; bytes?: number; offset?: number; hex?: string };
    if (e.event !== "received" && e.event !== "sent") return;
    const direction = e.event === "received" ? "<" : ">";
    assert.equal(e.offset, this.shown[direction], `contiguous offsets (${e.event})`);
    const data = Buffer.from(e.hex!, "hex");
    assert.equal(data.length, e.bytes);
    this.shown[direction] += data.length;
    this.bytes[direction].update(data);
  }
}

/** A client that sends `data` to `port` (then half-closes) and hashes what comes back. */
function client(port: number, data: Buffer): { received: () => number; digest: Promise<string> } {
  let received = 0;
  const got = createHash("sha256");
  const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  socket.on("error", () => {});
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    got.update(chunk);
  });
  let at = 0;
  const pump = (): void => {
    while (at < data.length) {
      const chunk = data.subarray(at, at + 64 * 1024);
      at += chunk.length;
      if (!socket.write(chunk)) return void socket.once("drain", pump);
    }
    socket.end();
  };
  socket.once("connect", pump);
  const digest = new Promise<string>((resolve) => socket.once("close", () => resolve(got.digest("hex"))));
  return { received: () => received, digest };
}

type Case = { command: "serve" | "listen" | "relay"; json: boolean };
const cases: Case[] = [
  { command: "serve", json: false },
  { command: "serve", json: true },
  { command: "listen", json: false },
  { command: "relay", json: false },
  { command: "relay", json: true },
];

for (const { command, json } of cases) {
  test(`${command}${json ? " --json" : ""} -x, stderr unread: the connection stalls with bounded memory, then all goes through`, { timeout: 180_000 }, async (t) => {
    const data = randomBytes(TOTAL);
    const want = createHash("sha256").update(data).digest("hex");
    let upstreamPort = 0;
    let relayed = 0; // bytes the relay passed on to its upstream
    if (command === "relay") {
      // The relay's upstream: a plain echo server.
      const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
        socket.on("error", () => {});
        socket.on("data", (chunk: Buffer) => void (relayed += chunk.length));
        socket.pipe(socket);
      });
      upstream.listen(0, "127.0.0.1");
      await once(upstream, "listening");
      t.after(() => upstream.close());
      upstreamPort = (upstream.address() as net.AddressInfo).port;
    }
    const args = {
      serve: ["serve", "echo", "tcp://127.0.0.1:0", "-x"],
      listen: ["listen", "tcp://127.0.0.1:0", "-x"],
      relay: ["relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${upstreamPort}`, "-x"],
    }[command];
    const child = spawn(process.execPath, [SOCKLAB_BIN, ...(json ? ["--json"] : []), ...args], { stdio: ["pipe", "pipe", "pipe"] });
    t.after(() => child.kill("SIGKILL"));
    const exited = once(child, "exit");
    // listen: stdin ends at once (nothing to send); what arrives goes to its standard output.
    child.stdin.end();
    let stdoutBytes = 0;
    const out = createHash("sha256");
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      out.update(chunk);
    });
    const port = await listeningPort(child, json);

    const peer = client(port, data);
    // What got through socklab: to its standard output (listen), to the upstream (relay: the
    // echo may not reach the client at all before the dump of what it sent fills stderr),
    // back to the client (serve echo).
    const moved = command === "listen" ? () => stdoutBytes : command === "relay" ? () => relayed : peer.received;
    const at = await stalled(moved, "the transfer to stall while standard error is not read");
    assert.ok(at < TOTAL / 4, `stalled only after ${(at / MiB).toFixed(1)} MiB of ${TOTAL / MiB}: the dump piled up in memory or was dropped`);
    const rss = rssMiB(child.pid!);
    assert.ok(rss < 160, `socklab's memory while held: ${rss.toFixed(0)} MiB`);

    // Now read standard error: every chunk is shown, in order, offsets contiguous.
    const dump = new DumpReader(json);
    child.stderr.setEncoding("latin1");
    child.stderr.on("data", (text: string) => dump.feed(text));
    child.stderr.resume();
    const echoed = command === "listen" ? undefined : await peer.digest;
    if (command === "listen") await exited;
    else {
      await waitUntil(() => dump.shown[">"] === TOTAL, { what: "every echoed byte to be shown", timeoutMs: 60_000 });
      child.kill("SIGTERM");
    }
    const [code] = await exited;
    assert.equal(code, 0);
    assert.equal(dump.shown["<"], TOTAL, "every byte received shown");
    if (command === "listen") assert.equal(out.digest("hex"), want, "byte-exact on standard output");
    else {
      assert.equal(echoed, want, "byte-exact echo");
      assert.equal(dump.shown[">"], TOTAL, "every byte sent shown");
    }
    if (json) {
      assert.equal(dump.bytes["<"].digest("hex"), want, "the events' bytes, byte-exact");
      if (command !== "listen") assert.equal(dump.bytes[">"].digest("hex"), want, "the events' bytes, byte-exact");
    }
  });
}

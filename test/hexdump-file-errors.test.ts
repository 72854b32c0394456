/**
 * `--hexdump-file FILE` that cannot be written (/dev/full: every write fails with ENOSPC):
 * connect, serve and relay report it once for the file, as one `error` line naming it, and
 * the transfer itself goes on untouched (every byte echoed or relayed, exit 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync } from "node:fs";
import type net from "node:net";
import { runSocklab, startServer, stderrLines } from "./support/cli.js";
import { tcpConnect, tcpServer } from "./support/net.js";
import type { Teardown } from "./support/process.js";
import { waitUntil } from "./support/wait.js";

const FULL = "/dev/full";
const opts = { timeout: 60_000, skip: existsSync(FULL) ? false : `${FULL} is not there` } as const;

/** The stderr lines that report the dump file's failure. */
function dumpErrors(stderr: string): string[] {
  return stderrLines(stderr).filter((l) => l.includes(FULL));
}

/** A loopback echo peer (half-open: it ends after echoing everything). */
function echoPeer(t: { after(fn: () => unknown): void }): Promise<number> {
  return tcpServer(t, (socket) => socket.pipe(socket));
}

/** Send `lines` one write each, each once the one before has come back; then end. What came back. */
async function echoSession(port: number, lines: string[]): Promise<string> {
  const socket: net.Socket = await tcpConnect(port);
  let got = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => void (got += d));
  const closed = once(socket, "close");
  let sent = "";
  for (const line of lines) {
    sent += line;
    socket.write(line);
    await waitUntil(() => got.length >= sent.length, { what: `the echo of ${JSON.stringify(line)}` });
  }
  socket.end();
  await closed;
  return got;
}

test("connect --send … --hexdump-file /dev/full: the exchange completes, one error line for the file", opts, async (t) => {
  const port = await echoPeer(t);
  const r = await runSocklab(
    ["connect", `tcp://127.0.0.1:${port}`, "--send", "uno", "--send", "dos", "--send", "tres", "--lines", "--half-close", "--hexdump-file", FULL],
    { teardown: t },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), "uno\ndos\ntres\n");
  assert.deepEqual(dumpErrors(r.stderr), [`error: ${FULL}: ENOSPC: no space left on device, write`], r.stderr);
});

test("connect (stdin) --hexdump-file /dev/full: stdin is sent and the reply printed, one error line", opts, async (t) => {
  const port = await echoPeer(t);
  const input = "línea 1\nlínea 2\n".repeat(200);
  const r = await runSocklab(["connect", `tcp://127.0.0.1:${port}`, "--hexdump-file", FULL], { teardown: t, input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), input);
  assert.equal(dumpErrors(r.stderr).length, 1, r.stderr);
});

const SERVERS: { name: string; what: string; args: (t: Teardown) => Promise<string[]>; closeLine: string }[] = [
  { name: "serve echo", what: "clients", args: async () => ["serve", "echo", "tcp://127.0.0.1:0"], closeLine: "close " },
  {
    name: "relay",
    what: "relayed clients",
    args: async (t) => ["relay", "tcp://127.0.0.1:0", `tcp://127.0.0.1:${await echoPeer(t)}`],
    closeLine: "relay-close ",
  },
];

for (const server of SERVERS) {
  test(`${server.name} --hexdump-file /dev/full: three ${server.what} of many chunks each, one error line in all`, opts, async (t) => {
    const { proc, ready } = await startServer([...(await server.args(t)), "--hexdump-file", FULL], { teardown: t });
    for (let client = 0; client < 3; client++) {
      const lines = Array.from({ length: 5 }, (_, i) => `cliente ${client} línea ${i}\n`);
      assert.equal(await echoSession(ready.port, lines), lines.join(""));
    }
    proc.signal("SIGTERM");
    const r = await proc.waitExit();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dumpErrors(r.stderr).length, 1, r.stderr);
    assert.equal(stderrLines(r.stderr).filter((l) => l.startsWith(server.closeLine)).length, 3, r.stderr);
  });
}

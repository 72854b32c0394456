/**
 * Issue 8 item 9: a refused client can tell it was refused. Every refusal (today: --allow-uid)
 * logs one `refused` line on the server and sends the client one line, `ERR refused: REASON`,
 * before closing; what the client sends meanwhile is read and discarded so our close does
 * not reset the connection and destroy that line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { runSocklab, socklab, startServer } from "./support/cli.js";
import { tempPath } from "./support/tmp.js";

/** A uid that is not ours (so --allow-uid with it refuses us). */
const OTHER_UID = String((process.getuid?.() ?? 0) + 12345);
const RUNS = 20;

test(`--allow-uid refuses us: \`socklab connect --send\` prints the server's one-line refusal, ${RUNS} runs out of ${RUNS}`, { timeout: 180_000 }, async (t) => {
  const path = tempPath(t, "refuse.sock");
  const { proc } = await startServer(["serve", "echo", `unix:${path}`, "--allow-uid", OTHER_UID], { teardown: t });
  for (let run = 0; run < RUNS; run++) {
    const r = await runSocklab(["connect", `unix:${path}`, "--send", "hello"]);
    assert.equal(r.stdout.toString(), "ERR refused: uid-not-allowed\n", `run ${run}: ${r.stderr}`);
  }
  await proc.waitFor("20 refused lines", () => (proc.stderr.match(/^refused .* uid \d+ \(pid \d+\) is not allowed$/gm)?.length === RUNS ? true : undefined), 5000);
  assert.doesNotMatch(proc.stderr, /^accept /m, "nobody was served");
});

test("a refused client that keeps sending (1 MiB) still reads its refusal line", { timeout: 60_000 }, async (t) => {
  const path = tempPath(t, "refuse-big.sock");
  await startServer(["serve", "echo", `unix:${path}`, "--allow-uid", OTHER_UID], { teardown: t });
  const socket = net.connect({ path, allowHalfOpen: true });
  t.after(() => socket.destroy());
  let text = "";
  socket.on("data", (b) => (text += b.toString()));
  socket.on("error", () => {}); // the server may close before taking all of it
  socket.end(Buffer.alloc(1 << 20, 0x61)); // as a client uploading a file, then reading the answer
  await new Promise((resolve) => socket.once("close", resolve));
  assert.equal(text, "ERR refused: uid-not-allowed\n");
});

test("--allow-uid with our uid: served as before; the abstract namespace refuses the same way", { timeout: 60_000 }, async (t) => {
  const path = tempPath(t, "allowed.sock");
  await startServer(["serve", "echo", `unix:${path}`, "--allow-uid", `${OTHER_UID},${process.getuid?.() ?? 0}`], { teardown: t });
  const ok = await runSocklab(["connect", `unix:${path}`, "--send", "hola"]);
  assert.equal(ok.stdout.toString(), "hola");
  const name = `socklab-refuse-${process.pid}-${Date.now()}`;
  await startServer(["serve", "echo", `abstract:${name}`, "--allow-uid", OTHER_UID], { teardown: t });
  const refused = await runSocklab(["connect", `abstract:${name}`, "--send", "hola"]);
  assert.equal(refused.stdout.toString(), "ERR refused: uid-not-allowed\n", refused.stderr);
});

test("--json: the refusal is a `refused` event with reason and uid", { timeout: 60_000 }, async (t) => {
  const path = tempPath(t, "refuse-json.sock");
  const proc = socklab(["--json", "serve", "echo", `unix:${path}`, "--allow-uid", OTHER_UID], { input: "pipe", teardown: t });
  await proc.waitForStderr(/^\{"event":"listening"/);
  await runSocklab(["connect", `unix:${path}`, "--send", "x"]);
  const line = await proc.waitForStderr(/^\{"event":"refused".*\}$/);
  const event = JSON.parse(line[0]) as { reason: string; uid: number };
  assert.equal(event.reason, "uid-not-allowed");
  assert.equal(event.uid, process.getuid?.() ?? 0);
});

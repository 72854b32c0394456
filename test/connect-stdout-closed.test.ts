/**
 * Issue 8, item 8: `socklab connect … | head -c 10`: a reader that goes away is a normal
 * end: no message, exit 0 (docs/CLI.md), and no hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { SOCKLAB_BIN } from "./support/cli.js";
import { tcpServer } from "./support/net.js";
import { spawnProc } from "./support/process.js";


for (const mode of [["-d"], ["--send", "x", "--until-close"], []]) {
  test(`connect ${mode.join(" ") || "(stdin mode)"} | head -c 10: exit 0, nothing on stderr`, { timeout: 20_000 }, async (t) => {
    const port = await tcpServer(t, (socket) => socket.end(randomBytes(8 * 1024 * 1024)));
    const command = [process.execPath, SOCKLAB_BIN, "connect", `tcp://127.0.0.1:${port}`, ...mode].map((a) => `'${a}'`).join(" ");
    // bash reports each stage's status: socklab's is the first.
    const sh = spawnProc("bash", ["-c", `${command} </dev/null | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { teardown: t });
    const r = await sh.waitExit(15_000);
    assert.equal(r.stdout.toString(), "status 0\n", r.stderr);
    assert.equal(r.stderr, "", "no message");
  });
}

/**
 * A standard output that fails otherwise (`> /dev/full`: ENOSPC) is not the reader leaving:
 * the peer's bytes could not be delivered, so the run fails (exit 1), said once, in the
 * user's language. (Before: exit 13 with the connection stuck, the system's English text,
 * and with more output one line per failed write.)
 */
for (const mode of [["-d"], ["--send", "x", "--until-close"], []]) {
  test(`connect ${mode.join(" ") || "(stdin mode)"} > /dev/full: one line in the user's language, exit 1`, { timeout: 40_000 }, async (t) => {
    const port = await tcpServer(t, (socket) => socket.end(randomBytes(8 * 1024 * 1024)));
    const expected = {
      en: "error: standard output: no space left on device (the disk or device is full)\n",
      es: "error: salida estándar: no queda espacio en el dispositivo (el disco o dispositivo está lleno)\n",
    };
    for (const lang of ["en", "es"] as const) {
      const command = [process.execPath, SOCKLAB_BIN, "--lang", lang, "connect", `tcp://127.0.0.1:${port}`, ...mode].map((a) => `'${a}'`).join(" ");
      const r = await spawnProc("bash", ["-c", `${command} </dev/null >/dev/full`], { teardown: t }).waitExit(15_000);
      assert.equal(r.stderr, expected[lang], "exactly one line, from the catalogue");
      assert.equal(r.code, 1, "data was lost: not a success");
    }
    const command = [process.execPath, SOCKLAB_BIN, "--json", "connect", `tcp://127.0.0.1:${port}`, ...mode].map((a) => `'${a}'`).join(" ");
    const r = await spawnProc("bash", ["-c", `${command} </dev/null >/dev/full`], { teardown: t }).waitExit(15_000);
    const events = r.stderr.trim().split("\n").map((line) => JSON.parse(line) as { event: string; code?: string });
    assert.deepEqual(events.map((e) => [e.event, e.code]), [["error", "ENOSPC"]], r.stderr);
    assert.equal(r.code, 1);
  });
}

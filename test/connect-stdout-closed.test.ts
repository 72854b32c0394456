/**
 * Issue 8, item 8: `socklab connect … | head -c 10`: a reader that goes away is a normal
 * end: no message, exit 0 (docs/CLI.md), and no hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { SOCKLAB_BIN } from "./support/cli.js";
import { spawnProc } from "./support/process.js";

for (const mode of [["-d"], ["--send", "x", "--until-close"], []]) {
  test(`connect ${mode.join(" ") || "(stdin mode)"} | head -c 10: exit 0, nothing on stderr`, { timeout: 20_000 }, async (t) => {
    const payload = randomBytes(8 * 1024 * 1024);
    const srv = net.createServer({ allowHalfOpen: true }, (socket) => {
      socket.on("error", () => {});
      socket.end(payload);
    });
    srv.listen(0, "127.0.0.1");
    await once(srv, "listening");
    t.after(() => srv.close());
    const port = (srv.address() as net.AddressInfo).port;
    const command = [process.execPath, SOCKLAB_BIN, "connect", `tcp://127.0.0.1:${port}`, ...mode].map((a) => `'${a}'`).join(" ");
    // bash reports each stage's status: socklab's is the first.
    const sh = spawnProc("bash", ["-c", `${command} </dev/null | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { teardown: t });
    const r = await sh.waitExit(15_000);
    assert.equal(r.stdout.toString(), "status 0\n", r.stderr);
    assert.equal(r.stderr, "", "no message");
  });
}

test("a standard output that fails otherwise (/dev/full: ENOSPC) is reported in the user's language", { timeout: 20_000 }, async (t) => {
  const srv = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.end("hola\n");
  });
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  t.after(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  for (const [lang, prefix] of [["en", "standard output: "], ["es", "salida estándar: "]]) {
    const command = [process.execPath, SOCKLAB_BIN, "--lang", lang, "connect", `tcp://127.0.0.1:${port}`, "-d"].map((a) => `'${a}'`).join(" ");
    const r = await spawnProc("bash", ["-c", `${command} </dev/null >/dev/full`], { teardown: t }).waitExit(15_000);
    assert.match(r.stderr, new RegExp(`^error: ${prefix}.*ENOSPC`, "m"), r.stderr);
  }
});

/**
 * A TLS server with an ephemeral certificate must not pay for that certificate during a
 * transfer. socklab used to make it in its own thread: @peculiar/x509 stayed loaded (~4 MB),
 * the server's old generation went over V8's 8 MB incremental-marking threshold, and the TLS
 * records in flight (external memory) then set off a full mark-compact about every 0.5 s
 * (6–7 in 200 MiB). The certificate is now made in a short-lived worker thread.
 *
 * The check counts garbage collections, not time: the server runs in a child process with a
 * preloaded PerformanceObserver (main thread only) that counts major GCs and prints the
 * total when the process exits; 200 MiB go through its echo on loopback.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { createCertificateInWorker, ephemeralServerCertificate } from "../src/tls/certificates.js";
import { fingerprintOf } from "../src/tls/fingerprint.js";
import { SOCKLAB_BIN } from "./support/cli.js";
import { spawnProc } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const READY = /^listening tls:\/\/127\.0\.0\.1:(\d+) (sha256:[0-9a-f]{64})$/m;
const TOTAL = /^gc-major-total (\d+)$/m;
/** Bytes echoed through the server. */
const TRANSFER = 200 * 1024 * 1024;
/** Before the fix this transfer cost 7 mark-compacts; now 0 or 1, as with --cert/--key files. */
const MAX_MAJOR_GCS = 2;

/** Preloaded into the server: count the main thread's major GCs, print the total at exit. */
const PRELOAD = `"use strict";
const { isMainThread } = require("node:worker_threads");
const { PerformanceObserver, constants } = require("node:perf_hooks");
const { writeSync } = require("node:fs");
if (isMainThread) {
  let major = 0;
  const count = (entries) => {
    for (const e of entries) if (e.detail && e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  process.on("exit", () => {
    count(observer.takeRecords());
    writeSync(2, "gc-major-total " + major + "\\n");
  });
}
`;

/** Push `total` bytes through an echo with at most 1 MiB unanswered; resolve when all came back. */
function pushThrough(port: number, pin: string, total: number, deadlineMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let sent = 0;
    let echoed = 0;
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
    const deadline = setTimeout(() => socket.destroy(new Error(`echo stalled: ${echoed} of ${total} bytes back`)), deadlineMs);
    const pump = (): void => {
      while (sent < total && sent - echoed < 1024 * 1024) {
        sent += chunk.length;
        if (!socket.write(chunk)) return;
      }
    };
    socket.once("secureConnect", () => {
      // Trust exactly the certificate the server announced.
      const fingerprint = `sha256:${socket.getPeerCertificate().fingerprint256.replaceAll(":", "").toLowerCase()}`;
      if (fingerprint !== pin) socket.destroy(new Error(`peer ${fingerprint} is not the announced ${pin}`));
      else pump();
    });
    socket.on("drain", pump);
    socket.on("data", (data: Buffer) => {
      echoed += data.length;
      if (echoed >= total) socket.end();
      else pump();
    });
    socket.once("error", (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    socket.once("close", () => {
      clearTimeout(deadline);
      if (echoed >= total) resolve(echoed);
      else reject(new Error(`connection closed after ${echoed} of ${total} bytes`));
    });
  });
}

test("serve echo tls:// with its ephemeral certificate: 200 MiB echoed with at most 2 mark-compacts", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const preload = join(dir, "count-gc.cjs");
  writeFileSync(preload, PRELOAD);
  const server = spawnProc(process.execPath, ["--require", preload, SOCKLAB_BIN, "serve", "echo", "tls://127.0.0.1:0"], {
    teardown: t,
    input: "pipe",
    label: "socklab serve echo tls:// (GC counted)",
  });
  const ready = await server.waitForStderr(READY, 30_000);
  const echoed = await pushThrough(Number(ready[1]), ready[2]!, TRANSFER, 150_000);
  assert.equal(echoed, TRANSFER);
  server.child.kill("SIGTERM");
  const exit = await server.waitExit(30_000);
  const total = TOTAL.exec(exit.stderr);
  assert.ok(total, `the GC counter reported at exit:\n${exit.stderr}`);
  const major = Number(total[1]);
  t.diagnostic(`major GCs in the server's main thread, start to exit: ${major}`);
  assert.ok(major <= MAX_MAJOR_GCS, `${major} mark-compacts for a ${TRANSFER / 1024 / 1024} MiB transfer (at most ${MAX_MAJOR_GCS})`);
});

test("the ephemeral certificate made in a worker thread is a usable server certificate", { timeout: 60_000 }, async () => {
  const made = await ephemeralServerCertificate(["localhost", "127.0.0.1", "::1"]);
  const cert = new X509Certificate(made.cert);
  assert.equal(made.subject, "CN=localhost");
  assert.equal(made.fingerprint, fingerprintOf(made.cert));
  assert.ok(cert.checkHost("localhost"));
  assert.ok(cert.checkIP("127.0.0.1") && cert.checkIP("::1"));
  // The key is the certificate's: Node builds a context from the pair without complaint.
  assert.doesNotThrow(() => tls.createSecureContext({ cert: made.cert, key: made.key }));
});

test("a certificate the worker cannot make rejects with the worker's error, not a hang", { timeout: 60_000 }, async () => {
  const bogusIssuer = { cert: "not a certificate", key: "not a key", fingerprint: "sha256:00" as const, subject: "CN=nobody" };
  await assert.rejects(createCertificateInWorker({ commonName: "x", issuer: bogusIssuer }), (err: unknown) => {
    assert.ok(err instanceof Error && err.message.length > 0, String(err));
    return true;
  });
});

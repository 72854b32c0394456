/**
 * Worker-thread entry of `createCertificateInWorker` (certificates.ts): makes one certificate
 * with `createCertificate` and posts it back, then the thread ends and its V8 heap (with
 * @peculiar/x509, its ASN.1 schemas and the Reflect metadata they register) goes with it.
 * Not a module to import: it only does something when started as a worker.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createCertificate, type CertificateRequest, type CertificateWorkerReply } from "./certificates.js";

if (parentPort !== null) {
  const port = parentPort;
  createCertificate(workerData as CertificateRequest).then(
    (made) => port.postMessage({ ok: true, made } satisfies CertificateWorkerReply),
    (err: unknown) =>
      port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies CertificateWorkerReply),
  );
}

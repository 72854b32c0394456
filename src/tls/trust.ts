/**
 * The default trust store of a TLS client without --ca: the system's CA bundle (as OpenSSL
 * tools on this machine would use) plus the roots that ship with Node, plus the file named
 * by NODE_EXTRA_CA_CERTS. Read once per process.
 */
import { readFileSync } from "node:fs";
import * as tls from "node:tls";

/** Where Linux distributions keep the system bundle (SSL_CERT_FILE first, as OpenSSL does). */
const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine, Arch
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
  "/etc/ssl/ca-bundle.pem", // openSUSE
  "/etc/ssl/cert.pem",
];

let cached: string[] | undefined;

function readIfThere(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function defaultTrustStore(): string[] {
  if (cached) return cached;
  const getter = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof getter === "function") {
    // Node ≥ 22.15 knows the system store itself.
    cached = [...new Set([...getter("default"), ...getter("system")])];
    return cached;
  }
  const store = [...tls.rootCertificates];
  for (const path of [process.env.SSL_CERT_FILE, ...SYSTEM_BUNDLES]) {
    const text = readIfThere(path);
    if (text !== undefined) {
      store.push(text);
      break;
    }
  }
  const extra = readIfThere(process.env.NODE_EXTRA_CA_CERTS);
  if (extra !== undefined) store.push(extra);
  cached = store;
  return store;
}

/**
 * X.509 certificates made in-process: the ephemeral self-signed certificate of a TLS server
 * started without --cert/--key, and (for tests and private-CA recipes) CA, server and client
 * certificates signed by a CA. Node cannot create certificates and socklab never shells out
 * to openssl, so this uses @peculiar/x509 over Node's WebCrypto (typed, no native code).
 * The library and its Reflect polyfill are loaded on first use only: commands that never
 * make a certificate never load them.
 *
 * A server's ephemeral certificate is made in a short-lived worker thread
 * (`createCertificateInWorker`), so the library never enters the server's own heap. Loaded
 * there, it stays for good (an ES module cannot be unloaded): about 4 MB of code, ASN.1
 * schemas and Reflect metadata, which lift socklab's old generation (~6.7 MB) over V8's
 * 8 MB threshold below which it never starts incremental marking. Above it, the TLS records
 * in flight during a transfer (~30 MB of ArrayBuffers, external memory that V8 counts
 * against the old generation's limit until the next mark-compact) set off a full
 * mark-compact about every half second, although scavenges free all of them
 * (docs/PERFORMANCE.md, TLS). `createCertificate` itself runs in the calling thread: fine for
 * tests, tools and one-off scripts.
 *
 * Keys are ECDSA P-256 with SHA-256: fast to generate, accepted by every TLS peer we meet.
 */
import { randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { Worker } from "node:worker_threads";
import { fingerprintOf, type Fingerprint } from "./fingerprint.js";

type X509Lib = typeof import("@peculiar/x509");

let loading: Promise<X509Lib> | undefined;

/** Load @peculiar/x509 once, with the Reflect metadata polyfill it requires since 2.0. */
function x509lib(): Promise<X509Lib> {
  loading ??= (async () => {
    await import("reflect-metadata");
    const lib = await import("@peculiar/x509");
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })();
  return loading;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A certificate with its private key, both PEM. */
export interface CertificateAndKey {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PKCS#8 PEM. Keep it in memory or in a private file; never commit it. */
  key: string;
  /** `sha256:` + lowercase hex, what `--pin` takes. */
  fingerprint: Fingerprint;
  /** The subject distinguished name, e.g. `CN=localhost`. */
  subject: string;
}

export interface CertificateRequest {
  /** The subject's common name (CN). */
  commonName: string;
  /** Host names and IP addresses (subjectAltName); IPv6 with or without brackets. */
  names?: readonly string[];
  /** Valid from (default: one hour ago, to forgive small clock differences). */
  notBefore?: Date;
  /** Valid until (default: 90 days from now). */
  notAfter?: Date;
  /** A CA certificate that can sign others (default false). */
  ca?: boolean;
  /** Sign with this CA (default: self-signed). */
  issuer?: CertificateAndKey;
  /** Extended key usage (default: both server and client; none for a CA). */
  usage?: readonly ("server" | "client")[];
}

/** Escape a value for an RFC 4514 distinguished name. */
function dnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]|[ ]$/g, (c) => `\\${c}`);
}

/** subjectAltName entries: IP literals as iPAddress, everything else as dNSName. */
function altNames(names: readonly string[]): { type: "dns" | "ip"; value: string }[] {
  const seen = new Set<string>();
  const result: { type: "dns" | "ip"; value: string }[] = [];
  for (const raw of names) {
    const bare = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
    const name = bare.split("%")[0] ?? bare;
    if (name === "" || seen.has(name.toLowerCase())) continue;
    // The unspecified addresses are where a server binds, never a name a client dials.
    if (name === "0.0.0.0" || name === "::") continue;
    seen.add(name.toLowerCase());
    result.push({ type: isIP(name) ? "ip" : "dns", value: name });
  }
  return result;
}

/** A random positive 128-bit serial number, hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

/** Make a certificate and its key (self-signed, or signed by `request.issuer`). */
export async function createCertificate(request: CertificateRequest): Promise<CertificateAndKey> {
  const x509 = await x509lib();
  const subtle = webcrypto.subtle;
  const keys = (await subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const ca = request.ca === true;
  const extensions: InstanceType<X509Lib["Extension"]>[] = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(
      ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
  ];
  const usage = request.usage ?? (ca ? [] : ["server", "client"]);
  if (usage.length > 0) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        usage.map((u) => (u === "server" ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth)),
      ),
    );
  }
  const names = altNames(request.names ?? []);
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));

  const subject = `CN=${dnValue(request.commonName)}`;
  const notBefore = request.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = request.notAfter ?? new Date(Date.now() + 90 * 24 * 60 * 60 * 1000);
  let certificate: InstanceType<X509Lib["X509Certificate"]>;
  if (request.issuer === undefined) {
    certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys: keys as never,
      extensions,
    });
  } else {
    const issuerCert = new x509.X509Certificate(request.issuer.cert);
    const issuerKey = await subtle.importKey(
      "pkcs8",
      x509.PemConverter.decodeFirst(request.issuer.key),
      ALGORITHM,
      false,
      ["sign"],
    );
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey as never));
    certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject,
      issuer: issuerCert.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey as never,
      signingKey: issuerKey as never,
      extensions,
    });
  }
  const pkcs8 = await subtle.exportKey("pkcs8", keys.privateKey);
  // Newline-terminated, so files can be concatenated into chains and bundles.
  const pem = (text: string): string => (text.endsWith("\n") ? text : `${text}\n`);
  const cert = pem(certificate.toString("pem"));
  return {
    cert,
    key: pem(x509.PemConverter.encode(pkcs8, "PRIVATE KEY")),
    fingerprint: fingerprintOf(cert),
    subject: new X509Certificate(cert).subject.split("\n").join(", "),
  };
}

/**
 * The names an ephemeral server certificate carries: localhost, 127.0.0.1, ::1, this
 * machine's host name, and the address the server is bound to (unless unspecified).
 */
export function ephemeralNames(boundHost?: string, extra: readonly string[] = []): string[] {
  const names = ["localhost", "127.0.0.1", "::1", hostname()];
  if (boundHost !== undefined) names.push(boundHost);
  names.push(...extra);
  return altNames(names).map((n) => n.value);
}

/** What certificate-worker.ts posts back: the certificate, or the error's message. */
export type CertificateWorkerReply = { ok: true; made: CertificateAndKey } | { ok: false; message: string };

/**
 * `createCertificate` in a worker thread that ends before the promise settles: the calling
 * thread's heap never holds @peculiar/x509 or the garbage of making a certificate (see the
 * top of this file for why that matters to a long-running server).
 */
export function createCertificateInWorker(request: CertificateRequest): Promise<CertificateAndKey> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./certificate-worker.js", import.meta.url), { workerData: request });
    let reply: CertificateWorkerReply | undefined;
    let failure: Error | undefined;
    worker.once("message", (message: CertificateWorkerReply) => {
      reply = message;
    });
    worker.once("error", (err) => {
      failure = err;
    });
    // Settle once the thread is gone, so its heap is released before a server starts.
    worker.once("exit", (code) => {
      if (reply?.ok === true) resolve(reply.made);
      else if (reply !== undefined) reject(new Error(reply.message));
      else reject(failure ?? new Error(`certificate worker exited with code ${code} and no certificate`));
    });
  });
}

/**
 * A fresh self-signed server certificate for `names` (CN: the first name), made in a
 * short-lived worker thread (`createCertificateInWorker`).
 */
export function ephemeralServerCertificate(names: readonly string[]): Promise<CertificateAndKey> {
  return createCertificateInWorker({ commonName: names[0] ?? "localhost", names, usage: ["server"] });
}

/**
 * Test PKI and TLS servers for the tls-* tests. Every key is made at test time in memory
 * (and written, when a peer needs files, to a private temp dir removed after the test):
 * no private key is ever committed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type * as net from "node:net";
import type * as tls from "node:tls";
import type { SocklabError } from "../../src/errors.js";
import { createCertificate, type CertificateAndKey } from "../../src/tls/certificates.js";
import { createTlsServerOptions, onTlsConnections, type TlsServerOptions, type TlsServerSetup } from "../../src/tls/server.js";
import type { TlsSessionInfo } from "../../src/tls/session.js";
import type { Teardown } from "./process.js";
import { tempDir } from "./tmp.js";

export interface TestPki {
  ca: CertificateAndKey;
  /** Issued by `ca` for localhost, 127.0.0.1 and ::1. */
  server: CertificateAndKey;
  /** A client certificate issued by `ca` (CN=alice). */
  client: CertificateAndKey;
  /** A second, unrelated CA and a client certificate it issued (CN=mallory). */
  otherCa: CertificateAndKey;
  rogueClient: CertificateAndKey;
}

let shared: Promise<TestPki> | undefined;

/** One PKI per test file (key generation is quick, but there is no need to repeat it). */
export function testPki(): Promise<TestPki> {
  shared ??= (async () => {
    const ca = await createCertificate({ commonName: "socklab test CA", ca: true });
    const otherCa = await createCertificate({ commonName: "some other CA", ca: true });
    return {
      ca,
      otherCa,
      server: await createCertificate({ commonName: "localhost", names: ["localhost", "127.0.0.1", "::1"], issuer: ca, usage: ["server"] }),
      client: await createCertificate({ commonName: "alice", issuer: ca, usage: ["client"] }),
      rogueClient: await createCertificate({ commonName: "mallory", issuer: otherCa, usage: ["client"] }),
    };
  })();
  return shared;
}

/** Write PEM files into a private temp dir: `files({ "ca.pem": pki.ca.cert })` → paths. */
export function pemFiles<K extends string>(t: Teardown, contents: Record<K, string>): Record<K, string> {
  const dir = tempDir(t, "socklab-tls-");
  const paths = {} as Record<K, string>;
  for (const [name, text] of Object.entries(contents) as [K, string][]) {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    paths[name] = path;
  }
  return paths;
}

export interface RunningTlsServer {
  setup: TlsServerSetup;
  server: tls.Server;
  port: number;
  /** Sessions of clients that completed the handshake. */
  sessions: TlsSessionInfo[];
  /** Handshake failures, as the server reports them. */
  failures: SocklabError[];
  /** Resolves with the next failure (or the first, if one already happened). */
  nextFailure(): Promise<SocklabError>;
}

/** A loopback TLS server (port 0) that runs `handler` for every client after the handshake. */
export async function startTlsServer(
  t: Teardown,
  options: TlsServerOptions,
  handler: (socket: tls.TLSSocket, info: TlsSessionInfo) => void,
  host = "127.0.0.1",
): Promise<RunningTlsServer> {
  const setup = await createTlsServerOptions(options);
  const server = setup.createServer({ allowHalfOpen: true, noDelay: true });
  const sessions: TlsSessionInfo[] = [];
  const failures: SocklabError[] = [];
  const waiting: ((err: SocklabError) => void)[] = [];
  // Every TCP connection, handshaken or not: a test may finish (its client done) before
  // the server has finished the handshake on its side.
  const sockets = new Set<net.Socket>();
  server.on("connection", (raw: net.Socket) => {
    sockets.add(raw);
    raw.on("close", () => sockets.delete(raw));
  });
  let delivered = 0;
  onTlsConnections(server, setup, {
    peerOf: (socket) => `tls://${socket.remoteAddress}:${socket.remotePort}`,
    secured: (socket, info) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      sessions.push(info);
      handler(socket, info);
    },
    failed: (err) => {
      failures.push(err);
      const next = waiting.shift();
      if (next) {
        delivered++;
        next(err);
      }
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    setup,
    server,
    port: (server.address() as net.AddressInfo).port,
    sessions,
    failures,
    nextFailure: () =>
      delivered < failures.length ? Promise.resolve(failures[delivered++]!) : new Promise((resolve) => waiting.push(resolve)),
  };
}

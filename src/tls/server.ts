/**
 * The TLS server side: certificate setup (given PEM files, or an ephemeral self-signed
 * certificate), optional client certificates checked against a client CA, and the glue that
 * lets a stream server accept TLS connections with the handler it already has.
 *
 * A `tls.Server` is a `net.Server`: a stream server listens with `setup.createServer()`
 * instead of `net.createServer()` and takes connections from `onTlsConnections` (after the
 * handshake) instead of the `connection` event. Everything else (listen, close, dual-stack
 * probing, queueing, idle timeouts) stays as it is for TCP.
 */
import { X509Certificate } from "node:crypto";
import type { ServerOpts } from "node:net";
import * as tls from "node:tls";
import type { SocklabError } from "../errors.js";
import { ephemeralNames, ephemeralServerCertificate } from "./certificates.js";
import { tlsError, tlsFailure } from "./errors.js";
import { readPem, type PemSource } from "./files.js";
import { fingerprintOf, type Fingerprint } from "./fingerprint.js";
import { describeSession, type TlsSessionInfo } from "./session.js";
import { secureContextOf } from "./client.js";

export interface TlsServerOptions {
  /** Certificate (chain) and private key, PEM. Without both: an ephemeral self-signed one. */
  cert?: PemSource;
  key?: PemSource;
  /** Require client certificates issued by these CAs (PEM). */
  clientCa?: PemSource;
  /** ALPN protocols accepted, in order of preference. A client offering none of them is refused. */
  alpn?: readonly string[];
  /** Extra names for the ephemeral certificate (e.g. the host the server binds). */
  names?: readonly string[];
  /** Give up on a client whose handshake takes longer (ms). Default 10 s. */
  handshakeTimeoutMs?: number;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

export interface TlsServerSetup {
  /** `sha256:` + lowercase hex of the server's certificate: what clients `--pin`. */
  readonly fingerprint: Fingerprint;
  /** The certificate's subject, one line. */
  readonly subject: string;
  /** The certificate (PEM; public). */
  readonly cert: string;
  /** True when the certificate was made for this run. */
  readonly ephemeral: boolean;
  /** Client certificates are required and checked against the client CA. */
  readonly requireClientCert: boolean;
  readonly alpn: readonly string[];
  readonly handshakeTimeoutMs: number;
  /** Options for `tls.createServer` (certificate, key, client CA, ALPN, timeouts). */
  readonly serverOptions: tls.TlsOptions;
  /** A `tls.Server` (not yet listening) with `netOptions` (allowHalfOpen, noDelay…) added. */
  createServer(netOptions?: ServerOpts): tls.Server;
}

/** Read or make the server's certificate and build the server options. */
export async function createTlsServerOptions(options: TlsServerOptions = {}): Promise<TlsServerSetup> {
  const { cert, key, clientCa } = options;
  if (cert !== undefined && key === undefined) throw tlsFailure("tls-option", { problem: "cert-without-key" });
  if (key !== undefined && cert === undefined) throw tlsFailure("tls-option", { problem: "key-without-cert" });
  let certPem: string;
  let keyPem: string;
  const ephemeral = cert === undefined;
  if (cert !== undefined && key !== undefined) {
    certPem = readPem(cert, "certificate", "--cert");
    keyPem = readPem(key, "key", "--key");
  } else {
    const made = await ephemeralServerCertificate(ephemeralNames(undefined, options.names ?? []));
    certPem = made.cert;
    keyPem = made.key;
  }
  const serverOptions: tls.TlsOptions = {
    cert: certPem,
    key: keyPem,
    minVersion: options.minVersion ?? "TLSv1.2",
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
  };
  if (options.maxVersion !== undefined) serverOptions.maxVersion = options.maxVersion;
  if (options.ciphers !== undefined) serverOptions.ciphers = options.ciphers;
  if (clientCa !== undefined) {
    serverOptions.ca = readPem(clientCa, "certificate", "--client-ca");
    serverOptions.requestCert = true;
    serverOptions.rejectUnauthorized = true;
  }
  const alpn = [...(options.alpn ?? [])];
  if (alpn.length > 0) serverOptions.ALPNProtocols = alpn;
  // Build the context once now, so a key that does not match its certificate fails here
  // with a clear line, not at the first client.
  secureContextOf(serverOptions, cert, key);
  // The leaf is the first certificate of the chain file.
  const leaf = new X509Certificate(certPem);
  return {
    fingerprint: fingerprintOf(leaf),
    subject: leaf.subject.split("\n").join(", "),
    cert: leaf.toString(),
    ephemeral,
    requireClientCert: clientCa !== undefined,
    alpn,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    serverOptions,
    createServer(netOptions: ServerOpts = {}): tls.Server {
      // pauseOnConnect would stop the handshake itself; a TLS socket does not flow before
      // someone reads it anyway.
      // allowHalfOpen is switched on per socket once the handshake is done (onTlsConnections):
      // with it on during the handshake, a client that hangs up mid-handshake would leave a
      // socket that neither closes nor errors until the handshake timeout.
      const { pauseOnConnect: _ignored, allowHalfOpen, ...rest } = netOptions;
      const server = tls.createServer({ ...rest, ...serverOptions, allowHalfOpen: false });
      halfOpen.set(server, allowHalfOpen === true);
      return server;
    },
  };
}

/** Servers made by createServer that asked for allowHalfOpen. */
const halfOpen = new WeakMap<tls.Server, boolean>();

export interface TlsConnectionHandlers {
  /** The peer in socklab notation (e.g. tls://127.0.0.1:51000). */
  peerOf(socket: tls.TLSSocket): string;
  /** A client completed the handshake (and its certificate passed, with a client CA). */
  secured(socket: tls.TLSSocket, info: TlsSessionInfo, peer: string): void;
  /** A client's handshake failed; the socket is already gone. One clear error per client. */
  failed(err: SocklabError, peer: string): void;
}

/** Take connections from a TLS server made by `setup.createServer`: handshake done, peer described. */
export function onTlsConnections(server: tls.Server, setup: TlsServerSetup, handlers: TlsConnectionHandlers): void {
  server.on("secureConnection", (socket: tls.TLSSocket) => {
    // Read at 'end' time, so this applies to the whole connection from here on; nothing has
    // been read yet (no one listens before the handler), so no 'end' can have passed.
    if (halfOpen.get(server) === true) socket.allowHalfOpen = true;
    const info = describeSession(socket, setup.requireClientCert ? "client-ca" : undefined);
    handlers.secured(socket, info, handlers.peerOf(socket));
  });
  server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
    const peer = handlers.peerOf(socket);
    // Node hangs up on a client whose certificate fails the client CA check and reports
    // only "socket hang up"; the reason is in authorizationError.
    const reason = socket.authorizationError as unknown;
    const code = (err as { code?: string }).code;
    if (setup.requireClientCert && reason && (code === "ECONNRESET" || code === undefined)) {
      handlers.failed(tlsFailure("tls-client-cert-rejected", { address: peer, reason: String(reason) }, { cause: err, address: peer }), peer);
      return;
    }
    handlers.failed(tlsError(err, { address: peer, side: "server", timeoutMs: setup.handshakeTimeoutMs, alpn: setup.alpn }), peer);
  });
}

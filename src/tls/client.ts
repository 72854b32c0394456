/**
 * The TLS client: TCP connect (with socklab's retries), then a handshake that is safe by
 * default. The server's certificate chain and host name are checked against Node's trust
 * store (see prepareTlsClient) or `ca`; `pin` trusts exactly one certificate by its SHA-256 fingerprint instead;
 * `insecure` (never implied) checks nothing and the result says so.
 *
 * `prepareTlsClient` reads and checks the options once (files, contradictions) so bad input
 * fails before any connection; `secureClient` runs the handshake over a connected socket
 * (what openStream would call); `connectTls` does both.
 */
import type { Socket } from "node:net";
import { isIP } from "node:net";
import * as tls from "node:tls";
import { abortError } from "../abort.js";
import { formatAddress, type Address } from "../address.js";
import { startDeadline } from "../deadline.js";
import { SocklabError } from "../errors.js";
import type { TlsVerifiedBy } from "../events.js";
import { connectAny, withRetries, type RetryOptions } from "../tcp/connect.js";
import { tlsError, tlsFailure } from "./errors.js";
import { readPem, sourceName, type PemSource } from "./files.js";
import { fromColonHex, parsePin, type Fingerprint } from "./fingerprint.js";
import { describeSession, peerCertificateOf, type TlsSessionInfo } from "./session.js";

export interface TlsClientOptions {
  /** CA certificates to trust (PEM file, or `{ pem }`) instead of the system store. */
  ca?: PemSource;
  /** The name sent as SNI and checked against the certificate (default: the host dialed). */
  sni?: string;
  /** Trust exactly the certificate with this fingerprint (`sha256:HEX`, colons allowed). */
  pin?: string;
  /** Check nothing. The session says `verified: false`; say so to the user every time. */
  insecure?: boolean;
  /** Client certificate and key (PEM), for servers that ask for one. */
  cert?: PemSource;
  key?: PemSource;
  /** ALPN protocols to offer, in order of preference. */
  alpn?: readonly string[];
  /** Give up on a handshake that takes longer (ms). Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Narrow the versions or ciphers (tests, interop checks). Default: TLS 1.2 and 1.3. */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
}

/** Options read and checked once; reusable for every connection (and every retry). */
export interface TlsClientConfig {
  readonly mode: "ca" | "pin" | "insecure";
  readonly pin?: Fingerprint;
  readonly sni?: string;
  readonly alpn: readonly string[];
  readonly handshakeTimeoutMs: number;
  readonly secureContext: tls.SecureContext;
}

/** A TLS connection ready for use (the handshake done and the peer checked). */
export interface TlsConnection {
  socket: tls.TLSSocket;
  /** The address connected to, in tls:// notation. */
  address: string;
  tls: TlsSessionInfo;
}

/** Check the options and build the secure context once. Throws ERR_TLS_* usage-class errors. */
export function prepareTlsClient(options: TlsClientOptions = {}): TlsClientConfig {
  const { ca, cert, key, insecure = false } = options;
  const pin = options.pin === undefined ? undefined : parsePin(options.pin);
  if (cert !== undefined && key === undefined) throw tlsFailure("tls-option", { problem: "cert-without-key" });
  if (key !== undefined && cert === undefined) throw tlsFailure("tls-option", { problem: "key-without-cert" });
  if (pin !== undefined && insecure) throw tlsFailure("tls-option", { problem: "pin-and-insecure" });
  if (pin !== undefined && ca !== undefined) throw tlsFailure("tls-option", { problem: "pin-and-ca" });
  if (insecure && ca !== undefined) throw tlsFailure("tls-option", { problem: "insecure-and-ca" });
  // Without --ca: Node's root store (Mozilla's roots, plus NODE_EXTRA_CA_CERTS, plus the
  // system's store when node runs with --use-openssl-ca / --use-system-ca). Passing the
  // system bundle as `ca` ourselves costs ~0.4 s of parsing per context, per connect.
  const contextOptions: tls.SecureContextOptions = { minVersion: options.minVersion ?? "TLSv1.2" };
  if (ca !== undefined) contextOptions.ca = readPem(ca, "certificate", "--ca");
  if (options.maxVersion !== undefined) contextOptions.maxVersion = options.maxVersion;
  if (options.ciphers !== undefined) contextOptions.ciphers = options.ciphers;
  if (cert !== undefined && key !== undefined) {
    contextOptions.cert = readPem(cert, "certificate", "--cert");
    contextOptions.key = readPem(key, "key", "--key");
  }
  const config: { -readonly [K in keyof TlsClientConfig]: TlsClientConfig[K] } = {
    mode: pin !== undefined ? "pin" : insecure ? "insecure" : "ca",
    alpn: [...(options.alpn ?? [])],
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    secureContext: secureContextOf(contextOptions, cert, key),
  };
  if (pin !== undefined) config.pin = pin;
  if (options.sni !== undefined) config.sni = options.sni;
  return config;
}

/** createSecureContext, with OpenSSL's complaints about our files turned into clear errors. */
export function secureContextOf(
  options: tls.SecureContextOptions,
  cert: PemSource | undefined,
  key: PemSource | undefined,
): tls.SecureContext {
  try {
    return tls.createSecureContext(options);
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const certName = cert === undefined ? "?" : sourceName(cert);
    const keyName = key === undefined ? "?" : sourceName(key);
    if (code === "ERR_OSSL_X509_KEY_VALUES_MISMATCH" || /key values mismatch/i.test(String((err as Error).message))) {
      throw tlsFailure("tls-key-mismatch", { cert: certName, key: keyName }, { cause: err });
    }
    // "error:04800066:PEM routines::bad end line" → "PEM routines: bad end line"
    const detail = (String((err as Error).message ?? err).split("\n")[0] ?? "").replace(/^error:[0-9A-Fa-f]+:([^:]*)::?/, "$1: ");
    throw tlsFailure("tls-file", { option: "--cert/--key/--ca", path: `${certName} ${keyName}`, problem: "invalid", detail }, { cause: err });
  }
}

export interface SecureClientOptions {
  /** The peer in socklab notation, for errors and events (default tls://host:?). */
  address?: string;
  signal?: AbortSignal;
}

/**
 * Run the client handshake over the connected socket `raw` to `host` and check the peer.
 * On failure the socket is destroyed and the promise rejects with an ERR_TLS_* error.
 */
export function secureClient(raw: Socket, host: string, config: TlsClientConfig, options: SecureClientOptions = {}): Promise<TlsConnection> {
  const address = options.address ?? formatAddress({ kind: "tls", host, port: raw.remotePort ?? 0 });
  const checkName = config.sni ?? host;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      raw.destroy();
      return reject(abortError(signal, address));
    }
    const connectOptions: tls.ConnectionOptions = {
      socket: raw,
      secureContext: config.secureContext,
      host: checkName,
      // We check after the handshake ourselves, with the certificate in hand, so each
      // failure can say exactly what is wrong (Node would check the same things and hang up).
      rejectUnauthorized: false,
    };
    // SNI carries names only; for an IP literal the certificate is checked against the IP.
    if (isIP(checkName) === 0) connectOptions.servername = checkName;
    if (config.alpn.length > 0) connectOptions.ALPNProtocols = [...config.alpn];
    // Half-open only once secured: with it on during the handshake, a server that hangs up
    // mid-handshake would leave a socket that neither closes nor errors (until the timeout).
    const halfOpen = raw.allowHalfOpen;
    raw.allowHalfOpen = false;
    const socket = tls.connect(connectOptions);
    let settled = false;
    const context = () => {
      const cert = safePeerCertificate(socket);
      return { address, side: "client" as const, host: checkName, timeoutMs: config.handshakeTimeoutMs, alpn: config.alpn, ...(cert ? { peerCertificate: cert } : {}) };
    };
    const finish = (err: unknown, value?: TlsConnection): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      socket.removeListener("secureConnect", onSecure);
      socket.removeListener("error", onError);
      socket.removeListener("close", onClose);
      if (err !== undefined) {
        socket.destroy();
        reject(err);
      } else {
        // Errors after this point reach whoever reads or writes; this keeps one that arrives
        // while nobody listens from crashing the process (as openStream does).
        socket.on("error", () => {});
        socket.allowHalfOpen = halfOpen;
        resolve(value!);
      }
    };
    const onSecure = (): void => {
      let verifiedBy: TlsVerifiedBy | undefined;
      let reason: string | undefined;
      if (config.mode === "pin") {
        const peer = peerCertificateOf(socket);
        const actual = peer ? fromColonHex(peer.fingerprint256) : "none";
        if (actual !== config.pin) {
          return finish(tlsFailure("tls-pin-mismatch", { address, expected: config.pin!, actual }, { address }));
        }
        verifiedBy = "pin";
      } else if (config.mode === "ca") {
        if (!socket.authorized) {
          const code = socket.authorizationError instanceof Error ? (socket.authorizationError as { code?: string }).code : String(socket.authorizationError);
          return finish(tlsError({ code, message: String(socket.authorizationError) }, context()));
        }
        verifiedBy = "ca";
      } else {
        reason = socket.authorized ? "not checked" : String(socket.authorizationError ?? "not checked");
      }
      finish(undefined, { socket, address, tls: describeSession(socket, verifiedBy, reason) });
    };
    const onError = (err: unknown): void => finish(tlsError(err, context()));
    const onClose = (): void => finish(tlsError({ code: "ECONNRESET", message: "closed during the handshake" }, context()));
    const deadline = startDeadline(
      {
        ms: config.handshakeTimeoutMs,
        signal,
        unref: true,
        timeoutError: () => tlsError({ code: "ERR_TLS_HANDSHAKE_TIMEOUT" }, context()),
      },
      finish,
    );
    socket.once("secureConnect", onSecure);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

/** The peer's certificate if the handshake got far enough to have one. */
function safePeerCertificate(socket: tls.TLSSocket): tls.PeerCertificate | undefined {
  try {
    const cert = socket.getPeerCertificate();
    return cert && Object.keys(cert).length > 0 ? cert : undefined;
  } catch {
    return undefined;
  }
}

export interface ConnectTlsOptions extends TlsClientOptions, RetryOptions {
  family?: 0 | 4 | 6;
  /** TCP connect timeout per attempt (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Connect to `tls://HOST:PORT` (or a `tcp://` address, to speak TLS there): TCP with the
 * usual retries (`attempts`, `backoffMs`), then one handshake. `options` may also be a
 * prepared config (from prepareTlsClient) plus connect options.
 */
export async function connectTls(
  address: Address,
  options: ConnectTlsOptions = {},
  prepared: TlsClientConfig = prepareTlsClient(options),
): Promise<TlsConnection> {
  if (address.kind !== "tls" && address.kind !== "tcp") {
    throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)}: TLS runs over TCP addresses only`);
  }
  const label = formatAddress({ ...address, kind: "tls" });
  const { value } = await withRetries(label, options, (_attempt, record) => connectAny(address.host, address.port, options, record));
  const where = value.address.replace(/^tcp:/, "tls:");
  const secureOptions: SecureClientOptions = { address: where };
  if (options.signal !== undefined) secureOptions.signal = options.signal;
  return secureClient(value.socket, address.host, prepared, secureOptions);
}

/**
 * One attempt, as openStream makes them: TCP to each address of the host in turn (failures
 * go to `record`), then the handshake. Handshake failures are not retryable (a wrong
 * certificate stays wrong), so callers with retries should retry only the TCP part, as
 * connectTls does.
 */
export async function openTls(
  address: Address,
  config: TlsClientConfig,
  options: { family?: 0 | 4 | 6; timeoutMs?: number; signal?: AbortSignal } = {},
  record: (address: string, err: unknown) => void = () => {},
): Promise<TlsConnection> {
  if (address.kind !== "tls" && address.kind !== "tcp") {
    throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)}: TLS runs over TCP addresses only`);
  }
  const tcp = await connectAny(address.host, address.port, options, record);
  const secureOptions: SecureClientOptions = { address: tcp.address.replace(/^tcp:/, "tls:") };
  if (options.signal !== undefined) secureOptions.signal = options.signal;
  return secureClient(tcp.socket, address.host, config, secureOptions);
}

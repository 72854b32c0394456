/**
 * TLS failures as socklab errors: one stable code and one clear cause per failure, instead
 * of OpenSSL's `error:0A00010B:SSL routines:…` lines. `tlsError` classifies what Node
 * reports on either side of a handshake (the client's verification codes, OpenSSL's
 * ERR_SSL_* codes, alerts from the peer, a peer that hung up). The English text comes from
 * the catalogue, so `err.message` and the CLI's English line are the same words.
 */
import { isIPv6 } from "node:net";
import type { PeerCertificate } from "node:tls";
import { SocklabError, type TlsErrorMessageKey } from "../errors.js";
import { en } from "../i18n/en.js";
import { messageTools } from "../i18n/format.js";

/** Which end of the handshake we are. */
export type TlsSide = "client" | "server";

export interface TlsErrorContext {
  /** The peer (server address for a client, client peer for a server), socklab notation. */
  address: string;
  side: TlsSide;
  /** The name the client checked the certificate against. */
  host?: string;
  /** The peer's certificate, when the handshake got that far. */
  peerCertificate?: PeerCertificate;
  /** Handshake timeout in force (ms). */
  timeoutMs?: number;
  /** ALPN protocols we offered or accept. */
  alpn?: readonly string[];
}

/** Our code for each message key. */
const CODES: Record<TlsErrorMessageKey, string> = {
  "tls-bad-pin": "ERR_TLS_BAD_PIN",
  "tls-option": "ERR_TLS_OPTION",
  "tls-file": "ERR_TLS_FILE",
  "tls-key-mismatch": "ERR_TLS_KEY_MISMATCH",
  "tls-expired": "ERR_TLS_CERT_EXPIRED",
  "tls-not-yet-valid": "ERR_TLS_CERT_NOT_YET_VALID",
  "tls-hostname": "ERR_TLS_HOSTNAME_MISMATCH",
  "tls-self-signed": "ERR_TLS_SELF_SIGNED",
  "tls-unknown-issuer": "ERR_TLS_UNKNOWN_ISSUER",
  "tls-pin-mismatch": "ERR_TLS_PIN_MISMATCH",
  "tls-no-shared-cipher": "ERR_TLS_NO_SHARED_CIPHER",
  "tls-protocol-version": "ERR_TLS_PROTOCOL_VERSION",
  "tls-not-tls": "ERR_TLS_NOT_TLS",
  "tls-handshake-closed": "ERR_TLS_HANDSHAKE_CLOSED",
  "tls-handshake-timeout": "ERR_TLS_HANDSHAKE_TIMEOUT",
  "tls-client-cert-required": "ERR_TLS_CLIENT_CERT_REQUIRED",
  "tls-client-cert-rejected": "ERR_TLS_CLIENT_CERT_REJECTED",
  "tls-cert-rejected-by-peer": "ERR_TLS_CERT_REJECTED_BY_PEER",
  "tls-no-alpn": "ERR_TLS_NO_ALPN",
  "tls-handshake": "ERR_TLS_HANDSHAKE",
};

/** A socklab TLS error with its catalogue key; the English message is the catalogue's. */
export function tlsFailure(
  key: TlsErrorMessageKey,
  params: Record<string, string | number>,
  options: { cause?: unknown; address?: string } = {},
): SocklabError {
  const message = en.errors[key](params, messageTools("en"));
  const extra: { cause?: unknown; address?: string } = {};
  if (options.cause !== undefined) extra.cause = options.cause;
  if (options.address !== undefined) extra.address = options.address;
  return new SocklabError(CODES[key], message, { ...extra, messageKey: key, params });
}

/** Certificate verification results (X509_V_ERR_* names as Node reports them). */
const SELF_SIGNED = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"]);
const UNKNOWN_ISSUER = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
]);
/** What OpenSSL says when the bytes that came back are not a TLS server's. */
const NOT_TLS = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_UNEXPECTED_MESSAGE",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
  "ERR_SSL_HTTPS_PROXY_REQUEST",
  "ERR_SSL_RECORD_LENGTH_MISMATCH",
  "ERR_SSL_UNEXPECTED_RECORD",
  "ERR_SSL_BAD_RECORD_TYPE",
  "ERR_SSL_RECORD_LAYER_FAILURE",
  "ERR_SSL_UNKNOWN_PROTOCOL",
]);
const PROTOCOL_VERSION = new Set([
  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  "ERR_SSL_UNSUPPORTED_PROTOCOL",
  "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
  "ERR_SSL_VERSION_TOO_LOW",
]);
const NO_SHARED_CIPHER = new Set(["ERR_SSL_NO_SHARED_CIPHER", "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE", "ERR_SSL_NO_CIPHERS_AVAILABLE"]);
/** Alerts a peer sends when it does not accept the certificate we showed it. */
const CERT_REJECTED_BY_PEER = new Set([
  "ERR_SSL_TLSV1_ALERT_UNKNOWN_CA",
  "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED",
  "ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
  "ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED",
  "ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR",
]);
const CLOSED = new Set(["ECONNRESET", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE", "ERR_SOCKET_CLOSED"]);

/** `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA` → `unknown ca`. */
function alertName(code: string): string {
  return code.replace(/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/, "").replaceAll("_", " ").toLowerCase();
}

function names(cert: PeerCertificate | undefined): string {
  if (!cert) return "?";
  const alt = cert.subjectaltname
    ?.split(", ")
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ""))
    // OpenSSL spells IPv6 in full (0:0:0:0:0:0:0:1); people write ::1.
    .map((name) => (isIPv6(name) ? new URL(`http://[${name}]`).hostname.slice(1, -1) : name))
    .join(", ");
  if (alt) return alt;
  const cn = cert.subject?.CN;
  return (Array.isArray(cn) ? cn.join(", ") : cn) ?? "?";
}

function issuerOf(cert: PeerCertificate | undefined): string {
  const cn = cert?.issuer?.CN;
  return (Array.isArray(cn) ? cn.join(", ") : cn) ?? "?";
}

function fingerprintOfPeer(cert: PeerCertificate | undefined): string {
  return cert?.fingerprint256 ? `sha256:${cert.fingerprint256.replaceAll(":", "").toLowerCase()}` : "?";
}

/**
 * Classify a TLS failure. Errors that are already socklab errors pass through; everything
 * else becomes one of the ERR_TLS_* codes with the original error as `cause`.
 */
export function tlsError(err: unknown, context: TlsErrorContext): SocklabError {
  if (err instanceof SocklabError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; reason?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const { address, side } = context;
  const cert = context.peerCertificate;
  const make = (key: TlsErrorMessageKey, params: Record<string, string | number> = {}): SocklabError =>
    tlsFailure(key, { address, side, ...params }, { cause: err, address });

  if (code === "CERT_HAS_EXPIRED") return make("tls-expired", { date: cert?.valid_to ?? "?" });
  if (code === "CERT_NOT_YET_VALID") return make("tls-not-yet-valid", { date: cert?.valid_from ?? "?" });
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const host = context.host ?? (typeof (err as { host?: unknown }).host === "string" ? (err as { host: string }).host : "?");
    return make("tls-hostname", { host, names: names(cert) });
  }
  if (SELF_SIGNED.has(code)) return make("tls-self-signed", { fingerprint: fingerprintOfPeer(cert) });
  if (UNKNOWN_ISSUER.has(code)) return make("tls-unknown-issuer", { issuer: issuerOf(cert) });
  if (NOT_TLS.has(code)) return make("tls-not-tls");
  if (PROTOCOL_VERSION.has(code)) return make("tls-protocol-version");
  if (NO_SHARED_CIPHER.has(code)) return make("tls-no-shared-cipher");
  if (code === "ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL" || code === "ERR_SSL_NO_APPLICATION_PROTOCOL") {
    return make("tls-no-alpn", { alpn: (context.alpn ?? []).join(",") || "-" });
  }
  if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" || code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") {
    return make("tls-client-cert-required");
  }
  if (CERT_REJECTED_BY_PEER.has(code)) return make("tls-cert-rejected-by-peer", { reason: alertName(code) });
  if (code === "ERR_TLS_HANDSHAKE_TIMEOUT" || code === "ETIMEDOUT") {
    return make("tls-handshake-timeout", { timeoutMs: context.timeoutMs ?? 0 });
  }
  if (CLOSED.has(code)) return make("tls-handshake-closed");
  const detail = typeof e.reason === "string" ? e.reason : typeof e.message === "string" ? e.message.split("\n")[0]! : String(err);
  return make("tls-handshake", { detail: code ? `${code}: ${detail}` : detail });
}

/**
 * What a finished TLS handshake gives a user to look at: version, cipher, ALPN, and who the
 * peer is (certificate subject, common name, fingerprint), plus whether and how it was
 * verified. One shape for client and server; turned into `tls-established` events.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { SocklabEvent, TlsVerifiedBy } from "../events.js";
import { fromColonHex, type Fingerprint } from "./fingerprint.js";

export interface TlsSessionInfo {
  /** `TLSv1.3`, `TLSv1.2`. */
  protocol: string;
  /** The cipher suite's standard name, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** The negotiated ALPN protocol, if any. */
  alpn?: string;
  /** The peer certificate's subject, one line (`CN=localhost`); absent if it sent none. */
  subject?: string;
  /** The peer certificate's common name. */
  commonName?: string;
  /** `sha256:` + lowercase hex of the peer's certificate. */
  fingerprint?: Fingerprint;
  /** The peer was authenticated (CA chain and host name, pin, or client CA). */
  verified: boolean;
  verifiedBy?: TlsVerifiedBy;
  /** Why it was not verified (OpenSSL's verification result), when not verified. */
  unverifiedReason?: string;
}

/**
 * The peer's certificate, parsed. (Node 20's getPeerX509Certificate() answers only its first
 * call on a socket; getPeerCertificate() answers every time.)
 */
export function peerCertificateOf(socket: TLSSocket): X509Certificate | undefined {
  try {
    const raw = socket.getPeerCertificate()?.raw;
    return raw && raw.length > 0 ? new X509Certificate(raw) : undefined;
  } catch {
    return undefined;
  }
}

/** Describe a socket whose handshake has completed. */
export function describeSession(socket: TLSSocket, verifiedBy: TlsVerifiedBy | undefined, unverifiedReason?: string): TlsSessionInfo {
  const cipher = socket.getCipher();
  const info: TlsSessionInfo = {
    protocol: socket.getProtocol() ?? "?",
    cipher: cipher?.standardName ?? cipher?.name ?? "?",
    verified: verifiedBy !== undefined,
  };
  if (typeof socket.alpnProtocol === "string") info.alpn = socket.alpnProtocol;
  const peer = peerCertificateOf(socket);
  if (peer) {
    info.subject = peer.subject.split("\n").join(", ");
    const cn = peer.subject.split("\n").find((part) => part.startsWith("CN="));
    if (cn) info.commonName = cn.slice(3);
    info.fingerprint = fromColonHex(peer.fingerprint256);
  }
  if (verifiedBy !== undefined) info.verifiedBy = verifiedBy;
  else if (unverifiedReason !== undefined) info.unverifiedReason = unverifiedReason;
  return info;
}

/**
 * The events a handshake produces for `peer`: `tls-established`, and `tls-unverified` when
 * the peer was not authenticated (a client with --insecure says so for every connection).
 */
export function sessionEvents(peer: string, info: TlsSessionInfo, warnUnverified: boolean): SocklabEvent[] {
  const established: Extract<SocklabEvent, { type: "tls-established" }> = {
    type: "tls-established",
    peer,
    protocol: info.protocol,
    cipher: info.cipher,
    verified: info.verified,
  };
  if (info.alpn !== undefined) established.alpn = info.alpn;
  if (info.subject !== undefined) established.subject = info.subject;
  if (info.commonName !== undefined) established.commonName = info.commonName;
  if (info.fingerprint !== undefined) established.fingerprint = info.fingerprint;
  if (info.verifiedBy !== undefined) established.verifiedBy = info.verifiedBy;
  const events: SocklabEvent[] = [established];
  if (warnUnverified && !info.verified) {
    const warning: Extract<SocklabEvent, { type: "tls-unverified" }> = { type: "tls-unverified", peer };
    if (info.unverifiedReason !== undefined) warning.reason = info.unverifiedReason;
    events.push(warning);
  }
  return events;
}

/** TLS for socklab: client, server setup, certificates, fingerprints, errors, session info. */
export { connectTls, openTls, prepareTlsClient, secureClient } from "./client.js";
export type { ConnectTlsOptions, SecureClientOptions, TlsClientConfig, TlsClientOptions, TlsConnection } from "./client.js";
export { createTlsServerOptions, onTlsConnections } from "./server.js";
export type { TlsConnectionHandlers, TlsServerOptions, TlsServerSetup } from "./server.js";
export { createCertificate, ephemeralNames, ephemeralServerCertificate } from "./certificates.js";
export type { CertificateAndKey, CertificateRequest } from "./certificates.js";
export { fingerprintOf, fromColonHex, parsePin } from "./fingerprint.js";
export type { Fingerprint } from "./fingerprint.js";
export { tlsError, tlsFailure } from "./errors.js";
export type { TlsErrorContext, TlsSide } from "./errors.js";
export { describeSession, sessionEvents } from "./session.js";
export type { TlsSessionInfo } from "./session.js";
export type { PemSource } from "./files.js";

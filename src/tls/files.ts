/**
 * Reading the PEM files TLS options name (--cert, --key, --ca, --client-ca), with one clear
 * error per problem (missing file, not PEM, no key) instead of OpenSSL's.
 */
import { readFileSync } from "node:fs";
import { tlsFailure } from "./errors.js";

export type PemKind = "certificate" | "key";

/** A PEM option's value: a file path, or the PEM text itself (library callers). */
export type PemSource = string | { pem: string };

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/** Read a PEM certificate bundle or private key; `option` names the flag in errors. */
export function readPem(source: PemSource, kind: PemKind, option: string): string {
  const path = typeof source === "string" ? source : "(PEM text)";
  let text: string;
  if (typeof source === "string") {
    try {
      text = readFileSync(source, "utf8");
    } catch (err) {
      const code = (err as { code?: string }).code ?? "ERROR";
      throw tlsFailure("tls-file", { option, path, problem: "unreadable", detail: code }, { cause: err });
    }
  } else {
    text = source.pem;
  }
  const ok = kind === "certificate" ? CERT_BLOCK.test(text) : KEY_BLOCK.test(text);
  if (!ok) throw tlsFailure("tls-file", { option, path, problem: kind === "certificate" ? "no-certificate" : "no-key" });
  return text;
}

/** How to name a PEM source in messages. */
export function sourceName(source: PemSource): string {
  return typeof source === "string" ? source : "(PEM text)";
}

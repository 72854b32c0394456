/**
 * Certificate fingerprints as socklab writes them: `sha256:` + 64 lowercase hex digits.
 * A pin may also be given in the colon-separated form openssl and browsers show
 * (`AB:CD:…`, with or without the `sha256:` prefix).
 */
import { X509Certificate, createHash } from "node:crypto";
import { SocklabError } from "../errors.js";

/** `sha256:` + lowercase hex of the DER certificate's SHA-256. */
export type Fingerprint = `sha256:${string}`;

/** The fingerprint of a certificate (DER bytes, a PEM text, or a parsed certificate). */
export function fingerprintOf(certificate: Buffer | string | X509Certificate): Fingerprint {
  const der =
    certificate instanceof X509Certificate
      ? certificate.raw
      : typeof certificate === "string"
        ? new X509Certificate(certificate).raw
        : certificate;
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

/** Node's `fingerprint256` form (`AB:CD:…`) in socklab's form. */
export function fromColonHex(colonHex: string): Fingerprint {
  return `sha256:${colonHex.replaceAll(":", "").toLowerCase()}`;
}

/**
 * Parse a `--pin` value: `sha256:HEX`, `sha256:AB:CD:…`, or the bare 64 hex digits in
 * either form. Throws ERR_TLS_BAD_PIN (a usage-class mistake) for anything else.
 */
export function parsePin(text: string): Fingerprint {
  const trimmed = text.trim();
  const body = trimmed.toLowerCase().startsWith("sha256:") ? trimmed.slice("sha256:".length) : trimmed;
  const colonForm = /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(body);
  const plainForm = /^[0-9a-f]{64}$/i.test(body);
  if (!colonForm && !plainForm) {
    throw new SocklabError(
      "ERR_TLS_BAD_PIN",
      `bad pin "${text}": expected sha256: followed by 64 hex digits (colons between byte pairs allowed)`,
      { messageKey: "tls-bad-pin", params: { pin: text } },
    );
  }
  return `sha256:${body.replaceAll(":", "").toLowerCase()}`;
}

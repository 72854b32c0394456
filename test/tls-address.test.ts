/**
 * tls:// in socklab's address notation, and the TLS events in both languages.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ADDRESS_FORMS, formatAddress, isDatagramAddress, isInetAddress, isStreamAddress, parseAddress } from "../src/address.js";
import { AddressError } from "../src/errors.js";
import { EVENT_TYPES } from "../src/events.js";
import { CATALOGS, formatEvent } from "../src/i18n/format.js";
import { sessionEvents, type TlsSessionInfo } from "../src/tls/session.js";

test("tls://HOST:PORT parses like tcp://, IPv6 in brackets, and formats back", () => {
  assert.deepEqual(parseAddress("tls://127.0.0.1:8443"), { kind: "tls", host: "127.0.0.1", port: 8443 });
  assert.deepEqual(parseAddress("TLS://example.org:443"), { kind: "tls", host: "example.org", port: 443 });
  assert.deepEqual(parseAddress("tls://[::1]:0"), { kind: "tls", host: "::1", port: 0 });
  for (const text of ["tls://127.0.0.1:8443", "tls://[::1]:443", "tls://localhost:0"]) {
    assert.equal(formatAddress(parseAddress(text)), text);
  }
  const a = parseAddress("tls://localhost:443");
  assert.equal(isStreamAddress(a), true);
  assert.equal(isDatagramAddress(a), false);
  assert.equal(isInetAddress(a), true);
  assert.match(ADDRESS_FORMS, /tls:\/\/HOST:PORT/);
});

test("bad tls:// addresses get the same clear errors as tcp://", () => {
  for (const [text, re] of [
    ["tls://127.0.0.1", /missing :PORT/],
    ["tls://::1:443", /brackets/],
    ["tls://[::1]:70000", /out of range/],
  ] as const) {
    assert.throws(() => parseAddress(text), (e: unknown) => e instanceof AddressError && re.test(e.message), text);
  }
});

test("TLS events are in the vocabulary and read well in English and Spanish", () => {
  assert.ok(EVENT_TYPES.includes("tls-established"));
  assert.ok(EVENT_TYPES.includes("tls-unverified"));
  const info: TlsSessionInfo = {
    protocol: "TLSv1.3",
    cipher: "TLS_AES_256_GCM_SHA384",
    alpn: "socklab/1",
    subject: "CN=alice",
    commonName: "alice",
    fingerprint: `sha256:${"ab".repeat(32)}`,
    verified: true,
    verifiedBy: "client-ca",
  };
  const [established] = sessionEvents("tls://127.0.0.1:5000", info, true);
  assert.equal(
    formatEvent(established!, "en"),
    `tls tls://127.0.0.1:5000 TLSv1.3 TLS_AES_256_GCM_SHA384 alpn=socklab/1 subject="CN=alice" sha256:${"ab".repeat(32)} verified (client CA)`,
  );
  assert.match(formatEvent(established!, "es"), /sujeto="CN=alice" .* verificado \(CA de clientes\)$/);
  const unverified = sessionEvents("tls://127.0.0.1:5000", { ...info, verified: false, verifiedBy: undefined, unverifiedReason: "DEPTH_ZERO_SELF_SIGNED_CERT" } as TlsSessionInfo, true);
  assert.deepEqual(unverified.map((e) => e.type), ["tls-established", "tls-unverified"]);
  assert.match(formatEvent(unverified[1]!, "en"), /NOT verified \(--insecure\).*DEPTH_ZERO_SELF_SIGNED_CERT/);
  assert.match(formatEvent(unverified[1]!, "es"), /NO está verificado \(--insecure\)/);
  // Every TLS error key has a text in both languages.
  const keys = Object.keys(CATALOGS.en.errors).filter((k) => k.startsWith("tls-"));
  assert.ok(keys.length >= 19);
  assert.deepEqual(Object.keys(CATALOGS.es.errors).filter((k) => k.startsWith("tls-")).sort(), keys.sort());
});

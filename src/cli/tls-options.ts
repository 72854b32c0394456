/**
 * The TLS flags, defined once: every command that takes a stream address spreads
 * `...tlsOptions` into its option table, and reads them with `tlsSettings(values, role)`.
 * Their help lines are written once per language too (TLS_HELP in src/i18n/help-*.ts).
 */
import type { Address } from "../address.js";
import type { TlsClientConfig } from "../tls/client.js";
import { prepareTlsClient, type TlsClientOptions } from "../tls/client.js";
import type { TlsServerOptions } from "../tls/server.js";
import { str, usage } from "./args.js";

export const tlsOptions = {
  cert: { type: "string" },
  key: { type: "string" },
  ca: { type: "string" },
  "client-ca": { type: "string" },
  pin: { type: "string" },
  insecure: { type: "boolean" },
  sni: { type: "string" },
  alpn: { type: "string" },
} as const;

export type TlsRole = "client" | "server";

type Values = Record<string, string | boolean | string[] | undefined>;

/** Which flags belong to which side. */
const ONLY: Record<TlsRole, readonly string[]> = {
  client: ["ca", "pin", "insecure", "sni"],
  server: ["client-ca"],
};

function given(values: Values): string[] {
  return Object.keys(tlsOptions).filter((name) => values[name] !== undefined && values[name] !== false);
}

function alpnList(values: Values): string[] | undefined {
  const raw = str(values, "alpn");
  return raw === undefined ? undefined : raw.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/**
 * The TLS settings of the command line for `role` at `where`: undefined for a non-TLS
 * address (and then no TLS flag may be given). A client's settings are checked and its
 * secure context built once here, so a bad file or flag combination fails before connecting.
 */
export function tlsSettings(values: Values, role: "client", where: Address): TlsClientConfig | undefined;
export function tlsSettings(values: Values, role: "server", where: Address): TlsServerOptions | undefined;
export function tlsSettings(values: Values, role: TlsRole, where: Address): TlsClientConfig | TlsServerOptions | undefined {
  const flags = given(values);
  if (where.kind !== "tls") {
    if (flags.length > 0) throw usage("usage.tls-only", { option: `--${flags[0]}` });
    return undefined;
  }
  const other = role === "client" ? "server" : "client";
  const wrong = flags.find((name) => ONLY[other].includes(name));
  if (wrong !== undefined) throw usage("usage.tls-role", { option: `--${wrong}`, role });
  const cert = str(values, "cert");
  const key = str(values, "key");
  const alpn = alpnList(values);
  if (role === "server") {
    const server: TlsServerOptions = {};
    if (cert !== undefined) server.cert = cert;
    if (key !== undefined) server.key = key;
    const clientCa = str(values, "client-ca");
    if (clientCa !== undefined) server.clientCa = clientCa;
    if (alpn !== undefined) server.alpn = alpn;
    return server;
  }
  const client: TlsClientOptions = {};
  if (cert !== undefined) client.cert = cert;
  if (key !== undefined) client.key = key;
  const ca = str(values, "ca");
  if (ca !== undefined) client.ca = ca;
  const pin = str(values, "pin");
  if (pin !== undefined) client.pin = pin;
  if (values.insecure === true) client.insecure = true;
  const sni = str(values, "sni");
  if (sni !== undefined) client.sni = sni;
  if (alpn !== undefined) client.alpn = alpn;
  return prepareTlsClient(client);
}

const SERVER_SIDE = ["cert", "key", "client-ca", "alpn"];
const CLIENT_SIDE = ["ca", "pin", "insecure", "sni"];

function only(values: Values, names: readonly string[]): Values {
  return Object.fromEntries(Object.entries(values).filter(([name]) => names.includes(name) || !(name in tlsOptions)));
}

/**
 * relay FROM TO: the listening side (FROM tls://) takes --cert/--key/--client-ca/--alpn, the
 * connecting side (TO tls://) takes --ca/--pin/--insecure/--sni (and --cert/--key/--alpn when
 * FROM is not TLS: a client certificate then).
 */
export function relayTlsSettings(values: Values, from: Address, to: Address): { server?: TlsServerOptions; client?: TlsClientConfig } {
  if (from.kind !== "tls" && to.kind !== "tls") {
    tlsSettings(values, "client", to); // throws usage.tls-only for any TLS flag
    return {};
  }
  const result: { server?: TlsServerOptions; client?: TlsClientConfig } = {};
  if (from.kind === "tls") result.server = tlsSettings(only(values, SERVER_SIDE), "server", from)!;
  const clientFlags = from.kind === "tls" ? CLIENT_SIDE : [...CLIENT_SIDE, ...SERVER_SIDE.filter((n) => n !== "client-ca")];
  if (to.kind === "tls") result.client = tlsSettings(only(values, clientFlags), "client", to)!;
  else {
    const stray = given(values).find((name) => !SERVER_SIDE.includes(name));
    if (stray !== undefined) throw usage("usage.tls-role", { option: `--${stray}`, role: "server" });
  }
  return result;
}

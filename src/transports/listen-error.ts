/** Bind/listen failures as one clear line, for every transport. */
import { dirname } from "node:path";
import { formatAddress, type Address } from "../address.js";
import { SocketError, SocklabError } from "../errors.js";

/**
 * A bind/listen failure as socklab says it: one line naming the address and the cause
 * (`unix:/x/s.sock: cannot listen there: directory /x does not exist`), localised through
 * the `cannot-listen` message. socklab's own errors (not supported, usage) pass unchanged.
 */
export function listenError(err: unknown, address: Address): unknown {
  const shown = formatAddress(address);
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (err instanceof SocklabError && (err.messageKey !== undefined || err.code.startsWith("ERR_"))) {
    err.address ??= shown;
    return err;
  }
  if (code === undefined || !/^E[A-Z0-9]+$/.test(code)) return err;
  // A wrapped system error: the detail is the system's own words, as if it were not wrapped.
  const inner = err instanceof SocketError && err.cause instanceof Error ? err.cause : e;
  const params: Record<string, string | number> = { address: shown, code, detail: typeof inner?.message === "string" ? inner.message : String(err) };
  if (address.kind === "unix" || address.kind === "unix-dgram") params.dir = dirname(address.path);
  return new SocklabError(code, `${shown}: cannot listen there: ${params.detail}`, {
    cause: err,
    address: shown,
    messageKey: "cannot-listen",
    params,
  });
}

/**
 * `socklab relay FROM TO` (socat's most-used job): accept clients on FROM, open TO for each,
 * copy both ways. Prints `listening ADDRESS`, then events: relay-open, relay-close with the
 * bytes each way, upstream-failed, refusals. SIGINT/SIGTERM stop it cleanly (exit 0).
 */
import { formatAddress, isStreamAddress } from "../../address.js";
import { accessListFrom } from "../../net/cidr.js";
import { startRelay } from "../../relay.js";
import { listenExtras } from "../../transports/registry.js";
import { relayTlsSettings, tlsOptions } from "../tls-options.js";
import { address, exclusive, flag, list, noExtra, octalMode, parseCommand, seconds, usage } from "../args.js";
import { emit, stderrGate } from "../output.js";
import { byteViewFromFlags } from "../server-options.js";
import { untilSignal } from "../signals.js";

export const relayOptions = {
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  "allow-file": { type: "string", multiple: true },
  "deny-file": { type: "string", multiple: true },
  "idle-timeout": { type: "string" },
  timeout: { type: "string" },
  "4": { type: "boolean", short: "4" },
  "6": { type: "boolean", short: "6" },
  hexdump: { type: "boolean", short: "x" },
  "hexdump-file": { type: "string" },
  show: { type: "boolean" },
  "dual-stack": { type: "boolean" },
  "ipv6-only": { type: "boolean" },
  mode: { type: "string" },
  ...tlsOptions,
} as const;

export async function relayCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, relayOptions);
  if (flag(values, "help")) return "help";
  const [fromText, toText, ...extra] = positionals;
  noExtra(extra);
  const from = address(fromText, "FROM");
  const to = address(toText, "TO");
  const bothStream = isStreamAddress(from) && isStreamAddress(to);
  if (!bothStream && !(from.kind === "udp" && to.kind === "udp")) {
    throw usage("usage.relay-pair", { from: formatAddress(from), to: formatAddress(to) });
  }
  exclusive(values, "4", "6");
  exclusive(values, "dual-stack", "ipv6-only");
  const access = await accessListFrom({
    allow: list(values, "allow"),
    deny: list(values, "deny"),
    allowFile: list(values, "allow-file"),
    denyFile: list(values, "deny-file"),
  });
  if (!access.empty && from.kind !== "tcp" && from.kind !== "tls" && from.kind !== "udp") {
    throw usage("usage.access-needs-ip", { option: "--allow/--deny", address: formatAddress(from) });
  }
  const mode = octalMode(values);
  const tls = relayTlsSettings(values, from, to);

  // -x/--hexdump-file/--show, as serve and listen read them (a failed dump write is reported
  // once for the file; with --json the chunks are events carrying the bytes).
  const view = byteViewFromFlags(values);

  const stopSignal = untilSignal();
  const relay = await startRelay({
    from,
    to,
    onEvent: emit,
    access,
    connectTimeoutMs: seconds(values, "timeout"),
    idleTimeoutMs: seconds(values, "idle-timeout"),
    family: flag(values, "4") ? 4 : flag(values, "6") ? 6 : 0,
    tapFor: (peer) => view.forPeer(peer),
    payload: view.payload,
    tapGate: stderrGate,
    ...(tls.client ? { upstreamTls: tls.client } : {}),
    listen: bothStream
      ? {
          dualStack: !flag(values, "ipv6-only"),
          ipv6Only: flag(values, "ipv6-only"),
          socketMode: mode,
          ...(await listenExtras(from, { mode, tls: tls.server })),
        }
      : {},
  });
  emit({ type: "listening", address: relay.url, ...(relay.fingerprint ? { fingerprint: relay.fingerprint } : {}) });
  const signal = await stopSignal;
  emit({ type: "stopping", signal });
  await relay.close();
  await view.close();
  return 0;
}

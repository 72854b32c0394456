/**
 * `socklab relay FROM TO` (socat's most-used job): accept clients on FROM, open TO for each,
 * copy both ways. Prints `listening ADDRESS`, then events: relay-open, relay-close with the
 * bytes each way, upstream-failed, refusals. SIGINT/SIGTERM stop it cleanly (exit 0).
 */
import { formatAddress, isStreamAddress } from "../../address.js";
import { byteViewSink } from "../../format/tap.js";
import { accessListFrom } from "../../net/cidr.js";
import { DEFAULT_UDP_MAPPING_IDLE_MS, startRelay } from "../../relay.js";
import { listenExtras } from "../../transports/registry.js";
import { relayTlsSettings, tlsOptions } from "../tls-options.js";
import { address, exclusive, flag, list, noExtra, octalMode, parseCommand, seconds, str, usage } from "../args.js";
import { diag, emit, flushed, jsonPayload, outputMode, stderrGate } from "../output.js";
import { untilSignal } from "../signals.js";
import { appendDump, type DumpFile } from "../dump-file.js";

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

  const hexdumpFile = str(values, "hexdump-file");
  // A failed write is reported once for the file; the relayed transfers go on (dump-file.ts).
  const dumpFile: DumpFile | undefined = hexdumpFile !== undefined ? appendDump(hexdumpFile) : undefined;
  // --json: each chunk is a relayed client's sent/received event with its bytes; the dump stays text only in its file.
  const json = outputMode().json;
  const payload = jsonPayload({ hexdump: flag(values, "hexdump"), hexdumpFile: hexdumpFile !== undefined, show: flag(values, "show") });
  const hexdump = json ? hexdumpFile !== undefined : flag(values, "hexdump") || hexdumpFile !== undefined;
  const show = !json && flag(values, "show");
  // Every line kept: a relayed client waits for standard error instead (tapGate).
  const writeDump = (text: string): void => {
    if (dumpFile) dumpFile.write(text);
    else for (const line of text.slice(0, -1).split("\n")) diag(line, true);
  };
  const writeShow = (text: string): void => {
    for (const line of text.slice(0, -1).split("\n")) diag(line, true);
  };

  const stopSignal = untilSignal();
  const relay = await startRelay({
    from,
    to,
    onEvent: emit,
    access,
    connectTimeoutMs: seconds(values, "timeout"),
    idleTimeoutMs: seconds(values, "idle-timeout"),
    family: flag(values, "4") ? 4 : flag(values, "6") ? 6 : 0,
    tapFor:
      hexdump || show
        ? (peer) => {
            const dump = hexdump ? byteViewSink(peer, { hexdump: true }, writeDump) : undefined;
            const literal = show ? byteViewSink(peer, { show: true }, writeShow) : undefined;
            return {
              chunk: (direction, data) => {
                dump?.chunk(direction, data);
                literal?.chunk(direction, data);
              },
            };
          }
        : undefined,
    payload,
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
  await dumpFile?.close();
  return 0;
}

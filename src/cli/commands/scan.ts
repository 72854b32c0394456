/**
 * `socklab scan tcp://HOST:PORTS` (nc -z): which of these TCP ports accept a connection.
 * stdout: one line per open port, `tcp://HOST:PORT`, in the order given. `-v`: one event per
 * port (open, closed, filtered, error) and a summary on stderr. Exit 0 if any port is open,
 * 1 if none, 2 for bad input.
 */
import { UsageError } from "../../errors.js";
import { DEFAULT_SCAN_CONCURRENCY, DEFAULT_SCAN_TIMEOUT_MS, parsePorts, PortListError, scanPorts } from "../../scan.js";
import { address, count, exclusive, flag, parseCommand, seconds, usage } from "../args.js";
import { emit, flushed } from "../output.js";

export const scanOptions = {
  timeout: { type: "string" },
  concurrency: { type: "string" },
  "4": { type: "boolean", short: "4" },
  "6": { type: "boolean", short: "6" },
  verbose: { type: "boolean", short: "v" },
} as const;

/** Split `tcp://HOST:PORTS` into the host (checked as an address) and the port list. */
export function parseScanTarget(text: string | undefined): { host: string; ports: number[] } {
  // tls://HOST:PORTS is scanned as TCP (a plain connect; no handshake probe).
  if (text !== undefined && /^tls:\/\//i.test(text.trim())) text = `tcp://${text.trim().slice("tls://".length)}`;
  if (text === undefined) throw usage("usage.scan-missing-target");
  if (/^udp:\/\//i.test(text.trim())) throw usage("usage.scan-udp");
  const colon = text.lastIndexOf(":");
  if (!/^tcp:\/\//i.test(text.trim()) || colon < "tcp://".length) {
    throw usage("usage.scan-bad-target", { target: text });
  }
  // The host part is checked by the one address parser, with a stand-in port.
  const where = address(`${text.slice(0, colon)}:0`, "tcp://HOST:PORTS");
  if (where.kind !== "tcp") throw usage("usage.scan-bad-target", { target: text });
  try {
    return { host: where.host, ports: parsePorts(text.slice(colon + 1)) };
  } catch (err) {
    if (err instanceof PortListError) throw new UsageError(err.message);
    throw err;
  }
}

export async function scanCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, scanOptions);
  if (flag(values, "help")) return "help";
  const [target, ...extra] = positionals;
  if (extra.length > 0) throw usage("usage.scan-extra", { argument: extra[0]! });
  const { host, ports } = parseScanTarget(target);
  if (target !== undefined && /^tls:\/\//i.test(target.trim())) emit({ type: "note", note: "scan-tls-plain" });
  exclusive(values, "4", "6");
  const timeoutMs = seconds(values, "timeout") ?? DEFAULT_SCAN_TIMEOUT_MS;
  if (timeoutMs <= 0) throw usage("usage.positive", { option: "--timeout" });
  const verbose = flag(values, "verbose");
  const report = await scanPorts({
    host,
    ports,
    timeoutMs,
    concurrency: count(values, "concurrency", 1, 10_000) ?? DEFAULT_SCAN_CONCURRENCY,
    family: flag(values, "4") ? 4 : flag(values, "6") ? 6 : 0,
    onEvent: verbose ? emit : undefined,
    onResult: (result) => {
      if (result.state === "open") process.stdout.write(`${result.address}\n`);
    },
  });
  await flushed(process.stdout);
  return report.open.length > 0 ? 0 : 1;
}

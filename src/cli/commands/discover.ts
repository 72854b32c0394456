/** `socklab discover [ADDRESS]`: broadcast a question and list every responder. */
import { formatAddress } from "../../address.js";
import { NoResponseError } from "../../errors.js";
import { discover } from "../../udp/discover.js";
import { address, decodeEscapes, flag, noExtra, parseCommand, seconds, str, usage } from "../args.js";
import { flushed, printable } from "../output.js";

export const DEFAULT_DISCOVER_ADDRESS = "udp://127.255.255.255:9008";

export const discoverOptions = {
  message: { type: "string" },
  timeout: { type: "string" },
} as const;

export async function discoverCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, discoverOptions);
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  noExtra(extra);
  const where = address(addressText ?? DEFAULT_DISCOVER_ADDRESS);
  if (where.kind !== "udp") throw usage("usage.discover-needs-udp");
  const timeoutMs = seconds(values, "timeout") ?? 1000;
  const message = decodeEscapes(str(values, "message") ?? "DISCOVER?");
  const replies = await discover({
    host: where.host,
    port: where.port,
    message,
    timeoutMs,
    onReply: (reply) => process.stdout.write(`${reply.from} ${printable(reply.data)}\n`),
  });
  await flushed(process.stdout);
  if (replies.length === 0) {
    const label = formatAddress(where);
    throw new NoResponseError(`${label}: no responder within ${timeoutMs / 1000}s`, {
      address: label,
      messageKey: "no-responder",
      params: { address: label, timeoutMs },
    });
  }
  return 0;
}

/** `socklab discover [ADDRESS]`: broadcast a question and list every responder. */
import { formatAddress } from "../../address.js";
import { NoResponseError, UsageError } from "../../errors.js";
import { discover } from "../../udp/discover.js";
import { address, decodeEscapes, flag, parseCommand, seconds, str } from "../args.js";
import { flushed, printable } from "../output.js";

export const DEFAULT_DISCOVER_ADDRESS = "udp://127.255.255.255:9008";

export async function discoverCommand(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, {
    message: { type: "string" },
    timeout: { type: "string" },
  });
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const where = address(addressText ?? DEFAULT_DISCOVER_ADDRESS);
  if (where.kind !== "udp") throw new UsageError("discover needs a udp://BROADCAST:PORT address");
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

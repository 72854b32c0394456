/**
 * Guide 2 §6 (`recv_all(sock, nbytes=None)`) as a tiny separate program built on the
 * library, for the lab's exercise 2.6: the CLI reads until EOF, but has no "read exactly N
 * bytes" switch, so this client does it with `recvAll` and exits without waiting for EOF.
 *
 *   node dist/src/lab/recv-all-client.js tcp://HOST:PORT [NBYTES]
 *
 * The bytes go to stdout; its events go to stderr as socklab's `--json` lines
 * (`connected`, `received` with the bytes recv_all returned, `closed`, or `error`; a usage
 * error's message in the language of LC_ALL / LC_MESSAGES / LANG).
 */
import { parseAddress, formatAddress } from "../address.js";
import { errorEvent, type SocklabEvent } from "../events.js";
import { langFromEnv } from "../i18n/format.js";
import { recvAll } from "../stream/io.js";
import { connectTcp } from "../tcp/connect.js";
import { LAB_TEXTS } from "./texts.js";

/** Its usage errors in the user's language (LC_ALL / LC_MESSAGES / LANG), from the lab's catalogue. */
const texts = LAB_TEXTS[langFromEnv()];

let seq = 0;
const t0 = performance.now();

function emit(event: SocklabEvent): void {
  const { type, ...fields } = event;
  const t = Math.round((performance.now() - t0) * 1000) / 1000;
  process.stderr.write(`${JSON.stringify({ event: type, seq: ++seq, t, ...fields })}\n`);
}

async function main(): Promise<number> {
  const [addressText, countText] = process.argv.slice(2);
  if (addressText === undefined) {
    emit({ type: "error", code: "ERR_USAGE", message: texts.errors.recvAllUsage });
    return 2;
  }
  const address = parseAddress(addressText);
  if (address.kind !== "tcp") {
    emit({ type: "error", code: "ERR_USAGE", message: texts.errors.recvAllOnlyTcp(addressText) });
    return 2;
  }
  const nbytes = countText === undefined ? undefined : Number(countText);
  const { socket, address: connected } = await connectTcp({ host: address.host, port: address.port, timeoutMs: 5000 });
  emit({ type: "connected", address: connected });
  const data = await recvAll(socket, nbytes, { idleTimeoutMs: 5000 });
  emit({ type: "received", peer: formatAddress(address), bytes: data.length });
  socket.destroy();
  emit({ type: "closed", peer: formatAddress(address), received: data.length, sent: 0 });
  await new Promise<void>((resolve) => process.stdout.write(data, () => resolve()));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    emit(errorEvent(err));
    process.exitCode = 1;
  },
);

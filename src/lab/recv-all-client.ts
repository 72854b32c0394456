/**
 * Guide 2 §6 (`recv_all(sock, nbytes=None)`) as a tiny separate program built on the
 * library, for the lab's exercise 2.6: the CLI reads until EOF, but has no "read exactly N
 * bytes" switch, so this client does it with `recvAll` and exits without waiting for EOF.
 *
 *   node dist/src/lab/recv-all-client.js tcp://HOST:PORT [NBYTES]
 *
 * The bytes go to stdout; `connected …` and `recv_all … bytes` go to stderr.
 */
import { parseAddress, formatAddress } from "../address.js";
import { describeError } from "../errors.js";
import { recvAll } from "../stream/io.js";
import { connectTcp } from "../tcp/connect.js";

async function main(): Promise<number> {
  const [addressText, countText] = process.argv.slice(2);
  if (addressText === undefined) {
    process.stderr.write("usage: recv-all-client tcp://HOST:PORT [NBYTES]\n");
    return 2;
  }
  const address = parseAddress(addressText);
  if (address.kind !== "tcp") {
    process.stderr.write(`recv-all-client: ${addressText}: only tcp:// addresses\n`);
    return 2;
  }
  const nbytes = countText === undefined ? undefined : Number(countText);
  const { socket, address: connected } = await connectTcp({ host: address.host, port: address.port, timeoutMs: 5000 });
  process.stderr.write(`connected ${connected}\n`);
  const data = await recvAll(socket, nbytes, { idleTimeoutMs: 5000 });
  process.stderr.write(`recv_all(${nbytes ?? "EOF"}) got ${data.length} bytes from ${formatAddress(address)}\n`);
  socket.destroy();
  await new Promise<void>((resolve) => process.stdout.write(data, () => resolve()));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`recv-all-client: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);

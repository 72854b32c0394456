/**
 * A load generator run as its own process (so its descriptor limit can be raised with
 * `ulimit -n` without touching the test runner): N clients connect at once to a stream
 * address, wait until every one is connected (or failed), then each sends one line,
 * half-closes, and reads until the server closes. Prints one JSON object on stdout:
 * { connected, served, wrong, failed: { CODE: count }, ms }.
 *
 * With `hold`, each client sends its line without half-closing and waits for its echo;
 * only when every client has its echo (so the server holds them all at once) do they all
 * half-close.
 *
 * usage: node load-clients.js ADDRESS CLIENTS TIMEOUT_MS [hold]
 * ADDRESS: tcp://HOST:PORT or unix:PATH. A client is "served" when it read back exactly
 * `client N\n` (the echo service).
 */
import net from "node:net";

const [addressText, clientsText, timeoutText, modeText] = process.argv.slice(2);
const hold = modeText === "hold";
// `node --test dist/test/` runs every file under test/, this one too: without arguments it does nothing.
if (addressText === undefined) process.exit(0);
const clients = Number(clientsText);
const timeoutMs = Number(timeoutText ?? 30_000);
const t0 = performance.now();

function open(): net.Socket {
  const tcp = /^tcp:\/\/(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addressText ?? "");
  if (tcp) return net.connect({ host: tcp[1] ?? tcp[2]!, port: Number(tcp[3]), allowHalfOpen: true });
  if (addressText?.startsWith("unix:")) return net.connect({ path: addressText.slice(5), allowHalfOpen: true });
  throw new Error(`bad address ${addressText}`);
}

const result = { connected: 0, served: 0, wrong: 0, failed: {} as Record<string, number>, ms: 0, heldAtOnce: 0 };
let settled = 0;
let finishedConnecting = 0;
const sockets: { socket: net.Socket; ok: boolean; expect: string }[] = [];

function report(): void {
  result.ms = Math.round(performance.now() - t0);
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}

const deadline = setTimeout(() => {
  result.failed.TIMEOUT = clients - settled;
  report();
}, timeoutMs);

function settle(): void {
  if (++settled === clients) {
    clearTimeout(deadline);
    report();
  }
}

function connectedAll(): void {
  // Everyone is connected at once before the first byte moves: the server holds them all.
  for (const entry of sockets) {
    if (!entry.ok) continue;
    if (hold) entry.socket.write(entry.expect);
    else entry.socket.end(entry.expect);
  }
}

/** hold mode: a client got its echo; once all have, everyone half-closes. */
function echoed(): void {
  if (++result.heldAtOnce === result.connected) for (const entry of sockets) if (entry.ok) entry.socket.end();
}

for (let i = 0; i < clients; i++) {
  const socket = open();
  const entry = { socket, ok: false, expect: `client ${i}\n` };
  sockets.push(entry);
  const chunks: Buffer[] = [];
  let done = false;
  const fail = (code: string): void => {
    if (done) return;
    done = true;
    result.failed[code] = (result.failed[code] ?? 0) + 1;
    socket.destroy();
    settle();
  };
  socket.once("connect", () => {
    entry.ok = true;
    result.connected++;
    if (++finishedConnecting === clients) connectedAll();
  });
  let got = 0;
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    got += chunk.length;
    if (hold && got === entry.expect.length) echoed();
  });
  socket.once("end", () => {
    if (done) return;
    done = true;
    if (Buffer.concat(chunks).toString() === entry.expect) result.served++;
    else result.wrong++;
    socket.destroy();
    settle();
  });
  socket.on("error", (err: NodeJS.ErrnoException) => {
    if (!entry.ok && ++finishedConnecting === clients) connectedAll();
    fail(err.code ?? "ERROR");
  });
}

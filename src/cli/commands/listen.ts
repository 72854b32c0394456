/** `socklab listen ADDRESS [--keep-open]`: the nc -l role, for stream and datagram addresses. */
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { isStreamAddress, type Address } from "../../address.js";
import { StreamServer } from "../../stream/server.js";
import { bindDatagram, listenExtras } from "../../transports/registry.js";
import { UsageError } from "../../errors.js";
import { address, flag, parseCommand, str } from "../args.js";
import { emit, writeDatagram, flushed, isStdoutBroken, onStdoutClosed } from "../output.js";
import { errorEvent } from "../../events.js";
import { untilSignal } from "../signals.js";
import { tlsOptions, tlsSettings } from "../tls-options.js";
import type { TlsServerOptions } from "../../tls/server.js";

export const listenOptions = {
  "keep-open": { type: "boolean", short: "k" },
  mode: { type: "string" },
  trace: { type: "boolean" },
  ...tlsOptions,
} as const;

export async function listen(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, listenOptions);
  if (flag(values, "help")) return "help";
  const [addressText, ...extra] = positionals;
  const where = address(addressText);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const rawMode = str(values, "mode");
  if (rawMode !== undefined && !/^[0-7]{3,4}$/.test(rawMode)) throw new UsageError(`--mode needs octal permissions like 600, got "${rawMode}"`);
  const mode = rawMode === undefined ? undefined : parseInt(rawMode, 8);
  return isStreamAddress(where)
    ? listenStream(where, flag(values, "keep-open"), flag(values, "trace"), mode, tlsSettings(values, "server", where))
    : listenDatagram(where, mode);
}

/**
 * The standard input, shared by successive connections (--keep-open). A chunk is taken
 * from stdin only when a connection is there to take it, one write at a time, and a chunk
 * that connection did not accept (it closed first) goes to the next one: nothing read from
 * stdin is dropped. Once stdin has ended, each connection gets EOF (a half-close) at once.
 */
class StdinFeed {
  ended = false;
  /** Read from stdin but not accepted by a connection yet, oldest first. */
  private readonly pending: Buffer[] = [];
  private socket: Socket | undefined;
  private writing = false;
  private readonly stdin = process.stdin;

  constructor() {
    this.stdin.on("readable", () => this.pump());
    this.stdin.once("end", () => {
      this.ended = true;
      this.pump();
    });
    // An unreadable stdin counts as an empty one.
    this.stdin.once("error", () => {
      this.ended = true;
      this.pump();
    });
  }

  attach(socket: Socket): void {
    this.socket = socket;
    this.pump();
  }

  /** Stop feeding `socket` (it is ending); what was not written waits for the next one. */
  detach(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
  }

  private pump(): void {
    const socket = this.socket;
    if (socket === undefined || this.writing) return;
    if (socket.destroyed || socket.writableEnded) {
      this.socket = undefined;
      return;
    }
    const chunk = this.pending.shift() ?? (this.ended ? null : (this.stdin.read() as Buffer | null));
    if (chunk === null) {
      if (this.ended) {
        this.socket = undefined;
        socket.end();
      }
      return;
    }
    this.writing = true;
    socket.write(chunk, (err) => {
      this.writing = false;
      if (err) {
        this.pending.unshift(chunk);
        this.detach(socket);
      }
      this.pump();
    });
  }
}

async function listenStream(where: Address, keepOpen: boolean, trace: boolean, mode: number | undefined, tls?: TlsServerOptions): Promise<number> {
  const stopSignal = untilSignal();
  const feed = new StdinFeed();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let server: StreamServer | undefined;
  const handler = (socket: Socket): void => {
    if (!keepOpen) server?.stopAccepting();
    socket.on("data", (chunk: Buffer) => {
      if (isStdoutBroken()) return;
      if (!process.stdout.write(chunk)) {
        socket.pause();
        process.stdout.once("drain", () => socket.resume());
      }
    });
    socket.once("end", () => {
      // The peer half-closed but may still be reading: what is still coming on stdin
      // reaches it (exercise 3's replies, exercise 4's payload); a fully closed peer makes
      // our next write fail and ends the connection. Someone typing can't be expected to
      // press Ctrl-D after the peer left, so a terminal ends it at once.
      // With --keep-open stdin belongs to the connections to come, so the peer's FIN ends this one.
      if (keepOpen || process.stdin.isTTY || feed.ended) {
        feed.detach(socket);
        socket.end();
      }
    });
    socket.once("close", () => {
      feed.detach(socket);
      if (!keepOpen) finish();
    });
    feed.attach(socket);
  };
  server = await StreamServer.listen({
    address: where,
    handler,
    onEvent: emit,
    trace,
    socketMode: mode,
    ...(await listenExtras(where, { mode, tls })),
  });
  emit({ type: "listening", address: server.address, ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}) });
  // A reader of our stdout that went away (`| head -c 10`) ends the run quietly, as for connect.
  const offStdout = onStdoutClosed(() => finish());
  const stopped = await Promise.race([finished.then(() => null), stopSignal]);
  offStdout();
  if (stopped) emit({ type: "stopping", signal: stopped });
  await flushed(process.stdout);
  await server.close();
  process.stdin.destroy();
  return 0;
}

async function listenDatagram(where: Address, mode: number | undefined): Promise<number> {
  const stopSignal = untilSignal();
  const endpoint = await bindDatagram(where, { mode });
  let latest: unknown;
  let firstSender!: () => void;
  const known = new Promise<void>((resolve) => (firstSender = resolve));
  endpoint.onError((err) => emit(errorEvent(err, { address: endpoint.address })));
  endpoint.onMessage((data, peer) => {
    latest = peer;
    writeDatagram(data);
    emit({ type: "datagram-in", peer: endpoint.formatPeer(peer), bytes: data.length });
    firstSender();
  });
  emit({ type: "listening", address: endpoint.address });
  // Read stdin only once we know whom to send to, as nc -u -l does.
  const sending = (async () => {
    await known;
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) {
      await endpoint
        .send(Buffer.from(`${line}\n`), latest)
        .catch((err: unknown) => emit(errorEvent(err, { peer: endpoint.formatPeer(latest), during: "send" })));
    }
  })();
  sending.catch(() => {});
  const signal = await stopSignal;
  emit({ type: "stopping", signal });
  await flushed(process.stdout);
  await endpoint.close();
  process.stdin.destroy();
  return 0;
}

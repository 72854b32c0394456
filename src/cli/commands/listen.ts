/**
 * `socklab listen ADDRESS [--keep-open]`: the nc -l role, for stream and datagram addresses;
 * also `listen PORT`, `listen -u PORT` (127.0.0.1) and `listen -U PATH`, as nc users type them.
 */
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { formatAddress, isStreamAddress, parseAddress, type Address } from "../../address.js";
import type { AccessList } from "../../net/cidr.js";
import { bindDatagram, listenExtras } from "../../transports/registry.js";
import { listenError, StreamServer } from "../../stream/server.js";
import { address, exclusive, flag, noExtra, octalMode, parseCommand, usage } from "../args.js";
import { startProgress, stdinSize } from "../progress.js";
import {
  accessAcceptFilter,
  accessFromFlags,
  accessOptions,
  bothFilters,
  byteViewFromFlags,
  byteViewOptions,
  forcedStopRemoves,
  guardedEndpoint,
  viewedHandler,
  type ByteView,
} from "../server-options.js";
import { emit, writeDatagram, flushed, isStdoutBroken, onStdoutClosed, stderrGate } from "../output.js";
import { errorEvent } from "../../events.js";
import { holdReading, releaseReading } from "../../read-holds.js";
import { untilSignal } from "../signals.js";
import { tlsOptions, tlsSettings } from "../tls-options.js";
import type { TlsServerOptions } from "../../tls/server.js";

export const listenOptions = {
  "keep-open": { type: "boolean", short: "k" },
  udp: { type: "boolean", short: "u" },
  unix: { type: "boolean", short: "U" },
  mode: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  progress: { type: "boolean" },
  ...accessOptions,
  ...byteViewOptions,
  trace: { type: "boolean" },
  ...tlsOptions,
} as const;

/** What listen does besides moving bytes: seeing them, filtering clients, counting. */
interface ListenSettings {
  keepOpen: boolean;
  trace: boolean;
  mode: number | undefined;
  verbose: boolean;
  progress: boolean;
  access: AccessList;
  view: ByteView;
  /** tls:// only: certificate, client CA, ALPN. */
  tls: TlsServerOptions | undefined;
}

const PORT = /^\d{1,5}$/;

/** An IP host as it goes in a URL (IPv6 in brackets). */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * The address to listen on: the URL form, or nc's short forms — `listen PORT` (TCP),
 * `listen -u PORT` (UDP), both on 127.0.0.1 (loopback: the safe default; the URL form says
 * anything else), and `listen -U PATH`. Anything else that looks like an nc habit (`listen
 * HOST PORT`, `listen -u HOST:PORT`) is a usage error that shows the URL form.
 */
export function listenAddress(positionals: string[], udp: boolean, unix: boolean): Address {
  const [first, ...extra] = positionals;
  if (first === undefined) throw usage("usage.missing-argument", { what: unix ? "PATH" : udp ? "PORT" : "ADDRESS" });
  const scheme = udp ? "udp" : "tcp";
  if (extra.length === 1 && PORT.test(extra[0]!) && !unix) {
    // nc -l HOST PORT
    throw usage("usage.listen-form", { given: `${first} ${extra[0]}`, suggestion: `${scheme}://${urlHost(first)}:${extra[0]}` });
  }
  noExtra(extra);
  if (unix) {
    if (/^[a-z-]+:/.test(first)) throw usage("usage.listen-form", { given: `-U ${first}`, suggestion: `unix:${first.replace(/^[a-z-]+:(\/\/)?/, "")}` });
    return parseAddress(`unix:${first}`);
  }
  if (PORT.test(first)) return parseAddress(`${scheme}://127.0.0.1:${first}`);
  if (udp) {
    const hostPort = first.match(/^(?:udp:\/\/)?(.*):(\d{1,5})$/);
    if (first.startsWith("udp://")) return address(first);
    throw usage("usage.listen-form", { given: `-u ${first}`, suggestion: hostPort ? `udp://${hostPort[1]}:${hostPort[2]}` : "udp://127.0.0.1:PORT" });
  }
  return address(first);
}

export async function listen(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, listenOptions);
  if (flag(values, "help")) return "help";
  exclusive(values, "udp", "unix");
  const where = listenAddress(positionals, flag(values, "udp"), flag(values, "unix"));
  const mode = octalMode(values);
  if (mode !== undefined && where.kind !== "unix" && where.kind !== "unix-dgram") {
    throw usage("usage.unix-file-only", { option: "--mode", address: formatAddress(where) });
  }
  const stream = isStreamAddress(where);
  const settings: ListenSettings = {
    keepOpen: flag(values, "keep-open"),
    trace: flag(values, "trace"),
    mode,
    verbose: flag(values, "verbose"),
    progress: flag(values, "progress"),
    access: await accessFromFlags(values, where),
    view: byteViewFromFlags(values),
    tls: stream ? tlsSettings(values, "server", where) : undefined,
  };
  const status = stream ? await listenStream(where, settings) : await listenDatagram(where, settings);
  await settings.view.close();
  return status;
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

async function listenStream(where: Address, s: ListenSettings): Promise<number> {
  const { keepOpen } = s;
  const stopSignal = untilSignal();
  const feed = new StdinFeed();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let server: StreamServer | undefined;
  // Bytes of connections that are over, and the ones being served, for --progress.
  const done = { sent: 0, received: 0 };
  const current = new Set<Socket>();
  const progress = s.progress
    ? startProgress({
        total: stdinSize(),
        sample: () => {
          let sent = done.sent;
          let received = done.received;
          for (const socket of current) {
            sent += socket.bytesWritten;
            received += socket.bytesRead;
          }
          return { sent, received };
        },
      })
    : undefined;
  const handler = (socket: Socket): void => {
    if (!keepOpen) server?.stopAccepting();
    const started = process.hrtime.bigint();
    current.add(socket);
    socket.on("data", (chunk: Buffer) => {
      if (isStdoutBroken()) return;
      // Held while stdout is full: a hold of its own (src/read-holds.ts), as a -x dump
      // waiting for stderr holds it too; a stdout that closes meanwhile ends the run.
      if (!process.stdout.write(chunk)) {
        holdReading(socket, "stdout");
        process.stdout.once("drain", () => releaseReading(socket, "stdout"));
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
      current.delete(socket);
      done.sent += socket.bytesWritten;
      done.received += socket.bytesRead;
      if (s.verbose) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        emit({ type: "summary", received: socket.bytesRead, sent: socket.bytesWritten, seconds });
      }
      if (!keepOpen) finish();
    });
    feed.attach(socket);
  };
  const extras = await listenExtras(where, { mode: s.mode, tls: s.tls });
  server = await StreamServer.listen({
    address: where,
    handler: viewedHandler(handler, s.view),
    onEvent: emit,
    trace: s.trace,
    payload: s.view.payload,
    payloadGate: stderrGate,
    socketMode: s.mode,
    ...extras,
    acceptFilter: bothFilters(extras.acceptFilter, accessAcceptFilter(s.access)),
  });
  emit({ type: "listening", address: server.url, ...(server.fingerprint ? { fingerprint: server.fingerprint } : {}) });
  // A reader of our stdout that went away (`| head -c 10`) ends the run quietly, as for connect.
  const offStdout = onStdoutClosed(() => finish());
  const stopped = await Promise.race([finished.then(() => null), stopSignal]);
  offStdout();
  if (stopped) emit({ type: "stopping", signal: stopped });
  await flushed(process.stdout);
  await server.close();
  progress?.stop();
  process.stdin.destroy();
  return 0;
}

async function listenDatagram(where: Address, s: ListenSettings): Promise<number> {
  const stopSignal = untilSignal();
  const bound = await bindDatagram(where, { mode: s.mode }).catch((err: unknown) => {
    throw listenError(err, where);
  });
  // Bound just now: from here a forced stop (a second signal) must remove the file.
  const forgetFile = forcedStopRemoves(where);
  const endpoint = guardedEndpoint(bound, s.access, s.view, emit);
  const started = process.hrtime.bigint();
  const counts = { sent: 0, received: 0 };
  const progress = s.progress ? startProgress({ total: stdinSize(), sample: () => counts }) : undefined;
  let latest: unknown;
  let firstSender!: () => void;
  const known = new Promise<void>((resolve) => (firstSender = resolve));
  endpoint.onError((err) => emit(errorEvent(err, { address: endpoint.address })));
  endpoint.onMessage((data, peer) => {
    latest = peer;
    counts.received += data.length;
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
      const datagram = Buffer.from(`${line}\n`);
      await endpoint.send(datagram, latest).then(
        () => void (counts.sent += datagram.length),
        (err: unknown) => emit(errorEvent(err, { peer: endpoint.formatPeer(latest), during: "send" })),
      );
    }
  })();
  sending.catch(() => {});
  const signal = await stopSignal;
  emit({ type: "stopping", signal });
  await flushed(process.stdout);
  await endpoint.close();
  forgetFile();
  progress?.stop();
  if (s.verbose) emit({ type: "summary", received: counts.received, sent: counts.sent, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
  process.stdin.destroy();
  return 0;
}

/**
 * The relay (socat's most-used job): accept clients on FROM, open TO for each, and copy
 * bytes both ways until both sides are done.
 *
 * Streams (tcp, unix, abstract, in any pairing, IPv4 or IPv6): each direction is a pipe(),
 * so a side that does not read stops the other from being read (constant memory); an EOF on
 * one side becomes a shutdown(SHUT_WR) on the other (half-close propagates both ways); a
 * reset or error on one side destroys the other. Bytes that arrive before the upstream
 * connection is open wait in one bounded buffer (64 KiB), then the client is not read.
 *
 * UDP: one upstream socket per client address (so replies find their way back), closed
 * after `idleTimeoutMs` without traffic either way.
 *
 * Every relay reports `relay-open`, then `relay-close` with the bytes each way; an upstream
 * that cannot be reached is `upstream-failed` and the client is closed.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import { formatAddress, formatInetPeer, isStreamAddress, type Address, type InetAddress, type ServerAddress } from "./address.js";
import { bindUdp, type DatagramEndpoint, type UdpPeer } from "./datagram/endpoint.js";
import { NotSupportedError, SocklabError } from "./errors.js";
import { errorEvent, publishing, type EventSink, type RelayEndReason } from "./events.js";
import { payloadEncodings, payloadEvents, type PayloadOption } from "./format/payload.js";
import { allSinks, tap, type TapGate, type TapSink } from "./format/tap.js";
import { accessFilter, type AccessList } from "./net/cidr.js";
import { openStream } from "./stream/connect.js";
import type { TlsClientConfig } from "./tls/client.js";
import { StreamServer, type StreamServerOptions } from "./stream/server.js";

export const DEFAULT_UDP_MAPPING_IDLE_MS = 60_000;
/** Client bytes held while the upstream connection is being opened. */
const EARLY_BUFFER = 64 * 1024;

export interface RelayOptions {
  from: Address;
  to: Address;
  onEvent?: EventSink;
  /** --allow/--deny: who may use the relay. Refused clients are closed at once. */
  access?: AccessList;
  /** Connect timeout for the upstream (ms, default 10 s). */
  connectTimeoutMs?: number;
  /** Streams: close a relayed connection idle this long. UDP: forget a mapping idle this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Only IPv4 / IPv6 addresses when resolving TO. */
  family?: 0 | 4 | 6;
  /** -x/--show: a sink per relayed connection; chunks are reported as seen on the client side. */
  tapFor?: (peer: string) => TapSink | undefined;
  /**
   * Report every chunk on the client side as a `received` (from the client) or `sent` (to the
   * client) event with its offset and bytes (`true`: hex; or "hex" | "python" | "base64", or
   * several). UDP: one event per datagram, `datagram: true`.
   */
  payload?: PayloadOption;
  /**
   * Where the output of tapFor's sinks or the payload events can fall behind (the CLI:
   * standard error nobody reads), each relayed client is held while this gate is full.
   */
  tapGate?: TapGate;
  /** Extra listener options (a pre-bound descriptor for a Unix path with its mode, dual-stack…). */
  listen?: Partial<StreamServerOptions>;
  /** TO is tls://: how to verify it (prepareTlsClient). */
  upstreamTls?: TlsClientConfig;
}

export interface Relay {
  /** Where clients connect (the real port), structured as StreamServer's and DatagramServer's `address`. */
  readonly address: ServerAddress;
  /** The same in socklab's URL form (tcp://127.0.0.1:41234). */
  readonly url: string;
  /** FROM is tls://: the certificate fingerprint clients pin. */
  readonly fingerprint?: string | undefined;
  /** Relays in progress. */
  readonly active: number;
  /** Stop accepting, end every relay; idempotent. */
  close(): Promise<void>;
}

/** Start a relay; FROM and TO must both be stream addresses, or both udp://. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const { from, to } = options;
  payloadEncodings(options.payload); // an unknown encoding fails here, before anything is bound
  if (isStreamAddress(from) && isStreamAddress(to)) return StreamRelay.start(options);
  if (from.kind === "udp" && to.kind === "udp") return UdpRelay.start(options as RelayOptions & { from: InetAddress; to: InetAddress });
  throw new NotSupportedError(
    `relay joins two stream addresses (tcp://, unix:, abstract:) or two udp:// addresses, not ${formatAddress(from)} and ${formatAddress(to)}`,
  );
}

function code(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : "ERROR";
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class StreamRelay implements Relay {
  private readonly sessions = new Set<() => void>();

  private constructor(private readonly server: StreamServer) {}

  get address(): ServerAddress {
    return this.server.address;
  }

  get url(): string {
    return this.server.url;
  }

  get fingerprint(): string | undefined {
    return this.server.fingerprint;
  }

  get active(): number {
    return this.sessions.size;
  }

  static async start(options: RelayOptions): Promise<StreamRelay> {
    const emit = publishing(options.onEvent);
    const toText = formatAddress(options.to);
    // The server is created after the relay object exists; handlers reach it through this holder.
    const holder: { relay?: StreamRelay } = {};
    const server = await StreamServer.listen({
      ...options.listen,
      address: options.from,
      concurrent: true,
      onEvent: emit,
      idleTimeoutMs: options.idleTimeoutMs,
      ...(options.access && !options.access.empty ? { acceptFilter: accessFilter(options.access) } : {}),
      handler: (client, context) => holder.relay!.relayOne(client, context.peer, options, toText, emit, context.signal),
    });
    holder.relay = new StreamRelay(server);
    return holder.relay;
  }

  private relayOne(client: Socket, peer: string, options: RelayOptions, toText: string, emit: EventSink, signal: AbortSignal): void {
    const started = performance.now();
    // StreamServer resumes the client after this returns: its bytes go into a bounded buffer
    // (pipe stops reading the client when it is full) until the upstream is open.
    const early = new PassThrough({ highWaterMark: EARLY_BUFFER });
    client.pipe(early);
    const untap = tapClient(client, clientSink(options, peer, emit, false), options.tapGate);
    let upstream: Socket | undefined;
    let upstreamText = toText;
    let reason: RelayEndReason = "done";
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      this.sessions.delete(stop);
      untap();
      const up = upstream?.bytesWritten ?? 0;
      const down = client.bytesWritten;
      if (upstream) emit({ type: "relay-close", peer, upstream: upstreamText, up, down, seconds: (performance.now() - started) / 1000, reason });
    };
    const stop = (): void => {
      reason = "stopping";
      upstream?.destroy();
      client.destroy();
    };
    this.sessions.add(stop);
    client.once("timeout", () => (reason = "idle-timeout"));
    client.once("error", () => {
      if (reason === "done") reason = "error";
    });
    // Both sides done cleanly (EOF read and our FIN sent): the other side finishes on its own.
    // Anything else (reset, idle timeout, stop) tears the other side down too.
    const clean = (socket: Socket): boolean => socket.readableEnded && socket.writableFinished;
    const maybeFinish = (): void => {
      if (client.closed && (!upstream || upstream.closed)) finish();
    };
    client.once("close", () => {
      if (upstream && !upstream.destroyed && !clean(client)) upstream.destroy();
      maybeFinish();
    });

    openStream(options.to, { timeoutMs: options.connectTimeoutMs ?? 10_000, family: options.family ?? 0, signal, ...(options.upstreamTls ? { tls: options.upstreamTls } : {}) }).then(
      (opened) => {
        if (client.destroyed) {
          opened.socket.destroy();
          return;
        }
        upstream = opened.socket;
        upstreamText = opened.address;
        emit({ type: "relay-open", peer, upstream: upstreamText });
        upstream.once("error", (err) => {
          if (reason === "done") reason = "error";
          emit(errorEvent(err, { peer: upstreamText }));
        });
        upstream.once("close", () => {
          if (!client.destroyed && !clean(upstream!)) client.destroy();
          maybeFinish();
        });
        early.pipe(upstream);
        upstream.pipe(client);
      },
      (err: unknown) => {
        emit({ type: "upstream-failed", peer, upstream: toText, code: code(err), message: message(err) });
        // Close politely (FIN), drop what the client still sends, and do not wait long for it.
        client.unpipe(early);
        client.resume();
        client.end();
        setTimeout(() => client.destroy(), 1000).unref();
      },
    );
  }

  close(): Promise<void> {
    for (const stop of [...this.sessions]) stop();
    return this.server.close();
  }
}

/** -x/--show and payload events on the client side: what the client sent is `in`, what it got is `out`. */
function clientSink(options: RelayOptions, peer: string, emit: EventSink, datagram: boolean): TapSink | undefined {
  const encodings = payloadEncodings(options.payload);
  return allSinks(options.tapFor?.(peer), encodings.length > 0 ? payloadEvents(peer, emit, { encodings, datagram }) : undefined);
}

function tapClient(client: Socket, sink: TapSink | undefined, gate: TapGate | undefined): () => void {
  return sink ? tap(client, sink, gate) : () => {};
}

interface UdpMapping {
  socket: UdpSocket;
  peer: string;
  up: number;
  down: number;
  started: number;
  timer: NodeJS.Timeout;
  sink: TapSink | undefined;
  /** Datagrams that came before connect() completed (bounded; more are dropped, as UDP may). */
  pending: Buffer[] | undefined;
}

const MAX_PENDING_DATAGRAMS = 64;

export class UdpRelay implements Relay {
  private readonly mappings = new Map<string, UdpMapping>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly endpoint: DatagramEndpoint<UdpPeer>,
    private readonly target: { host: string; port: number; text: string },
    private readonly options: RelayOptions,
    private readonly emit: EventSink,
  ) {
    endpoint.onError((err) => emit(errorEvent(err, { address: endpoint.address })));
    endpoint.onMessage((data, peer) => this.fromClient(data, peer));
  }

  get address(): ServerAddress {
    return this.endpoint.bound;
  }

  get url(): string {
    return this.endpoint.address;
  }

  get active(): number {
    return this.mappings.size;
  }

  static async start(options: RelayOptions & { from: InetAddress; to: InetAddress }): Promise<UdpRelay> {
    const emit = publishing(options.onEvent);
    // Resolve TO once: every mapping talks to the same upstream address.
    let host = options.to.host;
    if (isIP(host) === 0) {
      try {
        host = (await lookup(host, { family: options.family ?? 0 })).address;
      } catch (err) {
        throw new SocklabError(code(err), `${formatAddress(options.to)}: ${message(err)}`, { cause: err, address: formatAddress(options.to) });
      }
    }
    const text = formatAddress({ kind: "udp", host, port: options.to.port });
    const endpoint = await bindUdp(options.from, { ipv6Only: false });
    return new UdpRelay(endpoint, { host, port: options.to.port, text }, options, emit);
  }

  private fromClient(data: Buffer, peer: UdpPeer): void {
    const key = `${peer.address}|${peer.port}`;
    let mapping = this.mappings.get(key);
    if (!mapping) {
      const shown = formatInetPeer("udp", peer.address, peer.port);
      if (this.options.access && !this.options.access.empty) {
        const decision = this.options.access.check(peer.address);
        if (!decision.ok) {
          const refusal = { type: "refused" as const, peer: shown, reason: "address-not-allowed" as const };
          this.emit(decision.why === "denied" ? { ...refusal, detail: decision.rule } : refusal);
          return;
        }
      }
      if (this.closing) return;
      mapping = this.open(key, peer, shown);
    }
    this.touch(key, mapping);
    mapping.up += data.length;
    mapping.sink?.chunk("in", data);
    if (mapping.pending) {
      if (mapping.pending.length < MAX_PENDING_DATAGRAMS) mapping.pending.push(data);
      return;
    }
    this.sendUp(mapping, data);
  }

  private sendUp(mapping: UdpMapping, data: Buffer): void {
    mapping.socket.send(data, (err) => {
      if (err) this.emit(errorEvent(err, { peer: this.target.text, during: "send" }));
    });
  }

  private open(key: string, peer: UdpPeer, shown: string): UdpMapping {
    const socket = createSocket(isIP(this.target.host) === 6 ? "udp6" : "udp4");
    const mapping: UdpMapping = { socket, peer: shown, up: 0, down: 0, started: performance.now(), timer: setTimeout(() => {}, 0), sink: clientSink(this.options, shown, this.emit, true), pending: [] };
    this.mappings.set(key, mapping);
    // connect(): the kernel then drops datagrams from anyone but the upstream, and a
    // refused upstream shows up as an error on this socket. It completes asynchronously.
    socket.connect(this.target.port, this.target.host, () => {
      const queued = mapping.pending ?? [];
      mapping.pending = undefined;
      for (const data of queued) this.sendUp(mapping, data);
    });
    socket.on("message", (reply) => {
      this.touch(key, mapping);
      mapping.down += reply.length;
      mapping.sink?.chunk("out", reply);
      this.endpoint.send(reply, peer).catch((err: unknown) => this.emit(errorEvent(err, { peer: shown, during: "send" })));
    });
    socket.on("error", (err) => {
      this.emit({ type: "upstream-failed", peer: shown, upstream: this.target.text, code: code(err), message: message(err) });
      this.end(key, "error");
    });
    this.emit({ type: "relay-open", peer: shown, upstream: this.target.text });
    return mapping;
  }

  private touch(key: string, mapping: UdpMapping): void {
    clearTimeout(mapping.timer);
    mapping.timer = setTimeout(() => this.end(key, "idle-timeout"), this.options.idleTimeoutMs ?? DEFAULT_UDP_MAPPING_IDLE_MS);
    mapping.timer.unref();
  }

  private end(key: string, reason: RelayEndReason): void {
    const mapping = this.mappings.get(key);
    if (!mapping) return;
    this.mappings.delete(key);
    clearTimeout(mapping.timer);
    mapping.socket.close();
    this.emit({
      type: "relay-close",
      peer: mapping.peer,
      upstream: this.target.text,
      up: mapping.up,
      down: mapping.down,
      seconds: (performance.now() - mapping.started) / 1000,
      reason,
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const key of [...this.mappings.keys()]) this.end(key, "stopping");
      await this.endpoint.close();
    })();
    return this.closing;
  }
}

/**
 * The stream server runner shared by every TCP and Unix stream service.
 *
 * Sequential by default, as in the guides: one client is served at a time; the next few
 * (SEQUENTIAL_HOLD) are accepted but left unread until their turn, and past those accepting
 * pauses, so a crowd of waiting clients stays in the kernel's accept queue (the listen
 * backlog), not in our memory. `concurrent` serves up to `maxConnections` at once; past
 * that, accepting pauses and the excess waits in the kernel queue too. Nobody is accepted
 * and then closed for lack of room: a client is served, or refused with a one-line reply
 * and a `refused` event.
 *
 * Binding: with the native addon every socket but TCP's is bound natively and handed to
 * Node as a listening descriptor: abstract names (exact length), and Unix paths, whether
 * the CLI bound them (listenFd) or the library binds them here (preparePath, then
 * listenUnixStream with socketMode set before bind). So every socket file follows one rule
 * (src/unix/socket-file.ts: claimed after bind, removed on close only if the path still
 * names that file; libuv would unlink the path whatever it names by then), and every
 * listener can pause. Without the addon (not Linux) libuv binds Unix paths.
 *
 * Each net.Server gets its connection routing before it listens (AcceptPoint), so a client
 * accepted at any moment from listen(2) on, e.g. one that connected as soon as the socket
 * file appeared, is served like any other; nothing is held until the server is "ready".
 *
 * Pausing accept(2): Node has no API for it, so each listening socket is kept open by a
 * descriptor of our own (a dup); the net.Server that accepts is closed to pause (the
 * socket and its queue live on through our descriptor) and a new one is made on a fresh
 * dup to resume. Our descriptor is owned by an idle addon poller, so the addon's
 * environment teardown closes it if a worker thread ends without close(). Without the
 * native addon (not Linux) accepting cannot pause, and waiting clients are held in memory
 * instead.
 *
 * Per-connection idle and total time limits (timers only when asked for), dual-stack or
 * IPv6-only for `::`, event log lines, an optional socket-level trace, and an idempotent
 * graceful close().
 *
 * The plain stream echo, and the line services that state their protocol as rules (cmd,
 * line-echo), with no TLS, trace, payload events, time limits or accept filter, are served
 * by the native engine instead (src/stream/native-echo.ts, native/stream_echo.c): the
 * listening sockets are handed over once all listen (the net.Servers closed, as for a
 * pause) and C accepts, answers and closes, with the same limits, queueing and events; no
 * net.Socket per connection. Anything else, or no addon, takes the JS path below.
 */
import { once } from "node:events";
import { chmodSync, readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Server as TlsNetServer } from "node:tls";
import { formatAddress, formatInetPeer, serverAddress, type Address, type ServerAddress } from "../address.js";
import { errnoError, SocklabError } from "../errors.js";
import { listenError } from "../transports/listen-error.js";
import type { AcceptFilter, ListenExtras } from "../transports/types.js";
import { errorEvent, publishing, type EventSink, type RefusalReason, type SocklabEvent } from "../events.js";
import { isNativeAvailable, nativeBinding } from "../addon/binding.js";
import { createTlsServerOptions, onTlsConnections, type TlsServerSetup } from "../tls/server.js";
import { sessionEvents } from "../tls/session.js";
import { closerUnlessTaken, listenAbstractStream, listenUnixStream } from "../unix/stream.js";
import { Poller } from "../unix/poller.js";
import { traceReads, traceWrites } from "./trace.js";
import { payloadEncodings, payloadEvents, withoutChunkEvents, type PayloadEncoding, type PayloadOption } from "../format/payload.js";
import { tap, type TapGate } from "../format/tap.js";
import { claimSocketFileSync, removeIfOursSync, type OwnedSocketFile } from "../unix/socket-file.js";
import { NativeEcho, nativeServiceOf, type NativeEchoStats } from "./native-echo.js";

export interface ConnectionContext {
  /** The peer in socklab notation (tcp://127.0.0.1:51000, or `unix:PATH#3` for Unix clients). */
  readonly peer: string;
  /** Report an event (the CLI prints it; the lab records it). */
  emit(event: SocklabEvent): void;
  /** Aborted when the server stops. */
  readonly signal: AbortSignal;
}

/** Serves one connection; the runner waits for the socket to close, not for this promise. */
export type StreamHandler = (socket: Socket, context: ConnectionContext) => void | Promise<void>;

export type { AcceptFilter };
export { listenError };

export interface StreamServerOptions {
  address: Address;
  handler: StreamHandler;
  /** Serve clients at once instead of one after another. */
  concurrent?: boolean;
  /** Close a connection with no traffic for this long (ms). */
  idleTimeoutMs?: number;
  /** Close a connection served for this long in total (ms), busy or not. */
  maxTimeMs?: number;
  /** For `::`: accept IPv4 too (IPV6_V6ONLY off). Default true for `::`. */
  dualStack?: boolean;
  /** For IPv6 addresses: IPV6_V6ONLY on. */
  ipv6Only?: boolean;
  /** Receives every event of the server (also published on the `socklab:event` channel). */
  onEvent?: EventSink;
  /** Also report socket-level steps (sent/received sizes, EOF, shutdown). */
  trace?: boolean;
  /**
   * Report every chunk each way as a `sent`/`received` event with its stream offset and the
   * bytes (`true`: hex; or "hex" | "python" | "base64", or several). See src/format/payload.ts.
   */
  payload?: PayloadOption;
  /**
   * Where the payload events' output can fall behind (the CLI: standard error nobody reads),
   * each connection is held while this gate is full (src/format/tap.ts).
   */
  payloadGate?: TapGate;
  /**
   * Most clients served at once with `concurrent` (default: defaultMaxConnections()).
   * Past that, accepting pauses: new clients wait in the kernel's accept queue.
   */
  maxConnections?: number;
  /**
   * When the native engine serves (plain echo, cmd, line-echo): after a loop turn that served
   * two clients or more, it keeps polling them for this many microseconds instead of
   * sleeping, so a request that follows at once is read without a wake-up (default 20; 0:
   * never; at most 1 000 000). Like the datagram socket's pollAgainMicros.
   */
  pollOnMicros?: number;
  /** listen(2) backlog (default: the kernel's maximum, /proc/sys/net/core/somaxconn). */
  backlog?: number;
  /** Unix socket file permissions. Default 0o600 (owner only). */
  socketMode?: number;
  /**
   * Listen on an already bound and listening descriptor (the server owns it from then on:
   * if listen() fails, it is closed).
   * Not needed for any address kind: abstract names are bound here natively when absent.
   */
  listenFd?: number;
  /** Prepares a Unix socket path before bind (stale-socket removal). */
  preparePath?: (path: string) => Promise<void>;
  acceptFilter?: AcceptFilter;
  /**
   * tls:// addresses: the certificate setup (createTlsServerOptions, or the tls transport's;
   * default: an ephemeral self-signed certificate for the host). Clients are taken after
   * their handshake; a failed handshake is one error event and never reaches the handler.
   */
  tls?: TlsServerSetup;
}

const noop = (): void => {};

/** The line a refused client reads before we close: the same form for every refusal. */
export function refusalReply(reason: RefusalReason): string {
  return `ERR refused: ${reason}\n`;
}

/**
 * A sequential server keeps accepting while it serves, and holds up to this many clients
 * accepted but unread (paused, nothing buffered but the socket object) until their turn;
 * only past that does it pause accept(2) and leave the rest in the kernel's queue. Pausing
 * and resuming the listener per connection (close, dup, listen again) cost 10–20% of a
 * short connection's CPU; with a few held the listener is left alone at any pace of one
 * client after another.
 */
export const SEQUENTIAL_HOLD = 4;

/** A refused client may keep sending this long (we read and discard) before we close anyway. */
const REFUSAL_LINGER_MS = 1000;

/** Default of `maxConnections` where the descriptor limit allows it. */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Descriptors kept for the process itself (stdio, libuv, listeners, files) when sizing the default. */
export const DESCRIPTOR_RESERVE = 64;

/** The soft limit on open descriptors (ulimit -n), or undefined if unknown or unlimited. */
export function descriptorLimit(): number | undefined {
  try {
    const m = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\d+|unlimited)/m);
    return m === null || m[1] === "unlimited" ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * 1000 clients at once, fewer when the descriptor limit is tighter: each client costs a
 * descriptor, and an accept(2) that fails for lack of one makes libuv close the client
 * without a word. Clients past the limit wait in the kernel queue; none is dropped.
 */
export function defaultMaxConnections(): number {
  const limit = descriptorLimit();
  return limit === undefined ? DEFAULT_MAX_CONNECTIONS : Math.max(1, Math.min(DEFAULT_MAX_CONNECTIONS, limit - DESCRIPTOR_RESERVE));
}

let kernelBacklog: number | undefined;

/**
 * The listen(2) backlog: the kernel's maximum (net.core.somaxconn, 4096 on Linux ≥ 5.4),
 * so a burst of clients waits in the accept queue instead of having its SYNs dropped
 * (Node's default is 511). Elsewhere 511.
 */
export function defaultBacklog(): number {
  if (kernelBacklog === undefined) {
    try {
      const n = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
      kernelBacklog = Number.isInteger(n) && n > 0 ? n : 511;
    } catch {
      kernelBacklog = 511;
    }
  }
  return kernelBacklog;
}

/** Servers that may have a socket file to remove, for a forced stop (see removeSocketFilesNow). */
const live = new Set<StreamServer>();

/**
 * Synchronously remove the socket files that open servers created (and only those). For a
 * process about to exit without a graceful close (a second signal).
 */
export function removeSocketFilesNow(): void {
  for (const server of live) server.removeSocketFileNow();
}

/**
 * One listening socket. `own` is our descriptor of it: while it is open the socket and its
 * accept queue live on, whether or not a net.Server is accepting on it. It is held by an
 * idle addon poller that owns it (never started: it only ties the descriptor to the addon's
 * per-environment list), so a worker thread that ends without close() has it closed at
 * its environment's teardown, as Node closes the net.Server's own descriptor.
 */
class AcceptPoint {
  private server: Server | undefined;
  private keeper: Poller | undefined;
  private ended = false;

  /** Made before listen(2): its first net.Server routes connections from the start. */
  constructor(
    private readonly make: () => Server,
    private readonly backlog: number,
    private readonly takeConnections: (server: Server) => void,
    private readonly onError: (err: Error) => void,
  ) {
    this.server = make();
    takeConnections(this.server);
  }

  /**
   * listen(2) on a new socket, or start accepting on a listening descriptor; then, if
   * `canPause`, keep a descriptor of our own. Resolves with the listening net.Server.
   */
  async listen(how: Parameters<Server["listen"]>[0], canPause: boolean): Promise<Server> {
    const server = this.server!;
    await listenOn(server, how);
    // From now on an error is an accept error (a failed listen rejected above instead).
    server.on("error", this.onError);
    if (canPause) {
      const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
      if (typeof fd === "number" && fd >= 0) {
        const native = nativeBinding("pausing accept");
        const own = native.dup(fd);
        if (own >= 0) {
          try {
            this.keeper = new Poller(native, own, true, {});
          } catch {
            native.close(own); // no poller (e.g. an environment tearing down): cannot pause
          }
        }
      }
    }
    return server;
  }

  /** Our descriptor of the listening socket, while we keep one. */
  private get own(): number | undefined {
    return this.keeper?.fd;
  }

  private attach(server: Server): void {
    this.takeConnections(server);
    server.on("error", this.onError);
    this.server = server;
  }

  /** Whether accepting can pause (the native addon is there). */
  get pausable(): boolean {
    return this.own !== undefined;
  }

  /** For the native engine: stop accepting here and give it a descriptor of the socket. */
  handOver(): number {
    const fd = nativeBinding("the native echo").dup(this.own!);
    if (fd < 0) throw errnoError(fd, "dup");
    this.pause();
    return fd;
  }

  /** Stop calling accept(2); new clients wait in the kernel queue. */
  pause(): void {
    if (this.own === undefined || this.server === undefined) return;
    const server = this.server;
    this.server = undefined;
    server.close(); // closes its descriptor only: ours keeps the socket listening
  }

  /** Accept again, on a fresh descriptor of the same socket. */
  resume(): void {
    if (this.own === undefined || this.server !== undefined || this.ended) return;
    const fd = nativeBinding("resuming accept").dup(this.own);
    if (fd < 0) {
      this.onError(errnoError(fd, "dup"));
      return;
    }
    const server = this.make();
    this.attach(server);
    // A descriptor Node refuses (reported through onError) is closed, not left open.
    const release = closerUnlessTaken(fd);
    server.once("error", release);
    server.once("listening", () => server.removeListener("error", release));
    // For a descriptor Node takes the backlog only as a second argument.
    server.listen({ fd }, this.backlog);
  }

  /** Close the listening socket for good (its queue is reset by the kernel). */
  close(): Promise<void> {
    this.ended = true;
    const server = this.server;
    this.server = undefined;
    const closed = server?.listening ? once(server, "close").then(noop) : Promise.resolve();
    server?.close();
    this.keeper?.close(); // closes our descriptor: the socket is gone with the last one
    this.keeper = undefined;
    return closed;
  }
}

export class StreamServer {
  /**
   * Where the server listens, with the real port: `{ kind: "tcp", family: "ipv4", host:
   * "127.0.0.1", port: 41234 }`, `{ kind: "unix", family: "unix", path }`, `{ kind:
   * "abstract", family: "abstract", name }`. An Address: openStream(server.address) connects.
   */
  get address(): ServerAddress {
    return this.bound[0]!;
  }
  /** The same in socklab's URL form: tcp://127.0.0.1:41234, unix:/tmp/x.sock, abstract:name. */
  get url(): string {
    return formatAddress(this.address);
  }
  /**
   * Every listening socket: one, or two for `::` where the OS keeps IPv6 sockets IPv6-only
   * (the IPv6 one, then the fallback IPv4 listener on 0.0.0.0 and the same port; a
   * `dual-stack-fallback` note says so). `address` is the first.
   */
  get addresses(): readonly ServerAddress[] {
    return this.bound;
  }
  /** Filled by bind(), one per listening socket; listen() returns the server once all are. */
  private readonly bound: ServerAddress[] = [];
  private readonly points: AcceptPoint[] = [];
  private readonly options: StreamServerOptions;
  private readonly emit: EventSink;
  /**
   * Accepted but not served yet, unread: at most SEQUENTIAL_HOLD for a sequential server;
   * unbounded only where accepting cannot pause (no native addon).
   */
  private readonly waiting: Socket[] = [];
  /** The peer of each waiting socket, as formatted when it was accepted. */
  private readonly waitingPeers = new WeakMap<Socket, string>();
  private readonly active = new Set<Socket>();
  /** Refused clients reading their reply. */
  private readonly lingering = new Set<Socket>();
  private readonly stop = new AbortController();
  /** Clients served at once: 1 when sequential. */
  readonly limit: number;
  /** What each chunk's payload event carries (the `payload` option, checked once). */
  private readonly encodings: readonly PayloadEncoding[];
  /** Clients served or held (accepted, waiting their turn) before accepting pauses. */
  private readonly acceptLimit: number;
  private acceptStopped = false;
  /** The socket file we created (removed on close if still ours). */
  private owned: OwnedSocketFile | undefined;
  private closing: Promise<void> | undefined;
  private nextId = 1;
  /** The native echo engine, when it serves this server's clients instead of the JS path. */
  private engine: NativeEcho | undefined;
  /** How it listens: dual-stack, or the fallback to a second IPv4 listener. */
  readonly notes: Extract<SocklabEvent, { type: "note" }>[] = [];

  /** Connection routing for each net.Server, attached before it listens. */
  private readonly takeConnections: (server: Server) => void;
  /** An accept error (e.g. out of descriptors) is reported; the server keeps listening. */
  private readonly onAcceptError: (err: Error) => void;

  private constructor(
    options: StreamServerOptions,
    private readonly make: () => Server,
    private readonly backlog: number,
  ) {
    this.options = options;
    this.emit = publishing(options.onEvent);
    this.limit = options.concurrent ? (options.maxConnections ?? defaultMaxConnections()) : 1;
    this.acceptLimit = options.concurrent ? this.limit : this.limit + SEQUENTIAL_HOLD;
    this.encodings = payloadEncodings(options.payload);
    const setup = options.tls;
    this.takeConnections = setup
      ? (server: Server): void =>
          onTlsConnections(server as TlsNetServer, setup, {
            peerOf: (socket) => formatInetPeer("tls", socket.remoteAddress, socket.remotePort),
            secured: (socket, info, peer) => {
              for (const event of sessionEvents(peer, info, false)) this.emit(event);
              this.onConnection(socket);
            },
            failed: (err, peer) => this.emit(errorEvent(err, { peer })),
          })
      : (server: Server): void =>
          // Never while the engine serves: it takes each listener once its net.Server is closed.
          void server.on("connection", (socket: Socket) => this.onConnection(socket));
    this.onAcceptError = (err: Error): void =>
      this.emit(errorEvent(err, { address: this.bound.length > 0 ? this.url : formatAddress(options.address), during: "accept" }));
    live.add(this);
  }

  /**
   * Bind and listen every socket of the address. Each net.Server has its connection routing
   * attached before it listens, so a client accepted at any moment from listen(2) on (e.g.
   * one that connected as soon as the socket file appeared) is served like any other.
   * Sockets are bound natively where the addon is (Unix paths included: see listen()), so
   * every one can pause accepting.
   *
   * From the first listen(2) on, nothing here waits for I/O (each listen's 'listening' comes
   * on process.nextTick): the event loop does not turn before listen() resolves, so libuv
   * accepts nobody meanwhile, and a caller that reports "listening" as soon as listen()
   * resolves reports it before any client's `accepted` (test/stream-server-listen-order).
   */
  private async bind(): Promise<void> {
    const options = this.options;
    const address = options.address;
    const backlog = this.backlog;
    const canPause = isNativeAvailable();
    const listen = (how: Parameters<Server["listen"]>[0]): Promise<Server> => {
      const point = new AcceptPoint(this.make, backlog, this.takeConnections, this.onAcceptError);
      this.points.push(point);
      return point.listen(how, canPause);
    };
    if (options.listenFd !== undefined || address.kind === "abstract" || (address.kind === "unix" && canPause)) {
      // Bound by the caller, or here natively: an abstract name with its exact length
      // (libuv pads abstract names), a Unix path with its mode set before bind (libuv
      // would unlink the path on close whoever's file it names by then, and a socket it
      // bound cannot pause accepting). A Unix path is ours to remove on close, if still ours.
      let fd = options.listenFd;
      if (fd === undefined && address.kind === "abstract") fd = listenAbstractStream(address.name, backlog);
      if (fd === undefined && address.kind === "unix") {
        await options.preparePath?.(address.path);
        fd = listenUnixStream({ path: address.path }, { mode: options.socketMode ?? 0o600, backlog });
      }
      // The descriptor is ours until Node's handle has it: a failure before then closes it.
      const release = fd === undefined ? noop : closerUnlessTaken(fd);
      try {
        if (address.kind === "unix") this.owned = claimSocketFileSync(address.path);
        this.bound.push(boundAddress(address, await listen({ fd, backlog })));
      } catch (err) {
        release();
        throw err;
      }
    } else if (address.kind === "tcp" || address.kind === "tls") {
      const v6 = address.host.includes(":");
      const wantDual = v6 && !options.ipv6Only && (options.dualStack ?? true) && isUnspecified6(address.host);
      const server = await listen({
        host: address.host,
        port: address.port,
        ipv6Only: v6 ? !wantDual : false,
        backlog,
      });
      this.bound.push(boundAddress(address, server));
      const port = (server.address() as AddressInfo).port;
      if (wantDual && !(await ipv4Covered(port))) {
        // The OS keeps this socket IPv6-only: a second listener takes IPv4.
        const v4 = await listen({ host: "0.0.0.0", port, backlog });
        const fallback = boundAddress({ kind: address.kind, host: "0.0.0.0", port }, v4);
        this.bound.push(fallback);
        this.notes.push({ type: "note", note: "dual-stack-fallback", address: formatAddress(fallback) });
      } else if (wantDual) {
        this.notes.push({ type: "note", note: "dual-stack" });
      }
    } else if (address.kind === "unix") {
      // No addon (not Linux): libuv binds, and unlinks the path itself on close.
      await options.preparePath?.(address.path);
      const server = await listen({ path: address.path, backlog });
      this.owned = claimSocketFileSync(address.path);
      chmodSync(address.path, options.socketMode ?? 0o600); // not awaited: see bind()
      this.bound.push(boundAddress(address, server));
    } else {
      throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)} is not a stream address`);
    }
  }

  /**
   * Hand the listening sockets to the native echo engine when it can serve (see the top of
   * this file). Not once the JS path has accepted someone (a client that came while a
   * second socket was being bound): one server, one path.
   */
  private startEngine(): void {
    const service = this.nativeEligible() ? nativeServiceOf(this.options.handler) : undefined;
    if (service === undefined || !this.points.every((point) => point.pausable)) return;
    if (this.active.size + this.waiting.length + this.lingering.size > 0) return;
    let engine: NativeEcho | undefined;
    try {
      const rules = service === "echo" ? undefined : service;
      engine = new NativeEcho(formatAddress(this.options.address), this.options.address.kind === "tcp", this.limit, this.acceptLimit, this.emit, rules, this.options.pollOnMicros);
      for (const point of this.points) engine.listen(point.handOver());
      this.engine = engine;
    } catch {
      // The JS path serves instead (the engine could not take every listener).
      void engine?.close();
      for (const point of this.points) point.resume();
    }
  }

  /**
   * The native engine can serve: nothing needs JavaScript per connection or per byte (no
   * TLS, trace, payload events, time limits, accept filter), and the handler is one the
   * engine stands in for (the plain stream echo, or a line service with rules: checked by
   * the caller with nativeServiceOf). The listeners must be pausable too.
   */
  private nativeEligible(): boolean {
    const o = this.options;
    const kind = o.address.kind;
    return (
      (kind === "tcp" || kind === "unix" || kind === "abstract") &&
      o.tls === undefined &&
      o.trace !== true &&
      this.encodings.length === 0 &&
      !((o.idleTimeoutMs ?? 0) > 0) &&
      !((o.maxTimeMs ?? 0) > 0) &&
      o.acceptFilter === undefined
    );
  }

  /** Whether the native engine serves this server, echo or line mode (see the top of this file). */
  get echoesNatively(): boolean {
    return this.engine !== undefined;
  }

  /** The native engine's counts (clients, bytes held unsent), or undefined on the JS path. */
  nativeEchoStats(): NativeEchoStats | undefined {
    return this.engine?.stats();
  }

  /** Bind and listen; resolves when ready to accept. */
  static async listen(given: StreamServerOptions): Promise<StreamServer> {
    payloadEncodings(given.payload); // an unknown encoding fails here, before anything is bound
    const pollOn = given.pollOnMicros;
    if (pollOn !== undefined && !(Number.isInteger(pollOn) && pollOn >= 0 && pollOn <= 1_000_000)) {
      throw new RangeError(`pollOnMicros must be an integer from 0 to 1000000, got ${pollOn}`);
    }
    // tls:// without a certificate setup: an ephemeral certificate for the host, as the CLI
    // makes (server.fingerprint is what clients pin), rather than plain TCP under a tls:// name.
    const options =
      given.tls === undefined && given.address.kind === "tls" ? { ...given, tls: await createTlsServerOptions({ names: [given.address.host] }) } : given;
    const backlog = options.backlog ?? defaultBacklog();
    const setup = options.tls;
    // TLS: no pauseOnConnect (it would stop the handshake); the handler gets the socket after it.
    const make = (): Server =>
      setup ? setup.createServer({ allowHalfOpen: true, noDelay: true }) : createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    const server = new StreamServer(options, make, backlog);
    try {
      await server.bind();
    } catch (err) {
      // Closes what did listen, and removes the socket file bound here if the path still names it.
      await server.close();
      throw listenError(err, options.address);
    }
    server.startEngine();
    const limit = descriptorLimit();
    if (options.concurrent && options.maxConnections !== undefined && limit !== undefined && options.maxConnections > limit - DESCRIPTOR_RESERVE) {
      server.notes.push({ type: "note", note: "descriptor-limit", limit, maxConnections: options.maxConnections });
    }
    return server;
  }

  /** tls://: `sha256:` + hex of the server's certificate (what clients --pin). */
  get fingerprint(): string | undefined {
    return this.options.tls?.fingerprint;
  }

  /** Clients accepted and waiting for their turn (a few for a sequential server; the rest wait in the kernel). */
  get waitingCount(): number {
    return this.engine ? this.engine.stats().waiting : this.waiting.length;
  }

  /** Clients being served now. */
  get activeCount(): number {
    return this.engine ? this.engine.stats().active : this.active.size;
  }

  private peerOf(socket: Socket, id: number): string {
    const kind = this.options.address.kind;
    // A client that reset before we looked has no address any more: name it by the
    // listening address and its connection number rather than "tcp://?:0".
    if ((kind === "tcp" || kind === "tls") && socket.remoteAddress !== undefined) {
      return formatInetPeer(kind, socket.remoteAddress, socket.remotePort);
    }
    return `${formatAddress(this.options.address)}#${id}`;
  }

  private onConnection(socket: Socket): void {
    const id = this.nextId++;
    const peer = this.peerOf(socket, id);
    if (this.stop.signal.aborted) {
      this.refuse(socket, peer, { reason: "server-stopping" });
      return;
    }
    const filter = this.options.acceptFilter?.(socket);
    if (filter && !filter.ok) {
      const { ok: _ok, ...refusal } = filter;
      this.refuse(socket, peer, refusal);
      return;
    }
    // Errors (reset peers) are reported and end that connection only.
    socket.on("error", (err) => this.emit(errorEvent(err, { peer })));
    if (this.active.size < this.limit) {
      this.serve(socket, peer);
    } else {
      this.waiting.push(socket);
      this.waitingPeers.set(socket, peer);
      this.emit({ type: "queued", peer, waiting: this.waiting.length });
      socket.once("close", () => {
        const at = this.waiting.indexOf(socket);
        if (at >= 0) this.waiting.splice(at, 1);
      });
    }
    this.updateAccepting();
  }

  /**
   * Turn a client away so that it can tell: a `refused` event here, and one line
   * (`ERR refused: REASON`) to the client before we close. What it sends meanwhile is
   * read and discarded, so our close does not reset the connection and destroy the line.
   */
  private refuse(socket: Socket, peer: string, refusal: Omit<Extract<SocklabEvent, { type: "refused" }>, "type" | "peer">): void {
    this.emit({ type: "refused", peer, ...refusal });
    this.lingering.add(socket);
    socket.on("error", noop); // a client that left before reading is no news
    const done = (): void => {
      clearTimeout(timer);
      this.lingering.delete(socket);
      socket.destroy();
    };
    const timer = setTimeout(done, REFUSAL_LINGER_MS);
    socket.once("end", done);
    socket.once("close", done);
    socket.on("data", noop);
    socket.end(refusalReply(refusal.reason));
    socket.resume();
  }

  /** Accept while there is room; pause (clients wait in the kernel queue) when full. */
  private updateAccepting(): void {
    if (this.stop.signal.aborted || this.acceptStopped) return;
    const full = this.active.size + this.waiting.length >= this.acceptLimit;
    for (const point of this.points) {
      if (full) point.pause();
      else point.resume();
    }
  }

  private serveNext(): void {
    while (this.active.size < this.limit && this.waiting.length > 0) {
      const socket = this.waiting.shift()!;
      if (socket.destroyed) continue;
      this.serve(socket, this.waitingPeers.get(socket) ?? "?");
    }
  }

  private serve(socket: Socket, peer: string): void {
    this.active.add(socket);
    const tracing = this.options.trace === true;
    this.emit({ type: "accepted", peer });
    const idle = this.options.idleTimeoutMs;
    if (idle !== undefined && idle > 0) {
      socket.setTimeout(idle, () => {
        this.emit({ type: "idle-timeout", peer, seconds: idle / 1000 });
        socket.destroy();
      });
    }
    // A timer only when a limit is asked for: connection setup stays as cheap as it was.
    const total = this.options.maxTimeMs;
    const limitTimer =
      total !== undefined && total > 0
        ? setTimeout(() => {
            this.emit({ type: "max-time", peer, seconds: total / 1000 });
            socket.destroy();
          }, total)
        : undefined;
    // 'close' comes once: on() spares once()'s wrapper per connection.
    socket.on("close", () => {
      if (limitTimer !== undefined) clearTimeout(limitTimer);
      this.active.delete(socket);
      this.emit({ type: "closed", peer, received: socket.bytesRead, sent: socket.bytesWritten });
      this.serveNext();
      this.updateAccepting();
    });
    const context: ConnectionContext = { peer, emit: this.emit, signal: this.stop.signal };
    // Payload events replace the trace's byte counts: each chunk is reported once, with its bytes.
    const encodings = this.encodings;
    if (encodings.length > 0) tap(socket, payloadEvents(peer, this.emit, { encodings }), this.options.payloadGate);
    const traceEmit = encodings.length > 0 ? withoutChunkEvents(this.emit) : this.emit;
    if (tracing) traceWrites(socket, peer, traceEmit);
    try {
      const result = this.options.handler(socket, context);
      if (result instanceof Promise) {
        result.catch((err: unknown) => {
          this.emit(errorEvent(err, { peer, during: "serve" }));
          socket.destroy();
        });
      }
    } catch (err) {
      this.emit(errorEvent(err, { peer, during: "serve" }));
      socket.destroy();
    }
    // After the handler attached its own listeners, so no byte is emitted before it listens.
    if (tracing) traceReads(socket, peer, traceEmit);
    socket.resume();
  }

  /** Stop accepting new clients (the nc -l role after its one client); current ones go on. */
  stopAccepting(): void {
    this.acceptStopped = true;
    this.engine?.stopAccepting();
    for (const point of this.points) void point.close();
  }

  /** Remove the socket file we created, now (synchronously), if it is still ours. */
  removeSocketFileNow(): void {
    if (this.owned !== undefined && removeSocketFile(this.owned)) this.owned = undefined;
  }

  /** Stop accepting, close every client, remove the socket file we created. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      const closed = this.points.map((point) => point.close());
      // The engine's clients get their `closed` events before this resolves (also when
      // close() is called from inside one of its events: it then closes as that ends).
      if (this.engine) closed.push(this.engine.close());
      for (const socket of [...this.waiting, ...this.active, ...this.lingering]) socket.destroy();
      this.waiting.length = 0;
      await Promise.all(closed);
      // Synchronous: a forced stop arriving meanwhile finds the file either there or gone.
      this.removeSocketFileNow();
      live.delete(this);
    })();
    return this.closing;
  }
}

/**
 * Remove our socket file if the path still names it (removeIfOursSync); false if it could
 * not be removed (permissions), and it is left as it is.
 */
function removeSocketFile(owned: OwnedSocketFile): boolean {
  try {
    removeIfOursSync(owned);
    return true;
  } catch {
    return false;
  }
}

/** `address` as bound by `server`: for IP kinds, the real port and the socket's family. */
function boundAddress(address: Address, server: Server): ServerAddress {
  if (address.kind !== "tcp" && address.kind !== "tls") return serverAddress(address);
  const info = server.address() as AddressInfo;
  return serverAddress({ ...address, port: info.port }, info.family === "IPv6" ? "ipv6" : "ipv4");
}

function isUnspecified6(host: string): boolean {
  return host === "::" || /^0*:0*:0*:0*:0*:0*:0*:0*$/.test(host) || host === "::0";
}

function listenOn(server: Server, options: Parameters<Server["listen"]>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    const ready = (): void => {
      server.removeListener("error", onError);
      resolve();
    };
    // For a descriptor Node ignores `backlog` in the options: it must be the second argument
    // (listen(2) again on a listening socket sets the new backlog).
    const fd = (options as { fd?: number }).fd;
    const backlog = (options as { backlog?: number }).backlog;
    if (fd !== undefined && backlog !== undefined) server.listen({ fd }, backlog, ready);
    else server.listen(options, ready);
  });
}

/**
 * Whether IPv4 port `port` is already covered by our `::` listener: if binding 127.0.0.1
 * there fails with EADDRINUSE, dual-stack is on. No connection is made to the server.
 */
async function ipv4Covered(port: number): Promise<boolean> {
  const probe = createServer();
  try {
    await listenOn(probe, { host: "127.0.0.1", port, exclusive: true });
    return false;
  } catch (err) {
    return (err as { code?: string }).code === "EADDRINUSE";
  } finally {
    if (probe.listening) probe.close();
  }
}

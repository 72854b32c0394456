/**
 * The stream server runner shared by every TCP and Unix stream service.
 *
 * Sequential by default, as in the guides: the kernel completes the handshake for waiting
 * clients (they are accepted with reading paused, so their bytes stay in kernel buffers),
 * and each one is served when the previous one has closed. `concurrent` serves them at once.
 * Per-connection idle timeout, dual-stack or IPv6-only for `::`, event log lines, an
 * optional socket-level trace, and an idempotent graceful close().
 */
import { once } from "node:events";
import { chmod, lstat, unlink } from "node:fs/promises";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { formatAddress, formatInetPeer, type Address } from "../address.js";
import { SocklabError } from "../errors.js";
import { errorEvent, publishing, type EventSink, type SocklabEvent } from "../events.js";
import { traceReads, traceWrites } from "./trace.js";

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

/** Decides, right after accept, whether a client may be served (e.g. by its peer uid). */
export type AcceptFilter = (socket: Socket) => { ok: true } | ({ ok: false } & Omit<Extract<SocklabEvent, { type: "refused" }>, "type" | "peer">);

export interface StreamServerOptions {
  address: Address;
  handler: StreamHandler;
  /** Serve clients at once instead of one after another. */
  concurrent?: boolean;
  /** Close a connection with no traffic for this long (ms). */
  idleTimeoutMs?: number;
  /** For `::`: accept IPv4 too (IPV6_V6ONLY off). Default true for `::`. */
  dualStack?: boolean;
  /** For IPv6 addresses: IPV6_V6ONLY on. */
  ipv6Only?: boolean;
  /** Receives every event of the server (also published on the `socklab:event` channel). */
  onEvent?: EventSink;
  /** Also report socket-level steps (sent/received sizes, EOF, shutdown). */
  trace?: boolean;
  /** Most clients held (waiting plus served); past that new ones are closed at once. */
  maxConnections?: number;
  /** listen(2) backlog. */
  backlog?: number;
  /** Unix socket file permissions. Default 0o600 (owner only). */
  socketMode?: number;
  /** Listen on an already bound and listening descriptor (abstract sockets). */
  listenFd?: number;
  /** Prepares a Unix socket path before bind (stale-socket removal). */
  preparePath?: (path: string) => Promise<void>;
  acceptFilter?: AcceptFilter;
}

const noop = (): void => {};

export class StreamServer {
  /** Where the server listens, with the real port (tcp://127.0.0.1:41234). */
  readonly address: string;
  private readonly servers: Server[];
  private readonly options: StreamServerOptions;
  private readonly emit: EventSink;
  private readonly waiting: Socket[] = [];
  private readonly active = new Set<Socket>();
  private readonly stop = new AbortController();
  private createdPath: string | undefined;
  private readonly createdIno: number | undefined;
  private closing: Promise<void> | undefined;
  private nextId = 1;
  /** How it listens: dual-stack, or the fallback to a second IPv4 listener. */
  readonly notes: Extract<SocklabEvent, { type: "note" }>[] = [];

  private constructor(options: StreamServerOptions, servers: Server[], address: string, createdPath?: string, createdIno?: number) {
    this.options = options;
    this.createdIno = createdIno;
    this.servers = servers;
    this.address = address;
    this.createdPath = createdPath;
    this.emit = publishing(options.onEvent);
    for (const server of servers) {
      server.on("connection", (socket: Socket) => this.onConnection(socket));
      // An accept error (e.g. out of descriptors) is reported; the server keeps listening.
      server.on("error", (err) => this.emit(errorEvent(err, { address: this.address, during: "accept" })));
    }
  }

  /** Bind and listen; resolves when ready to accept. */
  static async listen(options: StreamServerOptions): Promise<StreamServer> {
    const address = options.address;
    const make = (): Server => {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
      server.maxConnections = options.maxConnections ?? 1024;
      return server;
    };
    const servers: Server[] = [];
    const notes: Extract<SocklabEvent, { type: "note" }>[] = [];
    let createdPath: string | undefined;
    let shown: string;
    try {
      if (options.listenFd !== undefined) {
        // Bound by the caller; a Unix path is still ours to remove on close.
        if (address.kind === "unix") createdPath = address.path;
        const server = make();
        servers.push(server);
        await listenOn(server, { fd: options.listenFd });
        shown = formatAddress(address);
      } else if (address.kind === "tcp") {
        const v6 = address.host.includes(":");
        const wantDual = v6 && !options.ipv6Only && (options.dualStack ?? true) && isUnspecified6(address.host);
        const server = make();
        servers.push(server);
        await listenOn(server, {
          host: address.host,
          port: address.port,
          ipv6Only: v6 ? !wantDual : false,
          backlog: options.backlog ?? 511,
        });
        const port = (server.address() as AddressInfo).port;
        shown = formatAddress({ ...address, port });
        if (wantDual && !(await ipv4Covered(port))) {
          // The OS keeps this socket IPv6-only: a second listener takes IPv4.
          const v4 = make();
          servers.push(v4);
          await listenOn(v4, { host: "0.0.0.0", port, backlog: options.backlog ?? 511 });
          notes.push({ type: "note", note: "dual-stack-fallback", address: `tcp://0.0.0.0:${port}` });
        } else if (wantDual) {
          notes.push({ type: "note", note: "dual-stack" });
        }
      } else if (address.kind === "unix") {
        await options.preparePath?.(address.path);
        const server = make();
        servers.push(server);
        await listenOn(server, { path: address.path, backlog: options.backlog ?? 511 });
        createdPath = address.path;
        await chmod(address.path, options.socketMode ?? 0o600);
        shown = formatAddress(address);
      } else {
        throw new SocklabError("ERR_NOT_SUPPORTED", `${formatAddress(address)} is not a stream address`);
      }
    } catch (err) {
      for (const server of servers) server.close();
      if (createdPath) await unlink(createdPath).catch(noop);
      throw annotate(err, formatAddress(address));
    }
    // Remember which file we created: on close we remove that file, not one that a later
    // server may have bound at the same path meanwhile.
    const createdIno = createdPath === undefined ? undefined : await lstat(createdPath).then((st) => st.ino, () => undefined);
    const result = new StreamServer(options, servers, shown, createdPath, createdIno);
    result.notes.push(...notes);
    return result;
  }

  /** Clients waiting for their turn (sequential mode). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Clients being served now. */
  get activeCount(): number {
    return this.active.size;
  }

  private peerOf(socket: Socket, id: number): string {
    if (this.options.address.kind === "tcp") return formatInetPeer("tcp", socket.remoteAddress, socket.remotePort);
    return `${formatAddress(this.options.address)}#${id}`;
  }

  private onConnection(socket: Socket): void {
    if (this.stop.signal.aborted) {
      socket.destroy();
      return;
    }
    const id = this.nextId++;
    const peer = this.peerOf(socket, id);
    // Errors (reset peers) are reported and end that connection only.
    socket.on("error", (err) => this.emit(errorEvent(err, { peer })));
    (socket as Socket & { socklabPeer?: string }).socklabPeer = peer;
    const filter = this.options.acceptFilter?.(socket);
    if (filter && !filter.ok) {
      const { ok: _ok, ...refusal } = filter;
      this.emit({ type: "refused", peer, ...refusal });
      socket.destroy();
      return;
    }
    if (this.options.concurrent || this.active.size === 0) {
      this.serve(socket, peer);
    } else {
      this.waiting.push(socket);
      this.emit({ type: "queued", peer, waiting: this.waiting.length });
      socket.once("close", () => {
        const at = this.waiting.indexOf(socket);
        if (at >= 0) this.waiting.splice(at, 1);
      });
    }
  }

  private serveNext(): void {
    while (!this.options.concurrent && this.active.size === 0 && this.waiting.length > 0) {
      const socket = this.waiting.shift()!;
      if (socket.destroyed) continue;
      this.serve(socket, (socket as Socket & { socklabPeer?: string }).socklabPeer ?? "?");
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
    socket.once("close", () => {
      this.active.delete(socket);
      this.emit({ type: "closed", peer, received: socket.bytesRead, sent: socket.bytesWritten });
      this.serveNext();
    });
    const context: ConnectionContext = { peer, emit: this.emit, signal: this.stop.signal };
    if (tracing) traceWrites(socket, peer, this.emit);
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
    if (tracing) traceReads(socket, peer, this.emit);
    socket.resume();
  }

  /** Stop accepting new clients (the nc -l role after its one client); current ones go on. */
  stopAccepting(): void {
    for (const server of this.servers) if (server.listening) server.close();
  }

  /** Stop accepting, close every client, remove the socket file we created. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stop.abort();
      const closed = this.servers.map((server) => (server.listening ? once(server, "close") : Promise.resolve()));
      // Servers stopped by stopAccepting() only wait for their last client, destroyed below.
      for (const server of this.servers) server.close();
      for (const socket of [...this.waiting, ...this.active]) socket.destroy();
      this.waiting.length = 0;
      await Promise.all(closed);
      if (this.createdPath) {
        const path = this.createdPath;
        this.createdPath = undefined;
        const ino = await lstat(path).then((st) => st.ino, () => undefined);
        if (ino !== undefined && ino === this.createdIno) await unlink(path).catch(noop);
      }
    })();
    return this.closing;
  }
}

function isUnspecified6(host: string): boolean {
  return host === "::" || /^0*:0*:0*:0*:0*:0*:0*:0*$/.test(host) || host === "::0";
}

function listenOn(server: Server, options: Parameters<Server["listen"]>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(options, () => {
      server.removeListener("error", onError);
      resolve();
    });
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

function annotate(err: unknown, address: string): unknown {
  if (err instanceof SocklabError) {
    err.address ??= address;
    return err;
  }
  if (err && typeof err === "object") {
    (err as { address?: string }).address = address;
    const e = err as { code?: string; message?: string };
    return new SocklabError(e.code ?? "ERROR", e.message ?? String(err), { cause: err, address });
  }
  return err;
}

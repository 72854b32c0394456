/**
 * The native stream echo engine (native/stream_echo.c) on the JavaScript side: the
 * StreamServer hands it its listening sockets when the service is the plain stream echo
 * and nothing needs JavaScript per connection or per byte. Accepting, reading, writing
 * back, backpressure and closing happen in C; what reaches here is a batch of records per
 * readiness callback, turned into the same events the JS path emits (`queued`,
 * `accepted`, `closed`, `error`), with the same peer names.
 */
import type { Socket } from "node:net";
import { formatInetPeer } from "../address.js";
import { isNativeAvailable, nativeBinding } from "../addon/binding.js";
import { errnoError } from "../errors.js";
import { errorEvent, type EventSink } from "../events.js";

/** Marks a stream handler the engine can stand in for (src/services/echo.ts streamEcho). */
export const echoesNatively: unique symbol = Symbol("socklab.echoesNatively");

/** What the addon exports for the engine (absent in an older build: then the JS path). */
interface EngineBinding {
  streamEchoCreate(
    callback: (count: number) => void,
    records: Float64Array,
    peers: Buffer,
    inet: boolean,
    limit: number,
    acceptLimit: number,
  ): object | number;
  streamEchoListen(engine: object, fd: number): number;
  streamEchoAdopt(engine: object, fd: number): number;
  streamEchoStopAccepting(engine: object): number;
  streamEchoClose(engine: object): number;
  streamEchoStats(engine: object, out: Float64Array): number;
}

/** Record kinds and fields, as native/stream_echo.c writes them. */
const QUEUED = 1;
const ACCEPTED = 2;
const CLOSED = 3;
const ERROR = 4;
const ACCEPT_ERROR = 5;
const ENGINE_CLOSED = 6;
const FIELDS = 4;
const PEER_SLOT = 48;
const CAPACITY = 256;
const SYSCALLS = ["read", "write", "accept"] as const;

function engineBinding(): EngineBinding | undefined {
  if (!isNativeAvailable()) return undefined;
  const binding = nativeBinding("the native echo") as unknown as Partial<EngineBinding>;
  return typeof binding.streamEchoCreate === "function" ? (binding as EngineBinding) : undefined;
}

/** Whether `handler` is one the engine replaces, and the addon has the engine. */
export function canEchoNatively(handler: unknown): boolean {
  return (handler as { [echoesNatively]?: unknown } | null)?.[echoesNatively] === true && engineBinding() !== undefined;
}

export interface NativeEchoStats {
  /** Clients being served. */
  active: number;
  /** Clients accepted and waiting their turn. */
  waiting: number;
  /** Bytes read and not yet written back, all clients together (at most 64 KiB each). */
  buffered: number;
}

export class NativeEcho {
  private readonly binding: EngineBinding;
  private readonly engine: object;
  private readonly records = new Float64Array(CAPACITY * FIELDS);
  private readonly peerText = Buffer.alloc(CAPACITY * PEER_SLOT);
  /** Peer names of the clients accepted and not closed yet, by connection number. */
  private readonly peers = new Map<number, string>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;

  /**
   * @param url the listening address as socklab writes it (Unix clients are `URL#N`)
   * @param inet TCP (peers named by address and port) rather than a Unix socket
   */
  constructor(
    private readonly url: string,
    private readonly inet: boolean,
    limit: number,
    acceptLimit: number,
    private readonly emit: EventSink,
  ) {
    this.binding = engineBinding()!;
    const engine = this.binding.streamEchoCreate(this.dispatch, this.records, this.peerText, inet, limit, acceptLimit);
    if (typeof engine === "number") throw errnoError(engine, "stream echo");
    this.engine = engine;
  }

  /** Accept on `fd`, a listening socket (ours from now on, also when this throws). */
  listen(fd: number): void {
    const r = this.binding.streamEchoListen(this.engine, fd);
    if (r < 0) throw errnoError(r, "listen");
  }

  /**
   * Serve a client a net.Server accepted while the engine held its listener (the server's
   * routing sends it here; handing over closes the net.Server, so this is rare).
   */
  adopt(socket: Socket): void {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const own = typeof fd === "number" && fd >= 0 ? nativeBinding("the native echo").dup(fd) : -1;
    // Our duplicate keeps the connection; the socket object (never read) just goes.
    socket.destroy();
    if (own >= 0) this.binding.streamEchoAdopt(this.engine, own);
  }

  stopAccepting(): void {
    if (!this.closed) this.binding.streamEchoStopAccepting(this.engine);
  }

  /**
   * Close the listeners and every client. Resolves once the engine has closed and every
   * `closed` event was emitted: at once, or, when called from inside an event (an onEvent
   * that closes the server, or a promise reaction of one), as the engine's callback ends.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    this.closing = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    this.binding.streamEchoClose(this.engine);
    return this.closing;
  }

  stats(): NativeEchoStats {
    const out = new Float64Array(3);
    this.binding.streamEchoStats(this.engine, out);
    return { active: out[0]!, waiting: out[1]!, buffered: out[2]! };
  }

  private peerOf(id: number, at: number, port: number): string {
    let peer = this.peers.get(id);
    if (peer === undefined) {
      if (this.inet) {
        const start = at * PEER_SLOT;
        const end = this.peerText.indexOf(0, start);
        peer = formatInetPeer("tcp", this.peerText.toString("latin1", start, end < 0 ? start + PEER_SLOT : end), port);
      } else {
        peer = `${this.url}#${id}`;
      }
      this.peers.set(id, peer);
    }
    return peer;
  }

  /** One batch of records from C: the events in order. */
  private readonly dispatch = (count: number): void => {
    const r = this.records;
    for (let i = 0; i < count; i++) {
      const at = i * FIELDS;
      const kind = r[at]!;
      const id = r[at + 1]!;
      const a = r[at + 2]!;
      const b = r[at + 3]!;
      switch (kind) {
        case QUEUED:
          this.emit({ type: "queued", peer: this.peerOf(id, i, b), waiting: a });
          break;
        case ACCEPTED:
          this.emit({ type: "accepted", peer: this.peerOf(id, i, a) });
          break;
        case CLOSED: {
          const peer = this.peers.get(id) ?? `${this.url}#${id}`;
          this.peers.delete(id);
          this.emit({ type: "closed", peer, received: a, sent: b });
          break;
        }
        case ERROR:
          this.emit(errorEvent(errnoError(a, SYSCALLS[b] ?? "read"), { peer: this.peers.get(id) ?? `${this.url}#${id}` }));
          break;
        case ACCEPT_ERROR:
          this.emit(errorEvent(errnoError(a, "accept"), { address: this.url, during: "accept" }));
          break;
        case ENGINE_CLOSED:
          this.peers.clear();
          this.resolveClosed?.();
          break;
      }
    }
  };
}

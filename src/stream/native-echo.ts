/**
 * The native stream engine (native/stream_echo.c) on the JavaScript side: the
 * StreamServer hands it its listening sockets when the service is the plain stream echo,
 * or a line service that states its protocol as rules (cmd, line-echo: LineRules, which
 * native/line_rules.c interprets), and nothing needs JavaScript per connection or per
 * byte. Accepting, reading, answering, backpressure and closing happen in C; what reaches
 * here is a batch of records per readiness callback, turned into the same events the JS
 * path emits (`queued`, `accepted`, `closed`, `error`, `line-too-long`), with the same
 * peer names.
 */
import { formatInetPeer } from "../address.js";
import { isNativeAvailable, nativeBinding } from "../addon/binding.js";
import { errnoError } from "../errors.js";
import { errorEvent, type EventSink } from "../events.js";

/** Marks a stream handler the engine can stand in for (src/services/echo.ts streamEcho). */
export const echoesNatively: unique symbol = Symbol("socklab.echoesNatively");

/**
 * On a line service's handler (src/services/line-service.ts): what the engine needs to
 * serve it instead, its rules and limits.
 */
export const servesLinesNatively: unique symbol = Symbol("socklab.servesLinesNatively");

/**
 * A line protocol stated as data (a line service's `rules`, src/services/line-service.ts),
 * for the native engine (native/line_rules.c interprets it; nothing of the protocol is
 * written in C). Per line (without `\n` and one trailing `\r`),
 * in this order: `strip` takes the ASCII whitespace off both ends (stripAsciiWhitespace);
 * the first `exact` match gives its reply; else the first `prefix` the line starts with
 * gives the rest of the line and the suffix; else a line equal to `time` gives local
 * `YYYY-mm-dd HH:MM:SS\n` (clockDateTime); else the `fallback`: a constant `reply`, or
 * `before` + the line + `after`. Byte strings, matched byte for byte.
 */
export interface LineRules {
  strip?: boolean;
  exact?: readonly (readonly [match: Buffer, reply: Buffer])[];
  prefix?: readonly (readonly [prefix: Buffer, suffix: Buffer])[];
  time?: Buffer;
  fallback: { reply: Buffer } | { before: Buffer; after: Buffer };
}

export interface NativeLineService {
  rules: LineRules;
  maxLineLength: number;
  tooLongReply: Buffer;
}

/** What the addon exports for the engine (absent in an older build: then the JS path). */
interface EngineBinding {
  streamEchoCreate(
    callback: (count: number) => void,
    records: Float64Array,
    peers: Buffer,
    inet: boolean,
    limit: number,
    acceptLimit: number,
    rules?: Buffer,
    pollOnMicros?: number,
  ): object | number;
  streamEchoListen(engine: object, fd: number): number;
  streamEchoStopAccepting(engine: object): number;
  streamEchoClose(engine: object): number;
  streamEchoStats(engine: object, out: Float64Array): number;
  lineRulesRun(rules: Buffer, input: Buffer, chunk: number, mark: number): Buffer | number;
}

/** Record kinds and fields, as native/stream_echo.c writes them. */
const QUEUED = 1;
const ACCEPTED = 2;
const CLOSED = 3;
const ERROR = 4;
const ACCEPT_ERROR = 5;
const ENGINE_CLOSED = 6;
const LINE_TOO_LONG = 7;
const FIELDS = 4;
const PEER_SLOT = 48;
const CAPACITY = 256;
const SYSCALLS = ["read", "write", "accept"] as const;

function engineBinding(): EngineBinding | undefined {
  if (!isNativeAvailable()) return undefined;
  const binding = nativeBinding("the native echo") as unknown as Partial<EngineBinding>;
  return typeof binding.streamEchoCreate === "function" && typeof binding.lineRulesRun === "function" ? (binding as EngineBinding) : undefined;
}

const UINT32_MAX = 0xffff_ffff;

/**
 * LineRules and limits as native/line_rules.c reads them (little-endian u32s): version,
 * flags (1 strip, 2 time, 4 wrap), maxLineLength, the number of exact and of prefix
 * pairs; then length-prefixed byte strings: the too-long reply, the time match, the
 * fallback's two (reply and "", or before and after), the exact pairs, the prefix pairs.
 */
export function encodeLineRules(service: NativeLineService): Buffer {
  const { rules, maxLineLength, tooLongReply } = service;
  const exact = rules.exact ?? [];
  const prefix = rules.prefix ?? [];
  const wrap = "before" in rules.fallback;
  const head = Buffer.alloc(20);
  head.writeUInt32LE(1, 0);
  head.writeUInt32LE((rules.strip ? 1 : 0) | (rules.time !== undefined ? 2 : 0) | (wrap ? 4 : 0), 4);
  head.writeUInt32LE(maxLineLength, 8);
  head.writeUInt32LE(exact.length, 12);
  head.writeUInt32LE(prefix.length, 16);
  const parts: Buffer[] = [head];
  const bytes = (b: Buffer): void => {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(b.length);
    parts.push(n, b);
  };
  const fallback = rules.fallback;
  bytes(tooLongReply);
  bytes(rules.time ?? Buffer.alloc(0));
  bytes("before" in fallback ? fallback.before : fallback.reply);
  bytes("before" in fallback ? fallback.after : Buffer.alloc(0));
  for (const [a, b] of [...exact, ...prefix]) {
    bytes(a);
    bytes(b);
  }
  return Buffer.concat(parts);
}

/**
 * What the engine serves for `handler`: `echo`, the encoded rules of a line service, or
 * undefined (the JS path serves it; also when the addon lacks the engine).
 */
export function nativeServiceOf(handler: unknown): "echo" | Buffer | undefined {
  if (typeof handler !== "function" || engineBinding() === undefined) return undefined;
  const marked = handler as { [echoesNatively]?: unknown; [servesLinesNatively]?: NativeLineService };
  if (marked[echoesNatively] === true) return "echo";
  const lines = marked[servesLinesNatively];
  // A limit the C side cannot hold as a u32 stays on the JS path (which reports it as before).
  if (lines === undefined || !Number.isInteger(lines.maxLineLength) || lines.maxLineLength < 1 || lines.maxLineLength >= UINT32_MAX) return undefined;
  // Rules that do not encode (not Buffers: an untyped caller) are only a lost shortcut: the
  // JS responder, which they merely restate, serves. Thrown here, the error would fail
  // listen() after the bind, with the listener left bound.
  try {
    return encodeLineRules(lines);
  } catch {
    return undefined;
  }
}

/**
 * For tests: the bytes a client reads from the engine's line mode when it sends `input`
 * in reads of `chunk` bytes and then ends (replies sent whenever `mark` bytes wait);
 * undefined without the addon's engine.
 */
export function runLineRules(service: NativeLineService, input: Buffer, chunk: number, mark = 64 * 1024): Buffer | undefined {
  const binding = engineBinding();
  if (binding === undefined) return undefined;
  const out = binding.lineRulesRun(encodeLineRules(service), input, chunk, mark);
  if (typeof out === "number") throw errnoError(out, "line rules");
  return out;
}

export interface NativeEchoStats {
  /** Clients being served. */
  active: number;
  /** Clients accepted and waiting their turn. */
  waiting: number;
  /**
   * Bytes not yet written back, all clients together: echo holds at most 64 KiB each, a
   * line client at most 64 KiB of replies and one more reply.
   */
  buffered: number;
  /** Buffer memory the clients hold (unsent output, and line input not answered yet). */
  memory: number;
  /** read(2) calls made on clients so far (how many reads a request costs). */
  reads: number;
  /** Polling on after a busy loop turn: polls that found clients ready (served without a wake-up). */
  pollHits: number;
  /** Polling-on windows that found nothing (each makes the next busy turns skip it, backing off). */
  pollMisses: number;
}

export class NativeEcho {
  private readonly binding: EngineBinding;
  private readonly engine: object;
  private readonly records = new Float64Array(CAPACITY * FIELDS);
  private readonly peerText = Buffer.alloc(CAPACITY * PEER_SLOT);
  /** Peer names of the clients accepted and not closed yet, by connection number. */
  private readonly peers = new Map<number, string>();
  private closing: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;

  /**
   * @param url the listening address as socklab writes it (Unix clients are `URL#N`)
   * @param inet TCP (peers named by address and port) rather than a Unix socket
   * @param rules encoded line rules (encodeLineRules) for a line service; else echo
   * @param pollOnMicros polling on's window after a busy loop turn (native/stream_echo.c
   *   on_check; default 20, 0: never)
   */
  constructor(
    private readonly url: string,
    private readonly inet: boolean,
    limit: number,
    acceptLimit: number,
    private readonly emit: EventSink,
    rules?: Buffer,
    pollOnMicros?: number,
  ) {
    this.binding = engineBinding()!;
    const engine = this.binding.streamEchoCreate(this.dispatch, this.records, this.peerText, inet, limit, acceptLimit, rules, pollOnMicros);
    if (typeof engine === "number") throw errnoError(engine, "stream echo");
    this.engine = engine;
  }

  /** Accept on `fd`, a listening socket (ours from now on, also when this throws). */
  listen(fd: number): void {
    const r = this.binding.streamEchoListen(this.engine, fd);
    if (r < 0) throw errnoError(r, "listen");
  }

  stopAccepting(): void {
    if (this.closing === undefined) this.binding.streamEchoStopAccepting(this.engine);
  }

  /**
   * Close the listeners and every client. Resolves once the engine has closed and every
   * `closed` event was emitted: at once, or, when called from inside an event (an onEvent
   * that closes the server, or a promise reaction of one), as the engine's callback ends.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    this.binding.streamEchoClose(this.engine);
    return this.closing;
  }

  stats(): NativeEchoStats {
    const out = new Float64Array(7);
    this.binding.streamEchoStats(this.engine, out);
    return { active: out[0]!, waiting: out[1]!, buffered: out[2]!, memory: out[3]!, reads: out[4]!, pollHits: out[5]!, pollMisses: out[6]! };
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

  /** The name of client `id` (a record of a client whose accepted event named it). */
  private nameOf(id: number): string {
    return this.peers.get(id) ?? `${this.url}#${id}`;
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
          const peer = this.nameOf(id);
          this.peers.delete(id);
          this.emit({ type: "closed", peer, received: a, sent: b });
          break;
        }
        case ERROR:
          this.emit(errorEvent(errnoError(a, SYSCALLS[b] ?? "read"), { peer: this.nameOf(id) }));
          break;
        case ACCEPT_ERROR:
          this.emit(errorEvent(errnoError(a, "accept"), { address: this.url, during: "accept" }));
          break;
        case LINE_TOO_LONG:
          this.emit({ type: "line-too-long", peer: this.nameOf(id), limit: a });
          break;
        case ENGINE_CLOSED:
          this.peers.clear();
          this.resolveClosed?.();
          break;
      }
    }
  };
}

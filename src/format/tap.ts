/**
 * See the bytes of a stream without touching them: `tap(socket, sink)` reports every chunk
 * read from and written to a Duplex (a socket, a child's stdio pair…) to `sink`.
 *
 * It hooks the two places bytes pass anyway — `push()` (a chunk read from the kernel enters
 * the readable side) and `_write`/`_writev` (a chunk leaves for the kernel) — and calls
 * through unchanged. It adds no 'data' listener, so it never switches a stream to flowing
 * mode, and it holds no bytes, so backpressure is exactly what it was. Writes are reported
 * when they are handed to the kernel, in order, not when the caller queued them.
 *
 * Where the sink's output can fall behind (standard error nobody reads), a `gate` says so:
 * while it is full the tapped stream is held (reading paused, the next write to the kernel
 * waits), so the output stays bounded and nothing is dropped.
 */
import type { Duplex } from "node:stream";
import { escapeControls } from "../display.js";
import { holdReading, releaseReading } from "../read-holds.js";
import { Hexdumper, type Direction } from "./hexdump.js";
import { showLine } from "./python-bytes.js";

export type { Direction } from "./hexdump.js";

/** Receives each chunk; `end` once per direction (our FIN sent: out; the peer's FIN: in). */
export interface TapSink {
  chunk(direction: Direction, data: Buffer): void;
  end?(direction: Direction): void;
}

/** The sink's output, when it can fall behind: the tap holds the stream while it is full. */
export interface TapGate {
  /** The output is behind: hold the stream. */
  full(): boolean;
  /** Call `resume` once, when the output has caught up. */
  whenDrained(resume: () => void): void;
}

type WriteCb = (error?: Error | null) => void;
type Pending = { chunk: unknown; encoding: BufferEncoding };

function toBuffer(chunk: unknown, encoding: BufferEncoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, encoding);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

/**
 * Start reporting `stream`'s chunks to `sink`; returns a function that stops it. With a
 * `gate`, the stream waits while the sink's output is full.
 */
export function tap(stream: Duplex, sink: TapSink, gate?: TapGate): () => void {
  const target = stream as Duplex & {
    push: Duplex["push"];
    _write?: (chunk: unknown, encoding: BufferEncoding, cb: WriteCb) => void;
    _writev?: (chunks: Pending[], cb: WriteCb) => void;
  };
  const own = {
    push: Object.prototype.hasOwnProperty.call(target, "push") ? target.push : undefined,
    _write: Object.prototype.hasOwnProperty.call(target, "_write") ? target._write : undefined,
    _writev: Object.prototype.hasOwnProperty.call(target, "_writev") ? target._writev : undefined,
  };
  const push = target.push;
  const write = target._write;
  const writev = target._writev;
  let active = true;
  // Reading held until the gate drains (what was read meanwhile is reported as it comes:
  // at most the stream's high-water mark).
  let holding = false;
  const holdIfFull = (): void => {
    if (gate === undefined || holding || !gate.full()) return;
    holding = true;
    holdReading(stream, "tap");
    gate.whenDrained(() => {
      holding = false;
      releaseReading(stream, "tap");
    });
  };
  // A write waits for the gate before it is reported and handed on: the stream's own
  // buffer holds what comes next, and its writers see backpressure.
  const whenOpen = (go: () => void): void => {
    if (gate !== undefined && active && gate.full()) gate.whenDrained(go);
    else go();
  };

  target.push = function tappedPush(this: Duplex, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (active) {
      if (chunk === null) sink.end?.("in");
      else {
        const data = toBuffer(chunk, encoding ?? "utf8");
        if (data.length > 0) {
          sink.chunk("in", data);
          holdIfFull();
        }
      }
    }
    return push.call(this, chunk, encoding);
  };
  if (write) {
    target._write = function tappedWrite(this: Duplex, chunk: unknown, encoding: BufferEncoding, cb: WriteCb): void {
      whenOpen(() => {
        if (active) {
          const data = toBuffer(chunk, encoding);
          if (data.length > 0) sink.chunk("out", data);
        }
        write.call(this, chunk, encoding, cb);
      });
    };
  }
  if (writev) {
    target._writev = function tappedWritev(this: Duplex, chunks: Pending[], cb: WriteCb): void {
      whenOpen(() => {
        if (active) {
          for (const { chunk, encoding } of chunks) {
            const data = toBuffer(chunk, encoding);
            if (data.length > 0) sink.chunk("out", data);
          }
        }
        writev.call(this, chunks, cb);
      });
    };
  }
  const onFinish = (): void => {
    if (active) sink.end?.("out");
  };
  stream.once("finish", onFinish);

  return () => {
    if (!active) return;
    active = false;
    stream.removeListener("finish", onFinish);
    if (holding) {
      holding = false;
      releaseReading(stream, "tap");
    }
    // Put back exactly what was there: an own property, or the prototype's method.
    for (const key of ["push", "_write", "_writev"] as const) {
      if (own[key] !== undefined) (target as unknown as Record<string, unknown>)[key] = own[key];
      else delete (target as unknown as Record<string, unknown>)[key];
    }
  };
}

export interface ByteViewOptions {
  /** `-x/--hexdump`: offset, hex and printable columns per chunk. */
  hexdump?: boolean;
  /** `--show`: each chunk as Python's bytes literal (`b'hola\n'`). */
  show?: boolean;
}

/**
 * A sink that turns chunks into `-x` and/or `--show` text for one connection and hands it to
 * `write` (the CLI writes it to stderr or `--hexdump-file`). Offsets are kept per direction.
 */
export function byteViewSink(address: string, options: ByteViewOptions, write: (text: string) => void): TapSink {
  // A line for a terminal: a control character in a Unix name is shown escaped (src/display.ts).
  const peer = escapeControls(address);
  const dumper = options.hexdump ? new Hexdumper(peer) : undefined;
  return {
    chunk(direction, data) {
      let text = "";
      if (dumper) text += dumper.chunk(direction, data);
      if (options.show) text += showLine(direction, peer, data);
      if (text !== "") write(text);
    },
  };
}

/** One sink that hands each chunk (and end) to every given sink; undefined when none is given. */
export function allSinks(...sinks: (TapSink | undefined)[]): TapSink | undefined {
  const list = sinks.filter((sink): sink is TapSink => sink !== undefined);
  if (list.length <= 1) return list[0];
  return {
    chunk(direction, data) {
      for (const sink of list) sink.chunk(direction, data);
    },
    end(direction) {
      for (const sink of list) sink.end?.(direction);
    },
  };
}

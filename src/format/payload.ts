/**
 * The bytes themselves as event fields: what `-x` and `--show` print as text, for `--json`
 * readers and library users. Each chunk becomes a `sent` or `received` event that carries,
 * besides `peer` and `bytes`, where it sits in its direction of the stream (`offset`, counted
 * from 0 per direction per connection, so consecutive events of one direction are contiguous)
 * and the payload in the encodings asked for:
 *
 *   hex     lower-case hex, two digits a byte (`-x`)            "686f6c610a"
 *   python  Python's bytes literal, as `--show` prints it       "b'hola\\n'"
 *   base64  standard base64 with padding                        "aG9sYQo="
 *
 * Every encoding is lossless (any byte, UTF-8 or not); eventPayload() turns an event back
 * into its bytes. Datagrams are messages, not pieces of a stream: their events carry
 * `datagram: true` and no offset.
 */
import { SocklabError } from "../errors.js";
import type { EventOf, EventSink } from "../events.js";
import { parsePythonBytes, pythonBytesRepr } from "./python-bytes.js";
import type { Direction, TapSink } from "./tap.js";

export type PayloadEncoding = "hex" | "python" | "base64";

export const PAYLOAD_ENCODINGS: readonly PayloadEncoding[] = ["hex", "python", "base64"];

/**
 * How a library caller asks for the payload: `true` (hex), one encoding, or several.
 * `false` or absent: byte counts only.
 */
export type PayloadOption = boolean | PayloadEncoding | readonly PayloadEncoding[];

const NONE: readonly PayloadEncoding[] = Object.freeze([]);

/**
 * The encodings an option asks for, each once, in a fixed order (empty: no payload). An
 * unknown encoding is a SocklabError (ERR_INVALID_ARG_VALUE).
 */
export function payloadEncodings(option: PayloadOption | undefined): readonly PayloadEncoding[] {
  if (option === undefined || option === false) return NONE;
  if (option === true) return ["hex"];
  const asked: readonly string[] = typeof option === "string" ? [option] : option;
  for (const name of asked) {
    if (!(PAYLOAD_ENCODINGS as readonly string[]).includes(name)) throw new SocklabError("ERR_INVALID_ARG_VALUE", `unknown payload encoding ${JSON.stringify(name)} (hex, python, base64)`);
  }
  return PAYLOAD_ENCODINGS.filter((name) => asked.includes(name));
}

export interface EncodedPayload {
  hex?: string;
  python?: string;
  base64?: string;
}

/** `data` in each of `encodings`, as the fields of a sent/received event. */
export function encodePayload(data: Uint8Array, encodings: readonly PayloadEncoding[]): EncodedPayload {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const fields: EncodedPayload = {};
  for (const encoding of encodings) {
    if (encoding === "hex") fields.hex = buffer.toString("hex");
    else if (encoding === "base64") fields.base64 = buffer.toString("base64");
    else fields.python = pythonBytesRepr(buffer);
  }
  return fields;
}

export type ChunkEvent = EventOf<"sent"> | EventOf<"received">;

/** The chunk event for `data` going `direction` ("out": sent, "in": received). */
export function chunkEvent(
  direction: Direction,
  peer: string,
  data: Uint8Array,
  encodings: readonly PayloadEncoding[],
  at: { offset: number } | { datagram: true },
): ChunkEvent {
  const base = { peer, bytes: data.length, ...at, ...encodePayload(data, encodings) };
  return direction === "out" ? { type: "sent", ...base } : { type: "received", ...base };
}

export interface PayloadEventsOptions {
  /** The encodings of the payload (empty: `offset` and `bytes` only). */
  encodings: readonly PayloadEncoding[];
  /** Each chunk is a datagram (`datagram: true`, no offset). */
  datagram?: boolean;
}

/**
 * A tap sink that reports each chunk of one connection as a `sent`/`received` event with its
 * offset and payload: `tap(socket, payloadEvents(peer, onEvent, { encodings: ["hex"] }))`.
 */
export function payloadEvents(peer: string, emit: EventSink, options: PayloadEventsOptions): TapSink {
  const offsets: Record<Direction, number> = { in: 0, out: 0 };
  return {
    chunk(direction, data) {
      if (options.datagram) return emit(chunkEvent(direction, peer, data, options.encodings, { datagram: true }));
      const offset = offsets[direction];
      offsets[direction] += data.length;
      emit(chunkEvent(direction, peer, data, options.encodings, { offset }));
    },
  };
}

/**
 * The bytes a sent/received event carries (from `hex`, `base64` or `python`, whichever it
 * has), or undefined when it carries only a count. Throws a SocklabError (ERR_INVALID_ARG_VALUE) on a malformed field.
 */
export function eventPayload(event: { hex?: string; base64?: string; python?: string }): Buffer | undefined {
  if (event.hex !== undefined) {
    if (!/^(?:[0-9a-f]{2})*$/i.test(event.hex)) throw new SocklabError("ERR_INVALID_ARG_VALUE", "hex payload: not an even number of hex digits");
    return Buffer.from(event.hex, "hex");
  }
  if (event.base64 !== undefined) return Buffer.from(event.base64, "base64");
  if (event.python !== undefined) return parsePythonBytes(event.python);
  return undefined;
}

/**
 * `sink` without `sent`/`received` events: for a `--trace` running beside payload events,
 * so each chunk is reported once (by the payload tap, with its bytes) and not twice.
 */
export function withoutChunkEvents(sink: EventSink): EventSink {
  return (event) => {
    if (event.type !== "sent" && event.type !== "received") sink(event);
  };
}

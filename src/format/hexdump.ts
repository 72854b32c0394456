/**
 * `-x/--hexdump`: every chunk as a header (direction, peer, size, stream offset) and lines of
 * offset, 16 bytes in hex and the printable column, like `hexdump -C`, `ncat -x` and
 * `socat -x`. Offsets count from the start of each direction of each connection, so a
 * dump shows where in the stream a chunk sits, not only where in the chunk.
 *
 *   > tcp://127.0.0.1:9000 6 bytes at 0
 *   00000000  68 6f 6c 61 0d 0a                                 |hola..|
 *   < tcp://127.0.0.1:9000 6 bytes at 0
 *   00000000  68 6f 6c 61 0d 0a                                 |hola..|
 *
 * `>` is data we sent, `<` data we received.
 */

export type Direction = "in" | "out";

const HEX = "0123456789abcdef";

function hex2(byte: number): string {
  return HEX[byte >> 4]! + HEX[byte & 15]!;
}

/** The printable column: ASCII 0x20–0x7e as is, everything else as `.`. */
export function printableColumn(data: Uint8Array): string {
  let out = "";
  for (const byte of data) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
  return out;
}

/**
 * The dump lines of `data`, whose first byte is at stream offset `offset`. Lines are aligned
 * to 16-byte boundaries of the stream (as `hexdump -C` of the whole stream would show them):
 * a chunk starting mid-line leaves the columns before it blank.
 */
export function hexdumpLines(data: Uint8Array, offset = 0): string[] {
  const lines: string[] = [];
  let at = 0;
  while (at < data.length) {
    const lineStart = Math.floor((offset + at) / 16) * 16;
    const skip = offset + at - lineStart;
    const take = Math.min(16 - skip, data.length - at);
    const bytes = data.subarray(at, at + take);
    let hex = "";
    let text = "";
    for (let col = 0; col < 16; col++) {
      const inChunk = col >= skip && col < skip + take;
      hex += inChunk ? `${hex2(bytes[col - skip]!)} ` : "   ";
      if (col === 7) hex += " ";
      if (inChunk) {
        const byte = bytes[col - skip]!;
        text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
      } else if (col < skip) {
        text += " ";
      }
    }
    lines.push(`${lineStart.toString(16).padStart(8, "0")}  ${hex} |${text}|`);
    at += take;
  }
  return lines;
}

/**
 * A streaming formatter for one connection: keeps the offset of each direction, so each
 * chunk's dump continues where the previous one of that direction stopped.
 */
export class Hexdumper {
  private readonly offsets: Record<Direction, number> = { in: 0, out: 0 };

  constructor(private readonly peer: string) {}

  /** Bytes seen so far in one direction. */
  offset(direction: Direction): number {
    return this.offsets[direction];
  }

  /** The dump of one chunk (header and lines, each ending in `\n`). */
  chunk(direction: Direction, data: Uint8Array): string {
    const offset = this.offsets[direction];
    this.offsets[direction] += data.length;
    const header = `${direction === "out" ? ">" : "<"} ${this.peer} ${data.length} ${data.length === 1 ? "byte" : "bytes"} at ${offset}`;
    return `${[header, ...hexdumpLines(data, offset)].join("\n")}\n`;
  }
}

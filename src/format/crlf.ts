/**
 * `-C/--crlf`: every `\n` read from standard input goes out as `\r\n` (nc -C, ncat -C).
 *
 * A `\n` that already follows a `\r` is left alone, so `\r\n` stays `\r\n` (never `\r\r\n`):
 * that is what both netcat-openbsd's and ncat's -C do (checked: `printf 'a\r\nb\n' | nc -C`
 * sends `a\r\nb\r\n`). The `\r` and its `\n` may arrive in different chunks; the transform
 * remembers the last byte. A lone `\r` is passed through unchanged.
 */
import { Transform, type TransformCallback } from "node:stream";

/** Convert one chunk; `afterCr` says whether the byte before it was `\r`. */
export function lfToCrlf(chunk: Buffer, afterCr: boolean): Buffer {
  let lone = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
    if (!(i === 0 ? afterCr : chunk[i - 1] === 0x0d)) lone++;
  }
  if (lone === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + lone);
  let o = 0;
  let from = 0;
  for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
    if (i === 0 ? afterCr : chunk[i - 1] === 0x0d) continue;
    o += chunk.copy(out, o, from, i);
    out[o++] = 0x0d;
    from = i; // the \n itself is copied with the next run
  }
  chunk.copy(out, o, from);
  return out;
}

export class CrlfTransform extends Transform {
  private afterCr = false;

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const data = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    if (data.length === 0) return callback();
    const out = lfToCrlf(data, this.afterCr);
    this.afterCr = data[data.length - 1] === 0x0d;
    callback(null, out);
  }
}

/** A Transform for stdin under `-C`. */
export function crlf(): CrlfTransform {
  return new CrlfTransform();
}

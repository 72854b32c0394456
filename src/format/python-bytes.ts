/**
 * Bytes as the literal Python prints for them (`repr(b"...")`), for `--show`: the guides
 * print `data!r` everywhere, so a student sees the same `b'hola\n'` here.
 *
 * Python's rules (Objects/bytesobject.c, PyBytes_Repr): single quotes, unless the bytes
 * contain `'` and no `"`, then double quotes; `\\`, the chosen quote, `\t`, `\n`, `\r`
 * escaped; other bytes below 0x20 or from 0x7f up as `\xhh` (lower-case hex); the rest as is.
 */

const HEX = "0123456789abcdef";

/** `repr(bytes)` exactly as CPython 3 writes it. */
export function pythonBytesRepr(data: Uint8Array): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  const q = quote.charCodeAt(0);
  let out = `b${quote}`;
  for (const byte of data) {
    if (byte === q || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x0d) out += "\\r";
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}${quote}`;
}

/** One `--show` line: direction, peer and the literal, e.g. `> tcp://127.0.0.1:9000 b'hola\n'`. */
export function showLine(direction: "in" | "out", peer: string, data: Uint8Array): string {
  return `${direction === "out" ? ">" : "<"} ${peer} ${pythonBytesRepr(data)}\n`;
}

/**
 * Bytes as the literal Python prints for them (`repr(b"...")`), for `--show`: the guides
 * print `data!r` everywhere, so a student sees the same `b'hola\n'` here.
 *
 * Python's rules (Objects/bytesobject.c, PyBytes_Repr): single quotes, unless the bytes
 * contain `'` and no `"`, then double quotes; `\\`, the chosen quote, `\t`, `\n`, `\r`
 * escaped; other bytes below 0x20 or from 0x7f up as `\xhh` (lower-case hex); the rest as is.
 */

import { SocklabError } from "../errors.js";

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

/** A malformed literal given to parsePythonBytes. */
function invalid(message: string): SocklabError {
  return new SocklabError("ERR_INVALID_ARG_VALUE", message);
}

const SIMPLE_ESCAPES: Record<string, number> = { "\\": 0x5c, "'": 0x27, '"': 0x22, t: 0x09, n: 0x0a, r: 0x0d, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b };

/**
 * The bytes a Python bytes literal stands for (`b'hola\n'` → `hola` + LF): the inverse of
 * pythonBytesRepr, for readers of `--json --show` events. Takes what Python accepts in a
 * non-raw literal: the simple escapes, `\xhh`, octal `\ooo`; an unknown escape stays as
 * written (backslash included), as Python keeps it. Throws a SocklabError (ERR_INVALID_ARG_VALUE) on anything that is
 * not such a literal (no `b` prefix, unterminated, a character above 0x7f).
 */
export function parsePythonBytes(literal: string): Buffer {
  const quote = literal[1];
  if (literal[0] !== "b" || (quote !== "'" && quote !== '"') || literal.length < 3 || literal[literal.length - 1] !== quote) {
    throw invalid(`not a Python bytes literal: ${literal.slice(0, 40)}`);
  }
  const body = literal.slice(2, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    const code = ch.charCodeAt(0);
    if (code > 0x7f) throw invalid(`a Python bytes literal holds ASCII only: ${JSON.stringify(ch)} at ${i}`);
    if (ch === quote) throw invalid(`unescaped ${quote} inside a Python bytes literal at ${i}`);
    if (ch !== "\\") {
      out.push(code);
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw invalid("a Python bytes literal ends in a lone backslash");
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) out.push(simple);
    else if (next === "x") {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw invalid(`\\x needs two hex digits in a Python bytes literal, at ${i}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (next >= "0" && next <= "7") {
      const octal = body.slice(i, i + 3).match(/^[0-7]{1,3}/)![0];
      out.push(parseInt(octal, 8) & 0xff);
      i += octal.length - 1;
    } else if (next === "\n") {
      // A backslash before a newline continues the line: no byte.
    } else out.push(0x5c, next.charCodeAt(0));
  }
  return Buffer.from(out);
}

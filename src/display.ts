/**
 * Text shown to a person on one line of a terminal. A name or message that came from
 * outside (a socket path, an abstract name, a peer's address, an error text) may hold
 * control characters: raw, an ESC sequence would drive the terminal, a newline would forge
 * a line. They are shown as `\xHH`, one per UTF-8 byte, the way socket names are shown
 * everywhere in socklab (escapeName, src/unix/sockaddr.ts, uses the same rule).
 */

/**
 * Whether the character `code` is shown as it is: not a C0 control, DEL, a C1 control, or
 * a line/paragraph separator (U+2028/9), which would not stay on one line.
 */
export function shownAsIs(code: number): boolean {
  return code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0) && code !== 0x2028 && code !== 0x2029;
}

/** `bytes` as `\xHH` escapes (lower-case hex). */
export function byteEscapes(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += `\\x${byte.toString(16).padStart(2, "0")}`;
  return out;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * `text` for one line of human output: every character that is not shownAsIs as the
 * `\xHH` escapes of its UTF-8 bytes (ESC → `\x1b`, newline → `\x0a`); the rest, backslashes
 * included, as it is (so a name escapeName already escaped is not escaped twice).
 */
export function escapeControls(text: string): string {
  if (!CONTROL.test(text)) return text;
  let out = "";
  for (const ch of text) out += shownAsIs(ch.codePointAt(0)!) ? ch : byteEscapes(Buffer.from(ch));
  return out;
}

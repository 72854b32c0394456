/** The lab's texts in each language (src/i18n/lab-en.ts, lab-es.ts) and how bytes are shown. */
import type { Lang } from "../i18n/catalog.js";
import { labEn, type LabCatalog } from "../i18n/lab-en.js";
import { labEs } from "../i18n/lab-es.js";

export type { ExerciseId, LabCatalog, Transport } from "../i18n/lab-en.js";

export const LAB_TEXTS: Record<Lang, LabCatalog> = { en: labEn, es: labEs };

/** 33554432 → "33 554 432" (groups of three, as both languages accept). */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/**
 * Bytes as Python prints them: b'hola\n', b'\x00\xff', with a double-quoted form when the
 * bytes hold a ' and no ". Longer than `max` bytes: the first ones, then `…` and the size.
 */
export function pyBytes(data: Buffer, max = 48): string {
  const shown = data.length > max ? data.subarray(0, max) : data;
  const quoteChar = shown.includes(0x27) && !shown.includes(0x22) ? '"' : "'";
  let out = "";
  for (const b of shown) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === quoteChar.charCodeAt(0)) out += `\\${quoteChar}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  const text = `b${quoteChar}${out}${quoteChar}`;
  return data.length > max ? `${text}… (${groupDigits(data.length)} bytes)` : text;
}

/** The transport of a socklab address (`tcp://…`, `unix:/p#3`, `abstract-dgram:n`), or undefined. */
export function transportOf(address: string | undefined): import("../i18n/lab-en.js").Transport | undefined {
  if (address === undefined) return undefined;
  const m = /^(tcp|udp):\/\/|^(unix-dgram|abstract-dgram|unix|abstract):/.exec(address);
  return (m?.[1] ?? m?.[2]) as import("../i18n/lab-en.js").Transport | undefined;
}

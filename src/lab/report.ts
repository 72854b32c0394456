import type { Lang } from "../i18n/catalog.js";
import type { LabCatalog } from "./texts.js";

/**
 * How the lab shows bytes and results: payloads quoted with control characters escaped
 * (so `"hola mundo\n"` is exactly what travelled), and the results table.
 */

/**
 * Quote bytes for a report: printable ASCII and valid UTF-8 as is; `\n \r \t \\ \"` and
 * `\0` escaped; every other control byte or invalid UTF-8 byte as `\xHH`. At most `max`
 * characters of the quoted text are kept, then `…`.
 */
export function quote(data: string | Buffer, max = 48): string {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let out = "";
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    let piece: string;
    let size = 1;
    if (b === 0x0a) piece = "\\n";
    else if (b === 0x0d) piece = "\\r";
    else if (b === 0x09) piece = "\\t";
    else if (b === 0x5c) piece = "\\\\";
    else if (b === 0x22) piece = '\\"';
    else if (b === 0x00) piece = "\\0";
    else if (b < 0x20 || b === 0x7f) piece = `\\x${hex(b)}`;
    else if (b < 0x80) piece = String.fromCharCode(b);
    else {
      size = utf8SequenceLength(buf, i);
      if (size === 0) {
        size = 1;
        piece = `\\x${hex(b)}`;
      } else {
        const ch = buf.subarray(i, i + size).toString("utf8");
        // Letters, digits, punctuation, symbols, spaces as is; controls, unassigned and
        // private-use code points (what random binary decodes to) as their bytes.
        piece = PRINTABLE.test(ch)
          ? ch
          : [...buf.subarray(i, i + size)].map((x) => `\\x${hex(x)}`).join("");
      }
    }
    if ([...out].length + [...piece].length > max) return `"${out}…`;
    out += piece;
    i += size;
  }
  return `"${out}"`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if the bytes there are not valid UTF-8. */
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b = buf[i] as number;
  let need: number;
  let min: number;
  if (b >= 0xc2 && b <= 0xdf) {
    need = 1;
    min = 0x80;
  } else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    min = 0x800;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    min = 0x10000;
  } else return 0;
  let cp = b & (0xff >> (need + 2));
  for (let k = 1; k <= need; k++) {
    const c = buf[i + k];
    if (c === undefined || (c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return need + 1;
}

/** A human byte count: 50331648 → "48 MiB" when exact, else with one decimal. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

export type Status = "PASS" | "FAIL" | "SKIP";

export interface ResultRow {
  id: string;
  title: string;
  exchanged: string;
  status: Status;
  reason?: string;
  ms: number;
}

/** How the table is laid out for a terminal `width` columns wide, in the language of `t`. */
export interface TableStyle {
  t: LabCatalog;
  lang: Lang;
  width: number;
}

/** From this width on, "exchanged" is a column of its own; below it, it goes under each row. */
const WIDE = 110;

function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(1, width - 1)).join("")}…`;
  return text + " ".repeat(width - chars.length);
}

function statusWidth(t: LabCatalog): number {
  return Math.max(...Object.values(t.status).map((w) => [...w].length));
}

function columns(style: TableStyle): { id: number; title: number; exchanged: number; status: number } {
  const status = statusWidth(style.t) + 7;
  if (style.width >= WIDE) {
    const exchanged = Math.min(62, style.width - 5 - 40 - status - 3);
    return { id: 5, title: 40, exchanged, status };
  }
  return { id: 5, title: Math.max(10, style.width - 5 - status - 2), exchanged: 0, status };
}

export function tableHeader(style: TableStyle): string {
  const c = columns(style);
  const { table } = style.t;
  const head =
    c.exchanged > 0
      ? `${fit(table.id, c.id)} ${fit(table.exercise, c.title)} ${fit(table.exchanged, c.exchanged)} ${table.result}`
      : `${fit(table.id, c.id)} ${fit(table.exercise, c.title)} ${table.result}`;
  return `${head}\n${"─".repeat(Math.min(style.width, [...head].length + 4))}`;
}

/** Cut `text` into pieces of at most `width` characters, preferring to break after "; " or ", ". */
function wrapExchange(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while ([...rest].length > width) {
    const chars = [...rest];
    const head = chars.slice(0, width).join("");
    let cut = Math.max(head.lastIndexOf("; "), head.lastIndexOf(", "), head.lastIndexOf(" ← "));
    if (cut < width / 3) cut = head.lastIndexOf(" ");
    if (cut < width / 3) cut = width;
    else if (head.slice(cut, cut + 2) === "; " || head.slice(cut, cut + 2) === ", ") cut += 1;
    const piece = chars.slice(0, cut).join("");
    out.push(piece.trimEnd());
    rest = chars.slice(cut).join("").trimStart();
  }
  if (rest !== "" || out.length === 0) out.push(rest);
  return out;
}

/**
 * One row. On a wide terminal the exchange is a column and continues on the next lines; on
 * a narrow one it follows the row, indented. A failure's or skip's reason follows, never cut.
 */
export function tableRow(row: ResultRow, style: TableStyle): string {
  const c = columns(style);
  const seconds = (row.ms / 1000).toFixed(1);
  const time = style.lang === "es" ? `${seconds.replace(".", ",")} s` : `${seconds}s`;
  const status = `${style.t.status[row.status].padEnd(statusWidth(style.t))} ${time}`;
  const lines: string[] = [];
  if (c.exchanged > 0) {
    const [first = "", ...more] = wrapExchange(row.exchanged, c.exchanged);
    lines.push(`${fit(row.id, c.id)} ${fit(row.title, c.title)} ${fit(first, c.exchanged)} ${status}`);
    const pad = " ".repeat(c.id + 1 + c.title + 1);
    for (const piece of more) lines.push(`${pad}${piece}`);
  } else {
    lines.push(`${fit(row.id, c.id)} ${fit(row.title, c.title)} ${status}`);
    for (const piece of wrapExchange(row.exchanged, style.width - c.id - 1)) lines.push(`${" ".repeat(c.id + 1)}${piece}`);
  }
  if (row.reason && row.status !== "PASS") {
    lines.push(`${" ".repeat(c.id + 1)}↳ ${row.reason}`);
  }
  return lines.join("\n");
}

export function summary(rows: ResultRow[], t: LabCatalog): string {
  const passed = rows.filter((r) => r.status === "PASS").length;
  const failed = rows.filter((r) => r.status === "FAIL").length;
  const skipped = rows.filter((r) => r.status === "SKIP").length;
  return t.summary(passed, failed, skipped);
}

/**
 * Line framing for byte streams: split on `\n`, drop one trailing `\r`, keep a partial
 * line across reads, and refuse to buffer more than `maxLineLength` bytes of one line —
 * a peer that never sends `\n` cannot make us grow without limit.
 */
import { SocklabError } from "../errors.js";

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export class LineTooLongError extends SocklabError {
  readonly limit: number;
  /** Complete lines of the same chunk that came before the over-long one: still to answer. */
  readonly before: Buffer[];
  /** From respond(): the replies to those lines, already written (empty if none). */
  readonly replies: Buffer;
  constructor(limit: number, before: Buffer[] = [], replies: Buffer = EMPTY) {
    super("ERR_LINE_TOO_LONG", `line longer than ${limit} bytes`);
    this.limit = limit;
    this.before = before;
    this.replies = replies;
  }
}

/**
 * Answers a line given as latin1 text (one character per byte, so no byte is changed) with
 * its reply, latin1 text too: see LineSplitter.respond.
 */
export type TextReply = (line: string) => string;

const EMPTY = Buffer.alloc(0);

const LF = 0x0a;
const CR = 0x0d;

function dropCR(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

export class LineSplitter {
  readonly maxLineLength: number;
  /** Pieces of the current, not yet terminated line. */
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(maxLineLength: number = DEFAULT_MAX_LINE_LENGTH) {
    if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
      throw new RangeError(`maxLineLength must be a positive integer, got ${maxLineLength}`);
    }
    this.maxLineLength = maxLineLength;
  }

  /** Bytes held for the current unterminated line. */
  get buffered(): number {
    return this.pendingLength;
  }

  /**
   * Feed one chunk; returns the complete lines it finishes, without `\n` and without one
   * trailing `\r`. Throws LineTooLongError when a line (terminated or not) exceeds the limit,
   * carrying the complete lines before it; the splitter must not be used after that.
   */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let nl = chunk.indexOf(LF, start);
    while (nl !== -1) {
      let line = chunk.subarray(start, nl);
      if (this.pendingLength > 0) {
        this.pending.push(line);
        line = Buffer.concat(this.pending, this.pendingLength + line.length);
        this.pending = [];
        this.pendingLength = 0;
      }
      line = dropCR(line);
      // A `\r` before the `\n` does not count against the limit.
      if (line.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength, lines);
      lines.push(line);
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingLength += rest.length;
      // +1: a trailing `\r` may still be followed by `\n` and dropped.
      if (this.pendingLength > this.maxLineLength + 1) throw new LineTooLongError(this.maxLineLength, lines);
    }
    return lines;
  }

  /**
   * Feed one chunk and answer the complete lines it finishes with `reply`: returns all
   * the replies as one latin1 string ("" if none), for one write per read. Same framing
   * and limits as push(); on an over-long line LineTooLongError carries the replies to the
   * lines before it (`replies`). No Buffer per line: the chunk is read as one latin1
   * string, lines are slices of it and the replies one concatenated string, which the
   * socket writes in one copy (what a minimal Node line server does; a Buffer per line
   * and one per reply cost about twice the CPU per line).
   */
  respond(chunk: Buffer, reply: TextReply): string {
    let nl = chunk.indexOf(LF);
    if (nl === -1) {
      this.keep(chunk, 0, "");
      return "";
    }
    const text = chunk.toString("latin1");
    let out = "";
    let start = 0;
    if (this.pendingLength > 0) {
      // The one line that spans reads: its earlier pieces joined once.
      let line = Buffer.concat(this.pending, this.pendingLength).toString("latin1") + text.slice(0, nl);
      this.pending = [];
      this.pendingLength = 0;
      if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      if (line.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
      out = reply(line);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    while (nl !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      // A `\r` before the `\n` does not count against the limit.
      if (end - start > this.maxLineLength) throw new LineTooLongError(this.maxLineLength, [], Buffer.from(out, "latin1"));
      out += reply(text.slice(start, end));
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    if (start < chunk.length) this.keep(chunk, start, out);
    return out;
  }

  /** Hold `chunk[start…]`, the head of a line not terminated yet, within the limit. */
  private keep(chunk: Buffer, start: number, replies: string): void {
    const rest = start === 0 ? chunk : chunk.subarray(start);
    this.pending.push(rest);
    this.pendingLength += rest.length;
    // +1: a trailing `\r` may still be followed by `\n` and dropped.
    if (this.pendingLength > this.maxLineLength + 1) throw new LineTooLongError(this.maxLineLength, [], Buffer.from(replies, "latin1"));
  }

  /** End of input: the last line if it had no `\n` (one trailing `\r` dropped), else null. */
  end(): Buffer | null {
    if (this.pendingLength === 0) return null;
    const line = dropCR(Buffer.concat(this.pending, this.pendingLength));
    this.pending = [];
    this.pendingLength = 0;
    if (line.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
    return line;
  }
}

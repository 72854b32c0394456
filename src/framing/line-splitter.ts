/**
 * Line framing for byte streams: split on `\n`, drop one trailing `\r`, keep a partial
 * line across reads, and refuse to buffer more than `maxLineLength` bytes of one line —
 * a peer that never sends `\n` cannot make us grow without limit.
 *
 * The partial line waits in one carry buffer that is reused (grown at most to the limit),
 * so a pipelining peer whose reads end mid-line costs a copy of that tail, not a
 * Buffer.concat per read. respond() frames a read and answers its lines in one pass,
 * returning every reply of the read as one Buffer (one write per read).
 */
import { SocklabError } from "../errors.js";

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export class LineTooLongError extends SocklabError {
  readonly limit: number;
  /** Complete lines of the same chunk that came before the over-long one: still to answer. */
  readonly before: Buffer[];
  constructor(limit: number, before: Buffer[] = []) {
    super("ERR_LINE_TOO_LONG", `line longer than ${limit} bytes`);
    this.limit = limit;
    this.before = before;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** End of a line's content: one trailing `\r` dropped. */
function contentEnd(buf: Buffer, start: number, end: number): number {
  return end > start && buf[end - 1] === CR ? end - 1 : end;
}

export class LineSplitter {
  readonly maxLineLength: number;
  /** The current, not yet terminated line: carry[0, carried). */
  private carry: Buffer = Buffer.alloc(0);
  private carried = 0;
  /** respond(): replies of the current read (reused between reads). */
  private replies: Buffer[] = [];
  /** During scan(): length of the line completed in the carry buffer, or -1. */
  private carryLine = -1;

  constructor(maxLineLength: number = DEFAULT_MAX_LINE_LENGTH) {
    if (!Number.isInteger(maxLineLength) || maxLineLength < 1) {
      throw new RangeError(`maxLineLength must be a positive integer, got ${maxLineLength}`);
    }
    this.maxLineLength = maxLineLength;
  }

  /** Bytes held for the current unterminated line. */
  get buffered(): number {
    return this.carried;
  }

  /**
   * Feed one chunk; returns the complete lines it finishes, without `\n` and without one
   * trailing `\r`. Throws LineTooLongError when a line (terminated or not) exceeds the limit,
   * carrying the complete lines before it; the splitter must not be used after that.
   */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    // The carried line is a view of the reused carry buffer: copy it, push() lines are the caller's.
    this.scan(chunk, (line, fromCarry) => void lines.push(fromCarry ? Buffer.from(line) : line), lines);
    return lines;
  }

  /**
   * Feed one chunk and answer each line it completes with `answer(line)`; returns all the
   * replies of this chunk as one Buffer (null when it completes no line). `line` is a view
   * valid during the call only (answer must not keep it). Throws LineTooLongError like
   * push(), with the lines before the over-long one left unanswered in `before`.
   */
  respond(chunk: Buffer, answer: (line: Buffer) => Buffer): Buffer | null {
    const replies = this.replies;
    let total = 0;
    try {
      this.scan(
        chunk,
        (line) => {
          let reply = answer(line);
          // A reply may be the line itself: a view of the carry buffer, which the rest of
          // this read overwrites. Copied at once (only then).
          if (reply.buffer === this.carry.buffer && reply.length > 0) reply = Buffer.from(reply);
          replies.push(reply);
          total += reply.length;
        },
        undefined,
      );
      if (replies.length === 0) return null;
      if (replies.length === 1) return replies[0]!;
      const out = Buffer.allocUnsafe(total);
      let at = 0;
      for (const r of replies) at += r.copy(out, at);
      return out;
    } finally {
      replies.length = 0;
    }
  }

  /**
   * The one framing loop. With `before` given, a LineTooLongError carries it (push); else
   * it carries copies of the lines before the over-long one, recomputed from the chunk.
   */
  private scan(chunk: Buffer, onLine: (line: Buffer, fromCarry: boolean) => void, before: Buffer[] | undefined): void {
    const max = this.maxLineLength;
    this.carryLine = -1;
    let start = 0;
    let nl = chunk.indexOf(LF);
    while (nl !== -1) {
      if (this.carried > 0) {
        // The line began in an earlier read: complete it in the carry buffer.
        const head = nl - start;
        if (this.carried + head > max + 1) this.tooLong(chunk, start, before);
        this.append(chunk, start, nl);
        const end = contentEnd(this.carry, 0, this.carried);
        if (end > max) this.tooLong(chunk, start, before);
        this.carried = 0;
        this.carryLine = end;
        onLine(this.carry.subarray(0, end), true);
      } else {
        const end = contentEnd(chunk, start, nl);
        // A `\r` before the `\n` does not count against the limit.
        if (end - start > max) this.tooLong(chunk, start, before);
        onLine(chunk.subarray(start, end), false);
      }
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      // +1: a trailing `\r` may still be followed by `\n` and dropped.
      if (this.carried + (chunk.length - start) > max + 1) this.tooLong(chunk, start, before);
      this.append(chunk, start, chunk.length);
    }
  }

  /** Throw for a too-long line that starts at `start` of the current chunk. */
  private tooLong(chunk: Buffer, start: number, before: Buffer[] | undefined): never {
    this.carried = 0;
    throw new LineTooLongError(this.maxLineLength, before ?? this.completeLinesBefore(chunk, start));
  }

  /** Copies of the complete lines before `stop` in this read (for the error of respond()). */
  private completeLinesBefore(chunk: Buffer, stop: number): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (this.carryLine >= 0 && nl !== -1) {
      // The first line began in an earlier read: its bytes are still in the carry buffer.
      lines.push(Buffer.from(this.carry.subarray(0, this.carryLine)));
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    while (nl !== -1 && nl < stop) {
      lines.push(Buffer.from(chunk.subarray(start, contentEnd(chunk, start, nl))));
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    return lines;
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const need = this.carried + (end - start);
    if (need > this.carry.length) {
      // Grown geometrically, never past the limit (+1 for a `\r`, +1 slack).
      const grown = Buffer.allocUnsafeSlow(Math.min(this.maxLineLength + 2, Math.max(need, 2 * this.carry.length, 256)));
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, start, end);
    this.carried = need;
  }

  /** End of input: the last line if it had no `\n` (one trailing `\r` dropped), else null. */
  end(): Buffer | null {
    if (this.carried === 0) return null;
    const end = contentEnd(this.carry, 0, this.carried);
    this.carried = 0;
    if (end > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
    return Buffer.from(this.carry.subarray(0, end));
  }
}

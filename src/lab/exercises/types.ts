/**
 * The shape of one lab exercise, and helpers several exercises share.
 */
import type { LabContext } from "../context.js";
import type { Proc } from "../process.js";
import { quote } from "../report.js";
import { pyBytes, type ExerciseId } from "../texts.js";

export interface Exercise {
  /**
   * The id used in the guides and on the command line: "2", "B3", "2.1c". Its title and
   * the story told in the narration are in the lab's catalogue (src/i18n/lab-*.ts).
   */
  id: ExerciseId;
  /** Which guide (1: `seeds/000_…`, 2: `seeds/002_…`). */
  guide: 1 | 2;
  run(ctx: LabContext): Promise<void>;
}

/**
 * The lab playing the human at an `nc` terminal: wait until `nc` has printed exactly
 * `expected` (what the client sent), then "type" `reply` and, unless `keepOpen`, press
 * Ctrl-D (end of stdin: the write side is shut down).
 */
export async function ncAnswers(
  ctx: LabContext,
  nc: Proc,
  expected: string | Buffer,
  reply: string,
  keepOpen = false,
): Promise<void> {
  const want = typeof expected === "string" ? Buffer.from(expected) : expected;
  const got = await ctx.stdout(nc, (out) => out.length >= want.length, ctx.t.wait.onStdout(nc.label, quote(want)));
  ctx.check(got.equals(want), ctx.t.fail.ncReceived(nc.label, quote(got), quote(want)));
  ctx.say(ctx.t.say.ncTypes(pyBytes(Buffer.from(reply)), keepOpen), nc);
  if (keepOpen) nc.write(reply);
  else nc.end(reply);
}

/** Escape sequences for `--send`: the CLI turns `\n` (backslash, n) into a newline. */
export const NL = "\\n";

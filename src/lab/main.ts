/**
 * `socklab lab [ID...] [--list] [--verbose] [--lang es|en] [--help]` — run the guides'
 * exercises end to end, socklab on both sides in separate processes, and print a table of
 * what was exchanged and whether it matched the guides byte for byte. Running a single
 * exercise (or `--verbose`) also narrates, step by step, what happened at the socket level.
 * Everything it prints is in one language: `--lang`, else the CLI's (`socklab --lang`, the locale).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadFactor } from "./load.js";
export { loadFactor } from "./load.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Lang } from "../i18n/catalog.js";
import { isLang, langFromEnv } from "../i18n/format.js";
import { LabContext, LabFailure, LabSkip, type LabEvent } from "./context.js";
import { EXERCISES, findExercise, type Exercise } from "./exercises/index.js";
import { renderHtml } from "./html.js";
import { narrate } from "./narrate.js";
import { summary, tableHeader, tableRow, type ResultRow, type Status, type TableStyle } from "./report.js";
import { LAB_TEXTS } from "./texts.js";
import { runAgainst } from "./against.js";
import { reproLines, type Tool } from "./reproduce.js";

/** The exercise with socklab as the guide's program and `tool` as the other side. */
function againstExercise(e: Exercise, tool: Tool): Exercise {
  return { id: e.id, guide: e.guide, run: (ctx) => runAgainst(ctx, e.id, tool) };
}

/**
 * Exercises at once. Most of an exercise is waiting (for a process to start, a timeout, a
 * peer), so more than the cores; the slowest start first (see SLOW_FIRST).
 */
export const DEFAULT_JOBS = 6;

export const LAB_USAGE = LAB_TEXTS.en.usage;

/**
 * Per-exercise deadline: every process of an exercise is killed when it passes.
 * `SOCKLAB_LAB_TIMEOUT_MS` overrides it (the lab's own tests use a short one).
 */
export function exerciseTimeoutMs(): number {
  const fromEnv = Number(process.env.SOCKLAB_LAB_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Math.round(10_000 * loadFactor());
}

/**
 * Exercises that spend the longest waiting (deliberate delays, timeouts, bulk data) start
 * first, so the others fill the gaps and the lab ends with the slowest already done; the
 * table is still printed in the guides' order.
 */
const SLOW_FIRST: readonly string[] = ["5", "10", "4", "12", "8", "9", "2.1", "2.6", "B4", "2.5", "6", "1", "3"];

function startOrder(exercises: readonly Exercise[]): number[] {
  const rank = (e: Exercise): number => {
    const i = SLOW_FIRST.indexOf(e.id);
    return i < 0 ? SLOW_FIRST.length : i;
  };
  return exercises.map((_, i) => i).sort((a, b) => rank(exercises[a] as Exercise) - rank(exercises[b] as Exercise) || a - b);
}

export interface LabIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Columns to wrap the report to (default: the terminal's, 80 when not a terminal). */
  width?: number;
}

const defaultIO: LabIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 80;
}

/** bin/socklab.js of this package: dist/src/lab/main.js is three levels below the root. */
export function socklabBin(): string {
  return process.env.SOCKLAB_LAB_BIN ?? fileURLToPath(new URL("../../../bin/socklab.js", import.meta.url));
}

interface Outcome {
  row: ResultRow;
  events: LabEvent[];
  exercise: Exercise;
}

/** `startLang`: the language the caller already chose (the CLI's --lang / locale); --lang in argv wins. */
export async function runLab(argv: string[], io: LabIO = defaultIO, startLang: Lang = langFromEnv()): Promise<number> {
  // The language first, so that even a usage error is in it.
  let lang: Lang = startLang;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = arg === "--lang" ? argv[i + 1] : arg.startsWith("--lang=") ? arg.slice(7) : undefined;
    if (value !== undefined && isLang(value)) lang = value;
  }
  const t = LAB_TEXTS[lang];
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        list: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
        jobs: { type: "string" },
        lang: { type: "string" },
        html: { type: "string" },
        against: { type: "string" },
      },
    });
  } catch (err) {
    // Node's parseArgs messages are long; keep the one fact that matters (the option).
    const message = (err as Error).message;
    const option = /option '([^']+)'/i.exec(message)?.[1];
    const text = option ? t.errors.unknownOption(option) : message.split(". ")[0];
    io.err(`socklab lab: ${text}\n${t.usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.lang !== undefined && !isLang(values.lang)) {
    io.err(`socklab lab: ${t.errors.badLang(values.lang)}\n${t.usage}\n`);
    return 2;
  }
  if (values.help) {
    io.out(t.help);
    return 0;
  }
  const jobs = values.jobs === undefined ? DEFAULT_JOBS : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 32) {
    io.err(`socklab lab: ${t.errors.badJobs(values.jobs ?? "")}\n${t.usage}\n`);
    return 2;
  }
  const selected: Exercise[] = [];
  for (const id of positionals) {
    const ex = findExercise(id);
    if (!ex) {
      io.err(`socklab lab: ${t.errors.unknownExercise(id)}\n${t.usage}\n`);
      return 2;
    }
    if (!selected.includes(ex)) selected.push(ex);
  }
  const exercises = selected.length ? selected : [...EXERCISES];
  if (values.against !== undefined && values.against !== "python" && values.against !== "nc") {
    io.err(`socklab lab: ${t.errors.badAgainst(values.against)}\n${t.usage}\n`);
    return 2;
  }
  if (values.list) {
    io.out(listText(exercises, lang, values.verbose === true));
    return 0;
  }
  const bin = socklabBin();
  if (!existsSync(bin)) {
    io.err(`socklab lab: ${t.errors.notBuilt(bin)}\n`);
    return 1;
  }
  if (values.html !== undefined && values.html.trim() === "") {
    io.err(`socklab lab: ${t.errors.badHtml}\n${t.usage}\n`);
    return 2;
  }
  const narrating = values.verbose === true || exercises.length === 1;
  const style: TableStyle = { t, lang, width: io.width ?? terminalWidth() };
  const against = values.against as Tool | undefined;
  const runnable = against === undefined ? exercises : exercises.map((e) => againstExercise(e, against));
  return runExercises(runnable, { bin, jobs, narrating, io, style, html: values.html, against });
}

/** `--list`: id and title per guide; English titles in English, the guides' own in Spanish. */
function listText(exercises: readonly Exercise[], lang: Lang, verbose: boolean): string {
  const t = LAB_TEXTS[lang];
  const lines: string[] = [];
  for (const guide of [1, 2] as const) {
    const group = exercises.filter((e) => e.guide === guide);
    if (!group.length) continue;
    lines.push(guide === 1 ? t.list.guide1 : t.list.guide2);
    for (const e of group) {
      lines.push(`  ${e.id.padEnd(5)} ${t.exercises[e.id].title}`);
      if (verbose) lines.push(...reproLines(e.id, t, "        "), "");
    }
  }
  return `${lines.join("\n")}\n`;
}

async function runExercises(
  exercises: readonly Exercise[],
  options: { bin: string; jobs: number; narrating: boolean; io: LabIO; style: TableStyle; html: string | undefined; against?: Tool | undefined },
): Promise<number> {
  const { io, narrating, style } = options;
  const { t, lang } = style;
  const root = mkdtempSync(join(tmpdir(), "socklab-lab-"));
  const live = new Set<LabContext>();
  const killEverything = (): void => {
    for (const ctx of live) ctx.killAll();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killEverything();
    rmSync(root, { recursive: true, force: true });
    io.err(`\nsocklab lab: ${t.errors.interrupted(signal)}\n`);
    process.exit(130);
  };
  process.on("exit", killEverything);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  io.out(`${options.against ? t.repro.againstHeading(options.against, exercises.length) : t.heading(exercises.length)}\n\n`);
  io.out(`${tableHeader(style)}\n`);
  const outcomes: (Outcome | undefined)[] = new Array(exercises.length);
  let printed = 0;
  const flush = (): void => {
    while (printed < exercises.length && outcomes[printed] !== undefined) {
      io.out(`${tableRow((outcomes[printed] as Outcome).row, style)}\n`);
      printed++;
    }
  };
  const order = startOrder(exercises);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < exercises.length) {
      const index = order[next++] as number;
      const exercise = exercises[index] as Exercise;
      // The page needs every event too: collect them (with --trace) whenever it is asked for.
      const collect = narrating || options.html !== undefined;
      outcomes[index] = await runOne(exercise, { bin: options.bin, root, narrating: collect, live, lang });
      flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.jobs, exercises.length) }, worker));
  } finally {
    process.removeListener("exit", killEverything);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    killEverything();
    rmSync(root, { recursive: true, force: true });
  }
  const done = outcomes as Outcome[];
  if (narrating) {
    for (const o of done) io.out(`${narrate(o.exercise, o.events, o.row, style)}\n`);
  }
  const rows = done.map((o) => o.row);
  io.out(`\n${summary(rows, t)}\n`);
  if (options.html !== undefined) {
    try {
      writeFileSync(options.html, renderHtml(done, style));
      io.out(`${t.html.written(options.html)}\n`);
    } catch (err) {
      io.err(`socklab lab: ${options.html}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  return rows.some((r) => r.status === "FAIL") ? 1 : 0;
}

async function runOne(
  exercise: Exercise,
  options: { bin: string; root: string; narrating: boolean; live: Set<LabContext>; lang: Lang },
): Promise<Outcome> {
  const dir = join(options.root, exercise.id.replace(/[^\w.-]/g, "_"));
  mkdirSync(dir, { recursive: true });
  const controller = new AbortController();
  const ctx = new LabContext({
    node: process.execPath,
    bin: options.bin,
    tmpDir: dir,
    narrate: options.narrating,
    signal: controller.signal,
    lang: options.lang,
  });
  options.live.add(ctx);
  const started = Date.now();
  const timeoutMs = exerciseTimeoutMs();
  const timer = setTimeout(() => {
    controller.abort(new LabFailure(ctx.t.fail.timedOut(ctx.seconds(timeoutMs, timeoutMs % 1000 === 0 ? 0 : 1), ctx.step)));
  }, timeoutMs);
  let status: Status = "PASS";
  let reason: string | undefined;
  try {
    await exercise.run(ctx);
  } catch (err) {
    if (err instanceof LabSkip) {
      status = "SKIP";
      reason = err.message;
    } else {
      status = "FAIL";
      reason = err instanceof LabFailure ? err.message : ctx.t.fail.labError(err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  } finally {
    clearTimeout(timer);
    if (controller.signal.aborted) ctx.killAll();
    const problem = await ctx.cleanup();
    if (status === "PASS" && problem !== undefined) {
      status = "FAIL";
      reason = problem;
    }
    options.live.delete(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
  const row: ResultRow = {
    id: exercise.id,
    title: LAB_TEXTS[options.lang].exercises[exercise.id].title,
    exchanged: ctx.exchanged.join("; ") || "—",
    status,
    ms: Date.now() - started,
    ...(reason !== undefined ? { reason } : {}),
  };
  return { row, events: ctx.events, exercise };
}

/**
 * `socklab lab [ID...] [--list] [--verbose] [--help]` — run the guides' exercises end to
 * end, socklab on both sides in separate processes, and print a table of what was
 * exchanged and whether it matched the guides byte for byte. Running a single exercise
 * (or `--verbose`) also narrates, step by step, what happened at the socket level.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LabContext, LabFailure, LabSkip, type LabEvent } from "./context.js";
import { EXERCISES, findExercise, type Exercise } from "./exercises/index.js";
import { narrate } from "./narrate.js";
import { summary, tableHeader, tableRow, type ResultRow, type Status } from "./report.js";

export const LAB_USAGE = "usage: socklab lab [ID...] [--list] [--verbose] [--jobs N]";

const LAB_HELP = `${LAB_USAGE}

Runs the exercises of both guides end to end on this machine: for each one, socklab on
both sides (server and client) in separate processes, on free ports, random socket paths
and random abstract names, over loopback only. Prints a table (id, exercise, what was
exchanged, result) and "N passed, M failed"; exits 1 if any exercise fails.

  ID...           run only these exercises (e.g. 2 11 B3 2.5); default: all
  --list          list the exercises (id, the guide's title, an English gloss)
  -v, --verbose   narrate every exercise step by step (the default for a single ID):
                  socket/bind/listen/accept/connect/recv/send/shutdown/close, in Spanish
  --jobs N        exercises run at once (default 4)
  -h, --help      this help
`;

/**
 * Per-exercise deadline: every process of an exercise is killed when it passes.
 * `SOCKLAB_LAB_TIMEOUT_MS` overrides it (the lab's own tests use a short one).
 */
export function exerciseTimeoutMs(): number {
  const fromEnv = Number(process.env.SOCKLAB_LAB_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 10_000;
}

export interface LabIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: LabIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** bin/socklab.js of this package: dist/src/lab/main.js is three levels below the root. */
export function socklabBin(): string {
  return process.env.SOCKLAB_LAB_BIN ?? fileURLToPath(new URL("../../../bin/socklab.js", import.meta.url));
}

interface Outcome {
  row: ResultRow;
  events: LabEvent[];
  exercise: Exercise;
}

export async function runLab(argv: string[], io: LabIO = defaultIO): Promise<number> {
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
      },
    });
  } catch (err) {
    // Node's parseArgs messages are long; keep the one fact that matters.
    const message = (err as Error).message;
    const option = /option '([^']+)'/i.exec(message)?.[1];
    const text = /Unknown option/i.test(message) && option ? `unknown option ${option}` : message.split(". ")[0];
    io.err(`socklab lab: ${text}\n${LAB_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(LAB_HELP);
    return 0;
  }
  const jobs = values.jobs === undefined ? 4 : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 32) {
    io.err(`socklab lab: --jobs must be a whole number from 1 to 32, got "${values.jobs}"\n${LAB_USAGE}\n`);
    return 2;
  }
  const selected: Exercise[] = [];
  for (const id of positionals) {
    const ex = findExercise(id);
    if (!ex) {
      io.err(`socklab lab: unknown exercise "${id}" (socklab lab --list shows them)\n${LAB_USAGE}\n`);
      return 2;
    }
    if (!selected.includes(ex)) selected.push(ex);
  }
  const exercises = selected.length ? selected : [...EXERCISES];
  if (values.list) {
    io.out(listText(exercises));
    return 0;
  }
  const bin = socklabBin();
  if (!existsSync(bin)) {
    io.err(`socklab lab: ${bin}: not found (build the package first: npm install)\n`);
    return 1;
  }
  const narrating = values.verbose === true || exercises.length === 1;
  return runExercises(exercises, { bin, jobs, narrating, io });
}

function listText(exercises: readonly Exercise[]): string {
  const lines: string[] = [];
  for (const guide of [1, 2] as const) {
    const group = exercises.filter((e) => e.guide === guide);
    if (!group.length) continue;
    lines.push(guide === 1 ? "Guide 1 — Prácticas de Sockets (clientes, servidores secuenciales, bonus AF_UNIX)" : "Guide 2 — Servidor y cliente con sockets (TCP, UDP, IPv6, dual-stack)");
    for (const e of group) lines.push(`  ${e.id.padEnd(5)} ${e.title} — ${e.gloss}`);
  }
  return `${lines.join("\n")}\n`;
}

async function runExercises(
  exercises: readonly Exercise[],
  options: { bin: string; jobs: number; narrating: boolean; io: LabIO },
): Promise<number> {
  const { io, narrating } = options;
  const root = mkdtempSync(join(tmpdir(), "socklab-lab-"));
  const live = new Set<LabContext>();
  const killEverything = (): void => {
    for (const ctx of live) ctx.killAll();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killEverything();
    rmSync(root, { recursive: true, force: true });
    io.err(`\nsocklab lab: interrupted (${signal}); every process it started was killed\n`);
    process.exit(130);
  };
  process.on("exit", killEverything);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  io.out(`socklab lab — ${exercises.length} exercise${exercises.length === 1 ? "" : "s"}, socklab on both sides, loopback only\n\n`);
  io.out(`${tableHeader()}\n`);
  const outcomes: (Outcome | undefined)[] = new Array(exercises.length);
  let printed = 0;
  const flush = (): void => {
    while (printed < exercises.length && outcomes[printed] !== undefined) {
      io.out(`${tableRow((outcomes[printed] as Outcome).row)}\n`);
      printed++;
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < exercises.length) {
      const index = next++;
      const exercise = exercises[index] as Exercise;
      outcomes[index] = await runOne(exercise, { bin: options.bin, root, narrating, live });
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
    for (const o of done) io.out(`${narrate(o.exercise, o.events, o.row)}\n`);
  }
  const rows = done.map((o) => o.row);
  io.out(`\n${summary(rows)}\n`);
  return rows.some((r) => r.status === "FAIL") ? 1 : 0;
}

async function runOne(
  exercise: Exercise,
  options: { bin: string; root: string; narrating: boolean; live: Set<LabContext> },
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
  });
  options.live.add(ctx);
  const started = Date.now();
  const timeoutMs = exerciseTimeoutMs();
  const timer = setTimeout(() => {
    controller.abort(new LabFailure(`timed out after ${timeoutMs / 1000}s ${ctx.step}`));
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
      reason = err instanceof LabFailure ? err.message : `lab error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
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
    title: exercise.title,
    exchanged: ctx.exchanged.join("; ") || "—",
    status,
    ms: Date.now() - started,
    ...(reason !== undefined ? { reason } : {}),
  };
  return { row, events: ctx.events, exercise };
}

/**
 * socklab's command-line entry: dispatch, help, and the exit-status contract
 * (0 ok, 1 failure with one clear line, 2 usage error with the usage line). No stack traces.
 */
import { describeError, UsageError } from "../errors.js";
import { connect } from "./commands/connect.js";
import { discoverCommand } from "./commands/discover.js";
import { listen } from "./commands/listen.js";
import { recvFdCommand } from "./commands/recv-fd.js";
import "../unix/register.js";
import { runLab } from "../lab/main.js";
import { serve } from "./commands/serve.js";
import { HELP, USAGE } from "./help.js";
import { diag, drainOutput, flushed } from "./output.js";

type Command = (argv: string[]) => Promise<number | "help">;

/** Entry points that live in their own folders, loaded only when asked for. */
async function external(path: string, exportName: string, argv: string[]): Promise<number> {
  const module = (await import(new URL(path, import.meta.url).href)) as Record<string, (argv: string[]) => Promise<number>>;
  const fn = module[exportName];
  if (typeof fn !== "function") throw new Error(`${path} has no ${exportName}()`);
  return fn(argv);
}

const COMMANDS: Record<string, Command> = {
  serve,
  connect,
  listen,
  discover: discoverCommand,
  "recv-fd": recvFdCommand,
  lab: (argv) => runLab(argv),
  bench: async (argv) => (argv.includes("--help") || argv.includes("-h") ? "help" : external("../../bench/main.js", "main", argv)),
};

/** A bug must still end in one line, not a stack trace (SOCKLAB_DEBUG=1 shows it). */
function guard(): void {
  const fatal = (err: unknown): void => {
    diag(`socklab: internal error: ${describeError(err)}`);
    if (process.env.SOCKLAB_DEBUG && err instanceof Error && err.stack) diag(err.stack);
    void exitAfterFlush(1);
  };
  process.on("uncaughtException", fatal);
  process.on("unhandledRejection", fatal);
}

/** Exit once stdout and stderr have drained (bounded: a reader that never reads can't hold us). */
export async function exitAfterFlush(code: number): Promise<never> {
  await drainOutput(10_000);
  process.exit(code);
}

export async function run(argv: string[]): Promise<number> {
  guard();
  const [name, ...rest] = argv;
  if (name === undefined) {
    diag(USAGE.socklab!);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP.socklab!);
    await flushed(process.stdout);
    return 0;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write("socklab 0.1.0\n");
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    diag(`socklab: unknown command "${name}"`);
    diag(USAGE.socklab!);
    return 2;
  }
  try {
    const code = await command(rest);
    if (code === "help") {
      process.stdout.write(HELP[name] ?? USAGE[name] ?? "");
      await flushed(process.stdout);
      return 0;
    }
    return code;
  } catch (err) {
    if (err instanceof UsageError) {
      diag(`socklab ${name}: ${err.message}`);
      diag(USAGE[name] ?? USAGE.socklab!);
      diag(`Try 'socklab ${name} --help'.`);
      return 2;
    }
    diag(`socklab: ${describeError(err)}`);
    if (process.env.SOCKLAB_DEBUG && err instanceof Error && err.stack) diag(err.stack);
    return 1;
  }
}

/**
 * socklab's command-line entry: dispatch, help, and the exit-status contract
 * (0 ok, 1 failure with one clear line, 2 usage error with the usage line). No stack traces.
 */
import { UsageError } from "../errors.js";
import { errorEvent } from "../events.js";
import { CATALOGS, isLang } from "../i18n/format.js";
import { connect } from "./commands/connect.js";
import { discoverCommand } from "./commands/discover.js";
import { listen } from "./commands/listen.js";
import { recvFdCommand } from "./commands/recv-fd.js";
import "../unix/register.js";
import { runLab } from "../lab/main.js";
import { serve } from "./commands/serve.js";
import { scanCommand } from "./commands/scan.js";
import { relayCommand } from "./commands/relay.js";
import { HELP, USAGE } from "./help.js";
import { describe, diag, drainOutput, emit, flushed, outputMode, setOutputMode } from "./output.js";

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
  scan: scanCommand,
  relay: relayCommand,
  lab: (argv) => runLab(argv),
  bench: async (argv) => (argv.includes("--help") || argv.includes("-h") ? "help" : external("../../bench/main.js", "main", argv)),
};

/** A bug must still end in one line, not a stack trace (SOCKLAB_DEBUG=1 shows it). */
function guard(): void {
  const fatal = (err: unknown): void => {
    if (outputMode().json) emit(errorEvent(err));
    else diag(CATALOGS[outputMode().lang].text.internalError(describe(err)));
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

/**
 * Take the options that apply to every command (`--json`, `--lang es|en`) out of argv,
 * wherever they stand before a `--`, and apply them.
 */
export function takeGlobalOptions(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--json") {
      setOutputMode({ json: true });
    } else if (arg === "--lang" || arg.startsWith("--lang=")) {
      const value = arg === "--lang" ? argv[++i] : arg.slice("--lang=".length);
      if (value === undefined || !isLang(value)) {
        throw new UsageError(CATALOGS[outputMode().lang].text.badLang(value ?? ""));
      }
      setOutputMode({ lang: value });
    } else {
      rest.push(arg);
    }
  }
  return rest;
}

/** A usage error: one line, then the usage line and a hint (JSON: one error event). */
function usageFailure(command: string | undefined, err: UsageError): number {
  if (outputMode().json) {
    emit(errorEvent(err));
    return 2;
  }
  const name = command ?? "socklab";
  diag(`socklab${command ? ` ${command}` : ""}: ${err.message}`);
  diag(USAGE[name] ?? USAGE.socklab!);
  diag(CATALOGS[outputMode().lang].text.tryHelp(command ?? "").replace("  ", " "));
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  guard();
  let args: string[];
  try {
    args = takeGlobalOptions(argv);
  } catch (err) {
    return usageFailure(undefined, err as UsageError);
  }
  const [name, ...rest] = args;
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
    if (outputMode().json) emit({ type: "error", code: "ERR_USAGE", message: `unknown command "${name}"` });
    else {
      diag(CATALOGS[outputMode().lang].text.unknownCommand(name));
      diag(USAGE.socklab!);
    }
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
    if (err instanceof UsageError) return usageFailure(name, err);
    if (outputMode().json) emit(errorEvent(err));
    else diag(`socklab: ${describe(err)}`);
    if (process.env.SOCKLAB_DEBUG && err instanceof Error && err.stack) diag(err.stack);
    return 1;
  }
}

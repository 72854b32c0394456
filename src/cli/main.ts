/**
 * socklab's command-line entry: dispatch, help, and the exit-status contract
 * (0 ok, 1 failure with one clear line, 2 usage error with the usage line). No stack traces.
 */
import { existsSync } from "node:fs";
import { AddressError, SocklabError, UsageError } from "../errors.js";
import { errorEvent } from "../events.js";
import { CATALOGS, isLang } from "../i18n/format.js";
import { connect } from "./commands/connect.js";
import { discoverCommand } from "./commands/discover.js";
import { listen } from "./commands/listen.js";
import { recvFdCommand } from "./commands/recv-fd.js";
import { serve } from "./commands/serve.js";
import { flag, noExtra, parseCommand, usage } from "./args.js";
import { completionScript, isShell, SHELLS } from "./completion.js";
import { commandHelp, generalHelp, isCommandName, usageLine, type CommandName } from "./help.js";
import { scanCommand } from "./commands/scan.js";
import { relayCommand } from "./commands/relay.js";
import { describe, diag, drainOutput, emit, flushed, outputMode, setOutputMode, stdoutFailed } from "./output.js";

/** The lab loads only for `socklab lab`: every other command (and each process the lab starts) skips it. */
async function runLab(argv: string[]): Promise<number> {
  return (await import("../lab/main.js")).runLab(argv, undefined, outputMode().lang);
}

type Command = (argv: string[]) => Promise<number | "help">;

/** Entry points that live in their own folders, loaded only when asked for. */
async function external(path: string, exportName: string, argv: string[]): Promise<number> {
  const module = (await import(new URL(path, import.meta.url).href)) as Record<string, (argv: string[]) => Promise<number>>;
  const fn = module[exportName];
  if (typeof fn !== "function") throw new Error(`${path} has no ${exportName}()`);
  return fn(argv);
}

const COMMANDS: Record<CommandName, Command> = {
  serve,
  connect,
  listen,
  discover: discoverCommand,
  "recv-fd": recvFdCommand,
  scan: scanCommand,
  relay: relayCommand,
  lab: (argv) => runLab(argv),
  bench: async (argv) => {
    if (argv.includes("--help") || argv.includes("-h")) return "help";
    // The benchmarks (TypeScript, C and Python) ship with the sources, not with the npm package.
    if (!existsSync(new URL("../../bench/main.js", import.meta.url))) {
      throw new SocklabError("ERR_NOT_SUPPORTED", "the benchmarks are not part of the installed package: run them from a source checkout with 'npm run bench'", {
        messageKey: "bench-not-installed",
      });
    }
    return external("../../bench/main.js", "main", argv);
  },
  completion,
};

/** `socklab completion bash|zsh|fish`: the script, generated from the option tables. */
async function completion(argv: string[]): Promise<number | "help"> {
  const { values, positionals } = parseCommand(argv, {});
  if (flag(values, "help")) return "help";
  const [shell, ...extra] = positionals;
  noExtra(extra);
  if (shell === undefined) throw usage("usage.missing-argument", { what: "SHELL" });
  if (!isShell(shell)) throw usage("usage.unknown-shell", { shell, shells: SHELLS.join(", ") });
  return printOut(completionScript(shell, outputMode().lang));
}

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
        throw usage("usage.bad-lang", { given: value ?? "" });
      }
      setOutputMode({ lang: value });
    } else {
      rest.push(arg);
    }
  }
  return rest;
}

/** Errors in what the user typed (exit 2): usage errors and addresses that do not parse. */
function isUsageError(err: unknown): err is UsageError | AddressError {
  return err instanceof UsageError || err instanceof AddressError;
}

/** A usage error: one line, then the short usage line and a hint (JSON: one error event). */
function usageFailure(command: CommandName | undefined, err: SocklabError): number {
  if (outputMode().json) {
    emit(errorEvent(err));
    return 2;
  }
  const lang = outputMode().lang;
  diag(`socklab${command ? ` ${command}` : ""}: ${describe(err)}`);
  diag(usageLine(command ?? "socklab", lang));
  diag(CATALOGS[lang].text.tryHelp(command ?? ""));
  return 2;
}

/** Text for stdout (help, a completion script), flushed before the exit. */
async function printOut(text: string): Promise<number> {
  process.stdout.write(text);
  await flushed(process.stdout);
  return 0;
}

/** `socklab help [COMMAND]`: the command's help (the lab prints its own), or the general one. */
async function helpCommand(args: string[]): Promise<number> {
  const [topic, ...extra] = args;
  try {
    noExtra(extra);
    if (topic === undefined || topic === "help") return printOut(generalHelp(outputMode().lang));
    if (!isCommandName(topic)) throw usage("usage.unknown-command", { name: topic });
    if (topic === "lab") return runLab(["--help"]);
    return printOut(commandHelp(topic, outputMode().lang));
  } catch (err) {
    if (isUsageError(err)) return usageFailure(undefined, err);
    throw err;
  }
}

export async function run(argv: string[]): Promise<number> {
  guard();
  let args: string[];
  try {
    args = takeGlobalOptions(argv);
  } catch (err) {
    if (isUsageError(err)) return usageFailure(undefined, err);
    throw err;
  }
  const [name, ...rest] = args;
  if (name === undefined) {
    diag(usageLine("socklab", outputMode().lang));
    return 2;
  }
  if (name === "--help" || name === "-h") return printOut(generalHelp(outputMode().lang));
  if (name === "help") return helpCommand(rest);
  if (name === "--version" || name === "-V") {
    process.stdout.write("socklab 0.1.0\n");
    return 0;
  }
  const command = isCommandName(name) ? COMMANDS[name] : undefined;
  if (!isCommandName(name) || !command) return usageFailure(undefined, usage("usage.unknown-command", { name }));
  try {
    const code = await command(rest);
    if (code === "help") return printOut(commandHelp(name, outputMode().lang));
    // Standard output failed (ENOSPC): already reported; data was lost, so not a success.
    return code === 0 && stdoutFailed() !== undefined ? 1 : code;
  } catch (err) {
    if (isUsageError(err)) return usageFailure(name, err);
    if (outputMode().json) emit(errorEvent(err));
    else diag(`socklab: ${describe(err)}`);
    if (process.env.SOCKLAB_DEBUG && err instanceof Error && err.stack) diag(err.stack);
    return 1;
  }
}

/**
 * SIGINT / SIGTERM for the CLI's long-running commands.
 *
 * The first signal asks for a graceful stop: `untilSignal()` resolves and the command stops
 * accepting, closes its clients, removes the socket file it created, and exits 0.
 * A second signal while stopping (an impatient Ctrl-C, or a supervisor that sends SIGTERM
 * twice within milliseconds) forces the end: the socket files our servers created are
 * removed synchronously, then the process exits at once with 128 + the signal's number
 * (130 for SIGINT, 143 for SIGTERM), as a shell reports a process killed by that signal.
 * The handlers stay installed until exit, so no signal ever kills the process before its
 * socket files are gone.
 */
import { constants } from "node:os";
import { removeSocketFilesNow } from "../stream/server.js";
import { emit } from "./output.js";

type Listener = (signal: NodeJS.Signals) => void;

const waiting = new Set<Listener>();
const forcedCleanups = new Set<() => void>();
let installed = false;
let first: NodeJS.Signals | undefined;

/** Exit status of a stop forced by `signal` (a second signal): 128 + its number. */
export function forcedExitStatus(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

function onSignal(signal: NodeJS.Signals): void {
  if (first === undefined) {
    first = signal;
    for (const listener of waiting) listener(signal);
    waiting.clear();
    return;
  }
  forceExit(signal);
}

/** A second signal: remove socket files now, say so, exit 128 + N without waiting for anything. */
function forceExit(signal: NodeJS.Signals): never {
  for (const cleanup of forcedCleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the exit must happen.
    }
  }
  removeSocketFilesNow();
  emit({ type: "stopping", signal, forced: true });
  // process.exit flushes pending stderr lines through output.ts's 'exit' hook.
  process.exit(forcedExitStatus(signal));
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Resolve on the first SIGINT or SIGTERM (servers then stop cleanly and exit 0). */
export function untilSignal(): Promise<NodeJS.Signals> {
  install();
  if (first !== undefined) return Promise.resolve(first);
  return new Promise((resolve) => waiting.add(resolve));
}

/**
 * Run `cleanup` (synchronous, quick) if a second signal forces the exit. For what a server
 * creates before its StreamServer exists (a socket file bound natively). Returns a function
 * that unregisters it.
 */
export function onForcedStop(cleanup: () => void): () => void {
  forcedCleanups.add(cleanup);
  return () => forcedCleanups.delete(cleanup);
}

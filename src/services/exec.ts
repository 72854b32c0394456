/**
 * `serve exec ADDRESS -- CMD [ARGS…]` (ncat -e / --exec): each client gets a new child
 * process; the client's bytes are the child's standard input and the child's standard output
 * goes back to the client, both with backpressure (pipe). The child's standard error goes to
 * the server's (as with ncat), never to the client.
 *
 * - Client EOF (half-close) → the child's stdin is closed; it may still answer.
 * - The child's stdout ends (it exited) → our write side is shut down (FIN), and whatever the
 *   client still sends is discarded, so the connection ends.
 * - The client leaves while the child runs (its connection is reset, or closed and the
 *   child's next output meets a reset) → the child gets SIGTERM, and SIGKILL after
 *   `killGraceMs` if it is still there. A FIN alone is a half-close, not leaving: the
 *   child's stdin ends and it may still answer (`nc -N` clients rely on that).
 *
 * The command is run directly (execve with ARGS), not through a shell. No environment is
 * added: the child sees the server's environment, as with ncat -e.
 */
import { spawn } from "node:child_process";
import { formatAddress, type Address } from "../address.js";
import { errorEvent } from "../events.js";
import { ipValue, parseCidr, cidrContains, type AccessList } from "../net/cidr.js";
import type { StreamHandler } from "./types.js";

export interface ExecOptions {
  command: string;
  args?: readonly string[];
  /** Working directory of the children (default: the server's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** After SIGTERM, wait this long before SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** Where the children's stderr goes: the server's stderr (default) or nowhere. */
  stderr?: "inherit" | "ignore";
}

/** The command line as shown in events: arguments with spaces are quoted. */
export function commandLine(command: string, args: readonly string[] = []): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

export function execService(options: ExecOptions): StreamHandler {
  const args = [...(options.args ?? [])];
  const shown = commandLine(options.command, args);
  const grace = options.killGraceMs ?? 2000;
  return (socket, context) => {
    const child = spawn(options.command, args, {
      stdio: ["pipe", "pipe", options.stderr ?? "inherit"],
      cwd: options.cwd,
      env: options.env ?? process.env,
    });
    let exited = false;
    // A client that sends more than the child reads, after the child is gone, gets EPIPE on
    // the child's stdin: that is not an error of the server.
    child.stdin!.on("error", () => {});
    child.stdout!.on("error", () => {});

    child.once("error", (err) => {
      // Typically ENOENT/EACCES: the command cannot be run. The client is told by a close.
      exited = true;
      context.emit(errorEvent(err, { peer: context.peer, during: "serve" }));
      socket.destroy();
    });
    child.once("spawn", () => {
      context.emit({ type: "exec-start", peer: context.peer, pid: child.pid!, command: shown });
    });
    child.once("exit", (code, signal) => {
      exited = true;
      clearTimeout(killTimer);
      if (child.pid !== undefined) context.emit({ type: "exec-exit", peer: context.peer, pid: child.pid, code, signal });
      // Nothing reads the client's bytes any more: discard them so the connection can end.
      socket.unpipe(child.stdin!);
      child.stdin!.destroy();
      socket.resume();
    });

    socket.pipe(child.stdin!);
    // At the child's stdout EOF, pipe() shuts down our write side.
    child.stdout!.pipe(socket);

    let killTimer: NodeJS.Timeout | undefined;
    socket.once("close", () => {
      if (exited || child.pid === undefined) return;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, grace);
      killTimer.unref();
    });
  };
}

const LOOPBACK = [parseCidr("127.0.0.0/8"), parseCidr("::1")];

/** Whether a listening host only takes connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const value = ipValue(host);
  return value !== undefined && LOOPBACK.some((rule) => cidrContains(rule, value));
}

/**
 * The safety rule of `serve exec`: a command bound to an address other hosts can reach runs
 * for whoever connects, so it needs an explicit `--allow` (any allow list; `--allow 0.0.0.0/0`
 * is a deliberate "everyone"). Loopback, Unix paths and abstract names need none (the latter
 * two can be narrowed with --allow-uid). Returns the refusal message, or undefined if allowed.
 */
export function execBindRefusal(where: Address, access: AccessList): string | undefined {
  if (where.kind !== "tcp") return undefined;
  if (isLoopbackHost(where.host) || access.allow !== undefined) return undefined;
  return (
    `serve exec on ${formatAddress(where)} would run the command for anyone who can reach that address; ` +
    "bind to 127.0.0.1 or [::1], or say who may connect with --allow CIDR (e.g. --allow 198.51.100.0/24)"
  );
}

// The implementations compared by the bench and how each one's server is started:
// always as a separate process, on port 0 or a fresh Unix path, pinned to a core when
// asked, readiness read from the one line "listening ADDRESS" (or socat's own notice; for
// socklab over TLS, its --json `listening` event, which also carries the fingerprint).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type ImplId = "socklab" | "baseline" | "node" | "python" | "socat" | "c" | "iperf3";
export type Service = "echo" | "cmd" | "line-echo" | "fd";
export type Transport = "tcp" | "unix" | "udp" | "unix-dgram" | "tls";

/** The certificate the bench made for servers that need one given (raw Node, socat). */
export interface TlsFiles {
  cert: string;
  key: string;
  /** `sha256:` + hex: what the TLS client pins. */
  fingerprint: string;
}

export interface ServerKey {
  service: Service;
  transport: Transport;
  /** Serve several clients at once (socklab --concurrent, Python threads). */
  concurrent: boolean;
}

export interface Impl {
  id: ImplId;
  label: string;
  colour: string;
  /** Why this implementation cannot serve `key`, or undefined when it can. */
  unsupported(key: ServerKey): string | undefined;
  /** The command line that serves `key` on `address` (port 0 / fresh path). */
  command(key: ServerKey, address: string, tls: TlsFiles | undefined): string[];
  /** socat forks a process per connection: its CPU is counted over the process tree. */
  forks: boolean;
  /** Parses the readiness line out of the server's stderr; undefined while not ready. */
  ready(stderr: string, key: ServerKey): string | undefined;
  /** The fingerprint a TLS server announced itself (else the bench's certificate is pinned). */
  pin?(stderr: string): string | undefined;
}

export interface Paths {
  root: string;
  buildDir: string;
  distBench: string;
}

const listeningLine = (stderr: string): string | undefined => {
  const m = /^listening (\S+)$/m.exec(stderr);
  return m?.[1];
};

/** socklab's `listening` event from its --json output (the TLS rows run socklab with --json). */
function listeningEvent(stderr: string): { address: string; fingerprint?: string } | undefined {
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const e = JSON.parse(line) as { event?: string; address?: string; fingerprint?: string };
      if (e.event === "listening" && typeof e.address === "string") return { address: e.address, ...(e.fingerprint ? { fingerprint: e.fingerprint } : {}) };
    } catch {
      // a line still being written
    }
  }
  return undefined;
}

/** `socklab serve` as a user runs it; over TLS with --json, so readiness and pin come from the event. */
function socklabServer(bin: string): Pick<Impl, "command" | "ready" | "pin"> {
  return {
    command: (key, address) => [
      process.execPath,
      bin,
      "serve",
      key.service,
      address,
      ...(key.concurrent ? ["--concurrent"] : []),
      ...(key.transport === "tls" ? ["--json"] : []),
    ],
    ready: (stderr, key) => (key.transport === "tls" ? listeningEvent(stderr)?.address : listeningLine(stderr)),
    pin: (stderr) => listeningEvent(stderr)?.fingerprint,
  };
}

export function implementations(paths: Paths, have: { socat: boolean; python: boolean; cc: boolean; iperf3?: boolean; baseline?: string | undefined }): {
  impls: Impl[];
  missing: { id: ImplId; reason: string }[];
} {
  const impls: Impl[] = [];
  const missing: { id: ImplId; reason: string }[] = [];
  impls.push({
    id: "socklab",
    label: "socklab",
    colour: "#d62728",
    forks: false,
    unsupported: () => undefined,
    ...socklabServer(join(paths.root, "bin", "socklab.js")),
  });
  const baseline = have.baseline;
  if (baseline !== undefined) {
    // Another socklab checkout (e.g. the commit before a change), run exactly like socklab.
    impls.push({
      id: "baseline",
      label: "socklab (baseline)",
      colour: "#ff9896",
      forks: false,
      unsupported: (key) =>
        key.transport === "tls" && !existsSync(join(baseline, "dist", "src", "tls")) ? "this checkout has no TLS" : undefined,
      ...socklabServer(join(baseline, "bin", "socklab.js")),
    });
  }
  impls.push({
    id: "node",
    label: "raw Node",
    colour: "#2ca02c",
    forks: false,
    unsupported: (key) =>
      key.transport === "unix-dgram"
        ? "Node has no Unix datagram sockets"
        : key.service === "fd"
          ? "Node cannot pass descriptors (SCM_RIGHTS)"
          : undefined,
    command: (key, address, tls) => [
      process.execPath,
      join(paths.distBench, "raw-node-server.js"),
      key.service,
      address,
      ...(tls ? [tls.cert, tls.key] : []),
    ],
    ready: listeningLine,
  });
  if (have.python) {
    impls.push({
      id: "python",
      label: "Python (guides)",
      colour: "#1f77b4",
      forks: false,
      unsupported: (key) =>
        key.transport === "tls"
          ? "the guides' servers have no TLS"
          : (key.transport === "udp" || key.transport === "unix-dgram") && key.service !== "echo"
            ? "no such guide server"
            : undefined,
      command: (key, address) => [
        "python3",
        join(paths.root, "bench", "python", "guide_servers.py"),
        key.service,
        address,
        ...(key.concurrent ? ["--concurrent"] : []),
      ],
      ready: listeningLine,
    });
  } else {
    missing.push({ id: "python", reason: "python3 not found" });
  }
  if (have.socat) {
    impls.push({
      id: "socat",
      label: "socat PIPE",
      colour: "#9467bd",
      forks: true,
      unsupported: (key) =>
        key.service === "fd"
          ? "socat does not pass descriptors"
          : key.service !== "echo"
          ? "socat has no line-command service"
          : key.transport === "udp" || key.transport === "unix-dgram"
            ? "socat PIPE merges datagrams into a byte stream (not a datagram echo)"
            : undefined,
      command: (key, address, tls) => [
        "socat",
        "-d",
        "-d",
        key.transport === "unix"
          ? `UNIX-LISTEN:${address.slice("unix:".length)},fork`
          : key.transport === "tls" && tls
            ? // The bench's certificate; no client certificate asked for (verify=0), like the others.
              `OPENSSL-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,nodelay,cert=${tls.cert},key=${tls.key},verify=0`
            : "TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,nodelay",
        "PIPE",
      ],
      ready: (stderr, key) => {
        const m = /listening on (?:LEN=\d+ )?AF=(\d+) (\S+)/.exec(stderr);
        if (!m) return undefined;
        return m[1] === "1" ? `unix:${m[2]!.replace(/^"|"$/g, "")}` : `${key.transport === "tls" ? "tls" : "tcp"}://${m[2]}`;
      },
    });
  } else {
    missing.push({ id: "socat", reason: "socat not installed" });
  }
  if (have.cc) {
    impls.push({
      id: "c",
      label: "C epoll",
      colour: "#7f7f7f",
      forks: false,
      unsupported: (key) => (key.transport === "tls" ? "the C reference speaks plain TCP only" : undefined),
      command: (key, address) => [join(paths.buildDir, "epoll_server"), key.service, address],
      ready: listeningLine,
    });
  } else {
    missing.push({ id: "c", reason: "no C compiler (cc)" });
  }
  if (have.iperf3) {
    // A ceiling, not an echo server: iperf3's own client sends and receives at once
    // (--bidir) on one connection each way; the row gives what loopback TCP moves per
    // direction, which is what an echo server at the limit would return.
    impls.push({
      id: "iperf3",
      label: "iperf3 (ceiling)",
      colour: "#bcbd22",
      forks: false,
      unsupported: (key) =>
        key.service === "echo" && key.transport === "tcp" && !key.concurrent ? undefined : "iperf3 only measures the TCP stream ceiling",
      // iperf3 cannot listen on port 0: the bench picks a free port; its notice goes to stdout.
      command: (_key, address) => ["sh", "-c", `exec iperf3 -s -B 127.0.0.1 -p ${address.replace(/^.*:/, "")} --forceflush 1>&2`],
      ready: (stderr) => {
        const m = /Server listening on (\d+)/.exec(stderr);
        return m ? `tcp://127.0.0.1:${m[1]}` : undefined;
      },
    });
  } else {
    missing.push({ id: "iperf3", reason: "iperf3 not installed: no loopback TCP ceiling row (apt-get install iperf3)" });
  }
  return { impls, missing };
}

/** Every child the bench started and has not yet seen exit: killed on the way out. */
export const liveChildren = new Set<ChildProcess>();

/** Servers run in their own process group, so a forking server's children go too. */
const groupLeaders = new WeakSet<ChildProcess>();

function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (groupLeaders.has(child) && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

export function killAllChildren(): void {
  for (const child of liveChildren) signalChild(child, "SIGKILL");
}

export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  return child;
}

export interface RunningServer {
  address: string;
  /** TLS servers: the certificate fingerprint the client pins. */
  pin: string | undefined;
  alive(): boolean;
  pid: number;
  forks: boolean;
  logPath: string;
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a server process with stderr going to a file (so its per-event log lines never
 * wake the bench) and waits for its readiness line.
 */
export async function startServer(
  impl: Impl,
  key: ServerKey,
  address: string,
  logPath: string,
  cpu: number | undefined,
  tls?: TlsFiles,
): Promise<RunningServer> {
  const argv = impl.command(key, address, tls);
  const full = cpu === undefined ? argv : ["taskset", "-c", String(cpu), ...argv];
  const logFd = openSync(logPath, "w");
  let child: ChildProcess;
  try {
    // Same behaviour on every machine: the guides' prints are block-buffered to /dev/null
    // unless the environment forces Python to write each one (PYTHONUNBUFFERED).
    const env = { ...process.env };
    delete env.PYTHONUNBUFFERED;
    child = track(spawn(full[0]!, full.slice(1), { stdio: ["ignore", "ignore", logFd], env, detached: true }));
    groupLeaders.add(child);
  } finally {
    closeSync(logFd);
  }
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with status ${code}`;
  });
  child.once("error", (err) => {
    exited = err.message;
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      signalChild(child, "SIGKILL"); // any forked child left behind
      return;
    }
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    signalChild(child, "SIGTERM");
    const timer = setTimeout(() => signalChild(child, "SIGKILL"), 3000);
    await gone;
    clearTimeout(timer);
    signalChild(child, "SIGKILL"); // forked children (socat) that outlived their parent
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    const log = readFileSync(logPath, "utf8");
    const ready = impl.ready(log, key);
    const pin = key.transport !== "tls" ? undefined : impl.pin ? impl.pin(log) : tls?.fingerprint;
    if (ready !== undefined && (key.transport !== "tls" || pin !== undefined)) {
      const alive = (): boolean => child.exitCode === null && child.signalCode === null;
      return { address: ready, pin, pid: child.pid!, forks: impl.forks, logPath, stop, alive };
    }
    if (exited !== undefined || Date.now() > deadline) {
      await stop();
      const tail = log.trim().split("\n").slice(-3).join(" | ");
      throw new Error(
        `${impl.label} server (${argv.slice(0, 5).join(" ")}…) ${exited ?? "not ready after 15 s"}${tail ? `: ${tail}` : ""}`,
      );
    }
    await sleep(20);
  }
}

/**
 * Running one reproduce-by-hand pair (reproduce.ts): a server side and a client side, each
 * played by socklab, nc/socat or python3, on a free port / paths in the exercise's private
 * directory. `socklab lab --against python|nc` runs, for every exercise, socklab as the
 * guide's program and the other side as that program; test/lab-reproduce.test.ts runs
 * every pair of the table.
 *
 * Readiness is read from the kernel (/proc/net/*: the server's socket is listening or bound),
 * never by connecting to it, so a one-shot server (nc -l, a Python snippet) is not used up.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { LabFailure, LabSkip, type LabContext } from "./context.js";
import { freePort } from "./helpers.js";
import { loadFactor } from "./load.js";
import type { Proc } from "./process.js";
import { quote } from "./report.js";
import { commandLine, isSide, REPRO, type Repro, type Side, type Tool } from "./reproduce.js";
import type { ExerciseId } from "./texts.js";

/** How long a server may take to be bound on an idle machine (stretched by `loadFactor()`). */
const BIND_MS = 8000;

export interface PairOptions {
  /** socklab sides run with --json (and --trace when narrating): their events are narrated. */
  events: boolean;
}

/** The values for the placeholders: a free port, paths in the exercise's directory. */
async function values(ctx: LabContext, repro: Repro): Promise<Record<string, string>> {
  const kind = repro.bound.kind === "udp" ? "udp" : "tcp";
  const host = repro.bound.kind === "tcp6" ? "::1" : "127.0.0.1";
  const file = ctx.tmp("compartido.txt");
  writeFileSync(file, `archivo compartido por SCM_RIGHTS ${randomBytes(3).toString("hex")}\n`);
  return {
    "@PORT@": String(await freePort(kind, host === "::1" && !repro.allInterfaces ? "::1" : "127.0.0.1")),
    "@PATH@": ctx.tmp("srv.sock"),
    "@CPATH@": ctx.tmp("cli.sock"),
    "@NAME@": `socklab-lab-${randomBytes(4).toString("hex")}`,
    "@FILE@": file,
  };
}

/**
 * Is the server's socket there yet (listening, for a stream socket), as the kernel lists it?
 * With `ownerPid`, only a socket that process holds counts: a port or name taken by some
 * other process meanwhile is not this server being ready (the server then fails to bind and
 * exits, and says why).
 */
export function isBound(repro: Repro, v: Record<string, string>, netPid: number | "self", ownerPid?: number): boolean {
  const read = (name: string): string => {
    try {
      return readFileSync(`/proc/${netPid}/net/${name}`, "utf8");
    } catch {
      return "";
    }
  };
  const owned = ownerPid === undefined ? undefined : socketInodes(ownerPid);
  const mine = (inode: string | undefined): boolean => owned === undefined || (inode !== undefined && owned.has(inode));
  const port = Number(v["@PORT@"]).toString(16).toUpperCase().padStart(4, "0");
  switch (repro.bound.kind) {
    case "tcp":
    case "tcp6":
      return [read("tcp"), read("tcp6")].some((table) =>
        table.split("\n").some((l) => {
          const f = l.trim().split(/\s+/);
          return f[1]?.endsWith(`:${port}`) === true && f[3] === "0A" && mine(f[9]);
        }),
      );
    case "udp":
      return [read("udp"), read("udp6")].some((table) =>
        table.split("\n").some((l) => {
          const f = l.trim().split(/\s+/);
          return f[1]?.endsWith(`:${port}`) === true && mine(f[9]);
        }),
      );
    case "unix":
      return unixReady(read("unix"), ` ${v["@PATH@"]}`, mine);
    case "abstract":
      return unixReady(read("unix"), ` @${v["@NAME@"]}`, mine);
  }
}

/** The inodes of the sockets process `pid` has open (empty once it has exited). */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** __SO_ACCEPTCON in /proc/net/unix's Flags column: listen(2) has been called. */
const ACCEPTCON = 0x10000;
/** SOCK_DGRAM in its Type column (1 is SOCK_STREAM, 5 SOCK_SEQPACKET). */
const UNIX_DGRAM = 2;

/**
 * Is a Unix socket with this name (`" /path"` or `" @name"`, the end of its line) ready? The
 * name shows from bind(2) on, but a stream socket refuses connections (ECONNREFUSED) until
 * listen(2): nc -lU, Python and socklab all bind, then listen. So a stream socket counts only
 * once listening; a datagram socket once bound.
 */
function unixReady(table: string, nameSuffix: string, mine: (inode: string | undefined) => boolean): boolean {
  return table.split("\n").some((l) => {
    if (!l.endsWith(nameSuffix)) return false;
    const f = l.trim().split(/\s+/);
    if (!mine(f[6])) return false;
    const flags = parseInt(f[3] ?? "", 16);
    const type = parseInt(f[4] ?? "", 16);
    return type === UNIX_DGRAM || (flags & ACCEPTCON) !== 0;
  });
}

function start(ctx: LabContext, label: string, tool: Tool, side: Side, v: Record<string, string>, options: PairOptions): Proc {
  const argv = side.argv.map((a) => a.replace(/@[A-Z]+@/g, (token) => v[token] ?? token));
  const input = side.stdin;
  const stdin = input === undefined ? "ignore" : input.after !== undefined ? "pipe" : input.data;
  if (tool === "socklab" && options.events) return ctx.spawn(label, argv.slice(1), { stdin });
  const shown = commandLine(side, v).line;
  const command = argv[0] === "socklab" ? [...ctx.socklabCommand(), ...argv.slice(1)] : argv;
  return ctx.spawnPeer(label, command, shown, { stdin });
}

/** Wait (bounded) until `check` holds for `proc`, re-checked on its output and every 20 ms. */
async function until(ctx: LabContext, check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await ctx.sleep(20);
  }
  return true;
}

export interface PairResult {
  server: Proc;
  client: Proc;
  serverTool: Tool;
  clientTool: Tool;
}

/**
 * Run the pair `serverTool` × `clientTool` of exercise `id` and check what the client printed.
 * A side the tool cannot play is a LabSkip naming why.
 */
export async function runPair(ctx: LabContext, id: ExerciseId, serverTool: Tool, clientTool: Tool, options: PairOptions): Promise<PairResult> {
  const repro = REPRO[id];
  const server = repro.sides[serverTool].server;
  const client = repro.sides[clientTool].client;
  if (!isSide(server)) throw new LabSkip(ctx.t.repro.cannot[server.cannot]);
  if (!isSide(client)) throw new LabSkip(ctx.t.repro.cannot[client.cannot]);
  if (repro.allInterfaces) {
    if (await ctx.enterNetns()) ctx.say(ctx.t.say.inNetns);
    else ctx.say(ctx.t.say.allInterfaces);
  }
  const v = await values(ctx, repro);
  const serverLabel = `${ctx.t.labels.server} (${serverTool})`;
  const clientLabel = `${ctx.t.labels.client} (${clientTool})`;
  let clientProc: Proc | undefined;
  if (repro.clientFirst) {
    clientProc = start(ctx, clientLabel, clientTool, client, v, options);
    ctx.say(ctx.t.say.waitsBeforeServer(ctx.seconds(1000, 1)));
    await ctx.sleep(1000);
  }
  const serverProc = start(ctx, serverLabel, serverTool, server, v, options);
  // 8 s on an idle machine, stretched by the load like every other lab deadline.
  const bindMs = Math.round(BIND_MS * loadFactor());
  const bindSeconds = ctx.seconds(bindMs, bindMs % 1000 === 0 ? 0 : 1);
  ctx.step = ctx.t.wait.bound(serverLabel, bindSeconds);
  const bound = await until(ctx, () => isBound(repro, v, ctx.netPid, serverProc.pid) || !serverProc.running, bindMs);
  // A client that started first may already have been served by a one-shot server that has
  // exited (exercise 5): then what the client printed tells.
  const servedAlready = repro.clientFirst === true && clientProc !== undefined && !serverProc.running;
  if ((!bound || !serverProc.running) && !servedAlready) {
    throw new LabFailure(ctx.t.fail.notBound(serverLabel, bindSeconds, ctx.exitText(serverProc.exitStatus), quote(serverProc.stderr, 160)));
  }
  clientProc ??= start(ctx, clientLabel, clientTool, client, v, options);
  const answer = server.stdin?.after;
  if (answer !== undefined) {
    const data = server.stdin?.data ?? "";
    await ctx.stdout(serverProc, (out) => out.includes(answer), ctx.t.wait.onStdout(serverLabel, quote(answer)));
    ctx.say(ctx.t.say.ncTypes(quote(typeof data === "string" ? data : data.toString("latin1")), true), serverProc);
    serverProc.write(data);
  }
  await ctx.exit(clientProc);
  const expect = repro.expect[clientTool];
  const out = clientProc.stdout;
  const ok = typeof expect === "function" ? expect(out) : expect.test(out.toString("latin1"));
  ctx.check(
    clientProc.exitStatus?.code === 0 && ok,
    ctx.t.fail.peerPrinted(clientLabel, ctx.exitText(clientProc.exitStatus), quote(out, 100), String(expect), clientProc.stderr.length ? quote(clientProc.stderr, 160) : undefined),
  );
  serverProc.end();
  // One-shot servers (nc -l, the Python snippets) end by themselves; the others are stopped.
  await until(ctx, () => !serverProc.running, 200);
  if (serverProc.running) await serverProc.stop(1000);
  if (serverProc.exitStatus?.code === 0 || serverProc.exitStatus?.signal) ctx.say(ctx.t.say.peerExited(serverLabel, exitWord(serverProc)));
  ctx.say(ctx.t.say.peerExited(clientLabel, exitWord(clientProc)));
  return { server: serverProc, client: clientProc, serverTool, clientTool };
}

function exitWord(p: Proc): string {
  const s = p.exitStatus;
  return s?.signal ?? String(s?.code ?? "?");
}

/** `--against TOOL`: socklab plays the guide's program, TOOL the other side. */
export async function runAgainst(ctx: LabContext, id: ExerciseId, tool: Tool): Promise<void> {
  const repro = REPRO[id];
  const serverTool: Tool = repro.subject === "server" ? "socklab" : tool;
  const clientTool: Tool = repro.subject === "client" ? "socklab" : tool;
  const r = await runPair(ctx, id, serverTool, clientTool, { events: true });
  ctx.exchange(ctx.t.repro.exchanged(r.serverTool, r.clientTool, quote(r.client.stdout, 50)));
}

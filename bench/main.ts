// socklab bench: socklab's servers side by side with raw Node, the guides' Python
// servers, socat and a C epoll reference, in one run on this machine, loopback only.
//
//   socklab bench [--quick] [--out DIR] [--only IMPL,...] [--metrics ID,...]
//                 [--runs N] [--secs S] [--no-pin | --same-core] [--baseline DIR]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ephemeralNames, ephemeralServerCertificate } from "../src/tls/certificates.js";
import { availableParallelism, cpus, loadavg, release, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.js";
import { buildC, freePort, runIperf, runLoad, type PhaseSample } from "./loadgen.js";
import { METRICS, type Metric } from "./metrics.js";
import { addRatios, formatSummary, formatTable, human, makeRow, type Problem, type Row } from "./report.js";
import {
  implementations,
  killAllChildren,
  liveChildren,
  startServer,
  type Impl,
  type ImplId,
  type RunningServer,
  type ServerKey,
  type TlsFiles,
} from "./servers.js";

const USAGE =
  "usage: socklab bench [--quick] [--out DIR] [--only IMPL,...] [--metrics ID,...] [--runs N] [--secs S] [--no-pin | --same-core] [--baseline DIR]";

const HELP = `${USAGE}

Benchmarks socklab's servers against a raw Node server, the guides' Python servers,
socat (PIPE echo, if installed) and a C epoll reference compiled on the fly, all on
loopback or Unix sockets, each server in its own process, driven by a C load generator
(the tls-stream row: by a C OpenSSL client, the same for every server; needs libssl-dev).
One warm-up then N measured runs per row; the table gives the median, the spread, the
ratio to the Python and raw Node servers, server CPU-µs per operation and the load
generator's own CPU. With 2+ cores, server and load generator are pinned (taskset).

  --quick          a few hundred ms per row (what the test runs); default: 0.5 s runs
  --out DIR        where latest.json and chart.svg go (default: bench/results)
  --only IDS       implementations: socklab,baseline,node,python,socat,c,iperf3
  --metrics IDS    ${METRICS.map((m) => m.id).join(",")}
  --runs N         measured runs per row (default 5, --quick 3; at least 3 unless --quick)
  --secs S         seconds per measured run (default 0.5; --quick 0.06)
  --no-pin         do not pin server and load generator to separate cores
  --same-core      pin both to CPU 0: shows CPU cost per round trip without
                   cross-core wake-up latency (the generator's CPU is then shared)
  --baseline DIR   also run the socklab checkout in DIR (built: npm install) as
                   "socklab (baseline)": before/after of a change in one run
`;

interface Options {
  quick: boolean;
  out: string | undefined;
  only: Set<string> | undefined;
  metrics: Set<string> | undefined;
  runs: number;
  secs: number | undefined;
  pin: boolean;
  sameCore: boolean;
  baseline: string | undefined;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | "help" {
  const o: Options = { quick: false, out: undefined, only: undefined, metrics: undefined, runs: 0, secs: undefined, pin: true, sameCore: false, baseline: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "-h":
      case "--help":
        return "help";
      case "--quick":
        o.quick = true;
        break;
      case "--out":
        o.out = resolve(value());
        break;
      case "--only":
        o.only = new Set(value().split(","));
        break;
      case "--metrics":
        o.metrics = new Set(value().split(","));
        break;
      case "--runs":
        o.runs = Number(value());
        if (!Number.isInteger(o.runs) || o.runs < 1 || o.runs > 20) throw new UsageError("--runs must be 1..20");
        break;
      case "--secs":
        o.secs = Number(value());
        if (!(o.secs >= 0.05 && o.secs <= 30)) throw new UsageError("--secs must be 0.05..30");
        break;
      case "--no-pin":
        o.pin = false;
        break;
      case "--same-core":
        o.sameCore = true;
        break;
      case "--baseline":
        o.baseline = resolve(value());
        if (!existsSync(join(o.baseline, "bin", "socklab.js"))) throw new UsageError(`--baseline: no bin/socklab.js in ${o.baseline}`);
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  for (const m of o.metrics ?? []) {
    if (!METRICS.some((x) => x.id === m)) throw new UsageError(`unknown metric ${m}`);
  }
  for (const id of o.only ?? []) {
    if (!["socklab", "baseline", "node", "python", "socat", "c", "iperf3"].includes(id)) throw new UsageError(`unknown implementation ${id}`);
  }
  return o;
}

function has(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function version(argv: string[], pick: RegExp = /\S/): string | undefined {
  try {
    const out = execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n").find((l) => pick.test(l))?.trim();
  } catch {
    return undefined;
  }
}

/** The server's last log lines that are not routine accept/close/datagram events. */
function serverLogTail(path: string, alive: boolean): string {
  let lines: string[] = [];
  try {
    lines = readFileSync(path, "utf8")
      .split("\n")
      .filter(
        (l) =>
          l.trim() !== "" &&
          !/^(accept|close|datagram|listening) /.test(l) &&
          !/^\{"event":"(accepted|closed|listening|tls-established)"/.test(l),
      );
  } catch {
    // no log
  }
  const tail = lines.slice(-4).join(" | ");
  return `${alive ? "" : " (server exited)"}${tail ? `; server log: ${tail}` : ""}`;
}

const keyName = (k: ServerKey): string => `${k.service}-${k.transport}${k.concurrent ? "-concurrent" : ""}`;

export async function main(argv: string[]): Promise<number> {
  let opts: Options | "help";
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`socklab bench: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (opts === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  let work: string | undefined;
  const onSignal = (): void => {
    // Kill every child, reap them (no zombies left to init), remove the work dir, exit.
    killAllChildren();
    const deadline = Date.now() + 2000;
    const finish = (): void => {
      if (liveChildren.size > 0 && Date.now() < deadline) {
        setTimeout(finish, 20);
        return;
      }
      if (work) rmSync(work, { recursive: true, force: true });
      process.exit(130);
    };
    finish();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", killAllChildren);
  try {
    work = mkdtempSync(join(tmpdir(), "socklab-bench-"));
    return await bench(opts, work);
  } finally {
    killAllChildren();
    if (work) rmSync(work, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", killAllChildren);
  }
}

async function bench(opts: Options, work: string): Promise<number> {
  const t0 = Date.now();
  const distBench = dirname(fileURLToPath(import.meta.url));
  const root = resolve(distBench, "..", "..");
  const buildDir = join(root, "bench", ".build");
  const outDir = opts.out ?? join(root, "bench", "results");
  const log = (s: string): void => void process.stderr.write(s + "\n");

  if (!has("cc")) {
    log("socklab bench: the load generator is C compiled on the fly, and no C compiler (cc) was found");
    return 1;
  }
  let loadgen: string;
  try {
    loadgen = buildC(root, buildDir, "loadgen");
    buildC(root, buildDir, "epoll_server");
  } catch (err) {
    log(`socklab bench: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  // The TLS client links OpenSSL; without its headers the TLS row is skipped, with the reason.
  let tlsgen: string | undefined;
  let noTlsClient: string | undefined;
  if (METRICS.some((m) => m.client === "tlsgen" && (!opts.metrics || opts.metrics.has(m.id)))) {
    try {
      tlsgen = buildC(root, buildDir, "tlsgen", ["-lssl", "-lcrypto"]);
    } catch (err) {
      noTlsClient = `no TLS client: ${err instanceof Error ? err.message : String(err)} (OpenSSL headers: apt-get install libssl-dev)`;
    }
  }
  const have = { socat: has("socat"), python: has("python3"), cc: true, iperf3: has("iperf3"), baseline: opts.baseline };
  const { impls: allImpls, missing } = implementations({ root, buildDir, distBench }, have);
  const impls = allImpls.filter((i) => !opts.only || opts.only.has(i.id));
  const metrics = METRICS.filter((m) => !opts.metrics || opts.metrics.has(m.id));

  const cores = availableParallelism();
  const pin = opts.pin && (cores >= 2 || opts.sameCore) && has("taskset");
  const serverCpu = pin ? 0 : undefined;
  const loadCpu = pin ? (opts.sameCore ? 0 : 1) : undefined;
  const secs = opts.secs ?? (opts.quick ? 0.06 : 0.5);
  // Default: 5 short runs in full mode (a median of 5 shrugs off a burst of outside load), 3 in quick.
  const runs = opts.runs > 0 ? (opts.quick ? opts.runs : Math.max(3, opts.runs)) : opts.quick ? 3 : 5;
  const warmup = opts.quick ? 0.06 : Math.max(0.3, secs / 2);
  const leadIn = opts.quick ? 0.02 : 0.1;
  const pinNote = pin
    ? opts.sameCore
      ? `${cores} core(s): server and load generator both pinned to CPU 0 (--same-core: no cross-core wake-ups, they share one core)`
      : `${cores} cores: server pinned to CPU ${serverCpu}, load generator to CPU ${loadCpu} (taskset)`
    : `${cores} core(s): no pinning${opts.pin ? (cores < 2 ? " (single core)" : " (taskset not found)") : " (--no-pin)"}`;
  const notes: string[] = [];
  for (const m of missing) notes.push(`${m.id}: ${m.reason}`);
  if (!existsSync(join(root, "bin", "socklab.js"))) notes.push("bin/socklab.js not found: socklab rows will fail");
  if (noTlsClient) notes.push(noTlsClient);

  const load = loadavg()[0]!;
  if (load > 0.5) notes.push(`load average ${load.toFixed(2)} at start: other work on this machine adds noise`);
  log(`socklab bench${opts.quick ? " --quick" : ""}: ${pinNote}`);
  log(`per row: warm-up ${warmup}s, then ${runs} interleaved runs of ${secs}s; loopback and Unix sockets only`);
  for (const n of notes) log(`note: ${n}`);

  const rows: Row[] = [];
  const errors: Problem[] = [];
  let certificate: Promise<TlsFiles> | undefined; // made on first use by tlsFiles()
  const skipped: Problem[] = [];

  // One server per (implementation, service, transport, concurrency), all started
  // together and reused by every metric that needs them. Runs are interleaved: run 1 of
  // every implementation, then run 2 (in a rotated order), … so a burst of outside load
  // hits every implementation alike instead of one row.
  const keys: ServerKey[] = [];
  for (const m of metrics) if (!keys.some((k) => keyName(k) === keyName(m.server))) keys.push(m.server);
  for (const key of keys) {
    const group = metrics.filter((m) => keyName(m.server) === keyName(key));
    const serving: Impl[] = [];
    const noClient = group.some((m) => m.client === "tlsgen") && tlsgen === undefined ? (noTlsClient ?? "no TLS client") : undefined;
    for (const impl of impls) {
      const why = impl.unsupported(key) ?? noClient;
      // The iperf3 ceiling exists for one row only: not worth a "skipped" line on every other.
      if (why && impl.id !== "iperf3") for (const m of group) skipped.push({ metric: m.id, impl: impl.id, reason: why });
      else if (!why) serving.push(impl);
    }
    const servers = new Map<ImplId, RunningServer>();
    try {
      for (const m of group) await runMetric(m, key, serving, servers);
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }

  async function ensureServer(impl: Impl, key: ServerKey, servers: Map<ImplId, RunningServer>): Promise<RunningServer> {
    const existing = servers.get(impl.id);
    if (existing?.alive()) return existing;
    if (existing) {
      const note = `${impl.label} ${keyName(key)} server had exited; restarted${serverLogTail(existing.logPath, false)}`;
      notes.push(note);
      log(`  note: ${note}`);
    }
    const base = join(work, `${impl.id}-${keyName(key)}`);
    let address = `${key.transport}://127.0.0.1:${impl.id === "iperf3" ? await freePort() : 0}`;
    if (key.transport === "unix" || key.transport === "unix-dgram") {
      rmSync(`${base}.sock`, { force: true });
      address = `${key.transport}:${base}.sock`;
    }
    const server = await startServer(impl, key, address, `${base}.log`, serverCpu, key.transport === "tls" ? await tlsFiles() : undefined);
    servers.set(impl.id, server);
    return server;
  }

  /**
   * One certificate for the servers that are given one (raw Node, socat), made at run time
   * with socklab's own ephemeral-certificate function (ECDSA P-256, like socklab's), kept
   * in the work directory (removed at the end), never committed. socklab makes its own.
   */
  function tlsFiles(): Promise<TlsFiles> {
    certificate ??= (async () => {
      const made = await ephemeralServerCertificate(ephemeralNames("127.0.0.1"));
      const files = { cert: join(work, "bench-cert.pem"), key: join(work, "bench-key.pem"), fingerprint: made.fingerprint };
      writeFileSync(files.cert, made.cert);
      writeFileSync(files.key, made.key, { mode: 0o600 });
      return files;
    })();
    return certificate;
  }

  async function runMetric(m: Metric, key: ServerKey, allServing: Impl[], servers: Map<ImplId, RunningServer>): Promise<void> {
    const client = m.client === "tlsgen" ? tlsgen! : loadgen;
    // A TLS echo's first bytes come back only after the server has decrypted and re-encrypted a
    // window of records: on a loaded machine that took longer than a 60 ms quick run, and the
    // row came back empty. Quick mode gives TLS rows runs long enough to always see bytes.
    const rowSecs = opts.quick && m.client === "tlsgen" ? Math.max(secs, 0.3) : secs;
    const rowLeadIn = opts.quick && m.client === "tlsgen" ? Math.max(leadIn, 0.1) : leadIn;
    // iperf3 shares the echo server key of tcp-stream but only measures that one row.
    const serving = allServing.filter((i) => i.id !== "iperf3" || m.id === "tcp-stream");
    const samples = new Map<ImplId, PhaseSample[]>();
    const failed = new Set<ImplId>();
    const fail = (impl: Impl, err: unknown): void => {
      let reason = err instanceof Error ? err.message : String(err);
      if (/not supported on this platform/i.test(reason)) {
        // e.g. socklab's Unix datagram support before its native addon is built.
        skipped.push({ metric: m.id, impl: impl.id, reason: reason.replace(/^.*?: (?=[^:]*not supported)/s, "") });
        failed.add(impl.id);
        return;
      }
      const server = servers.get(impl.id);
      if (server) reason += serverLogTail(server.logPath, server.alive());
      log(`  ${m.id} ${impl.label}: FAILED: ${reason}`);
      errors.push({ metric: m.id, impl: impl.id, reason });
      failed.add(impl.id);
    };
    // Warm-up (JIT, caches, first connections): one run per implementation, discarded.
    for (const impl of serving) {
      try {
        const server = await ensureServer(impl, key, servers);
        if (impl.id === "iperf3") await runIperf(server, warmup, loadCpu);
        else await runLoad(client, m, server, [warmup], loadCpu);
        samples.set(impl.id, []);
      } catch (err) {
        fail(impl, err);
      }
    }
    for (let run = 0; run < runs; run++) {
      const order = serving.map((_, i) => serving[(i + run) % serving.length]!);
      for (const impl of order) {
        if (failed.has(impl.id)) continue;
        try {
          const server = await ensureServer(impl, key, servers);
          // A short lead-in phase (connect, first round trips) before the measured one.
          const [, measured] =
            impl.id === "iperf3" ? [undefined, await runIperf(server, secs, loadCpu)] : await runLoad(client, m, server, [rowLeadIn, rowSecs], loadCpu);
          samples.get(impl.id)!.push(measured!);
        } catch (err) {
          fail(impl, err);
        }
      }
    }
    if (m.client === "tlsgen") {
      // What the client negotiated with each server (it offers one suite, TLS 1.3 only).
      const agreed = new Set<string>();
      for (const list of samples.values()) for (const p of list) if (p.protocol && p.cipher) agreed.add(`${p.protocol} ${p.cipher}`);
      if (agreed.size > 0) notes.push(`${m.id}: negotiated ${[...agreed].join(" / ")}${agreed.size === 1 ? " with every server" : ""}`);
    }
    const made: string[] = [];
    for (const impl of serving) {
      if (failed.has(impl.id)) continue;
      const row = makeRow(m, impl.id, impl.label, samples.get(impl.id)!);
      rows.push(row);
      made.push(`${impl.id} ${human(row.value)}`);
    }
    log(`  ${m.id.padEnd(20)} ${made.join(", ")} ${m.unit}`);
  }

  addRatios(rows);
  const elapsed = (Date.now() - t0) / 1000;
  const table = formatTable(metrics, rows, skipped, errors);
  process.stdout.write(
    `\nsocklab bench — ${pinNote}\n` +
      `median of ${runs} interleaved runs of ${secs}s after a ${warmup}s warm-up; ±% = (max − min) / median; ` +
      `×Python, ×Node = ratio to the guides' Python server and to raw Node in this run\n` +
      `srv µs/op = server CPU (user+sys, /proc/PID/stat) per operation; gen CPU = load generator's own CPU, ` +
      `* and ≥ when ≥95% of a core (the row is a lower bound)\n` +
      table +
      "\n\n" +
      notes.map((n) => `note: ${n}\n`).join("") +
      `finished in ${elapsed.toFixed(1)} s\n`,
  );

  const cpuModel = cpus()[0]?.model ?? "unknown CPU";
  const result = {
    tool: "socklab bench",
    date: new Date().toISOString(),
    mode: opts.quick ? "quick" : "full",
    machine: {
      cores,
      cpu: cpuModel,
      kernel: release(),
      node: process.version,
      python: have.python ? version(["python3", "--version"]) : undefined,
      socat: have.socat ? version(["socat", "-V"], /socat version/)?.replace(/^.*?(socat version \S+).*$/, "$1") : undefined,
    },
    pinning: pinNote,
    phases: { warmupSecs: warmup, runs, runSecs: secs, leadInSecs: leadIn, interleaved: true },
    metrics: metrics.map((m) => ({ id: m.id, title: m.title, unit: m.unit, op: m.opName })),
    rows,
    skipped,
    errors,
    notes,
    elapsedSecs: elapsed,
  };
  const summary = formatSummary(metrics, rows, runs);
  process.stdout.write(`\nsocklab against each peer (markdown, also in summary.md):\n\n${summary}\n`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "latest.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileSync(join(outDir, "summary.md"), `${summary}\n`);
  const svg = renderChart(metrics, impls, rows, {
    title: `socklab bench — socklab vs ${opts.baseline ? "its baseline, " : ""}raw Node, the guides’ Python, socat, C and iperf3, on loopback and Unix sockets`,
    subtitle: `${result.date.slice(0, 16).replace("T", " ")} UTC · ${cores} × ${cpuModel} · Linux ${release()} · Node ${process.version} · ${
      pin ? "server and load generator on separate cores" : "not pinned"
    } · median of ${runs} × ${secs}s${opts.quick ? " (quick)" : ""}`,
  });
  writeFileSync(join(outDir, "chart.svg"), svg);
  process.stdout.write(`wrote ${join(outDir, "latest.json")}, summary.md and chart.svg\n`);
  return errors.length > 0 ? 1 : 0;
}

// Allows `node dist/bench/main.js [--quick]` before the CLI wires `socklab bench`.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`socklab bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

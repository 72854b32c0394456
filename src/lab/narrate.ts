/**
 * Step-by-step narration of one exercise (`socklab lab 11`, or `--verbose`), in the report's
 * language: the exercise's story, then every step — what the lab did, each event the server
 * and client reported (`--trace --json`), the bytes they printed — with each kind of step
 * explained the first time it appears, in terms of the socket calls and true to the
 * transport (TCP's handshake and FIN only for TCP; paths and names for Unix sockets; no
 * connection for datagrams).
 *
 * Order: within a process, its event sequence (`seq`); across processes, each process's own
 * clock (`t`) aligned to the lab's by the earliest arrival, so steps more than a millisecond
 * apart are never swapped. Runs of the same transfer event are collapsed into one line.
 */
import type { EventOf, SocklabEvent } from "../events.js";
import { CATALOGS, formatEvent, messageTools } from "../i18n/format.js";
import type { LabEvent } from "./context.js";
import type { Exercise } from "./exercises/index.js";
import type { Proc } from "./process.js";
import type { ResultRow, TableStyle } from "./report.js";
import { groupDigits, LAB_TEXTS, pyBytes, transportOf, type LabCatalog, type Transport } from "./texts.js";

/** Wrap `text` to `width` columns: the first line after `first`, the others after `rest`. */
export function wrap(text: string, first: string, rest: string, width: number): string[] {
  const out: string[] = [];
  let indent = first;
  let line = "";
  const room = (): number => Math.max(20, width - [...indent].length);
  const push = (): void => {
    out.push(indent + line);
    indent = rest;
    line = "";
  };
  for (let word of text.split(/\s+/)) {
    if (word === "") continue;
    while ([...word].length > room()) {
      // A word longer than the line (a long path): cut it where the line ends.
      if (line !== "") push();
      const chars = [...word];
      line = chars.slice(0, room()).join("");
      word = chars.slice(room()).join("");
      push();
    }
    if (word === "") continue;
    if (line !== "" && [...line].length + 1 + [...word].length > room()) push();
    line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "" || out.length === 0) out.push(indent + line);
  return out;
}

/** One step of the narration, at a time on the lab's clock. */
interface Step {
  time: number;
  item: LabEvent;
  /** Steps folded into this one (a run of the same event), itself included. */
  run?: Step[];
  /** Part of an earlier step's run: not shown on its own. */
  folded?: boolean;
}

const COLLAPSIBLE = new Set(["received", "sent", "datagram-in", "datagram-out", "reply"]);

/** Runs shorter than this are shown event by event. */
const MIN_RUN = 3;

/**
 * Every step in order: per process by `seq`, across processes by each process's clock,
 * mapped to the lab's clock with the smallest (arrival − t) seen for that process.
 */
function order(events: readonly LabEvent[]): Step[] {
  const offset = new Map<Proc, number>();
  for (const e of events) {
    if (e.kind !== "event") continue;
    const o = e.at - e.event.t;
    const known = offset.get(e.proc);
    if (known === undefined || o < known) offset.set(e.proc, o);
  }
  const queues = new Map<string, Step[]>();
  const ids = new Map<Proc, number>();
  const queue = (key: string): Step[] => {
    let q = queues.get(key);
    if (!q) queues.set(key, (q = []));
    return q;
  };
  for (const e of events) {
    if (e.kind === "lab") {
      queue("lab").push({ time: e.at, item: e });
      continue;
    }
    if (!ids.has(e.proc)) ids.set(e.proc, ids.size);
    const id = ids.get(e.proc) as number;
    if (e.kind === "stdout") queue(`out ${id}`).push({ time: e.at, item: e });
    else queue(`ev ${id}`).push({ time: (offset.get(e.proc) ?? 0) + e.event.t, item: e });
  }
  for (const [key, q] of queues) {
    if (key.startsWith("ev ")) q.sort((a, b) => seqOf(a) - seqOf(b));
  }
  const out: Step[] = [];
  const heads = [...queues.values()];
  for (;;) {
    let best: Step[] | undefined;
    for (const q of heads) {
      if (q.length === 0) continue;
      if (best === undefined || (q[0] as Step).time < (best[0] as Step).time) best = q;
    }
    if (best === undefined) break;
    out.push(best.shift() as Step);
  }
  return out;
}

function seqOf(step: Step): number {
  return step.item.kind === "event" ? step.item.event.seq : 0;
}

/** Fold runs of the same transfer event (same process, type and peer) and of stdout pieces. */
function collapse(steps: Step[]): void {
  const last = new Map<Proc, { key: string; head: Step }>();
  for (const step of steps) {
    const item = step.item;
    if (item.kind === "lab") continue;
    let key = "";
    if (item.kind === "stdout") key = "stdout";
    else if (COLLAPSIBLE.has(item.event.event.type)) key = `${item.event.event.type} ${(item.event.event as { peer?: string }).peer}`;
    const prev = last.get(item.proc);
    if (key !== "" && prev?.key === key) {
      (prev.head.run as Step[]).push(step);
      step.folded = true;
    } else {
      step.run = [step];
      last.set(item.proc, { key, head: step });
    }
  }
  for (const step of steps) {
    if (step.run && step.run.length < MIN_RUN) {
      for (const member of step.run.slice(1)) member.folded = false;
      step.run = [step];
    }
  }
}

/** The value after `--name` in a process's arguments. */
function argValue(proc: Proc, name: string): string | undefined {
  const i = proc.args.indexOf(name);
  return i >= 0 ? proc.args[i + 1] : undefined;
}

/** The transport of a process, from the address it was given. */
function procTransport(proc: Proc): Transport | undefined {
  for (const arg of proc.args) {
    const t = transportOf(arg);
    if (t) return t;
  }
  return undefined;
}

interface Narrator {
  t: LabCatalog;
  style: TableStyle;
  procs: Proc[];
}

/** Seconds as the report's language writes them ("1.5" / "1,5"). */
function secs(n: Narrator, seconds: number): string {
  return messageTools(n.style.lang).seconds(seconds * 1000);
}

/** The line for one event, and the explanation that goes with it (undefined: none). */
function describe(n: Narrator, proc: Proc, ev: SocklabEvent, seq: number): { line: string; explain?: string } {
  const { t } = n;
  const lang = n.style.lang;
  const x = t.explain;
  const address = (ev as { peer?: string; address?: string }).peer ?? (ev as { address?: string }).address;
  const transport = transportOf(address) ?? procTransport(proc) ?? "tcp";
  const before = proc.events.filter((e) => e.seq < seq);
  const line = formatEvent(ev, lang);
  switch (ev.type) {
    case "listening":
      return { line, explain: x.listening(transport, ev.address.includes("[")) };
    case "note":
      return { line, explain: ev.note === "dual-stack" ? x.dualStack : x.dualStackFallback };
    case "accepted":
      return { line, explain: x.accepted(transport, ev.peer.includes("::ffff:")) };
    case "queued":
      return { line, explain: x.queued(transport) };
    case "connected":
      return { line, explain: x.connected(transport) };
    case "attempt-failed":
      return attemptLine(n, proc, ev, before, transport, line);
    case "sent":
      return { line, explain: x.sent(transport) };
    case "received":
      return { line, explain: x.received(transport) };
    case "eof":
      return { line, explain: x.eof(transport) };
    case "half-closed":
      return { line, explain: x.halfClosed(transport) };
    case "closed": {
      const passedFd = before.some((e) => e.event.type === "descriptor-sent" && (e.event as EventOf<"descriptor-sent">).peer === ev.peer);
      // SCM_RIGHTS goes out with sendmsg(), which Node's byte counters never see: no "sent 0".
      if (passedFd) return { line: t.narration.closedAfterDescriptor(ev.peer), explain: x.closedAfterDescriptor };
      return { line, explain: x.closed(transport) };
    }
    case "idle-timeout":
      return { line, explain: x.idleTimeout };
    case "datagram-in":
      return { line, explain: x.datagramIn(transport) };
    case "datagram-out":
      return { line, explain: x.datagramOut(transport) };
    case "reply":
      return { line, explain: x.reply(transport) };
    case "summary":
      return { line, explain: x.summary };
    case "peer-credentials": {
      const who = n.procs.find((p) => p.pid === ev.pid)?.label;
      return { line, explain: x.peerCredentials(ev.pid, ev.uid, ev.gid, who) };
    }
    case "descriptor-sent":
      return { line, explain: x.descriptorSent };
    case "descriptors-received":
      return { line, explain: x.descriptorsReceived };
    case "stopping":
      return { line, explain: x.stopping(transport === "unix" || transport === "unix-dgram") };
    case "error":
      return { line: errorLine(n, ev, before), explain: x.error };
    default:
      return { line };
  }
}

function attemptLine(
  n: Narrator,
  proc: Proc,
  ev: EventOf<"attempt-failed">,
  before: readonly { event: SocklabEvent }[],
  transport: Transport,
  line: string,
): { line: string; explain?: string } {
  const x = n.t.explain;
  const tools = messageTools(n.style.lang);
  if (ev.datagram) {
    return { line, explain: ev.code === "ETIMEDOUT" ? x.datagramNoReply(secs(n, (ev.timeoutMs ?? 0) / 1000)) : x.attemptOther(tools.cause(ev.code) ?? ev.code) };
  }
  if (ev.code === "ECONNREFUSED") return { line, explain: x.refused(transport) };
  if (ev.code === "ENOENT") return { line, explain: x.notFound };
  if (ev.code === "ETIMEDOUT") {
    // Did this attempt connect? Then the timeout was waiting for the reply, not for connect().
    let connected = false;
    for (const e of before) {
      if (e.event.type === "attempt-failed") connected = false;
      if (e.event.type === "connected") connected = true;
    }
    const seconds = secs(n, Number(argValue(proc, "--timeout") ?? 10));
    const next = ev.attempt < ev.total ? secs(n, ev.delayMs / 1000) : undefined;
    return connected
      ? { line: n.t.narration.noReplyWithin(ev.attempt, ev.total, seconds, next), explain: x.noReply(seconds) }
      : { line: n.t.narration.connectTimedOut(ev.attempt, ev.total, seconds, next), explain: x.connectTimeout(seconds) };
  }
  return { line, explain: x.attemptOther(tools.cause(ev.code) ?? ev.message) };
}

/** socklab's final error, from its code and the attempts before it (the JSON carries no prose we read). */
function errorLine(n: Narrator, ev: EventOf<"error">, before: readonly { event: SocklabEvent }[]): string {
  const lang = n.style.lang;
  const catalog = CATALOGS[lang];
  const tools = messageTools(lang);
  const attempts = before.filter((e) => e.event.type === "attempt-failed").map((e) => e.event as EventOf<"attempt-failed">);
  const lastAttempt = attempts[attempts.length - 1];
  const address = ev.address ?? lastAttempt?.address ?? "";
  let detail: string | undefined;
  if (ev.code === "ERR_UNAVAILABLE" && lastAttempt) {
    detail = catalog.errors.unavailable({ address, attempts: attempts.length, code: lastAttempt.code, detail: lastAttempt.message }, tools);
  } else if (ev.code === "ERR_NO_RESPONSE" && lastAttempt) {
    detail = catalog.errors["no-response"]({ address, attempts: attempts.length, code: lastAttempt.code }, tools);
  } else if (ev.code === "ERR_NO_RESPONSE") {
    // discover: nobody answered the broadcast within its --timeout.
    const proc = n.procs.find((p) => p.events.some((e) => e.event === ev));
    const timeout = Number((proc && argValue(proc, "--timeout")) ?? 1);
    detail = catalog.errors["no-responder"]({ address, timeoutMs: timeout * 1000 }, tools);
  } else if (tools.cause(ev.code) !== undefined) {
    detail = `${address ? `${address}: ` : ""}${tools.cause(ev.code)}`;
  }
  if (detail === undefined) return formatEvent(ev, lang);
  const { peer: _peer, ...rest } = ev;
  return catalog.events.error({ ...rest, message: detail }, tools);
}

export function narrate(exercise: Exercise, events: readonly LabEvent[], row: ResultRow, style: TableStyle): string {
  const t = LAB_TEXTS[style.lang];
  const width = style.width;
  const procs = [...new Set(events.flatMap((e) => (e.kind === "lab" ? [] : [e.proc])))];
  const n: Narrator = { t, style, procs };
  const text = t.exercises[exercise.id];
  const out: string[] = [];
  const header = t.narration.header(exercise.id, text.title);
  out.push("", header + "─".repeat(Math.max(4, width - [...header].length)));
  for (const paragraph of text.story) out.push(...wrap(paragraph, "  ", "  ", width), "");
  out.push(...wrap(t.narration.ordering, "  ", "  ", width), "");

  const longest = Math.max(3, ...procs.map((p) => [...p.label].length));
  const whoWidth = Math.min(longest, Math.max(10, Math.floor(width / 5)));
  const fitWho = (who: string): string => {
    const chars = [...who];
    return chars.length > whoWidth ? `${chars.slice(0, whoWidth - 1).join("")}…` : who.padEnd(whoWidth);
  };
  const pad = " ".repeat(2 + 8 + 2 + whoWidth + 2);
  const explained = new Set<string>();
  const explain = (explanation: string | undefined): void => {
    // Each explanation once per exercise (two UDP servers share one; TCP and Unix differ).
    if (explanation === undefined || explained.has(explanation)) return;
    explained.add(explanation);
    out.push(...wrap(explanation, `${pad}└ `, `${pad}  `, width));
  };
  const steps = order(events);
  collapse(steps);
  let pending: string | undefined;
  for (const step of steps) {
    if (step.folded) continue;
    const item = step.item;
    const time = `+${t.narration.seconds(step.time)}s`.padStart(8);
    let line: string;
    let explanation: string | undefined;
    let who = "lab";
    if (item.kind === "lab") line = item.text;
    else if (item.kind === "stdout") {
      who = item.proc.label;
      const run = step.run ?? [step];
      const data = Buffer.concat(run.map((s) => (s.item as Extract<LabEvent, { kind: "stdout" }>).data));
      line = run.length > 1 ? t.narration.stdoutRun(run.length, groupDigits(data.length), pyBytes(data, 32)) : t.narration.stdout(pyBytes(data));
      explanation = t.explain.stdout;
    } else {
      who = item.proc.label;
      const described = describe(n, item.proc, item.event.event, item.event.seq);
      explanation = described.explain;
      const run = step.run ?? [step];
      if (run.length > 1) {
        const total = run.reduce((sum, s) => sum + ((s.item as Extract<LabEvent, { kind: "event" }>).event.event as { bytes: number }).bytes, 0);
        const ev = item.event.event as { type: "received" | "sent" | "datagram-in" | "datagram-out" | "reply"; peer: string };
        line = t.narration.collapsed(run.length, ev.type, ev.peer, groupDigits(total));
      } else line = described.line;
      if (line === "") {
        // A line socklab keeps silent (a lone failed attempt): its meaning goes with the next step.
        pending ??= explanation;
        continue;
      }
    }
    out.push(...wrap(line, `  ${time}  ${fitWho(who)}  `, pad, width));
    if (pending !== undefined && item.kind === "event") {
      explain(pending);
      pending = undefined;
    }
    explain(explanation);
  }
  out.push("");
  const verdict = row.status === "PASS" ? t.narration.verdictPass : t.narration.verdict(t.status[row.status], row.reason ?? "");
  out.push(...wrap(verdict, "  ", "  ", width));
  return out.join("\n");
}

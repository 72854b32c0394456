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
  /** For a child's steps: the child's own clock (a stdout piece takes its receive's). */
  t?: number;
  item: LabEvent;
  /** Steps folded into this one (a run of the same event), itself included. */
  run?: Step[];
  /** Part of an earlier step's run: not shown on its own. */
  folded?: boolean;
}

const COLLAPSIBLE = new Set(["received", "sent", "datagram-in", "datagram-out", "reply"]);

/** Runs shorter than this are shown event by event. */
const MIN_RUN = 8;

const RECEIVES = new Set(["received", "reply", "datagram-in"]);

/** A hair's breadth: how much later than its cause a step is placed. */
const AFTER = 0.001;

/**
 * Every step in order. Within a process: its event sequence (`seq`), each piece of its
 * stdout right after the receive event that brought its last byte. Across processes: each
 * process's own clock (`t`) shifted onto the lab's by one offset per process: as late as
 * the arrivals allow (nothing is placed after the lab received it), and early enough that
 * every effect follows its cause (a recv after the send of its first byte, an EOF after the
 * peer's shutdown or close).
 */
function order(events: readonly LabEvent[]): Step[] {
  const lab: Step[] = [];
  const evs = new Map<Proc, Step[]>();
  const outs = new Map<Proc, Step[]>();
  const list = (map: Map<Proc, Step[]>, proc: Proc): Step[] => {
    let q = map.get(proc);
    if (!q) map.set(proc, (q = []));
    return q;
  };
  for (const e of events) {
    if (e.kind === "lab") lab.push({ time: e.at, item: e });
    else if (e.kind === "stdout") list(outs, e.proc).push({ time: e.at, item: e });
    else list(evs, e.proc).push({ time: e.at, t: e.event.t, item: e });
  }
  const lanes: Step[][] = [lab];
  const procLanes = new Map<Proc, Step[]>();
  for (const proc of new Set([...evs.keys(), ...outs.keys()])) {
    const own = (evs.get(proc) ?? []).sort((a, b) => seqOf(a) - seqOf(b));
    const chunks = outs.get(proc) ?? [];
    const lane = placeStdout(own, chunks);
    if (lane === undefined) lanes.push(chunks);
    lanes.push(lane ?? own);
    procLanes.set(proc, lane ?? own);
  }
  align(procLanes, causality(procLanes));
  const out: Step[] = [];
  for (;;) {
    let best: Step[] | undefined;
    for (const q of lanes) {
      if (q.length === 0) continue;
      if (best === undefined || (q[0] as Step).time < (best[0] as Step).time) best = q;
    }
    if (best === undefined) break;
    out.push(best.shift() as Step);
  }
  return out;
}

/** A process's events with its stdout pieces placed after the receive that completed them; undefined without receive events. */
function placeStdout(own: Step[], chunks: Step[]): Step[] | undefined {
  const receives = own.filter((s) => s.item.kind === "event" && RECEIVES.has(s.item.event.event.type));
  if (chunks.length === 0) return own;
  if (receives.length === 0) return undefined;
  const after = new Map<Step, Step[]>();
  let received = 0;
  let k = 0;
  let printed = 0;
  for (const chunk of chunks) {
    printed += (chunk.item as Extract<LabEvent, { kind: "stdout" }>).data.length;
    while (k < receives.length - 1 && received + bytesOf(receives[k] as Step) < printed) received += bytesOf(receives[k++] as Step);
    const anchor = receives[k] as Step;
    if (anchor.t !== undefined) chunk.t = anchor.t;
    const list = after.get(anchor) ?? [];
    list.push(chunk);
    after.set(anchor, list);
  }
  return own.flatMap((s) => [s, ...(after.get(s) ?? [])]);
}

function bytesOf(step: Step): number {
  return step.item.kind === "event" ? ((step.item.event.event as { bytes?: number }).bytes ?? 0) : 0;
}

function eventOf(step: Step): SocklabEvent | undefined {
  return step.item.kind === "event" ? step.item.event.event : undefined;
}

/**
 * Cause before effect across processes. A client is paired with the server it connected to
 * (the i-th client to connect with the i-th connection the server accepted); then each recv
 * comes after the send of its first byte, and an EOF after the peer's shutdown or close.
 */
function causality(lanes: Map<Proc, Step[]>): { cause: Step; effect: Step }[] {
  const listening = new Map<string, Proc>();
  for (const [proc, lane] of lanes) {
    for (const s of lane) {
      const e = eventOf(s);
      if (e?.type === "listening") listening.set(e.address, proc);
    }
  }
  const pairs: { client: Proc; server: Proc; address: string; peer: string }[] = [];
  const clients = new Map<Proc, { proc: Proc; time: number }[]>();
  for (const [proc, lane] of lanes) {
    for (const s of lane) {
      const e = eventOf(s);
      if (e?.type !== "connected") continue;
      const server = listening.get(e.address);
      if (server && server !== proc) {
        const list = clients.get(server) ?? [];
        list.push({ proc, time: s.time });
        clients.set(server, list);
      }
    }
  }
  for (const [server, list] of clients) {
    const accepted = (lanes.get(server) ?? []).map(eventOf).filter((e): e is EventOf<"accepted"> => e?.type === "accepted");
    const address = [...listening].find(([, p]) => p === server)?.[0] ?? "";
    list.sort((a, b) => a.time - b.time);
    list.forEach((c, i) => {
      const peer = accepted[i]?.peer;
      if (peer !== undefined) pairs.push({ client: c.proc, server, address, peer });
    });
  }
  const stepsOf = (proc: Proc, types: string[], peer: string): Step[] =>
    (lanes.get(proc) ?? []).filter((s) => {
      const e = eventOf(s) as { type: string; peer?: string } | undefined;
      return e !== undefined && types.includes(e.type) && e.peer === peer;
    });
  const constraints: { cause: Step; effect: Step }[] = [];
  const flow = (sends: Step[], receives: Step[]): void => {
    let sent = 0;
    let j = 0;
    let received = 0;
    for (const r of receives) {
      // The send that carried this recv's first byte.
      while (j < sends.length && sent + bytesOf(sends[j] as Step) <= received) sent += bytesOf(sends[j++] as Step);
      const cause = sends[j];
      if (cause) constraints.push({ cause, effect: r });
      received += bytesOf(r);
    }
  };
  const ending = (closers: Step[], eofs: Step[]): void => {
    const cause = closers[0];
    for (const effect of eofs) if (cause) constraints.push({ cause, effect });
  };
  for (const { client, server, address, peer } of pairs) {
    flow(stepsOf(client, ["sent"], address), stepsOf(server, ["received"], peer));
    flow(stepsOf(server, ["sent"], peer), stepsOf(client, ["received"], address));
    ending(stepsOf(client, ["half-closed"], address), stepsOf(server, ["eof"], peer));
    ending(stepsOf(server, ["half-closed", "closed", "idle-timeout"], peer), stepsOf(client, ["eof"], address));
  }
  // Datagrams: with one client talking to one server, the k-th reply follows the server's
  // k-th sendto, and the server's next datagram follows the reply the client waited for.
  for (const [address, server] of listening) {
    const outs = (lanes.get(server) ?? []).filter((s) => eventOf(s)?.type === "datagram-out");
    const peers = new Set(outs.map((s) => (eventOf(s) as EventOf<"datagram-out">).peer));
    const talkers = [...lanes.keys()].filter((p) => p !== server && stepsOf(p, ["reply"], address).length > 0);
    if (peers.size !== 1 || talkers.length !== 1) continue;
    const peer = [...peers][0] as string;
    const replies = stepsOf(talkers[0] as Proc, ["reply"], address);
    const ins = stepsOf(server, ["datagram-in"], peer);
    const sent = stepsOf(server, ["datagram-out"], peer);
    replies.forEach((reply, k) => {
      if (sent[k]) constraints.push({ cause: sent[k] as Step, effect: reply });
      if (ins[k + 1]) constraints.push({ cause: reply, effect: ins[k + 1] as Step });
    });
  }
  return constraints;
}

/**
 * One offset per process (lab time = offset + t): start from the latest the arrivals allow
 * (min of arrival − t), then move a cause's process earlier until each effect follows its
 * cause. Offsets only decrease, so no step is ever placed after the lab received it.
 */
function align(lanes: Map<Proc, Step[]>, constraints: { cause: Step; effect: Step }[]): void {
  const offset = new Map<Proc, number>();
  const procOf = new Map<Step, Proc>();
  for (const [proc, lane] of lanes) {
    let o = Infinity;
    for (const step of lane) {
      procOf.set(step, proc);
      if (step.t !== undefined) o = Math.min(o, step.item.at - step.t);
    }
    offset.set(proc, Number.isFinite(o) ? o : 0);
  }
  for (let round = 0; round < 2 * lanes.size + 2; round++) {
    let moved = false;
    for (const { cause, effect } of constraints) {
      const a = procOf.get(cause);
      const b = procOf.get(effect);
      if (!a || !b || a === b || cause.t === undefined || effect.t === undefined) continue;
      const latest = (offset.get(b) as number) + effect.t - cause.t - AFTER;
      if ((offset.get(a) as number) > latest) {
        offset.set(a, latest);
        moved = true;
      }
    }
    if (!moved) break;
  }
  for (const [proc, lane] of lanes) {
    for (const step of lane) if (step.t !== undefined) step.time = (offset.get(proc) as number) + step.t;
  }
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
      // The CLI's line says "FIN sent": true for TCP only.
      return { line: transport === "tcp" ? line : t.narration.halfClosedLocal(ev.peer), explain: x.halfClosed(transport) };
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
  // Did the last attempt connect before it failed?
  let connected = false;
  let connectedLast = false;
  for (const e of before) {
    if (e.event.type === "connected") connected = true;
    if (e.event.type === "attempt-failed") {
      connectedLast = connected;
      connected = false;
    }
  }
  if (ev.code === "ERR_UNAVAILABLE" && lastAttempt?.code === "ETIMEDOUT" && connectedLast) {
    // "unavailable: timed out" would be wrong: it connected, and the reply never came.
    const proc = n.procs.find((p) => p.events.some((e) => e.event === ev));
    const seconds = secs(n, Number((proc && argValue(proc, "--timeout")) ?? 10));
    return n.t.narration.noReplyGaveUp(address, attempts.length, seconds);
  }
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
  // A title too long for one line wraps; the rule fills the rest of the last line.
  const heading = wrap(header.trimEnd(), "", "   ", width - 5);
  const last = heading.pop() as string;
  out.push("", ...heading, `${last} ${"─".repeat(Math.max(4, width - [...last].length - 1))}`);
  for (const paragraph of text.story) out.push(...wrap(paragraph, "  ", "  ", width), "");
  out.push(...wrap(t.narration.ordering, "  ", "  ", width), "");

  const longest = Math.max(3, ...procs.map((p) => [...p.label].length));
  const whoWidth = Math.min(longest, Math.max(10, Math.floor(width / 4)));
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

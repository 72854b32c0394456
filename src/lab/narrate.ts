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
import { reproLines } from "./reproduce.js";
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
export interface Step {
  time: number;
  /** For a child's steps: the child's own clock (a stdout piece takes its receive's). */
  t?: number;
  item: LabEvent;
  /** Steps folded into this one (a run of the same event), itself included. */
  run?: Step[];
  /** Part of an earlier step's run: not shown on its own. */
  folded?: boolean;
  /** `t` is a later event's (the step happened before it): says nothing about the process's clock. */
  borrowed?: boolean;
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
function order(events: readonly LabEvent[]): { steps: Step[]; links: Link[]; requests: Request[] } {
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
  const { links, requests } = causality(procLanes);
  align(procLanes, links.filter((l) => l.kind !== "connect"), feeds(lab, procLanes));
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
  return { steps: out, links, requests };
}

/** A process's events with its stdout pieces placed after the receive that completed them; undefined without receive events. */
function placeStdout(own: Step[], chunks: Step[]): Step[] | undefined {
  const receives = own.filter((s) => s.item.kind === "event" && RECEIVES.has(s.item.event.event.type));
  if (chunks.length === 0) return own;
  if (receives.length === 0) {
    // recv-fd prints the file it read through a passed descriptor, then reports it: its
    // stdout is shown with that event (and its clock, though it reached the lab earlier).
    const passed = own.find((s) => eventOf(s)?.type === "descriptors-received");
    if (passed === undefined) return undefined;
    for (const chunk of chunks) {
      chunk.t = passed.t;
      chunk.borrowed = true;
    }
    return own.flatMap((s) => (s === passed ? [s, ...chunks] : [s]));
  }
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
/**
 * What one process's step caused in another's: bytes (a send and the recv of its first
 * byte), an end (shutdown or close, and the EOF it caused), a datagram's reply and the next
 * request, a descriptor passed with SCM_RIGHTS (the server's sendmsg, the client's recvmsg); `connect` pairs a client's connect() with the server's accept() (drawn, not a
 * cause: accept() may return first).
 */
export interface Link {
  cause: Step;
  effect: Step;
  kind: "bytes" | "end" | "reply" | "request" | "connect" | "descriptor";
}

/** A datagram that arrived at a server from a client with no event of its own for sending it. */
export interface Request {
  step: Step;
  client: Proc;
}

function causality(lanes: Map<Proc, Step[]>): { links: Link[]; requests: Request[] } {
  const listening = new Map<string, Proc>();
  for (const [proc, lane] of lanes) {
    for (const s of lane) {
      const e = eventOf(s);
      if (e?.type === "listening") listening.set(e.address, proc);
    }
  }
  /** One connection: the client's steps from its connected event to its next one. */
  const pairs: { client: Proc; server: Proc; address: string; peer: string; connected: Step; window: Step[] }[] = [];
  const clients = new Map<Proc, { proc: Proc; time: number; step: Step }[]>();
  for (const [proc, lane] of lanes) {
    for (const s of lane) {
      const e = eventOf(s);
      if (e?.type !== "connected") continue;
      const server = listening.get(e.address);
      if (server && server !== proc) {
        const list = clients.get(server) ?? [];
        list.push({ proc, time: s.time, step: s });
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
      if (peer === undefined) return;
      const lane = lanes.get(c.proc) ?? [];
      const from = lane.indexOf(c.step);
      let to = from + 1;
      while (to < lane.length && eventOf(lane[to] as Step)?.type !== "connected") to++;
      pairs.push({ client: c.proc, server, address, peer, connected: c.step, window: lane.slice(from, to) });
    });
  }
  const stepsOf = (proc: Proc, types: string[], peer: string | undefined, within?: Step[]): Step[] =>
    (within ?? lanes.get(proc) ?? []).filter((s) => {
      const e = eventOf(s) as { type: string; peer?: string } | undefined;
      return e !== undefined && types.includes(e.type) && e.peer === peer;
    });
  const constraints: Link[] = [];
  const requests: Request[] = [];
  const flow = (sends: Step[], receives: Step[]): void => {
    let sent = 0;
    let j = 0;
    let received = 0;
    for (const r of receives) {
      // The send that carried this recv's first byte.
      while (j < sends.length && sent + bytesOf(sends[j] as Step) <= received) sent += bytesOf(sends[j++] as Step);
      const cause = sends[j];
      if (cause) constraints.push({ cause, effect: r, kind: "bytes" });
      received += bytesOf(r);
    }
  };
  const ending = (closers: Step[], eofs: Step[]): void => {
    const cause = closers[0];
    for (const effect of eofs) if (cause) constraints.push({ cause, effect, kind: "end" });
  };
  for (const { client, server, address, peer, connected, window } of pairs) {
    const accepted = (lanes.get(server) ?? []).find((s) => {
      const e = eventOf(s);
      return e?.type === "accepted" && e.peer === peer;
    });
    if (accepted) constraints.push({ cause: connected, effect: accepted, kind: "connect" });
    flow(stepsOf(client, ["sent"], address, window), stepsOf(server, ["received"], peer));
    flow(stepsOf(server, ["sent"], peer), stepsOf(client, ["received"], address, window));
    ending(stepsOf(client, ["half-closed"], address, window), stepsOf(server, ["eof"], peer));
    ending(stepsOf(server, ["half-closed", "closed", "idle-timeout"], peer), stepsOf(client, ["eof"], address, window));
  }
  // SCM_RIGHTS: the k-th descriptor message a server sent is the k-th one its clients
  // received (in the order the lab got their events; `serve fd` answers clients one by one).
  for (const [address, server] of listening) {
    const sent = (lanes.get(server) ?? []).filter((s) => eventOf(s)?.type === "descriptor-sent");
    if (sent.length === 0) continue;
    const received = [...lanes]
      .filter(([p]) => p !== server)
      .flatMap(([, lane]) => lane.filter((s) => {
        const e = eventOf(s);
        return e?.type === "descriptors-received" && e.address === address;
      }))
      .sort((a, b) => a.item.at - b.item.at);
    received.forEach((effect, k) => {
      if (sent[k]) constraints.push({ cause: sent[k] as Step, effect, kind: "descriptor" });
    });
  }
  // Datagrams: with one client talking to one server, the k-th reply follows the server's
  // k-th sendto, and the server's next datagram follows the reply the client waited for.
  for (const [address, server] of listening) {
    const arrived = (lanes.get(server) ?? []).filter((s) => eventOf(s)?.type === "datagram-in");
    const peers = new Set(arrived.map((s) => (eventOf(s) as EventOf<"datagram-in">).peer));
    const talkers = [...lanes.keys()].filter((p) => p !== server && stepsOf(p, ["reply"], address).length > 0);
    if (peers.size !== 1 || talkers.length !== 1) continue;
    const peer = [...peers][0] as string;
    const replies = stepsOf(talkers[0] as Proc, ["reply"], address);
    const ins = stepsOf(server, ["datagram-in"], peer);
    const sent = stepsOf(server, ["datagram-out"], peer);
    replies.forEach((reply, k) => {
      if (sent[k]) constraints.push({ cause: sent[k] as Step, effect: reply, kind: "reply" });
      if (ins[k + 1]) constraints.push({ cause: reply, effect: ins[k + 1] as Step, kind: "request" });
    });
    for (const step of ins) requests.push({ step, client: talkers[0] as Proc });
  }
  return { links: constraints, requests };
}

/**
 * Where two processes exchanged bytes both ways, their clocks are related as NTP relates
 * them: A's send before B's recv bounds (offset A − offset B) from above, B's send before
 * A's recv from below; the middle of that interval is the estimate (loopback delays are
 * short and alike both ways). Processes linked that way get offsets relative to the one
 * with the most events, then the group is moved down as far as the arrivals require.
 */
function syncPairs(lanes: Map<Proc, Step[]>, offset: Map<Proc, number>, procOf: Map<Step, Proc>, constraints: readonly Link[]): void {
  const procs = [...lanes.keys()];
  const index = new Map(procs.map((p, i) => [p, i]));
  // For each unordered pair (A before B in `procs`): bounds on d = offset A − offset B.
  const bounds = new Map<string, { a: Proc; b: Proc; lo: number; hi: number }>();
  for (const { cause, effect, kind } of constraints) {
    if (kind === "connect" || cause.t === undefined || effect.t === undefined) continue;
    const from = procOf.get(cause);
    const to = procOf.get(effect);
    if (!from || !to || from === to) continue;
    // offset(from) + t(cause) ≤ offset(to) + t(effect)  ⇒  offset(from) − offset(to) ≤ t(effect) − t(cause)
    const c = effect.t - cause.t;
    const forward = (index.get(from) as number) < (index.get(to) as number);
    const [a, b] = forward ? [from, to] : [to, from];
    const key = `${index.get(a)} ${index.get(b)}`;
    const bound = bounds.get(key) ?? { a, b, lo: -Infinity, hi: Infinity };
    if (forward) bound.hi = Math.min(bound.hi, c);
    else bound.lo = Math.max(bound.lo, -c);
    bounds.set(key, bound);
  }
  const edges = new Map<Proc, { other: Proc; d: number }[]>();
  for (const { a, b, lo, hi } of bounds.values()) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) continue;
    const d = (lo + hi) / 2;
    edges.set(a, [...(edges.get(a) ?? []), { other: b, d: -d }]);
    edges.set(b, [...(edges.get(b) ?? []), { other: a, d }]);
  }
  const seen = new Set<Proc>();
  const size = (p: Proc): number => lanes.get(p)?.length ?? 0;
  for (const root of [...edges.keys()].sort((x, y) => size(y) - size(x))) {
    if (seen.has(root)) continue;
    // offset(other) = offset(p) + d for each edge of p.
    const group = [root];
    const estimate = new Map<Proc, number>([[root, offset.get(root) as number]]);
    seen.add(root);
    for (let i = 0; i < group.length; i++) {
      const p = group[i] as Proc;
      for (const { other, d } of edges.get(p) ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        estimate.set(other, (estimate.get(p) as number) + d);
        group.push(other);
      }
    }
    // Nothing may be placed after the lab received it: move the group down as far as needed.
    const over = Math.max(...group.map((p) => (estimate.get(p) as number) - (offset.get(p) as number)));
    for (const p of group) offset.set(p, (estimate.get(p) as number) - Math.max(0, over));
  }
}

/**
 * One offset per process (lab time = offset + t): start from the latest the arrivals allow
 * (min of arrival − t), then move a cause's process earlier until each effect follows its
 * cause. Offsets only decrease, so no step is ever placed after the lab received it.
 */
/**
 * The lab wrote to a process's stdin at a known time: what that process sends next (the
 * first send, datagram or shutdown that reached the lab afterwards) happened after it.
 */
function feeds(lab: readonly Step[], lanes: Map<Proc, Step[]>): { at: number; step: Step }[] {
  const out: { at: number; step: Step }[] = [];
  for (const s of lab) {
    if (s.item.kind !== "lab" || !s.item.feeds) continue;
    const at = s.item.at;
    const next = (lanes.get(s.item.feeds) ?? []).find((x) => {
      const type = x.item.kind === "event" ? x.item.event.event.type : "";
      return (type === "sent" || type === "datagram-out" || type === "half-closed") && x.item.at > at;
    });
    if (next) out.push({ at, step: next });
  }
  return out;
}

function align(lanes: Map<Proc, Step[]>, constraints: readonly Link[], fed: readonly { at: number; step: Step }[] = []): void {
  const offset = new Map<Proc, number>();
  const procOf = new Map<Step, Proc>();
  for (const [proc, lane] of lanes) {
    let o = Infinity;
    for (const step of lane) {
      procOf.set(step, proc);
      if (step.t !== undefined && !step.borrowed) o = Math.min(o, step.item.at - step.t);
    }
    offset.set(proc, Number.isFinite(o) ? o : 0);
  }
  syncPairs(lanes, offset, procOf, constraints);
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
  // What the lab fed a process comes out after the lab wrote it; then effects follow causes
  // by moving the effect later (never past what the arrivals allow).
  const upper = new Map<Proc, number>();
  for (const [proc, lane] of lanes) {
    let o = Infinity;
    for (const step of lane) if (step.t !== undefined && !step.borrowed) o = Math.min(o, step.item.at - step.t);
    upper.set(proc, Number.isFinite(o) ? o : (offset.get(proc) as number));
  }
  const raise = (proc: Proc, need: number): boolean => {
    const target = Math.min(need, upper.get(proc) as number);
    if (target <= (offset.get(proc) as number)) return false;
    offset.set(proc, target);
    return true;
  };
  for (const { at, step } of fed) {
    const proc = procOf.get(step);
    if (proc && step.t !== undefined) raise(proc, at + AFTER - step.t);
  }
  for (let round = 0; round < 2 * lanes.size + 2; round++) {
    let moved = false;
    for (const { cause, effect } of constraints) {
      const a = procOf.get(cause);
      const b = procOf.get(effect);
      if (!a || !b || a === b || cause.t === undefined || effect.t === undefined) continue;
      if (raise(b, (offset.get(a) as number) + cause.t + AFTER - effect.t)) moved = true;
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
      return { line: t.narration.descriptorSent(ev.peer, ev.file, ev.fd), explain: x.descriptorSent };
    case "descriptors-received": {
      // The number on each side: this process's from its recvmsg(), the server's from its event.
      const mine = ev.fds[0];
      const theirs = senderFd(n, ev.address);
      const read = ev.count === 1 && mine !== undefined && ev.printedBytes !== undefined && !ev.truncated;
      return {
        line: read ? t.narration.descriptorReceived(mine, theirs, ev.printedBytes as number) : line,
        explain: x.descriptorsReceived(mine, theirs),
      };
    }
    case "stopping":
      return { line, explain: x.stopping(transport === "unix" || transport === "unix-dgram") };
    case "error":
      return { line: errorLine(n, ev, before), explain: x.error };
    default:
      return { line };
  }
}

/**
 * The number the passed file had in the server listening at `address`, from its
 * descriptor-sent events (`serve fd` sends one file to every client, so one number);
 * undefined when that server is not one of the lab's processes or sent several numbers.
 */
export function senderFd(n: { procs: readonly Proc[] }, address: string): number | undefined {
  const server = n.procs.find((p) => p.events.some((e) => e.event.type === "listening" && (e.event as EventOf<"listening">).address === address));
  const fds = new Set(server?.events.flatMap((e) => (e.event.type === "descriptor-sent" ? [(e.event as EventOf<"descriptor-sent">).fd] : [])) ?? []);
  return fds.size === 1 ? ([...fds][0] as number) : undefined;
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

/** The narration's line for one event (the CLI's line, or the lab's where that is truer). */
export function eventLine(proc: Proc, ev: SocklabEvent, seq: number, style: TableStyle, procs: Proc[]): string {
  return describe({ t: LAB_TEXTS[style.lang], style, procs }, proc, ev, seq).line;
}

/** The steps of an exercise in order (runs folded), and what caused what across processes. */
export function timeline(events: readonly LabEvent[]): { steps: Step[]; links: Link[]; requests: Request[] } {
  const result = order(events);
  collapse(result.steps);
  return result;
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
  const { steps } = timeline(events);
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
  for (const line of reproLines(exercise.id, t)) out.push(...wrap(line.trimStart(), line.slice(0, line.length - line.trimStart().length), `${line.slice(0, line.length - line.trimStart().length)}    `, width));
  out.push("");
  const verdict = row.status === "PASS" ? t.narration.verdictPass : t.narration.verdict(t.status[row.status], row.reason ?? "");
  out.push(...wrap(verdict, "  ", "  ", width));
  return out.join("\n");
}

/**
 * Guide 1, level 2: sequential Internet servers (exercises 10–14), each against a socklab
 * client playing the guide's client (#2, #3, #7, #8).
 */
import { ensure, type LabContext } from "../context.js";
import { checkLocalTime } from "../helpers.js";
import { loadFactor } from "../load.js";
import { quote } from "../report.js";
import { pyBytes } from "../texts.js";
import { NL, type Exercise } from "./types.js";

const LOOPBACK = "tcp://127.0.0.1:0";

export const ex10: Exercise = {
  id: "10",
  guide: 1,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", LOOPBACK]);
    const first = ctx.spawn(ctx.t.labels.client1, ["connect", server.address], { stdin: "pipe" });
    ctx.say(ctx.t.say.writesKeepsOpen(pyBytes(Buffer.from("primero\n")), first.label), first);
    first.write("primero\n");
    await ctx.stdout(first, (o) => o.length >= 8, ctx.t.wait.echo(quote("primero\n"), first.label));
    const second = ctx.spawn(ctx.t.labels.client2, ["connect", server.address, "--send", "hola mundo", "--lines", "-v"]);
    const accepts = (): number => server.proc.eventsOf("accepted").length;
    const misbehaved = (): boolean => !second.running || second.stdoutBytes > 0 || accepts() > 1;
    // "No reply yet" proves nothing until the server holds client 2: first its `connected`
    // (-v; its line is on its way), then the server's `queued` (it has the connection and
    // makes it wait). No cap of our own: if that never comes, the exercise's deadline ends
    // it as a failure naming this wait, never as a pass.
    ctx.step = ctx.t.wait.waitingFor(ctx.t.wait.event(second.label, "connected"));
    await second.waitFor(() => second.eventsOf("connected").length > 0 || misbehaved(), ctx.signal);
    ctx.step = ctx.t.wait.waitingFor(ctx.t.wait.event(server.proc.label, "queued"));
    await server.proc.waitFor(() => server.proc.eventsOf("queued").length > 0 || misbehaved() || !server.proc.running, ctx.signal);
    // Client 2 failing by itself (nothing received, a non-zero exit: it could not connect…)
    // says nothing about the server: name that, not "the server is not sequential".
    const status = second.exitStatus;
    if (status !== undefined && status.code !== 0 && second.stdoutBytes === 0) {
      const what = ctx.t.wait.event(server.proc.label, "queued");
      ctx.check(false, ctx.t.fail.exitedWhileWaiting(second.label, ctx.exitText(status), what, quote(second.stdout)) + ctx.errTail(second));
    }
    // Then give the server every chance to misbehave (serve client 2 at once).
    const windowMs = Math.round(400 * loadFactor());
    if (!misbehaved()) await ctx.sleep(windowMs);
    ctx.check(second.running, ctx.t.fail.notSequentialExited(second.label, quote(second.stdout)));
    ctx.check(second.stdoutBytes === 0, ctx.t.fail.notSequentialGot(second.label, quote(second.stdout)));
    ctx.check(accepts() <= 1, ctx.t.fail.accepts(accepts()));
    ctx.check(server.proc.eventsOf("queued").length > 0, ctx.t.fail.notQueued(server.proc.label, ctx.exitText(server.proc.exitStatus), second.label) + ctx.errTail(server.proc));
    ctx.say(ctx.t.say.closesStdin(first.label), first);
    first.end();
    await ctx.finished(first, 0, "primero\n");
    await ctx.finished(second, 0, "hola mundo\n");
    ctx.exchange(ctx.t.exchanged.ex10(ctx.seconds(windowMs)));
  },
};

/** The four commands of guide 1 #11 / guide 2 §2 and what must come back. */
async function commandSession(ctx: LabContext, unknownReply: string, extra: string[] = []): Promise<string> {
  const server = await ctx.server(ctx.t.labels.server, ["serve", "cmd", LOOPBACK, ...extra]);
  const client = await ctx.run(ctx.t.labels.client, [
    "connect", server.address, "--send", "PING", "--send", "ECHO hola", "--send", "TIME", "--send", "FOO", "--lines", "--half-close",
  ]);
  ctx.exitCode(client, 0);
  const out = client.stdout.toString("utf8");
  const lines = out.split("\n");
  ctx.check(lines.length === 5 && lines[4] === "", ctx.t.fail.replyLines(quote(client.stdout, 100)));
  ctx.check(lines[0] === "PONG", ctx.t.fail.commandReply("PING", quote(`${lines[0]}\n`), quote("PONG\n")));
  ctx.check(lines[1] === "hola", ctx.t.fail.commandReply("ECHO hola", quote(`${lines[1]}\n`), quote("hola\n")));
  const bad = checkLocalTime(lines[2] ?? "", true, ctx.t);
  ctx.check(bad === undefined, ctx.t.fail.commandReply("TIME", bad ?? "", "YYYY-mm-dd HH:MM:SS"));
  ctx.check(lines[3] === unknownReply, ctx.t.fail.commandReply("FOO", quote(`${lines[3]}\n`), quote(`${unknownReply}\n`)));
  return `→ PING, ECHO hola, TIME, FOO ← ${quote(out, 70)}`;
}

export const ex11: Exercise = {
  id: "11",
  guide: 1,
  async run(ctx) {
    ctx.exchange(await commandSession(ctx, "ERR desconocido"));
  },
};

export const ex12: Exercise = {
  id: "12",
  guide: 1,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", LOOPBACK, "--idle-timeout", "1"]);
    const client = ctx.spawn(ctx.t.labels.client, ["connect", server.address, "--send", "hola", "--lines", "--until-close"]);
    await ctx.stdout(client, (o) => o.length >= 5, ctx.t.wait.echo(quote("hola\n"), client.label));
    const echoedAt = Date.now();
    await ctx.exit(client);
    const idle = (Date.now() - echoedAt) / 1000;
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola\n");
    const timeout = await ctx.event(server.proc, "idle-timeout", ctx.t.wait.event(server.proc.label, "idle-timeout"));
    ctx.check(idle >= 0.7 && idle < 4, ctx.t.fail.idleClose(ctx.seconds(idle * 1000, 1)));
    ctx.exchange(ctx.t.exchanged.ex12(ctx.seconds(idle * 1000, 1), timeout.seconds));
  },
};

export const ex13: Exercise = {
  id: "13",
  guide: 1,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", "udp://127.0.0.1:0"]);
    const client = await ctx.run(ctx.t.labels.client, ["connect", server.address, "--send", "ping", "--send", "hola udp", "--send", "\\x00\\xff\\n"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, Buffer.concat([Buffer.from("pinghola udp"), Buffer.from([0x00, 0xff, 0x0a])]));
    const replies = client.eventsOf("reply").map((e) => `${e.peer} ${e.bytes}`);
    const want = [4, 8, 3].map((size) => `${server.address} ${size}`);
    ctx.check(
      replies.join(",") === want.join(","),
      ctx.t.fail.udpReplies(JSON.stringify(replies), server.address),
    );
    ctx.exchange(ctx.t.exchanged.ex13);
  },
};

export const ex14: Exercise = {
  id: "14",
  guide: 1,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "time", "udp://127.0.0.1:0"]);
    const client = await ctx.run(ctx.t.labels.client, ["connect", server.address, "--send", "TIME", "--send", ` TIME${NL}`, "--send", "FOO"]);
    ctx.exitCode(client, 0);
    const out = client.stdout.toString("utf8");
    const m = /^(\d\d:\d\d:\d\d)(\d\d:\d\d:\d\d)ERR\n$/.exec(out);
    ensure(m, ctx.t.fail.timeDatagrams(quote(client.stdout, 80)));
    for (const time of [m[1] ?? "", m[2] ?? ""]) {
      const bad = checkLocalTime(time, false, ctx.t);
      ctx.check(bad === undefined, ctx.t.fail.timeReply(bad ?? ""));
    }
    ctx.exchange(`→ "TIME", " TIME\\n", "FOO" ← "${m[1]}", "${m[2]}", "ERR\\n"`);
  },
};

export const internetServers: Exercise[] = [ex10, ex11, ex12, ex13, ex14];
export { commandSession };

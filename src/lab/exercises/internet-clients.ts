/**
 * Guide 1, level 1: Internet clients (exercises 2–9). In the guide the peer is `nc`;
 * here socklab plays it (`socklab listen …`, or a `socklab serve` service that fits), and
 * the lab plays the person typing at the nc terminal.
 */
import { ensure, LabFailure } from "../context.js";
import { loadFactor } from "../load.js";
import { BulkPayload, checkLocalTime, freePort, hasIPv6Loopback, localhostAddresses } from "../helpers.js";
import { bytes, quote } from "../report.js";
import { NL, ncAnswers, type Exercise } from "./types.js";

const LOOPBACK = "tcp://127.0.0.1:0";

export const ex2: Exercise = {
  id: "2",
  guide: 1,
  async run(ctx) {
    const nc = await ctx.server(ctx.t.labels.nc, ["listen", LOOPBACK], { stdin: "pipe" });
    const client = ctx.spawn(ctx.t.labels.client, ["connect", nc.address, "--send", "hola mundo", "--lines"]);
    await ncAnswers(ctx, nc.proc, "hola mundo\n", "hola, soy nc\n");
    await ctx.finished(client, 0, "hola, soy nc\n");
    await ctx.finished(nc.proc, 0, "hola mundo\n");
    ctx.exchange(`→ ${quote("hola mundo\n")} ← ${quote("hola, soy nc\n")}`);
  },
};

export const ex3: Exercise = {
  id: "3",
  guide: 1,
  async run(ctx) {
    // nc's answer is typed in advance: it goes out as soon as the connection is accepted,
    // followed by FIN; the client still sends its three lines and reads until EOF.
    const reply = "ok, 3 líneas\n";
    const nc = await ctx.server(ctx.t.labels.nc, ["listen", LOOPBACK], { stdin: reply });
    const client = await ctx.run(ctx.t.labels.client, [
      "connect", nc.address, "--send", "uno", "--send", "dos", "--send", "tres", "--lines", "--half-close",
    ]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, reply);
    await ctx.finished(nc.proc, 0, "uno\ndos\ntres\n");
    ctx.exchange(`→ ${quote("uno\ndos\ntres\n")} + FIN ← ${quote(reply)} + EOF`);
  },
};

export const ex4: Exercise = {
  id: "4",
  guide: 1,
  async run(ctx) {
    const payload = new BulkPayload(32 * 1024 * 1024);
    const nc = await ctx.server(ctx.t.labels.nc, ["listen", LOOPBACK], { stdin: payload.stream() });
    // The client's stdin stays open (nothing to send) until everything has arrived, so it
    // never half-closes early; then EOF on stdin and it finishes like nc -N.
    const client = ctx.spawn(ctx.t.labels.client, ["connect", nc.address, "-v"], { stdin: "pipe", sinkStdout: true });
    ctx.step = ctx.t.wait.waitingFor(ctx.t.wait.onStdout(client.label, bytes(payload.size)));
    await client.waitFor(() => client.stdoutBytes >= payload.size || !client.running, ctx.signal);
    client.end();
    await ctx.finished(client, 0);
    ctx.check(client.stdoutBytes === payload.size, ctx.t.fail.stdoutSize(client.label, client.stdoutBytes, payload.size));
    ctx.check(client.stdoutDigest() === payload.digest(), ctx.t.fail.digest(client.label));
    const summary = client.eventsOf("summary")[0];
    ensure(summary, ctx.t.fail.noSummary(quote(client.stderr, 120)));
    ctx.check(summary.received === payload.size, ctx.t.fail.summaryReceived(summary.received, payload.size));
    const rate = summary.seconds > 0 ? summary.received / (1024 * 1024) / summary.seconds : 0;
    await ctx.finished(nc.proc, 0);
    ctx.exchange(ctx.t.exchanged.ex4(bytes(payload.size), ctx.seconds(rate * 1000, 1)));
  },
};

export const ex5: Exercise = {
  id: "5",
  guide: 1,
  async run(ctx) {
    const port = await freePort("tcp");
    const address = `tcp://127.0.0.1:${port}`;
    // The guide's backoff is 0.5 s (0.5 s × attempt: about 5 s of retries in all). On a machine
    // so busy that starting the late server takes longer than that, the schedule stretches
    // with the load (as the exercise's deadline does), or the client would give up first.
    const factor = loadFactor();
    const backoff = factor >= 1.5 ? Math.round(5 * factor) / 10 : 0.5;
    const deadPort = await freePort("tcp");
    const client = ctx.spawn(ctx.t.labels.client, [
      "connect", address, "--send", "ping", "--lines", "--timeout", "1.5", "--retries", "5", "--backoff", String(backoff),
    ]);
    // Second client: nobody ever listens; 2 attempts, then "server unavailable".
    const doomed = ctx.spawn(ctx.t.labels.clientNoServer, [
      "connect", `tcp://127.0.0.1:${deadPort}`, "--send", "ping", "--timeout", "0.5", "--retries", "2", "--backoff", "0.1",
    ]);
    // Third client: a server that accepts and never answers; each attempt connects, then times out.
    const silent = await ctx.server(ctx.t.labels.ncSilent, ["listen", LOOPBACK, "--keep-open"], { stdin: "pipe" });
    const unanswered = ctx.spawn(ctx.t.labels.clientSilent, [
      "connect", silent.address, "--send", "ping", "--lines", "--timeout", "0.5", "--retries", "2", "--backoff", "0.1", "-v",
    ]);
    ctx.say(ctx.t.say.waitsBeforeServer(ctx.seconds(1200, 1)));
    // On a slow machine the client may start late: wait for its first failure too.
    await Promise.all([ctx.sleep(1200), ctx.event(client, "attempt-failed", ctx.t.wait.firstFailedAttempt(client.label))]);
    const nc = await ctx.server(ctx.t.labels.nc, ["listen", address], { stdin: "pipe" });
    // On a very busy machine the client may use up its 5 attempts before nc is listening:
    // say so at once rather than wait for the exercise's deadline.
    const answered = ncAnswers(ctx, nc.proc, "ping\n", "pong\n").then(() => "answered" as const);
    answered.catch(() => undefined);
    const winner = await Promise.race([answered, client.exited.then(() => "client-exited" as const)]);
    if (winner === "client-exited" && nc.proc.stdoutBytes === 0) {
      const tries = client.eventsOf("attempt-failed").length;
      throw new LabFailure(ctx.t.fail.gaveUpEarly(tries, JSON.stringify(client.lastError())));
    }
    await answered;
    await ctx.finished(client, 0, "pong\n");
    const failed = client.eventsOf("attempt-failed");
    ctx.check(failed.length >= 1, ctx.t.fail.noFailedAttempt(ctx.seconds(1200, 1), quote(client.stderr, 120)));
    const first = failed[0];
    ctx.check(
      first?.attempt === 1 && first.total === 5 && first.code === "ECONNREFUSED" && first.delayMs === Math.round(backoff * 1000),
      ctx.t.fail.firstAttempt(JSON.stringify(first), Math.round(backoff * 1000)),
    );
    await ctx.finished(nc.proc, 0);
    await ctx.finished(doomed, 1);
    const gaveUp = doomed.lastError();
    const tries = doomed.eventsOf("attempt-failed").length;
    ctx.check(
      gaveUp?.code === "ERR_UNAVAILABLE" && tries === 2 && (gaveUp.address ?? "").includes(`127.0.0.1:${deadPort}`),
      ctx.t.fail.noServer(tries, JSON.stringify(gaveUp), `tcp://127.0.0.1:${deadPort}`),
    );
    await ctx.finished(unanswered, 1);
    const silentTries = unanswered.eventsOf("attempt-failed");
    ctx.check(
      silentTries.length === 2 && silentTries.every((a) => a.code === "ETIMEDOUT") && unanswered.eventsOf("connected").length === 2,
      ctx.t.fail.silentServer(JSON.stringify(silentTries), unanswered.eventsOf("connected").length),
    );
    silent.proc.end();
    ctx.exchange(ctx.t.exchanged.ex5(failed.length, ctx.seconds(500, 1)));
  },
};

export const ex6: Exercise = {
  id: "6",
  guide: 1,
  async run(ctx) {
    const resolved = await localhostAddresses();
    ctx.say(ctx.t.say.localhostResolves(resolved.map((a) => a.address).join(", ") || "—"));
    ctx.check(resolved.some((a) => a.family === 4), ctx.t.fail.noIPv4Localhost);
    const parts: string[] = [];
    const cases: { host: string; family: 4 | 6 }[] = [{ host: "127.0.0.1", family: 4 }];
    if (resolved.some((a) => a.family === 6) && (await hasIPv6Loopback())) cases.push({ host: "::1", family: 6 });
    for (const { host, family } of cases) {
      const nc = await ctx.server(family === 6 ? ctx.t.labels.ncIPv6 : ctx.t.labels.ncIPv4, ["listen", `tcp://${family === 6 ? `[${host}]` : host}:0`], {
        stdin: "pipe",
      });
      const client = ctx.spawn(family === 6 ? ctx.t.labels.clientIPv6 : ctx.t.labels.clientIPv4, ["connect", `tcp://localhost:${nc.port}`, "--send", "hola", "--lines", "-v"]);
      const reply = `hola, soy nc en ${host}\n`;
      await ncAnswers(ctx, nc.proc, "hola\n", reply);
      await ctx.finished(client, 0, reply);
      const connected = client.eventsOf("connected").map((e) => e.address);
      ctx.check(connected.some((a) => a.includes(host)), ctx.t.fail.connectedTo(JSON.stringify(connected), host));
      await ctx.finished(nc.proc, 0);
      parts.push(`localhost:${nc.port} → ${host} ✓`);
    }
    ctx.exchange(ctx.t.exchanged.ex6(parts.join(", "), cases.length === 1));
  },
};

export const ex7: Exercise = {
  id: "7",
  guide: 1,
  async run(ctx) {
    const nc = await ctx.server(ctx.t.labels.ncUdp, ["listen", "udp://127.0.0.1:0"], { stdin: "pipe" });
    const client = ctx.spawn(ctx.t.labels.client, ["connect", nc.address, "--send", "ping"]);
    await ncAnswers(ctx, nc.proc, "ping", "pong\n", true);
    await ctx.finished(client, 0);
    const got = client.stdout.toString("latin1");
    ctx.check(got === "pong" || got === "pong\n", ctx.t.fail.pong(quote(client.stdout)));
    const reply = client.eventsOf("reply")[0];
    ctx.check(
      reply?.peer === nc.address && reply.bytes === got.length,
      ctx.t.fail.replyEvent(client.label, JSON.stringify(reply), got.length, nc.address),
    );
    ctx.stdoutIs(nc.proc, "ping");
    ctx.exchange(ctx.t.exchanged.ex7(quote(got), nc.address));
  },
};

export const ex8: Exercise = {
  id: "8",
  guide: 1,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.timeServer, ["serve", "time", "udp://127.0.0.1:0"]);
    const mute = await ctx.server(ctx.t.labels.ncUdpMute, ["listen", "udp://127.0.0.1:0"], { stdin: "pipe" });
    const client = ctx.spawn(ctx.t.labels.client, ["connect", server.address, "--send", "TIME", "--timeout", "1", "--retries", "3"]);
    const lost = ctx.spawn(ctx.t.labels.clientNoReply, [
      "connect", mute.address, "--send", "TIME", "--timeout", "0.4", "--retries", "3",
    ]);
    await ctx.finished(client, 0);
    const time = client.stdout.toString("utf8");
    const bad = checkLocalTime(time, false, ctx.t);
    ctx.check(bad === undefined, ctx.t.fail.timeReply(bad ?? ""));
    await ctx.finished(lost, 1);
    const gaveUp = lost.lastError();
    const tries = lost.eventsOf("attempt-failed").length;
    ctx.check(
      gaveUp?.code === "ERR_NO_RESPONSE" && tries === 3,
      ctx.t.fail.unanswered(tries, JSON.stringify(gaveUp)),
    );
    ctx.stdoutIs(mute.proc, "TIMETIMETIME");
    ctx.exchange(ctx.t.exchanged.ex8(quote(time)));
  },
};

export const ex9: Exercise = {
  id: "9",
  guide: 1,
  async run(ctx) {
    const a = await ctx.server(ctx.t.labels.serverA, ["serve", "announce", "udp://127.255.255.255:0", "--text", `lab-A${NL}`]);
    const b = await ctx.server(ctx.t.labels.serverB, ["serve", "announce", `udp://127.255.255.255:${a.port}`, "--text", `lab-B${NL}`]);
    const nobodyPort = await freePort("udp");
    const lonely = ctx.spawn(ctx.t.labels.clientNobody, [
      "discover", `udp://127.255.255.255:${nobodyPort}`, "--timeout", "0.5",
    ]);
    const client = await ctx.run(ctx.t.labels.client, ["discover", `udp://127.255.255.255:${a.port}`, "--timeout", "1"]);
    ctx.exitCode(client, 0);
    const lines = client.stdout.toString("utf8").split("\n").filter((l) => l !== "");
    for (const name of ["lab-A", "lab-B"]) {
      ctx.check(
        lines.some((l) => new RegExp(`^udp://127\\.[\\d.]+:${a.port} "?${name}(\\\\n)?"?$`).test(l)),
        ctx.t.fail.notDiscovered(name, a.port, quote(client.stdout, 120)),
      );
    }
    ctx.check(lines.length === 2, ctx.t.fail.discoverLines(lines.length, quote(client.stdout, 120)));
    ctx.check(b.port === a.port, ctx.t.fail.announcePorts(a.address, b.address));
    await ctx.finished(lonely, 1);
    const nobody = lonely.lastError();
    ctx.check(
      nobody?.code === "ERR_NO_RESPONSE",
      ctx.t.fail.nobodyThere(JSON.stringify(nobody)),
    );
    ctx.exchange(ctx.t.exchanged.ex9(lines.map((l) => l.split(" ").slice(1).join(" ")).join(", ")));
  },
};

export const internetClients: Exercise[] = [ex2, ex3, ex4, ex5, ex6, ex7, ex8, ex9];

/**
 * Guide 2 (`seeds/002_…`): TCP line echo and its client, the command server with `ERR`,
 * UDP echo on all interfaces, TCP over IPv6, dual-stack, and recv_all.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { LabSkip, type LabContext } from "../context.js";
import { hasIPv6Loopback } from "../helpers.js";
import { bytes, quote } from "../report.js";
import { commandSession } from "./internet-servers.js";
import { pyBytes } from "../texts.js";
import { NL, type Exercise } from "./types.js";

const LOOPBACK = "tcp://127.0.0.1:0";

export const ex2_1: Exercise = {
  id: "2.1",
  guide: 2,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "line-echo", LOOPBACK]);
    const batch = await ctx.run(ctx.t.labels.client1, ["connect", server.address, "--send", `hola\\r${NL}mundo${NL}`, "--send", "fin", "--half-close"]);
    ctx.exitCode(batch, 0);
    ctx.stdoutIs(batch, "eco: hola\neco: mundo\neco: fin\n");
    const split = ctx.spawn(ctx.t.labels.client2, ["connect", server.address], { stdin: "pipe" });
    for (const piece of ["pri", "mera\nseg", "unda\n"]) {
      ctx.say(ctx.t.say.writesPiece(pyBytes(Buffer.from(piece)), split.label), split);
      split.write(piece);
      await ctx.sleep(120);
    }
    split.end();
    await ctx.finished(split, 0, "eco: primera\neco: segunda\n");
    ctx.exchange(ctx.t.exchanged.ex2_1);
  },
};

export const ex2_1c: Exercise = {
  id: "2.1c",
  guide: 2,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "line-echo", LOOPBACK]);
    const client = await ctx.run(ctx.t.labels.client, [
      "connect", server.address, "--send", "hola", "--send", "mundo", "--send", "fin", "--lines", "--half-close",
    ]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "eco: hola\neco: mundo\neco: fin\n");
    ctx.exchange(`→ "hola\\nmundo\\nfin\\n" + FIN ← "eco: hola\\neco: mundo\\neco: fin\\n"`);
  },
};

export const ex2_2: Exercise = {
  id: "2.2",
  guide: 2,
  async run(ctx) {
    ctx.exchange(await commandSession(ctx, "ERR", ["--err", "ERR"]));
  },
};

export const ex2_3: Exercise = {
  id: "2.3",
  guide: 2,
  async run(ctx) {
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", "udp://127.0.0.1:0"]);
    ctx.check(/^udp:\/\/127\.0\.0\.1:\d+$/.test(server.address), ctx.t.fail.readiness(server.address));
    const target = `udp://127.0.0.1:${server.port}`;
    const client = await ctx.run(ctx.t.labels.client, ["connect", target, "--send", "ping"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "ping");
    const reply = client.eventsOf("reply")[0];
    ctx.check(
      reply?.peer === target && reply.bytes === 4,
      ctx.t.fail.replyEvent(client.label, JSON.stringify(reply), 4, target),
    );
    ctx.exchange(ctx.t.exchanged.ex2_3(target));
  },
};

async function needIPv6(ctx: LabContext): Promise<void> {
  if (!(await hasIPv6Loopback())) throw new LabSkip(ctx.t.fail.noIPv6);
}

export const ex2_4: Exercise = {
  id: "2.4",
  guide: 2,
  async run(ctx) {
    await needIPv6(ctx);
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", "tcp://[::1]:0"]);
    const client = await ctx.run(ctx.t.labels.client, ["connect", server.address, "--send", "hola ipv6", "--lines"]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola ipv6\n");
    const peers = server.proc.eventsOf("accepted").map((e) => e.peer);
    ctx.check(
      peers.some((p) => /^tcp:\/\/\[::1\]:\d+$/.test(p)),
      ctx.t.fail.notAcceptedIPv6(JSON.stringify(peers)),
    );
    ctx.exchange(`${server.address} → "hola ipv6\\n" ← "hola ipv6\\n"`);
  },
};

export const ex2_5: Exercise = {
  id: "2.5",
  guide: 2,
  async run(ctx) {
    await needIPv6(ctx);
    // [::] is every interface: in a namespace of the lab's own it is only that loopback.
    const isolated = await ctx.enterNetns();
    ctx.say(isolated ? ctx.t.say.inNetns : ctx.t.say.allInterfaces);
    const server = await ctx.server(ctx.t.labels.server, ["serve", "greet", "tcp://[::]:0", "--dual-stack"]);
    const boundAt = ctx.now();
    const v4 = await ctx.run(ctx.t.labels.clientIPv4, ["connect", `tcp://127.0.0.1:${server.port}`]);
    ctx.exitCode(v4, 0);
    ctx.stdoutIs(v4, "hola dual\n");
    const v6 = await ctx.run(ctx.t.labels.clientIPv6, ["connect", `tcp://[::1]:${server.port}`]);
    ctx.exitCode(v6, 0);
    ctx.stdoutIs(v6, "hola dual\n");
    const fellBack = server.proc.eventsOf("note").some((n) => n.note === "dual-stack-fallback");
    const peers = server.proc.eventsOf("accepted").map((e) => e.peer);
    if (!fellBack) {
      ctx.check(
        peers.some((p) => /^tcp:\/\/\[::ffff:127\.0\.0\.1\]:\d+$/.test(p)),
        ctx.t.fail.notMapped(JSON.stringify(peers)),
      );
    }
    ctx.check(
      peers.some((p) => /^tcp:\/\/\[::1\]:\d+$/.test(p)),
      ctx.t.fail.notAcceptedIPv6(JSON.stringify(peers)),
    );
    // Stop it now, so that the time it was bound to every interface is known and said.
    ctx.say(ctx.t.say.sigterm(server.proc.label));
    const stopped = await server.proc.stop(2000);
    ctx.check(stopped.code === 0, ctx.t.fail.sigterm(server.proc.label, ctx.exitText(stopped)));
    const seconds = ctx.seconds(ctx.now() - boundAt, 1);
    if (!isolated) ctx.say(ctx.t.say.allInterfacesFor(seconds));
    ctx.exchange(ctx.t.exchanged.ex2_5(fellBack, isolated ? undefined : seconds));
  },
};

/** The library-based recv_all client (compiled next to this file's parent). */
const RECV_ALL_CLIENT = fileURLToPath(new URL("../recv-all-client.js", import.meta.url));

export const ex2_6: Exercise = {
  id: "2.6",
  guide: 2,
  async run(ctx) {
    const whole = randomBytes(200 * 1024);
    const nc1 = await ctx.server(ctx.t.labels.ncUntilEof, ["listen", LOOPBACK], { stdin: whole });
    const reader = await ctx.run(ctx.t.labels.clientUntilEof, ["connect", nc1.address]);
    ctx.exitCode(reader, 0);
    ctx.check(
      reader.stdout.equals(whole),
      ctx.t.fail.untilEof(reader.stdout.length, whole.length),
    );
    await ctx.finished(nc1.proc, 0);

    const n = 100;
    const offered = randomBytes(1000);
    const nc2 = await ctx.server(ctx.t.labels.ncOpen, ["listen", LOOPBACK], { stdin: "pipe" });
    ctx.say(ctx.t.say.writesNoEof(offered.length), nc2.proc);
    nc2.proc.write(offered);
    const exact = await ctx.run(ctx.t.labels.clientExactN, [nc2.address, String(n)], { script: RECV_ALL_CLIENT });
    ctx.exitCode(exact, 0);
    ctx.stdoutIs(exact, offered.subarray(0, n));
    // nc never got EOF on its stdin, so it never sent FIN: the client stopped at N by itself.
    // (It closed with 900 bytes unread, so nc may see a reset; its exit status is not checked.)
    nc2.proc.end();
    ctx.exchange(ctx.t.exchanged.ex2_6(bytes(whole.length), n, offered.length));
  },
};

export const guide2Exercises: Exercise[] = [ex2_1, ex2_1c, ex2_2, ex2_3, ex2_4, ex2_5, ex2_6];

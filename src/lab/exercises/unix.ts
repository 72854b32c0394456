/**
 * The Unix-domain exercises: guide 1 #1 (stream client, peer nc -lU) and the bonus B1–B4
 * (datagram echo, abstract namespace, SO_PEERCRED, SCM_RIGHTS). Socket files live in the
 * lab's private temporary directory; abstract names are random, so runs never collide.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { LabSkip, type LabContext } from "../context.js";
import { quote } from "../report.js";
import { pyBytes } from "../texts.js";
import { NL, ncAnswers, type Exercise } from "./types.js";

/**
 * B1–B4 need Linux (the native addon: Unix datagrams, exact abstract names, SO_PEERCRED,
 * SCM_RIGHTS). Elsewhere they are skipped, visibly; on Linux a missing feature is a failure.
 */
function needLinux(ctx: LabContext): void {
  if (process.platform !== "linux") throw new LabSkip(ctx.t.fail.needsLinux(process.platform));
}

export const ex1: Exercise = {
  id: "1",
  guide: 1,
  async run(ctx) {
    const path = ctx.tmp("eco.sock");
    const nc = await ctx.server(ctx.t.labels.ncUnix, ["listen", `unix:${path}`], { stdin: "pipe" });
    const client = ctx.spawn(ctx.t.labels.client, ["connect", `unix:${path}`, "--send", `hola desde UDS${NL}`]);
    await ncAnswers(ctx, nc.proc, "hola desde UDS\n", "hola desde nc\n");
    await ctx.finished(client, 0, "hola desde nc\n");
    await ctx.finished(nc.proc, 0, "hola desde UDS\n");
    ctx.check(!existsSync(path), ctx.t.fail.socketFileLeft(nc.proc.label, path));
    // The guide's first check: a missing path must say that nobody listens there.
    const missing = ctx.tmp("no-existe.sock");
    const lost = await ctx.run(ctx.t.labels.clientNoServer, ["connect", `unix:${missing}`, "--send", "hola"]);
    ctx.exitCode(lost, 1);
    const gaveUp = lost.lastError();
    const attempt = lost.eventsOf("attempt-failed")[0];
    ctx.check(
      attempt?.code === "ENOENT" && (gaveUp?.address ?? "").includes(missing),
      ctx.t.fail.missingPath(JSON.stringify(attempt), JSON.stringify(gaveUp), missing),
    );
    ctx.exchange(ctx.t.exchanged.ex1);
  },
};

export const exB1: Exercise = {
  id: "B1",
  guide: 1,
  async run(ctx) {
    needLinux(ctx);
    const path = ctx.tmp("uds_dgram_srv");
    const cli = ctx.tmp("uds_dgram_cli");
    const server = await ctx.server(ctx.t.labels.server, ["serve", "echo", `unix-dgram:${path}`]);
    const bound = await ctx.run(ctx.t.labels.clientBound, ["connect", server.address, "--send", "hola", "--bind", cli]);
    ctx.exitCode(bound, 0);
    ctx.stdoutIs(bound, "hola");
    const reply = bound.eventsOf("reply")[0];
    ctx.check(
      reply?.peer === server.address && reply.bytes === 4,
      ctx.t.fail.replyEvent(bound.label, JSON.stringify(reply), 4, server.address),
    );
    const senders = server.proc.eventsOf("datagram-in").map((e) => e.peer);
    ctx.check(
      senders.some((peer) => peer.includes(cli)),
      ctx.t.fail.senders(JSON.stringify(senders), cli),
    );
    const auto = await ctx.run(ctx.t.labels.clientAutobind, ["connect", server.address, "--send", "hola autobind"]);
    ctx.exitCode(auto, 0);
    ctx.stdoutIs(auto, "hola autobind");
    ctx.exchange(ctx.t.exchanged.exB1(cli.split("/").pop() ?? cli));
  },
};

export const exB2: Exercise = {
  id: "B2",
  guide: 1,
  async run(ctx) {
    needLinux(ctx);
    const name = `socklab-lab-${randomBytes(4).toString("hex")}`;
    const server = await ctx.server(ctx.t.labels.server, ["serve", "greet", `abstract:${name}`, "--text", `hola abstract${NL}`]);
    // /proc/net/unix shows abstract names with a leading @; a padded name would show NULs as @ too.
    const table = readProcNetUnix();
    if (table !== undefined && table.includes(`@${name}`)) {
      ctx.check(
        table.split("\n").some((l) => l.endsWith(` @${name}`)),
        ctx.t.fail.paddedName(name),
      );
    }
    const client = await ctx.run(ctx.t.labels.client, ["connect", server.address]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, "hola abstract\n");
    ctx.check(!existsSync(name) && !existsSync(ctx.tmp(name)), ctx.t.fail.fileOnDisk(name));
    ctx.exchange(ctx.t.exchanged.exB2(name));
  },
};

function readProcNetUnix(): string | undefined {
  try {
    return readFileSync("/proc/net/unix", "utf8");
  } catch {
    return undefined;
  }
}

export const exB3: Exercise = {
  id: "B3",
  guide: 1,
  async run(ctx) {
    needLinux(ctx);
    const path = ctx.tmp("peercred.sock");
    const server = await ctx.server(ctx.t.labels.server, ["serve", "peercred", `unix:${path}`]);
    const client = await ctx.run(ctx.t.labels.client, ["connect", server.address]);
    ctx.exitCode(client, 0);
    const uid = process.getuid?.() ?? 0;
    const expected = `Hola UID=${uid} PID=${client.pid}\n`;
    ctx.stdoutIs(client, expected);
    const cred = server.proc.eventsOf("peer-credentials")[0];
    ctx.check(
      cred !== undefined && cred.pid === client.pid && cred.uid === uid,
      ctx.t.fail.peerCredentials(JSON.stringify(cred), client.pid ?? -1, uid),
    );
    ctx.exchange(ctx.t.exchanged.exB3(quote(expected)));
  },
};

export const exB4: Exercise = {
  id: "B4",
  guide: 1,
  async run(ctx) {
    needLinux(ctx);
    const file = ctx.tmp("compartido.txt");
    const content = `archivo compartido por SCM_RIGHTS ${randomBytes(3).toString("hex")}\n`;
    writeFileSync(file, content);
    const server = await ctx.server(ctx.t.labels.server, ["serve", "fd", `unix:${ctx.tmp("fdpass.sock")}`, "--file", file]);
    const client = await ctx.run(ctx.t.labels.client, ["recv-fd", server.address]);
    ctx.exitCode(client, 0);
    ctx.stdoutIs(client, content);
    // The descriptor's number on each side: the server's open file, and what recvmsg() installed in the client.
    // (The server's event may reach the lab after the client has exited: wait for it.)
    const sent = await ctx.event(server.proc, "descriptor-sent", ctx.t.wait.event(server.proc.label, "descriptor-sent"));
    const received = client.eventsOf("descriptors-received")[0];
    const isFd = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
    const clientFd = received?.fds[0];
    ctx.check(
      isFd(sent.fd) && received !== undefined && received.fds.length === 1 && isFd(clientFd),
      ctx.t.fail.noDescriptorNumbers(JSON.stringify(sent), JSON.stringify(received)),
    );
    ctx.check(
      received?.printedBytes === Buffer.byteLength(content),
      ctx.t.fail.descriptorBytes(String(received?.printedBytes), Buffer.byteLength(content)),
    );
    ctx.say(ctx.t.say.readThroughDescriptor(pyBytes(client.stdout, 64), clientFd));
    ctx.exchange(ctx.t.exchanged.exB4(file.split("/").pop() ?? file, quote(content, 60), sent.fd, clientFd ?? -1));
  },
};

export const unixExercises: Exercise[] = [ex1, exB1, exB2, exB3, exB4];

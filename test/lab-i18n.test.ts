/**
 * The lab speaks one language at a time, and its narration is true to each transport:
 * both catalogues have the same keys; a Spanish report has no English event lines and an
 * English one no Spanish; Unix exercises show no TCP handshake or FIN; datagrams no
 * connection; SO_PEERCRED the client's real pid; SCM_RIGHTS the bytes read through the
 * descriptor and no "sent 0"; runs of receive events collapsed; payloads as Python bytes;
 * lines within the width; steps in causal order across processes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { labEn } from "../src/i18n/lab-en.js";
import { labEs } from "../src/i18n/lab-es.js";
import { runLab } from "../src/lab/main.js";
import { wrap } from "../src/lab/narrate.js";
import { groupDigits, pyBytes, transportOf } from "../src/lab/texts.js";

/** Every key path of a catalogue ("explain.listening", "exercises.B3.story"…). */
function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

test("the English and Spanish lab catalogues have exactly the same keys", () => {
  assert.deepEqual(keys(labEs), keys(labEn));
  for (const [id, text] of Object.entries(labEs.exercises)) {
    assert.ok(text.title !== "" && text.story.length > 0 && text.story.every((p) => p.trim() !== ""), `es ${id}`);
    const en = labEn.exercises[id as keyof typeof labEn.exercises];
    assert.ok(en.title !== "" && en.story.length > 0 && en.story.every((p) => p.trim() !== ""), `en ${id}`);
  }
});

test("payloads are shown as Python prints bytes, long ones abbreviated", () => {
  assert.equal(pyBytes(Buffer.from("hola\n")), "b'hola\\n'");
  assert.equal(pyBytes(Buffer.from([0, 0xff, 0x0d, 0x09, 0x5c])), "b'\\x00\\xff\\r\\t\\\\'");
  assert.equal(pyBytes(Buffer.from("it's")), `b"it's"`);
  assert.equal(pyBytes(Buffer.from(`'"`)), `b'\\'"'`);
  assert.equal(pyBytes(Buffer.from("día")), "b'd\\xc3\\xada'");
  assert.equal(pyBytes(Buffer.alloc(100, 0x61), 4), "b'aaaa'… (100 bytes)");
  assert.equal(groupDigits(33554432), "33 554 432");
  assert.equal(groupDigits(521), "521");
  assert.equal(transportOf("unix:/tmp/a.sock#3"), "unix");
  assert.equal(transportOf("abstract-dgram:x"), "abstract-dgram");
  assert.equal(transportOf("tcp://[::1]:9"), "tcp");
});

test("wrap keeps every line within the width, long words included", () => {
  const text = `${"palabra ".repeat(30)} /tmp/${"x".repeat(120)}/eco.sock fin`;
  for (const width of [40, 80]) {
    const lines = wrap(text, "  ", "    ", width);
    assert.ok(lines.length > 3);
    for (const line of lines) assert.ok([...line].length <= width, `${width}: ${line}`);
    assert.equal(lines.join(" ").replace(/\s+/g, ""), `  ${text}`.replace(/\s+/g, ""));
  }
});

async function lab(argv: string[], width = 80): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runLab(argv, { out: (t) => void (out += t), err: (t) => void (out += t), width });
  return { code, out };
}

/** The narration of exercise `id` within a report. */
function section(out: string, id: string): string {
  const start = out.indexOf(`── ${id} · `);
  assert.ok(start >= 0, `no narration for ${id}`);
  const end = out.indexOf("\n── ", start + 1);
  return out.slice(start, end < 0 ? undefined : end);
}

/** Text with its line breaks and indentation folded into single spaces, for matching phrases. */
function flat(text: string): string {
  return text.replace(/\s+/g, " ");
}

/** The step lines of a narration (time, who, text), continuation lines joined. */
function steps(text: string): { who: string; text: string }[] {
  const out: { who: string; text: string }[] = [];
  let col = -1;
  for (const line of text.split("\n")) {
    const m = /^( {2,3}\+\d+[.,]\d{3}s {2}(.+?) {2,})(\S.*)$/.exec(line);
    if (m) {
      col = [...(m[1] as string)].length;
      out.push({ who: (m[2] as string).trim(), text: m[3] as string });
    } else if (col > 0 && line.startsWith(" ".repeat(col)) && line[col] !== " " && line[col] !== "└") {
      (out[out.length - 1] as { text: string }).text += ` ${line.trim()}`;
    } else if (!line.startsWith(" ".repeat(Math.max(col, 1)))) col = -1;
  }
  return out;
}

test("a Spanish report: Spanish throughout, true per transport, bytes shown, width kept", { timeout: 60_000 }, async () => {
  const r = await lab(["4", "5", "13", "B2", "B3", "B4", "--verbose", "--lang", "es"]);
  assert.equal(r.code, 0, r.out);
  for (const line of r.out.split("\n")) assert.ok([...line].length <= 80, `wider than 80: ${line}`);
  assert.match(r.out, /^socklab lab — 6 ejercicios/);
  assert.match(r.out, /\n6 bien, 0 fallaron\n$/);
  assert.match(r.out, /ejercicio\s+resultado/);
  // No English event line anywhere (the CLI's lines come through the Spanish catalogue).
  for (const s of steps(r.out)) {
    assert.doesNotMatch(s.text, /^(listening|accept |connected to|send |recv |close |reply from|datagram |stopping|attempt )/, s.text);
  }
  assert.doesNotMatch(r.out, /step by step|Result:|the lab /);

  // 4: 32 MiB in hundreds of recv() calls, one line.
  assert.match(flat(section(r.out, "4")), /\d{2,} × recv de tcp:\/\/127\.0\.0\.1:\d+, 33 554 432 bytes en total/);
  // 5: a silent server means "connected, no reply within 0.5 s", not "unavailable".
  assert.match(flat(section(r.out, "5")), /conectado, sin respuesta en 0,5 s/);
  // 13: datagrams, no connection at all.
  const udp = flat(section(r.out, "13"));
  assert.doesNotMatch(udp, /aceptado|conectado a|handshake|FIN/);
  assert.match(udp, /No hay conexión/);
  assert.match(udp, /stdout ← b'ping/);
  // Unix sockets: a path or a name, never SYN or FIN.
  for (const id of ["B2", "B3", "B4"]) {
    const text = flat(section(r.out, id));
    assert.doesNotMatch(text, /SYN|FIN enviado|three-way/, id);
  }
  assert.match(flat(section(r.out, "B2")), /espacio abstracto/);
  // B3: the real pid of the lab's client process.
  const b3 = flat(section(r.out, "B3"));
  const pid = /pid=(\d+) uid=(\d+) gid=(\d+)/.exec(b3);
  assert.ok(pid, b3);
  assert.match(b3, new RegExp(`El pid ${pid[1]} es el del proceso "cliente"`));
  assert.match(b3, new RegExp(`b'Hola UID=${pid[2]} PID=${pid[1]}\\\\n'`));
  // B4: the bytes read through the descriptor; no "sent 0".
  const b4 = flat(section(r.out, "B4"));
  assert.match(b4, /leyó por el descriptor recibido \(su fd \d+\):\s+b'archivo compartido por SCM_RIGHTS [0-9a-f]{6}\\n'/);
  assert.doesNotMatch(b4, /enviados 0/);
  // B4: the descriptor's number on each side (the server's file, what recvmsg gave the client) and the bytes read through it.
  const sentFd = /sendmsg\(\) a unix:\S+: "FD" \+ el descriptor de .*?, fd (\d+) en este proceso/.exec(b4);
  assert.ok(sentFd, `no number for the server's descriptor:\n${b4}`);
  const gotFd = /recvmsg\(\): "FD" \+ un descriptor, fd (\d+) en este proceso \(fd (\d+) en el servidor\); leídos 41 bytes del archivo a través de él/.exec(b4);
  assert.ok(gotFd, `no numbers or bytes on the client's side:\n${b4}`);
  assert.equal(gotFd[2], sentFd[1], "the client's line names the server's number");
  assert.match(b4, new RegExp(`su fd ${gotFd[1]}\\)`), "the bytes read name the client's number");
  assert.match(flat(r.out), new RegExp(`\\(fd ${sentFd[1]} en el servidor, fd ${gotFd[1]} en el cliente\\)`), "the results table names both numbers");
  // What the client printed through the descriptor comes after the server's sendmsg(), never before.
  const order = steps(section(r.out, "B4")).map((x) => x.text);
  const sendmsg = order.findIndex((x) => x.startsWith("sendmsg()"));
  const printed = order.findIndex((x) => x.startsWith("stdout ←"));
  const recvmsg = order.findIndex((x) => x.startsWith("recvmsg()"));
  const sigterm = order.findIndex((x) => x.startsWith("el lab envía SIGTERM"));
  const stopping = order.findIndex((x) => x.startsWith("deteniendo"));
  assert.ok(sendmsg >= 0 && recvmsg > sendmsg && printed > sendmsg && stopping > sigterm && sigterm > 0, `B4's steps out of order:\n${order.join("\n")}`);
});

test("an English report has no Spanish, and steps follow cause and effect across processes", { timeout: 30_000 }, async () => {
  const r = await lab(["2", "--lang", "en"], 100);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /escuchando|aceptado|recibidos|paso a paso|el lab|BIEN/);
  const s = steps(section(r.out, "2"));
  const at = (who: string, re: RegExp): number => {
    const i = s.findIndex((x) => x.who === who && re.test(x.text));
    assert.ok(i >= 0, `no step ${who} ${re} in ${JSON.stringify(s, null, 1)}`);
    return i;
  };
  const order = [
    at("lab", /^\$ socklab listen/),
    at("nc", /^listening tcp:/),
    at("client", /^send tcp:\S+ 11 bytes/),
    at("nc", /^recv tcp:\S+ 11 bytes/),
    at("nc", /^stdout ← b'hola mundo\\n'/),
    at("lab", /types b'hola, soy nc\\n'/),
    at("nc", /^send tcp:\S+ 13 bytes/),
    at("client", /^recv tcp:\S+ 13 bytes/),
    at("client", /^stdout ← b'hola, soy nc\\n'/),
  ];
  assert.deepEqual(order, [...order].sort((a, b) => a - b), JSON.stringify(s, null, 1));
});

test("the recv_all client of exercise 2.6 gives its usage errors from the lab's catalogue, in the locale's language", async () => {
  const { execFile } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const script = fileURLToPath(new URL("../src/lab/recv-all-client.js", import.meta.url));
  const run = (lang: string, args: string[]): Promise<{ code: number | null; event: { event: string; code: string; message: string } }> =>
    new Promise((resolve) => {
      const env = { ...process.env, LC_ALL: lang };
      const child = execFile(process.execPath, [script, ...args], { env, timeout: 20_000 }, (_err, _stdout, stderr) =>
        resolve({ code: child.exitCode, event: JSON.parse(stderr.trim()) }),
      );
    });
  for (const [lang, texts] of [["C", labEn], ["es_ES.UTF-8", labEs]] as const) {
    const none = await run(lang, []);
    assert.equal(none.code, 2);
    assert.deepEqual([none.event.event, none.event.code, none.event.message], ["error", "ERR_USAGE", texts.errors.recvAllUsage]);
    const udp = await run(lang, ["udp://127.0.0.1:9"]);
    assert.equal(udp.code, 2);
    assert.equal(udp.event.message, texts.errors.recvAllOnlyTcp("udp://127.0.0.1:9"));
  }
});

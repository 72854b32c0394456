/**
 * `socklab lab --html FILE`: one self-contained page with a ladder diagram (inline SVG) per
 * exercise, in the report's language, with nothing fetched from anywhere. When Chromium is
 * installed (.ci/run installs it), a headless Chromium loads the page: one diagram per
 * exercise in its DOM, no console errors, and a screenshot kept as a test artefact
 * (test-artifacts/lab-ladder.png, or $SOCKLAB_ARTIFACTS).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLab } from "../src/lab/main.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function lab(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runLab(argv, { out: (t) => void (out += t), err: (t) => void (out += t), width: 80 });
  return { code, out };
}

function chromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

/** Headless Chromium, as quiet and offline as it gets, with a profile of its own. */
function browse(bin: string, profile: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    bin,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--enable-logging=stderr",
      "--v=0",
      ...args,
    ],
    { encoding: "utf8", timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

test("--html writes one self-contained page, a ladder diagram per exercise, in the report's language", { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "socklab-labhtml-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "lab.html");
  const r = await lab(["2", "7", "B2", "5", "--html", file, "--lang", "es"]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`escrito ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`));
  const html = readFileSync(file, "utf8");
  assert.match(html, /^<!DOCTYPE html>\n<html lang="es">/);
  assert.equal(html.match(/<svg class="ladder"/g)?.length, 4, "one diagram per exercise");
  for (const id of ["2", "7", "B2", "5"]) assert.match(html, new RegExp(`<section id="ex-${id}">`));
  assert.match(html, /Cliente TCP “hola mundo” \(bloqueante\)/);
  // Nothing from the network, no scripts, no external fonts or styles.
  assert.doesNotMatch(html, /https?:|<script|<link|@import|@font-face|url\((?!#)/i);
  assert.doesNotMatch(html, /server unavailable|attempt \d/, "an English line in the Spanish page");
  // Arrows from the events: the TCP handshake, bytes both ways, datagrams, failed attempts.
  const section = (id: string): string => html.slice(html.indexOf(`<section id="ex-${id}">`), html.indexOf("</section>", html.indexOf(`<section id="ex-${id}">`)));
  assert.match(section("2"), /class="arrow connect"[\s\S]*SYN · SYN\/ACK · ACK/);
  assert.match(section("2"), /class="arrow bytes"[\s\S]*>11 B</);
  assert.match(section("2"), /class="arrow bytes"[\s\S]*>13 B</);
  assert.match(section("B2"), /class="arrow connect"[\s\S]*>connect\(\)</);
  const diagram = (id: string): string => /<svg class="ladder"[\s\S]*?<\/svg>/.exec(section(id))?.[0] ?? "";
  assert.doesNotMatch(diagram("B2"), /SYN|FIN/, "a Unix socket's diagram shows no TCP packets");
  assert.match(diagram("B2"), />EOF</);
  assert.match(section("7"), /class="arrow (request|reply)"/);
  assert.match(section("5"), /class="step fail"[\s\S]*ECONNREFUSED · nuevo intento en \d+(,\d+)? s/);
  assert.match(section("5"), /ETIMEDOUT/);
  // The reproduce-by-hand commands, each side with socklab, nc/socat and Python.
  assert.match(section("2"), /<pre class="repro">Reprodúcelo a mano[\s\S]*con nc \/ socat\n\s+servidor: printf 'hola, soy nc\\n' \| nc -N -l 127\.0\.0\.1 5000/);
  assert.match(section("2"), /con Python\n\s+servidor: python3 -c 'if 1:\n\s+import socket/);

  const english = join(dir, "lab-en.html");
  const e = await lab(["13", "B4", "--html", english, "--lang", "en"]);
  assert.equal(e.code, 0, e.out);
  const en = readFileSync(english, "utf8");
  assert.match(en, /<html lang="en">/);
  assert.match(en, /UDP echo server/);
  assert.doesNotMatch(en, /Servidor|paso a paso|Resultado/);
  // SCM_RIGHTS: the server's number, an arrow to the number recvmsg() gave the client, the bytes read through it.
  const b4 = en.slice(en.indexOf('<section id="ex-B4">'));
  const sent = />sendmsg\(SCM_RIGHTS\) fd (\d+)</.exec(b4);
  const got = />recvmsg → fd (\d+), read\(\) 41 B</.exec(b4);
  assert.ok(sent && got, "B4's lanes show both descriptor numbers and the bytes read");
  // The lab runs recv-fd with --trace (as connect): its connected event gives the ladder the connect arrow.
  assert.match(b4.slice(0, b4.indexOf("</svg>")), /class="arrow connect"[\s\S]*>connect\(\)</, "B4's ladder has no connect arrow");
  assert.match(b4, new RegExp(`class="arrow descriptor"[\\s\\S]*>&quot;FD&quot; \\+ fd ${sent[1]} → fd ${got[1]}<`));
  assert.match(b4, new RegExp(`\\(fd ${sent[1]} in the server, fd ${got[1]} in the client\\)`));

  const bin = chromium();
  if (bin === undefined) {
    t.skip("chromium is not installed here (.ci/run installs it): the page was checked as text only");
    return;
  }
  const profile = join(dir, "profile");
  const dom = browse(bin, profile, ["--dump-dom", `file://${file}`]);
  assert.equal(dom.status, 0, dom.stderr.slice(-2000));
  assert.equal(dom.stdout.match(/<svg class="ladder"/g)?.length, 4, "the browser's DOM has one diagram per exercise");
  const consoleErrors = dom.stderr.split("\n").filter((l) => /CONSOLE|Uncaught|Failed to load resource|ERR_FILE_NOT_FOUND|net::ERR/.test(l));
  assert.deepEqual(consoleErrors, [], "console errors while loading the page");
  const artifacts = process.env.SOCKLAB_ARTIFACTS ?? join(ROOT, "test-artifacts");
  mkdirSync(artifacts, { recursive: true });
  const png = join(artifacts, "lab-ladder.png");
  rmSync(png, { force: true });
  const shot = browse(bin, profile, ["--hide-scrollbars", "--window-size=1200,1500", `--screenshot=${png}`, `file://${file}`]);
  assert.equal(shot.status, 0, shot.stderr.slice(-2000));
  assert.ok(existsSync(png) && statSync(png).size > 10_000, `no screenshot at ${png}`);
  assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "the screenshot is a PNG");
});

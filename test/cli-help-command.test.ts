/**
 * `socklab help COMMAND`, help in Spanish and English, and the usage errors of the command
 * line: one line in the user's language, then the short usage line and a hint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSocklab, hasStackTrace, stderrLines } from "./support/cli.js";

const ENGLISH = { ...process.env, LANG: "C.UTF-8", LC_ALL: "", LC_MESSAGES: "" };
const SPANISH = { ...process.env, LANG: "es_ES.UTF-8", LC_ALL: "", LC_MESSAGES: "" };

for (const command of ["serve", "connect", "listen", "discover", "recv-fd", "bench"]) {
  test(`socklab help ${command} prints exactly what socklab ${command} --help prints`, { timeout: 45_000 }, async () => {
    const [viaHelp, viaFlag] = await Promise.all([runSocklab(["help", command], { env: ENGLISH }), runSocklab([command, "--help"], { env: ENGLISH })]);
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.equal(viaHelp.stdout.toString(), viaFlag.stdout.toString());
    assert.match(viaHelp.stdout.toString(), new RegExp(`^usage: socklab ${command}\\b`));
    assert.equal(viaHelp.stderr, "");
  });
}

test("socklab help lab prints the lab's own help; socklab help prints the general help", { timeout: 45_000 }, async () => {
  const lab = await runSocklab(["help", "lab"], { env: ENGLISH });
  assert.equal(lab.code, 0, lab.stderr);
  assert.match(lab.stdout.toString(), /socklab lab/);
  const [general, flag] = await Promise.all([runSocklab(["help"], { env: ENGLISH }), runSocklab(["--help"], { env: ENGLISH })]);
  assert.equal(general.code, 0);
  assert.equal(general.stdout.toString(), flag.stdout.toString());
  assert.match(general.stdout.toString(), /^Commands:$/m);
});

test("socklab help NOSUCH is a usage error naming it", { timeout: 30_000 }, async () => {
  const r = await runSocklab(["help", "nosuch"], { env: ENGLISH });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^socklab: unknown command "nosuch"$/m);
  assert.equal(r.stdout.length, 0);
});

test("help in Spanish from LANG, and --lang en before or after the command wins over it", { timeout: 45_000 }, async () => {
  const [es, enBefore, enAfter] = await Promise.all([
    runSocklab(["help", "connect"], { env: SPANISH }),
    runSocklab(["--lang", "en", "connect", "--help"], { env: SPANISH }),
    runSocklab(["connect", "--help", "--lang=en"], { env: SPANISH }),
  ]);
  assert.match(es.stdout.toString(), /^uso: socklab connect DIRECCIÓN/);
  assert.match(es.stdout.toString(), /^Opciones:$/m);
  assert.match(es.stdout.toString(), /--send TEXTO +envía TEXTO/);
  for (const r of [enBefore, enAfter]) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^usage: socklab connect ADDRESS/);
    assert.match(r.stdout.toString(), /^Options:$/m);
  }
});

/** Each command line with a negative number, and the range its error states (serve's limits must be > 0). */
const NEGATIVES: Array<[string[], string]> = [
  [["connect", "tcp://127.0.0.1:1", "--timeout", "-1"], "≥ 0"],
  [["connect", "tcp://127.0.0.1:1", "--backoff", "-0.5"], "≥ 0"],
  [["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout", "-3"], "greater than 0"],
  [["discover", "udp://127.255.255.255:9008", "--timeout", "-2"], "≥ 0"],
];
for (const [args, range] of NEGATIVES) {
  test(`a negative number is a one-line usage error saying ${range}: socklab ${args.join(" ")}`, { timeout: 10_000 }, async () => {
    const r = await runSocklab(args, { env: ENGLISH });
    assert.equal(r.code, 2, r.stderr);
    const lines = stderrLines(r.stderr);
    assert.equal(lines.length, 3, `error, usage, hint:\n${r.stderr}`);
    assert.match(lines[0]!, new RegExp(`^socklab ${args[0]}: --\\S+ needs a number of seconds ${range} .*got "${args.at(-1)}"$`));
    assert.match(lines[1]!, new RegExp(`^usage: socklab ${args[0]} .*\\[options\\]$`));
    assert.equal(lines[2], `Try 'socklab ${args[0]} --help'.`);
    assert.doesNotMatch(r.stderr, /ambiguous/);
    assert.doesNotMatch(r.stderr, /^listening /m);
  });
}

test("--retries -1 is told the whole-number range, in one line", { timeout: 30_000 }, async () => {
  const r = await runSocklab(["connect", "tcp://127.0.0.1:1", "--retries", "-1"], { env: ENGLISH });
  assert.equal(r.code, 2);
  assert.match(stderrLines(r.stderr)[0]!, /--retries needs a whole number from 1 to 1000, got "-1"/);
});

test("a value that starts with a dash is explained in one line (write --send=-x)", { timeout: 30_000 }, async () => {
  const r = await runSocklab(["connect", "tcp://127.0.0.1:1", "--send", "-x"], { env: ENGLISH });
  assert.equal(r.code, 2);
  assert.match(stderrLines(r.stderr)[0]!, /^socklab connect: --send needs a value, not "-x" .*--send=-x/);
  assert.equal(stderrLines(r.stderr).length, 3, r.stderr);
});

/** Usage errors in Spanish: [arguments, the first line expected]. */
const SPANISH_ERRORS: Array<[string[], RegExp]> = [
  [["connect"], /^socklab connect: falta DIRECCIÓN$/],
  [["frobnicate"], /^socklab: orden desconocida "frobnicate"$/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--bogus"], /^socklab serve: opción desconocida --bogus$/],
  [["serve", "echo", "tcp://127.0.0.1:0", "--idle-timeout"], /^socklab serve: --idle-timeout necesita un valor$/],
  [["connect", "tcp://127.0.0.1:1", "--lines=x"], /^socklab connect: --lines no admite valor$/],
  [["connect", "tcp://127.0.0.1:1", "--timeout", "-1"], /^socklab connect: --timeout necesita un número de segundos ≥ 0 .*no "-1"$/],
  [["connect", "tcp://127.0.0.1"], /^socklab connect: dirección incorrecta "tcp:\/\/127\.0\.0\.1": falta :PUERTO/],
  [["connect", "9000"], /^socklab connect: dirección incorrecta "9000": ¿quería decir tcp:\/\/127\.0\.0\.1:9000\?/],
  [["discover", "tcp://127.0.0.1:9"], /^socklab discover: discover necesita una dirección udp:\/\/DIFUSIÓN:PUERTO$/],
  [["--lang", "fr", "connect"], /^socklab: --lang admite es o en, no "fr"$/],
];
for (const [args, first] of SPANISH_ERRORS) {
  test(`usage error in Spanish: socklab ${args.join(" ")}`, { timeout: 30_000 }, async () => {
    const r = await runSocklab(args, { env: SPANISH });
    assert.equal(r.code, 2, r.stderr);
    const lines = stderrLines(r.stderr);
    assert.match(lines[0]!, first, r.stderr);
    assert.match(lines[1]!, /^uso: socklab /);
    assert.match(lines[2]!, /^Pruebe 'socklab (\S+ )?--help'\.$/);
    assert.equal(lines.length, 3, r.stderr);
    assert.ok(!hasStackTrace(r.stderr));
  });
}

test("--json: a usage error is one error event with a stable code", { timeout: 30_000 }, async () => {
  const [usage, address] = await Promise.all([
    runSocklab(["--json", "connect", "tcp://127.0.0.1:1", "--timeout", "-1"], { env: SPANISH }),
    runSocklab(["--json", "connect", "tcp://127.0.0.1:99999"], { env: SPANISH }),
  ]);
  for (const [r, code] of [[usage, "ERR_USAGE"], [address, "ERR_BAD_ADDRESS"]] as const) {
    assert.equal(r.code, 2);
    const lines = stderrLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    const event = JSON.parse(lines[0]!) as { event: string; code: string; message: string };
    assert.equal(event.event, "error");
    assert.equal(event.code, code);
    // The JSON detail stays English whatever the language.
    assert.match(event.message, /needs a number|bad address/);
  }
});

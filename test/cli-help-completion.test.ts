/**
 * `socklab completion bash|zsh|fish`: generated from the option tables, so every option of
 * every command is offered; bash and fish are driven for real, zsh is syntax-checked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { completionScript, SHELLS } from "../src/cli/completion.js";
import { OPTION_TABLES, optionRows, type CommandName } from "../src/cli/help.js";
import { runSocklab } from "./support/cli.js";
import { tempDir } from "./support/tmp.js";
import { which } from "./support/tools.js";

const has = (command: string): boolean => which(command) !== undefined;

test("every script names every option of every command's table", () => {
  for (const shell of SHELLS) {
    const script = completionScript(shell, "en");
    for (const [command, table] of Object.entries(OPTION_TABLES) as Array<[CommandName, NonNullable<(typeof OPTION_TABLES)[CommandName]>]>) {
      for (const row of optionRows(command, table, "en")) {
        const spelled = shell === "fish" ? (row.long ? `-l ${row.long}` : `-s ${row.short}`) : row.long ? `--${row.long}` : `-${row.short}`;
        assert.ok(script.includes(spelled), `${shell}: ${command} ${spelled}`);
      }
    }
  }
});

test("socklab completion SHELL prints the script; a missing or unknown shell is a usage error", { timeout: 45_000 }, async () => {
  const [bash, none, tcsh] = await Promise.all([
    runSocklab(["completion", "bash"]),
    runSocklab(["completion"]),
    runSocklab(["completion", "tcsh"]),
  ]);
  assert.equal(bash.code, 0, bash.stderr);
  assert.equal(bash.stdout.toString(), completionScript("bash", "en"));
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing SHELL/);
  assert.equal(tcsh.code, 2);
  assert.match(tcsh.stderr, /no completion for "tcsh" \(shells: bash, zsh, fish\)/);
});

/** What bash completes after the words given (the last one is being typed). */
function bashCompletes(script: string, words: string[]): string[] {
  const dir = tempDir();
  try {
    const file = join(dir, "socklab.bash");
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ");
    const out = execFileSync(
      "bash",
      ["-c", `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _socklab; printf '%s\\n' "\${COMPREPLY[@]}"`, "_", file],
      { encoding: "utf8", cwd: dir, timeout: 5000 },
    );
    return out.split("\n").filter((l) => l !== "");
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
}

test("bash: commands, options, option values, services and shells complete as expected", () => {
  const script = completionScript("bash", "en");
  assert.ok(bashCompletes(script, ["socklab", ""]).includes("connect"));
  assert.deepEqual(bashCompletes(script, ["socklab", "co"]), ["connect", "completion"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "connect", "--se"]), ["--send", "--send-only"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "connect", "--send", "hola", "--ti"]), ["--timeout"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "connect", "--timeout", ""]), [], "a value: nothing to offer");
  assert.deepEqual(bashCompletes(script, ["socklab", "serve", "e"]), ["echo", "exec"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "serve", "b"]), ["broker"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "serve", "ch"]), ["chat"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "serve", "echo", "e"]), [], "the address is not a service");
  assert.deepEqual(bashCompletes(script, ["socklab", "--lang", ""]), ["es", "en"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "--lang", "es", "lis"]), ["listen"]);
  assert.deepEqual(bashCompletes(script, ["socklab", "completion", ""]), ["bash", "zsh", "fish"]);
  assert.ok(bashCompletes(script, ["socklab", "listen", "-"]).includes("--keep-open"));
});

test("zsh: the script parses (zsh -n)", { skip: has("zsh") ? false : "zsh is not installed (.ci/run installs it)" }, () => {
  for (const lang of ["en", "es"] as const) {
    const dir = tempDir();
    try {
      writeFileSync(join(dir, "_socklab"), completionScript("zsh", lang));
      execFileSync("zsh", ["-n", join(dir, "_socklab")], { timeout: 5000 });
    } finally {
      execFileSync("rm", ["-rf", dir]);
    }
  }
});

test("fish: the script parses and completes options, commands and services", { skip: has("fish") ? false : "fish is not installed (.ci/run installs it)" }, () => {
  const dir = tempDir();
  try {
    const file = join(dir, "socklab.fish");
    writeFileSync(file, completionScript("fish", "en"));
    execFileSync("fish", ["-n", file], { timeout: 5000 });
    const complete = (line: string): string[] =>
      execFileSync("fish", ["-c", `source $argv[1]; complete -C '${line}'`, file], { encoding: "utf8", timeout: 5000 })
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("\t")[0]!);
    assert.deepEqual(complete("socklab connect --se"), ["--send", "--send-only"]);
    assert.ok(complete("socklab ").includes("recv-fd"));
    assert.ok(complete("socklab serve ").includes("line-echo"));
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
});

/**
 * Help cannot drift from the options that exist: every option of every command's option
 * table (the objects its parseArgs gets) is described in both languages, every description
 * belongs to an option that exists, and the generated help and usage lines name them all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LANGS } from "../src/i18n/catalog.js";
import { CATALOGS } from "../src/i18n/format.js";
import { SERVICES } from "../src/services/registry.js";
import { COMMAND_NAMES, GLOBAL_OPTIONS, OPTION_TABLES, commandHelp, generalHelp, optionRows, usageLine, type CommandName } from "../src/cli/help.js";

/** Every (scope, table) whose options help describes. */
const TABLES: Array<[string, Record<string, { type: string; short?: string; multiple?: boolean }>]> = [
  ["global", GLOBAL_OPTIONS],
  ...Object.entries(OPTION_TABLES).map(([name, table]) => [name, table!] as [string, typeof GLOBAL_OPTIONS]),
];

test("the option tables are the commands' own (serve, connect, listen, discover, recv-fd, scan, relay)", () => {
  assert.deepEqual(Object.keys(OPTION_TABLES).sort(), ["connect", "discover", "listen", "recv-fd", "relay", "scan", "serve"]);
  assert.ok("send" in OPTION_TABLES.connect!, "connect's table has --send");
});

test("every option of every table has a description in both languages, with a value name exactly when it takes a value", () => {
  const problems: string[] = [];
  for (const lang of LANGS) {
    for (const [scope, table] of TABLES) {
      for (const [name, spec] of Object.entries(table)) {
        const key = `${scope}.${name}`;
        const entry = CATALOGS[lang].help.options[key];
        if (entry === undefined) {
          problems.push(`${lang}: no help for ${key} (add it to src/i18n/help-${lang}.ts)`);
          continue;
        }
        if (entry.text.trim() === "") problems.push(`${lang}: empty help for ${key}`);
        if ((spec.type === "string") !== (entry.arg !== undefined)) {
          problems.push(`${lang}: ${key} ${spec.type === "string" ? "takes a value but has no arg name" : "is a flag but has an arg name"}`);
        }
      }
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});

test("every option description belongs to an option of a table (no help for options that do not exist)", () => {
  const existing = new Set(TABLES.flatMap(([scope, table]) => Object.keys(table).map((name) => `${scope}.${name}`)));
  for (const lang of LANGS) {
    const stale = Object.keys(CATALOGS[lang].help.options).filter((key) => !existing.has(key));
    assert.deepEqual(stale, [], `${lang}: help for options no table has: ${stale.join(", ")}`);
  }
});

test("every command and every serve service is described in both languages, and nothing else", () => {
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(CATALOGS[lang].help.commands).sort(), [...COMMAND_NAMES].sort(), `${lang} commands`);
    assert.deepEqual(Object.keys(CATALOGS[lang].help.services).sort(), Object.keys(SERVICES).sort(), `${lang} services`);
  }
});

for (const lang of LANGS) {
  test(`${lang}: each command's help and full usage line name every option of its table`, () => {
    for (const [command, table] of Object.entries(OPTION_TABLES) as Array<[CommandName, NonNullable<(typeof OPTION_TABLES)[CommandName]>]>) {
      const help = commandHelp(command, lang);
      const full = usageLine(command, lang, true);
      assert.ok(help.startsWith(full), `${command} help starts with its usage line`);
      for (const row of optionRows(command, table, lang)) {
        const spelled = row.long ? `--${row.long}` : `-${row.short}`;
        assert.ok(help.includes(spelled), `${command} help names ${spelled}`);
        assert.ok(full.includes(row.short ? `-${row.short}` : spelled), `${command} usage names ${spelled}`);
        // Long texts are wrapped to 100 columns: compare with white space folded.
        const folded = (text: string): string => text.replace(/\s+/g, " ");
        assert.ok(folded(help).includes(folded(row.help.text.split("\n")[0]!)), `${command} help describes ${spelled}`);
      }
      assert.match(usageLine(command, lang), new RegExp(`socklab ${command}\\b.*\\[${CATALOGS[lang].help.optionsWord}\\]$`), "short usage line");
    }
  });

  test(`${lang}: the general help lists every command and the options of every command`, () => {
    const help = generalHelp(lang);
    for (const command of COMMAND_NAMES) assert.match(help, new RegExp(`^  ${command}\\b`, "m"), `lists ${command}`);
    for (const name of Object.keys(GLOBAL_OPTIONS)) assert.ok(help.includes(`--${name}`), `names --${name}`);
  });
}

test("the help of the two languages differs (Spanish is not English)", () => {
  for (const command of Object.keys(OPTION_TABLES) as CommandName[]) {
    assert.notEqual(commandHelp(command, "es"), commandHelp(command, "en"), command);
  }
  assert.match(commandHelp("connect", "es"), /^uso: socklab connect DIRECCIÓN/);
  assert.match(commandHelp("connect", "es"), /^Opciones:$/m);
});

test("help lines stay readable: every line of every help within 100 columns (usage lines of lab and bench aside)", () => {
  for (const lang of LANGS) {
    for (const command of COMMAND_NAMES) {
      for (const line of commandHelp(command, lang).split("\n").slice(1)) {
        assert.ok(line.length <= 100, `${lang} ${command} help: ${line.length} columns: ${line}`);
      }
    }
    const commands = generalHelp(lang).split(/\n\n/).find((part) => part.startsWith(CATALOGS[lang].help.headings.commands));
    for (const line of commands?.split("\n") ?? []) assert.ok(line.length <= 100, `${lang} general help: ${line.length} columns: ${line}`);
    for (const command of Object.keys(OPTION_TABLES) as CommandName[]) {
      const options = commandHelp(command, lang).split(/\n\n/).find((part) => part.startsWith(CATALOGS[lang].help.headings.options));
      for (const line of options?.split("\n") ?? []) assert.ok(line.length <= 100, `${lang} ${command}: ${line.length} columns: ${line}`);
      for (const line of usageLine(command, lang, true).split("\n")) assert.ok(line.length <= 100, `${lang} ${command} usage: ${line}`);
    }
  }
});

/**
 * The man page (package.json `man`: docs/socklab.1) is generated from the option tables and
 * the catalogue after every compile (npm run build / prepare / pretest), and published.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { manPage } from "../src/cli/manpage.js";
import { GLOBAL_OPTIONS, OPTION_TABLES, optionRows, type CommandName } from "../src/cli/help.js";
import { which } from "./support/tools.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  man?: string[];
  files?: string[];
  scripts?: Record<string, string>;
};

const has = (command: string): boolean => which(command) !== undefined;

test("package.json publishes docs/socklab.1 as the man page and generates it on every build", () => {
  assert.deepEqual(pkg.man, ["./docs/socklab.1"]);
  assert.ok(pkg.files?.includes("docs/socklab.1"), "docs/socklab.1 is in the published files");
  for (const script of ["build", "prepare", "pretest"]) {
    assert.match(pkg.scripts?.[script] ?? "", /node scripts\/man\.mjs/, `${script} generates the man page`);
  }
});

test("docs/socklab.1 is what the option tables and the catalogue produce (npm run build writes it)", () => {
  const generated = readFileSync(join(ROOT, "docs/socklab.1"), "utf8");
  assert.equal(generated, manPage("en", pkg.version), "docs/socklab.1 is out of date: run 'npm run build'");
});

test("the man page describes every option of every command and the options of every command", () => {
  for (const lang of ["en", "es"] as const) {
    const page = manPage(lang, pkg.version);
    const tables = [...Object.entries(OPTION_TABLES), ["global", GLOBAL_OPTIONS]] as Array<[CommandName | "global", NonNullable<(typeof OPTION_TABLES)[CommandName]>]>;
    for (const [scope, table] of tables) {
      for (const row of optionRows(scope, table, lang)) {
        const name = (row.long ? `--${row.long}` : `-${row.short}`).replace(/-/g, "\\-");
        assert.ok(page.includes(`\\fB${name}\\fR`), `${lang}: ${scope} ${name}`);
      }
    }
  }
});

test("groff renders the page without a warning", { skip: has("groff") ? false : "groff is not installed" }, () => {
  for (const lang of ["en", "es"] as const) {
    const r = spawnSync("groff", ["-man", "-Tutf8", "-ww", "-z"], { input: manPage(lang, pkg.version), encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, "", `${lang}: groff warnings`);
  }
  const rendered = execFileSync("groff", ["-man", "-Tutf8"], { input: readFileSync(join(ROOT, "docs/socklab.1")), encoding: "utf8" });
  assert.match(rendered, /socklab connect ADDRESS/);
});

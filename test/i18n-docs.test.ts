/**
 * The documentation of the machine-readable contract stays complete: every event type is
 * described in docs/EVENTS.md, and every error code socklab explains (the catalogue's causes)
 * or raises (string codes in src/) is in the table of docs/ERRORS.md; the README's --json
 * recipes run as written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { EVENT_TYPES } from "../src/events.js";
import { LANGS } from "../src/i18n/catalog.js";
import { CATALOGS } from "../src/i18n/format.js";
import { SOCKLAB_BIN } from "./support/cli.js";
import { Proc } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");

test("docs/EVENTS.md has a section for every event type, and no section for a type that does not exist", () => {
  const doc = read("docs/EVENTS.md");
  const sections = [...doc.matchAll(/^### (.+)$/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((x) => x[1]!));
  const missing = EVENT_TYPES.filter((type) => !sections.includes(type));
  assert.deepEqual(missing, [], `event types without a section in docs/EVENTS.md: ${missing.join(", ")}`);
  const unknown = sections.filter((s) => !(EVENT_TYPES as readonly string[]).includes(s));
  assert.deepEqual(unknown, [], `sections for no event type: ${unknown.join(", ")}`);
  for (const field of ["event", "seq", "t"]) assert.match(doc, new RegExp(`^\\| \`${field}\` \\|`, "m"), `the envelope documents ${field}`);
});

/** Each event type's fields as src/events.ts declares them: `name` or `name?` (optional). */
function declaredFields(): Map<string, string[]> {
  const sf = ts.createSourceFile("events.ts", read("src/events.ts"), ts.ScriptTarget.ES2022, true);
  const fields = new Map<string, string[]>();
  sf.forEachChild((node) => {
    if (!ts.isTypeAliasDeclaration(node) || node.name.text !== "SocklabEvent" || !ts.isUnionTypeNode(node.type)) return;
    for (const member of node.type.types) {
      if (!ts.isTypeLiteralNode(member)) continue;
      let type = "";
      const names: string[] = [];
      for (const prop of member.members) {
        if (!ts.isPropertySignature(prop) || !ts.isIdentifier(prop.name)) continue;
        if (prop.name.text === "type" && prop.type && ts.isLiteralTypeNode(prop.type) && ts.isStringLiteral(prop.type.literal)) {
          type = prop.type.literal.text;
        } else {
          names.push(`${prop.name.text}${prop.questionToken ? "?" : ""}`);
        }
      }
      fields.set(type, names);
    }
  });
  return fields;
}

test("docs/EVENTS.md documents every field of every event, optional ones marked with ?", () => {
  const doc = read("docs/EVENTS.md");
  const declared = declaredFields();
  assert.equal(declared.size, EVENT_TYPES.length, "every event type's declaration is read");
  const problems: string[] = [];
  for (const section of doc.split(/^### /m).slice(1)) {
    const heading = section.split("\n")[0]!;
    const documented = [...section.matchAll(/^\| `([a-zA-Z][a-zA-Z0-9]*\??)` \|/gm)].map((m) => m[1]!);
    for (const type of [...heading.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!)) {
      const fields = declared.get(type) ?? [];
      for (const field of fields) if (!documented.includes(field)) problems.push(`${type}: field \`${field}\` is not in its table`);
      for (const field of documented) if (!fields.includes(field)) problems.push(`${type}: the table has \`${field}\`, which src/events.ts does not declare`);
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});

/** Codes in the first column of the tables of docs/ERRORS.md. */
function documentedCodes(): Set<string> {
  return new Set([...read("docs/ERRORS.md").matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

test("docs/ERRORS.md lists every error code the catalogue explains", () => {
  const documented = documentedCodes();
  for (const lang of LANGS) {
    const missing = Object.keys(CATALOGS[lang].causes).filter((code) => !documented.has(code));
    assert.deepEqual(missing, [], `${lang} causes missing from docs/ERRORS.md: ${missing.join(", ")}`);
  }
});

test("docs/ERRORS.md lists every string code socklab raises", () => {
  const documented = documentedCodes();
  const raised = new Set<string>();
  for (const path of sourceFiles(join(ROOT, "src"))) {
    const text = readFileSync(path, "utf8");
    // ERR_… and ABORT_ERR literals, and the codes given to socklab's error classes.
    for (const m of text.matchAll(/["'`](ERR_[A-Z_]+|ABORT_ERR)["'`]/g)) raised.add(m[1]!);
    for (const m of text.matchAll(/(?:new SocklabError|super)\(\s*["'](E[A-Z0-9_]+|ERROR)["']/g)) raised.add(m[1]!);
  }
  assert.ok(raised.has("ERR_USAGE") && raised.has("ERR_UNAVAILABLE") && raised.has("ETIMEDOUT"), "the scan finds codes");
  const missing = [...raised].filter((code) => !documented.has(code)).sort();
  assert.deepEqual(missing, [], `codes raised in src/ but missing from docs/ERRORS.md: ${missing.join(", ")}`);
});

test("the README's --json recipes run as written and print what they say", { timeout: 30_000 }, async (t) => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## For scripts: --json"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "the section has a shell block");
  const dir = tempDir(t);
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "socklab"), `#!/bin/sh\nexec "${process.execPath}" "${SOCKLAB_BIN}" "$@"\n`);
  chmodSync(join(dir, "bin", "socklab"), 0o755);
  writeFileSync(join(dir, "recipes.sh"), block);
  // The server started in the background is stopped even if a recipe fails.
  const wrapper = 'trap \'kill $(jobs -p) 2>/dev/null\' EXIT; . ./recipes.sh';
  const proc = new Proc("bash", ["-c", wrapper], {
    cwd: dir,
    env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, LANG: "C.UTF-8", LC_ALL: "" },
    teardown: t,
  });
  const r = await proc.waitExit(25_000);
  const out = r.stdout.toString();
  assert.equal(r.code, 0, `${out}\n${r.stderr}`);
  assert.match(out, /^listening on tcp:\/\/127\.0\.0\.1:\d+ \(port \d+\)$/m);
  assert.match(out, /^hola\nadiós\n2\n/m, out);
  assert.equal((out.match(/^\{"peer":"tcp:\/\/127\.0\.0\.1:\d+","received":\d+,"sent":\d+\}$/gm) ?? []).length, 2, out);
  assert.match(out, /^(attempt-failed ECONNREFUSED\n){3}error ERR_UNAVAILABLE$/m, out);
});

/**
 * No import cycles under src/, between files or between folders (type imports count: a
 * type-only cycle still ties two modules together). A folder is a first-level folder of
 * src/ (src/cli/commands belongs to cli); a file directly in src/ is its own node.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SRC = join(ROOT, "src");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Relative specifiers a module imports or re-exports (static, side-effect, dynamic, type-only). */
export function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  for (const re of [/\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g, /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g, /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g]) {
    for (const m of code.matchAll(re)) found.push(m[1]!);
  }
  return found;
}

/** file (relative to src, .ts) → the files it imports. */
function fileGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const path of tsFiles(SRC)) {
    const from = relative(SRC, path);
    const targets = new Set<string>();
    for (const spec of specifiers(readFileSync(path, "utf8"))) {
      const target = relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, ".ts");
      if (!target.startsWith("..")) targets.add(target);
    }
    graph.set(from, targets);
  }
  return graph;
}

function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 1 ? `${parts[0]}/` : file;
}

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test("the cycle finder finds a cycle through a type import and none in a chain", () => {
  assert.deepEqual(specifiers('import type { A } from "../a/x.js";\nexport { b } from "./b.js";\nimport "./c.js";'), ["../a/x.js", "./b.js", "./c.js"]);
  const g = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], ["d", new Set(["a"])]]);
  assert.deepEqual(cycles(g), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", new Set(["b"])], ["b", new Set<string>()]])), []);
});

test("no two files under src/ import each other, directly or through others", () => {
  const graph = fileGraph();
  assert.ok(graph.size > 50, "src/ was found and read");
  assert.deepEqual(cycles(graph), []);
});

test("no two folders under src/ import each other (type imports count)", () => {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of fileGraph()) {
    const from = folderOf(file);
    const set = folders.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) set.add(folderOf(target));
    folders.set(from, set);
  }
  assert.deepEqual(cycles(folders), []);
});

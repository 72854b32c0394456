/**
 * No user-visible English outside the message catalogue, in the command line (src/cli), the lab
 * (src/lab) and every other module that uses the catalogue (imports src/i18n). The rule,
 * checked on the TypeScript syntax tree of each file:
 *
 *  1. Text written for a person: a string or template literal with words in it, passed to
 *     `diag(…)`, `process.stderr.write(…)`, `process.stdout.write(…)`, `io.err(…)`, `io.out(…)`.
 *  2. Error messages: such a literal passed to `new SomethingError(…)` (UsageError,
 *     SocklabError, NoResponseError, …) unless the same call gives a catalogue `messageKey`
 *     (then the English text is the library's `message`, and the CLI shows the catalogue's).
 *     Plain `new Error(…)` is exempt: that is an internal invariant, not a message for users.
 *  3. The lab's reasons, which the report prints as they are: such a literal passed to
 *     `new LabFailure(…)` / `new LabSkip(…)`, as the reason of `ctx.check(condition, reason)`
 *     or `ensure(value, reason)`, as what `ctx.stdout(proc, check, what)` /
 *     `ctx.event(proc, type, what)` wait for, or assigned to `….step` (named on a timeout).
 *  4. An event's message: such a literal as the `message` of an object literal that has a
 *     `type` (an event, e.g. `emit({ type: "error", code, message: "…" })`), which is shown
 *     or written to --json as it is.
 *
 * "Words": three letters or more once `${…}` parts, escapes, the name "socklab" (with the
 * command name of a `socklab lab:` prefix) and UPPER_CASE codes (ERR_USAGE) are set aside. Offenders are listed as file:line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Files whose English is known and waiting for their owners to convert it (they were being
 * changed on other branches when the catalogue arrived). Each entry names the texts that
 * remain; an entry that no longer matches anything fails the test, so the list only shrinks.
 * The catalogue already has keys for all of these (src/i18n/en.ts `usage.*`), and
 * src/cli/args.ts has `usage(key, params)`, `exclusive()`, `noExtra()`, `octalMode()`.
 */
const ALLOWED: Record<string, string[]> = {
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

/** src/cli, src/lab, and every other module outside src/i18n that imports the catalogue. */
function scannedFiles(): string[] {
  const all = sourceFiles(join(ROOT, "src"));
  return all.filter((path) => {
    const rel = relative(ROOT, path);
    if (rel.startsWith("src/i18n/")) return false;
    if (rel.startsWith("src/cli/") || rel.startsWith("src/lab/")) return true;
    return /from\s+["'][^"']*\/i18n\/[^"']*["']/.test(readFileSync(path, "utf8"));
  });
}

/** The words a person would read in a literal (see the rule above). */
function words(text: string): boolean {
  const stripped = text
    .replace(/\\[nrt0\\]|\\x[0-9a-fA-F]{2}/g, " ")
    .replace(/\bsocklab(?: [a-z-]+:)?/g, " ")
    .replace(/\b[A-Z][A-Z0-9_]+\b/g, " ");
  return /[A-Za-z]{3,}/.test(stripped);
}

/** The literal text of an expression (template spans without their `${…}`), or undefined. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" ");
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const parts = [literalText(node.left), literalText(node.right)].filter((p): p is string => p !== undefined);
    return parts.length > 0 ? parts.join(" ") : undefined;
  }
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isConditionalExpression(node)) {
    const parts = [literalText(node.whenTrue), literalText(node.whenFalse)].filter((p): p is string => p !== undefined);
    return parts.length > 0 ? parts.join(" ") : undefined;
  }
  return undefined;
}

const WRITERS = new Set(["diag", "process.stderr.write", "process.stdout.write", "io.err", "io.out"]);
const BUILTIN_ERRORS = new Set(["Error", "TypeError", "RangeError"]);
/** The lab's outcomes: their message is the reason the report prints. */
const LAB_OUTCOMES = new Set(["LabFailure", "LabSkip"]);
/** `ctx.stdout(proc, check, what)`, `ctx.event(proc, type, what, check?)`: `what` is named on a timeout. */
const WAITS = new Set(["stdout", "event"]);

interface Offender {
  file: string;
  line: number;
  text: string;
}

function offendersIn(file: string, source: string): Offender[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Offender[] = [];
  const report = (node: ts.Node, text: string): void => {
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text });
  };
  const check = (arg: ts.Node | undefined): void => {
    const text = arg === undefined ? undefined : literalText(arg);
    if (arg !== undefined && text !== undefined && words(text)) report(arg, text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && WRITERS.has(node.expression.getText(sf))) {
      for (const arg of node.arguments) check(arg);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const args = node.arguments;
      // ensure(value, reason) and ctx.check(condition, reason): the reason.
      if (ts.isIdentifier(callee) && callee.text === "ensure" && args.length === 2) check(args[1]);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === "check" && args.length === 2) check(args[1]);
      if (ts.isPropertyAccessExpression(callee) && WAITS.has(callee.name.text) && args.length >= 3) check(args[2]);
    }
    // ctx.step = `waiting for …`
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.left.name.text === "step"
    ) {
      check(node.right);
    }
    // { type: "error", code, message: "…" }: an event's message
    if (ts.isObjectLiteralExpression(node)) {
      const named = (name: string): ts.PropertyAssignment | undefined =>
        node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(sf) === name);
      const message = named("message");
      if (named("type") !== undefined && message !== undefined) check(message.initializer);
    }
    // step = "starting" as a class field's initial value
    if (ts.isPropertyDeclaration(node) && node.name.getText(sf) === "step" && node.initializer !== undefined) check(node.initializer);
    if (ts.isNewExpression(node)) {
      const name = node.expression.getText(sf);
      const args = node.arguments ?? [];
      const keyed = args.some(
        (a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => p.name !== undefined && p.name.getText(sf) === "messageKey"),
      );
      if (((/Error$/.test(name) && !BUILTIN_ERRORS.has(name)) || LAB_OUTCOMES.has(name)) && !keyed) {
        for (const arg of args) {
          const text = literalText(arg);
          if (text !== undefined && words(text)) report(arg, text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test("the rule catches what it should and lets through what it should", () => {
  const sample = [
    'diag("listening on port");',
    "diag(`socklab: ${describe(err)}`);",
    'process.stdout.write("socklab 0.1.0\\n");',
    "process.stdout.write(`${reply.from} ${printable(reply.data)}\\n`);",
    'throw new UsageError(`--mode needs octal permissions, got "${raw}"`);',
    'throw new NoResponseError(`${label}: no responder`, { messageKey: "no-responder", params: {} });',
    'throw new SocklabError("ERR_NO_DESCRIPTOR", `${label}: no descriptor arrived`);',
    'throw new Error(`${path} has no ${name}()`);',
    'throw usage("usage.exclusive", { a: "-4", b: "-6" });',
    "io.err(`socklab lab: ${t.errors.badJobs(jobs)}\\n${t.usage}\\n`);",
    "io.err(`socklab lab: cannot run ${id}\\n`);",
    // 12–: the lab's reasons and steps
    "throw new LabFailure(`${label} did not bind within 8 s`);",
    'throw new LabSkip("no IPv6 loopback (::1) on this machine");',
    "throw new LabFailure(ctx.t.fail.timedOut(seconds, ctx.step));",
    "throw new LabSkip(ctx.t.repro.cannot[side.cannot]);",
    "ctx.check(ok, `client stdout: expected ${want}, got ${got}`);",
    "ctx.check(ok, ctx.t.fail.pong(quote(out)));",
    'ensure(summary, "connect -v reported no summary event");',
    "ensure(m, ctx.t.fail.timeDatagrams(quote(out, 80)));",
    "ctx.step = `waiting for ${bytes(size)} on the client's stdout`;",
    "this.step = this.t.wait.starting;",
    "await ctx.stdout(nc, (out) => out.length > 0, `${nc.label} to receive ${quote(want)}`);",
    'await ctx.event(proc, "attempt-failed", ctx.t.wait.firstFailedAttempt(proc.label));',
    "class C { step = \"starting\"; }",
    'ctx.check(got === "pong" || got === "pong\\n", reason);',
    // 26–: events' messages
    'emit({ type: "error", code: "ERR_USAGE", message: "usage: recv-all-client tcp://HOST:PORT" });',
    "emit({ type: \"error\", code: \"ERR_USAGE\", message: `${addressText}: only tcp:// addresses` });",
    'emit({ type: "error", code: "ERR_USAGE", message: texts.errors.recvAllUsage });',
    "emit({ type: \"error\", code: err.code ?? \"ERROR\", message: `${file}: ${err.message}` });",
    'const fields = { message: "not an event" };',
  ].join("\n");
  const lines = offendersIn("sample.ts", sample).map((o) => o.line);
  assert.deepEqual(lines, [1, 5, 7, 11, 12, 13, 16, 18, 20, 22, 24, 26, 27]);
});

test("no user-visible English outside the catalogue in src/cli, src/lab and i18n-using modules", () => {
  const files = scannedFiles();
  assert.ok(files.some((f) => f.endsWith("src/cli/main.ts")), "src/cli is scanned");
  assert.ok(files.some((f) => f.endsWith("src/lab/exercises/unix.ts")), "src/lab is scanned, exercises included");
  const offenders: string[] = [];
  const used = new Map<string, Set<string>>();
  for (const path of files) {
    const rel = relative(ROOT, path);
    const allowed = ALLOWED[rel] ?? [];
    for (const o of offendersIn(rel, readFileSync(path, "utf8"))) {
      const entry = allowed.find((a) => o.text.includes(a));
      if (entry === undefined) offenders.push(`${o.file}:${o.line}: ${JSON.stringify(o.text)}`);
      else (used.get(rel) ?? used.set(rel, new Set()).get(rel)!).add(entry);
    }
  }
  assert.deepEqual(
    offenders,
    [],
    `English written outside the catalogue (use an event, a catalogue key, or usage(key, params) from src/cli/args.ts):\n  ${offenders.join("\n  ")}`,
  );
  const stale = Object.entries(ALLOWED).flatMap(([file, entries]) =>
    entries.filter((e) => !used.get(file)?.has(e)).map((e) => `${file}: ${JSON.stringify(e)}`),
  );
  assert.deepEqual(stale, [], `allowlist entries that match nothing any more (remove them):\n  ${stale.join("\n  ")}`);
});

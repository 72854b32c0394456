/**
 * The message catalogue is complete in both languages, checked at run time (beyond the type
 * checker, which cannot see into Record-typed parts such as help options and causes): the
 * same keys at every depth, every event type, and no message that renders "undefined".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EVENT_TYPES } from "../src/events.js";
import { en } from "../src/i18n/en.js";
import { es } from "../src/i18n/es.js";
import { CATALOGS, messageTools } from "../src/i18n/format.js";
import { LANGS } from "../src/i18n/catalog.js";

/** Every key path of a catalogue (functions and strings are leaves). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keyPaths(inner, prefix === "" ? key : `${prefix} › ${key}`));
}

test("English and Spanish catalogues have exactly the same keys, nested help entries included", () => {
  const enKeys = new Set(keyPaths(en));
  const esKeys = new Set(keyPaths(es));
  const missingEs = [...enKeys].filter((k) => !esKeys.has(k));
  const missingEn = [...esKeys].filter((k) => !enKeys.has(k));
  assert.deepEqual(missingEs, [], `keys missing in es:\n  ${missingEs.join("\n  ")}`);
  assert.deepEqual(missingEn, [], `keys missing in en:\n  ${missingEn.join("\n  ")}`);
  // The comparison is not vacuous: the help options and causes are in it.
  assert.ok(enKeys.has("help › options › connect.send › text"));
  assert.ok(enKeys.has("causes › ECONNREFUSED"));
});

/** Every leaf of a catalogue: [path, value]. */
function leaves(value: unknown, prefix = ""): Array<[string, unknown]> {
  if (value === null || typeof value !== "object") return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => leaves(inner, `${prefix}/${key}`));
}

test("a leaf is a text in one language exactly when it is in the other, and no text is empty", () => {
  const esLeaves = new Map(leaves(es));
  for (const [path, value] of leaves(en)) {
    assert.equal(typeof esLeaves.get(path), typeof value, `${path}: ${typeof value} in en, ${typeof esLeaves.get(path)} in es`);
  }
  // The lab prints its own help (src/lab/main.ts), so its `about` is deliberately empty.
  const empty = [...leaves(en).map(([p, v]) => [`en${p}`, v] as const), ...leaves(es).map(([p, v]) => [`es${p}`, v] as const)]
    .filter(([path, v]) => v === "" && !path.endsWith("/help/commands/lab/about"))
    .map(([path]) => path);
  assert.deepEqual(empty, [], "empty texts");
});

test("every event type has a message in both languages, and no message names a type that does not exist", () => {
  for (const lang of LANGS) {
    const events = Object.keys(CATALOGS[lang].events).sort();
    assert.deepEqual(events, [...EVENT_TYPES].sort(), `${lang} events`);
  }
});

/** Parameters that answer any name, so every branch of a message gets a value. */
const anyParams = new Proxy({} as Record<string, string | number>, {
  get: (_target, name) => (typeof name === "string" ? (name === "attempts" || name === "timeoutMs" ? 2 : `‹${name}›`) : undefined),
});

test("every error message renders in both languages without 'undefined' and names its parameters", () => {
  for (const lang of LANGS) {
    const tools = messageTools(lang);
    for (const [key, message] of Object.entries(CATALOGS[lang].errors)) {
      const text = message(anyParams, tools);
      assert.equal(typeof text, "string");
      assert.ok(text.length > 0, `${lang} errors.${key} is empty`);
      assert.doesNotMatch(text, /undefined|\[object/, `${lang} errors.${key}: ${text}`);
    }
  }
  // The two languages use the same parameters for each key (a translation cannot drop one).
  for (const key of Object.keys(en.errors) as Array<keyof typeof en.errors>) {
    const names = (lang: "en" | "es"): string[] =>
      [...new Set(CATALOGS[lang].errors[key](anyParams, messageTools(lang)).match(/‹[^›]+›/g) ?? [])].sort();
    assert.deepEqual(names("es"), names("en"), `errors.${key}: parameters differ between en and es`);
  }
});

test("Spanish is a translation, not a copy: the texts that differ cover the help options", () => {
  const same = Object.keys(en.help.options).filter((k) => en.help.options[k]!.text === es.help.options[k]?.text);
  assert.deepEqual(same, [], "help options with the same text in both languages");
});

/**
 * The one formatter: event → line of text, error → line of text, in the chosen language.
 * The language comes from `--lang`, else LC_ALL / LC_MESSAGES / LANG, else English.
 */
import { escapeControls } from "../display.js";
import { describeError, SocklabError, type MessageKey } from "../errors.js";
import type { SocklabEvent } from "../events.js";
import type { Catalog, Lang, MessageTools } from "./catalog.js";
import { en } from "./en.js";
import { es } from "./es.js";

export type { Lang } from "./catalog.js";

export const CATALOGS: Record<Lang, Catalog> = { en, es };

/** The language a locale name asks for (`es_AR.UTF-8` → es; C, POSIX, unknown → en). */
export function langFromLocale(locale: string | undefined): Lang | undefined {
  if (locale === undefined || locale === "") return undefined;
  const base = locale.toLowerCase().split(/[_.@-]/)[0];
  return base === "es" ? "es" : "en";
}

/** The first of LC_ALL, LC_MESSAGES, LANG that is set decides, as for gettext. */
export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  for (const name of ["LC_ALL", "LC_MESSAGES", "LANG"]) {
    const lang = langFromLocale(env[name]);
    if (lang !== undefined) return lang;
  }
  return "en";
}

export function isLang(text: string): text is Lang {
  return text === "en" || text === "es";
}

function tools(lang: Lang): MessageTools {
  const catalog = CATALOGS[lang];
  return {
    cause: (code) => (code === undefined ? undefined : catalog.causes[code]),
    seconds: (ms) => {
      const text = String(Math.round(ms) / 1000);
      return lang === "es" ? text.replace(".", ",") : text;
    },
  };
}

const TOOLS: Record<Lang, MessageTools> = { en: tools("en"), es: tools("es") };

export function messageTools(lang: Lang): MessageTools {
  return TOOLS[lang];
}

/*
 * Every line below is for a person: what came from outside (a path, an abstract name, an
 * error text) is shown with its control characters escaped (escapeControls), so a name
 * with ESC sequences cannot drive the terminal. JSON output and the structured fields of
 * events keep the exact text.
 */

/** One line for an event ("" means: nothing to show a person for it). */
export function formatEvent(event: SocklabEvent, lang: Lang): string {
  if (event.type === "error") {
    const cause = (event as { cause?: unknown }).cause;
    if (cause !== undefined) {
      const detail = describeErrorIn(cause, lang, event.peer ? undefined : event.address);
      return escapeControls(CATALOGS[lang].events.error({ ...event, message: detail }, TOOLS[lang]));
    }
  }
  const format = CATALOGS[lang].events[event.type] as (e: SocklabEvent, t: MessageTools) => string;
  return escapeControls(format(event, TOOLS[lang]));
}

/** One line that says what failed and why, in `lang`. Never a stack. */
export function describeErrorIn(err: unknown, lang: Lang, fallbackAddress?: string): string {
  const t = TOOLS[lang];
  return escapeControls(
    describeError(err, fallbackAddress, t.cause, (e: SocklabError) =>
      e.messageKey === undefined ? e.message : CATALOGS[lang].errors[e.messageKey](e.params ?? {}, t),
    ),
  );
}

/**
 * socklab's own error message `key` with `params`, in `lang`: the text an error carries as
 * its message (exact, like the library's); describeErrorIn escapes it for a person.
 */
export function errorText(key: MessageKey, params: Record<string, string | number>, lang: Lang): string {
  return CATALOGS[lang].errors[key](params, TOOLS[lang]);
}

/**
 * External programs the tests use as peers (never to do socklab's own work), found on PATH,
 * and the visible skip reason when one is missing: `test(name, { skip: missing("nc", NC) }, …)`.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** Absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export const PYTHON = which("python3");
export const NC = which("nc");
export const NCAT = which("ncat");
export const SOCAT = which("socat");
export const OPENSSL = which("openssl");
export const STRACE = which("strace");

/**
 * A skip reason when `binary` is missing (node:test prints it next to the skipped test), or
 * false. With no binary given, `name` is looked up on PATH.
 */
export function missing(name: string, binary: string | undefined = which(name)): string | false {
  return binary === undefined ? `${name} is not installed (.ci/run installs it)` : false;
}

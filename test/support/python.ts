/**
 * Run the guides' Python programs as peers: substitute HOST/PORT, write the program to a
 * temporary file and run `python3 -u` (unbuffered, so readiness prints arrive at once).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Proc, which, type ExitResult, type SpawnOptions } from "./process.js";
import { tempDir } from "./tmp.js";

export const PYTHON = which("python3");

export interface Substitution {
  /** Guide port → the free port picked by the test. */
  ports?: Record<number, number>;
  /** Literal replacements applied as-is (e.g. `"0.0.0.0"` → `"127.0.0.1"`). */
  replace?: Array<[string | RegExp, string]>;
}

/**
 * The guide program with its fixed ports and hosts substituted. Throws if a requested
 * substitution does not occur, so a test never silently runs against the guide's port.
 */
export function guideProgram(source: string, sub: Substitution): string {
  let code = source;
  for (const [from, to] of Object.entries(sub.ports ?? {})) {
    const re = new RegExp(`\\b${from}\\b`, "g");
    if (!re.test(code)) throw new Error(`port ${from} does not occur in the program`);
    code = code.replace(re, String(to));
  }
  for (const [from, to] of sub.replace ?? []) {
    const before = code;
    code = typeof from === "string" ? code.split(from).join(to) : code.replace(from, to);
    if (code === before) throw new Error(`${String(from)} does not occur in the program`);
  }
  return code;
}

/** Spawn `python3 -u` on `code` (written to a temp file). */
export function spawnPython(code: string, options: SpawnOptions & { teardown: NonNullable<SpawnOptions["teardown"]> }): Proc {
  if (PYTHON === undefined) throw new Error("python3 is not installed");
  const dir = tempDir(options.teardown, "socklab-py-");
  const file = join(dir, "program.py");
  writeFileSync(file, code);
  return new Proc(PYTHON, ["-u", file], { label: `python3 ${options.label ?? "program.py"}`, ...options });
}

/** Run a Python program to completion. */
export function runPython(
  code: string,
  options: SpawnOptions & { teardown: NonNullable<SpawnOptions["teardown"]>; timeoutMs?: number },
): Promise<ExitResult> {
  const { timeoutMs = 8000, ...rest } = options;
  return spawnPython(code, rest).waitExit(timeoutMs);
}

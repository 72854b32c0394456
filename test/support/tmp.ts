/**
 * Unique temporary paths (tests run in parallel): private directories under os.tmpdir()
 * removed after the test, socket paths inside them, random abstract socket names.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Teardown } from "./process.js";

/** A fresh private directory; removed in `after` when a teardown is given. */
export function tempDir(teardown?: Teardown, prefix = "socklab-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  teardown?.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A path that does not exist yet, inside a fresh temporary directory. */
export function tempPath(teardown?: Teardown, name = "sock"): string {
  return join(tempDir(teardown), name);
}

/** A Unix socket path that does not exist yet (the same as tempPath). */
export const socketPath = tempPath;

/** A random abstract socket name (no file on disk). */
export function abstractName(prefix = "socklab_test"): string {
  return `${prefix}_${process.pid}_${randomBytes(6).toString("hex")}`;
}

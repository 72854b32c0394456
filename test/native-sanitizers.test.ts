/**
 * The C stays clean: the addon is rebuilt with AddressSanitizer and UndefinedBehaviorSanitizer
 * (scripts/build-native.mjs with SOCKLAB_SANITIZE=1, into a scratch directory so the normal
 * build is untouched) and every Unix test file, and the stream engine's (native-echo.test,
 * and its line mode's native-lines.test), runs against that build in a child test runner.
 * Node itself is not instrumented, so libasan is preloaded (LD_PRELOAD) for the runtime to
 * intercept malloc/free before the addon loads; leak detection is off because Node's own
 * allocations at exit are not ours. Any sanitizer report fails the run
 * (-fno-sanitize-recover=all, halt_on_error=1), and the output is checked for reports too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFactor } from "./support/machine.js";
import { spawnProc } from "./support/process.js";
import { tempDir } from "./support/tmp.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST_TEST = fileURLToPath(new URL(".", import.meta.url));
const PROBE = fileURLToPath(new URL("./support/sanitizer-probe.js", import.meta.url));

/** The runtime library of GCC's AddressSanitizer, or why it cannot be used here. */
function findLibasan(): { path: string } | { why: string } {
  if (process.platform !== "linux") return { why: `sanitizer builds are Linux-only here (this is ${process.platform})` };
  const r = spawnSync("cc", ["-print-file-name=libasan.so"], { encoding: "utf8" });
  if (r.error) return { why: "no C compiler (cc) is installed" };
  const path = r.stdout.trim();
  if (!path.startsWith("/") || !existsSync(path)) return { why: "libasan is not installed (Debian: libasan8, pulled in by gcc)" };
  return { path };
}

const libasan = findLibasan();

/**
 * A C build and eight test files under ASan take a few minutes at load 25 on 2 cores: the
 * deadlines (hang guards, nothing measured) stretch with runnable processes per core, up to 3×.
 */
const SLOW = Math.min(3, loadFactor());

async function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const { code, stdout, stderr } = await spawnProc(command, args, { cwd: ROOT, env }).waitExit(timeoutMs);
  return { code, output: stdout.toString() + stderr };
}

const SANITIZER_REPORT = /runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer/;

test(
  "the addon's Unix tests pass under ASan and UBSan with no report",
  { skip: "why" in libasan ? libasan.why : false, timeout: Math.round(180_000 * SLOW) },
  async (t) => {
    const dir = tempDir(t, "socklab-sanitize-");
    const build = await run(
      process.execPath,
      [join(ROOT, "scripts", "build-native.mjs")],
      { ...process.env, SOCKLAB_SANITIZE: "1", SOCKLAB_BUILD_DIR: dir },
      Math.round(60_000 * SLOW),
    );
    assert.equal(build.code, 0, `sanitizer build failed:\n${build.output}`);
    const addon = join(dir, "build", "Release", "socklab_native.node");
    assert.ok(existsSync(addon), "the sanitizer build produced no addon");

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LD_PRELOAD: (libasan as { path: string }).path,
      ASAN_OPTIONS: "detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86",
      UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1:exitcode=87",
      SOCKLAB_NATIVE_ADDON: addon,
    };
    // Set by the runner around us: a child runner that sees it runs no files at all.
    delete env.NODE_TEST_CONTEXT;
    // The child really runs the instrumented build (not a silent fallback to build/).
    const probe = await run(process.execPath, [PROBE], env, 20_000);
    assert.equal(probe.code, 0, probe.output);
    assert.match(probe.output, /libasan/);
    assert.ok(probe.output.includes(addon), probe.output);

    const files = readdirSync(DIST_TEST)
      .filter((f) => /^(unix-.*|native-echo|native-lines)\.test\.js$/.test(f))
      .map((f) => join(DIST_TEST, f));
    assert.ok(files.length >= 5, `expected the Unix test files, found ${files.length}`);
    // Tests that only drive CLI processes skip themselves here (seconds each under ASan, and
    // no native path the library tests miss); they run in the normal suite.
    const args = ["--test", "--test-reporter=tap", ...files];
    const result = await run(process.execPath, args, env, Math.round(120_000 * SLOW));
    assert.doesNotMatch(result.output, SANITIZER_REPORT, result.output);
    assert.equal(result.code, 0, result.output);
    const passed = Number(/^# pass (\d+)$/m.exec(result.output)?.[1] ?? 0);
    assert.ok(passed >= 30, `only ${passed} tests ran under the sanitizers:\n${result.output}`);
    t.diagnostic(`${passed} Unix tests passed under ASan+UBSan (${files.length} files)`);
  },
);

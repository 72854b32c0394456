/**
 * `--hexdump-file FILE` (connect, listen, serve, relay): the text dump appended to FILE.
 *
 * The dump is a view of the bytes, not where they go. So the first failure to write it (a
 * full disk; /dev/full fails every write with ENOSPC) is reported once for the file, as one
 * `error` event naming it; the dump stops there and the transfer goes on untouched.
 */
import { closeSync, createWriteStream, openSync, writeSync } from "node:fs";
import { emit } from "./output.js";

export interface DumpFile {
  /** Append `text` (nothing once a write has failed). */
  write(text: string): void;
  /** Flush and close the file. */
  close(): Promise<void>;
}

/** Report the first failure of `file` only. */
function reportOnce(file: string): { report: (err: unknown) => void; readonly failed: boolean } {
  let failed = false;
  return {
    report(err) {
      if (failed) return;
      failed = true;
      const e = err as NodeJS.ErrnoException;
      emit({ type: "error", code: typeof e?.code === "string" ? e.code : "ERROR", message: `${file}: ${e?.message ?? String(err)}` });
    },
    get failed() {
      return failed;
    },
  };
}

/**
 * For servers and the relay: written through a stream (the event loop never waits on the
 * file); a file that cannot even be opened is reported the same way, once.
 */
export function appendDump(file: string): DumpFile {
  const errors = reportOnce(file);
  const stream = createWriteStream(file, { flags: "a" });
  stream.on("error", errors.report);
  return {
    write(text) {
      if (!errors.failed && !stream.destroyed) stream.write(text);
    },
    close: () => new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.end(() => resolve()))),
  };
}

/**
 * For connect: opened now (an unopenable FILE is the caller's usage error: this throws) and
 * written synchronously, so the dump is complete when the command exits.
 */
export function appendDumpSync(file: string): DumpFile {
  const fd = openSync(file, "a");
  const errors = reportOnce(file);
  let open = true;
  return {
    write(text) {
      if (errors.failed || !open) return;
      try {
        let rest = Buffer.from(text);
        while (rest.length > 0) rest = rest.subarray(writeSync(fd, rest));
      } catch (err) {
        errors.report(err);
      }
    },
    close() {
      if (open) {
        open = false;
        try {
          closeSync(fd);
        } catch (err) {
          errors.report(err);
        }
      }
      return Promise.resolve();
    },
  };
}

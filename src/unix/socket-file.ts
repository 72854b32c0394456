/**
 * A socket file we created, and the one rule for removing it: only if the path still names
 * that same file (same device and inode). Another server may have removed ours and bound
 * the path again meanwhile; its file is never ours to remove. Record ownership right after
 * bind (claim), remove at close (removeIfOurs). Every Unix server in socklab goes through
 * here: the stream server, the datagram sockets, the CLI's forced-exit cleanup.
 *
 * (A check and an unlink are two system calls; a file replaced between them is the one
 * case this cannot see. Linux has no "unlink if inode" call.)
 */
import { lstatSync, unlinkSync } from "node:fs";
import { lstat, unlink } from "node:fs/promises";
import type { UnixName } from "./sockaddr.js";

/** Proof of ownership: the path and the identity of the file bound there. */
export interface OwnedSocketFile {
  readonly path: UnixName;
  readonly dev: number;
  readonly ino: number;
}

/** Record that the file now at `path` is ours (call right after bind). Throws if it is not there. */
export async function claimSocketFile(path: UnixName): Promise<OwnedSocketFile> {
  const st = await lstat(path);
  return { path, dev: st.dev, ino: st.ino };
}

/** The same, synchronously; undefined if there is no file at `path`. */
export function claimSocketFileSync(path: UnixName): OwnedSocketFile | undefined {
  try {
    const st = lstatSync(path);
    return { path, dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

function same(owned: OwnedSocketFile, st: { dev: number; ino: number }): boolean {
  return st.dev === owned.dev && st.ino === owned.ino;
}

/**
 * Remove the file if it is still ours. True if removed; false if it is gone or another
 * file is there now. Other errors (EACCES, …) are thrown.
 */
export async function removeIfOurs(owned: OwnedSocketFile): Promise<boolean> {
  try {
    if (!same(owned, await lstat(owned.path))) return false;
    await unlink(owned.path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** The same, synchronously (for exit paths, where nothing asynchronous runs any more). */
export function removeIfOursSync(owned: OwnedSocketFile): boolean {
  try {
    if (!same(owned, lstatSync(owned.path))) return false;
    unlinkSync(owned.path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

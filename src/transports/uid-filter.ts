/** Serve only Unix peers with allowed uids (SO_PEERCRED), for unix: and abstract: listeners. */
import { describeError } from "../errors.js";
import { peerCredentials } from "../unix/credentials.js";
import type { AcceptFilter } from "./types.js";

export function uidFilter(allowUids: number[] | undefined): AcceptFilter | undefined {
  if (!allowUids) return undefined;
  const allowed = new Set(allowUids);
  return (socket) => {
    try {
      const { uid, pid } = peerCredentials(socket);
      return allowed.has(uid) ? { ok: true } : { ok: false, reason: "uid-not-allowed", uid, pid };
    } catch (err) {
      return { ok: false, reason: "credentials-unavailable", detail: describeError(err) };
    }
  };
}

/** Exercise 14: UDP TIME → local `HH:MM:SS` (no newline); anything else → `ERR\n`. */
import { clockTime } from "./clock.js";
import type { DatagramBatch, DatagramResponder } from "./types.js";

const ERR = Buffer.from("ERR\n");
const TIME = Buffer.from("TIME");

const answer = (data: Buffer): Buffer => (data.toString("utf8").trim() === "TIME" ? Buffer.from(clockTime()) : ERR);

export const datagramTime: DatagramResponder = Object.assign(answer, {
  // Batch fast path: the exact `TIME` compared in place, the clock read once per batch;
  // anything else (e.g. `TIME\n`) goes through the per-datagram rule above.
  batch: (batch: DatagramBatch): void => {
    let now: Buffer | undefined;
    for (let i = 0; i < batch.count; i++) {
      batch.reply(i, batch.equals(i, TIME) ? (now ??= Buffer.from(clockTime())) : answer(batch.data(i)));
    }
  },
});

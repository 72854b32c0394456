/** Exercise 14: UDP TIME → local `HH:MM:SS` (no newline); anything else → `ERR\n`. */
import { clockTime } from "./clock.js";
import type { DatagramResponder } from "./types.js";

const ERR = Buffer.from("ERR\n");

export const datagramTime: DatagramResponder = (data) =>
  data.toString("utf8").trim() === "TIME" ? Buffer.from(clockTime()) : ERR;

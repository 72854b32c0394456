/**
 * Every exercise of both guides, in the guides' order.
 */
import { guide2Exercises } from "./guide2.js";
import { internetClients } from "./internet-clients.js";
import { internetServers } from "./internet-servers.js";
import type { Exercise } from "./types.js";
import { ex1, unixExercises } from "./unix.js";

export type { Exercise } from "./types.js";

export const EXERCISES: readonly Exercise[] = [
  ex1,
  ...internetClients,
  ...internetServers,
  ...unixExercises.filter((e) => e !== ex1),
  ...guide2Exercises,
];

/** Find an exercise by id, case-insensitively ("b3" is B3). */
export function findExercise(id: string): Exercise | undefined {
  const want = id.trim().toLowerCase();
  return EXERCISES.find((e) => e.id.toLowerCase() === want);
}

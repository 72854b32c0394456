import type { StreamHandler } from "../stream/server.js";

export type { DatagramBatch, DatagramResponder } from "../datagram/types.js";

export type { StreamHandler };

import type { StreamHandler } from "../stream/server.js";

export type { DatagramResponder } from "../datagram/server.js";

export type { StreamHandler };

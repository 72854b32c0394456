/** The services `socklab serve` knows, which transports each runs on, and how to build them. */
import { NotSupportedError, UsageError } from "../errors.js";
import type { StreamHandler } from "../stream/server.js";
import { announceService } from "./announce.js";
import { commandService } from "./cmd.js";
import { datagramEcho, streamEcho } from "./echo.js";
import { greetService } from "./greet.js";
import { brokerService } from "./broker.js";
import { chatService } from "./chat.js";
import { execService } from "./exec.js";
import { lineEcho } from "./line-echo.js";
import { datagramTime } from "./time.js";
import type { DatagramResponder } from "./types.js";
import { fdService, peercredService } from "./unix-services.js";

export interface ServiceSpec {
  stream: boolean;
  datagram: boolean;
  unixOnly?: boolean;
  /** Only makes sense with clients served at once (chat, broker, exec): serve runs it concurrent. */
  concurrent?: boolean;
}

export const SERVICES = {
  echo: { stream: true, datagram: true },
  "line-echo": { stream: true, datagram: false },
  cmd: { stream: true, datagram: false },
  time: { stream: false, datagram: true },
  greet: { stream: true, datagram: false },
  announce: { stream: false, datagram: true },
  peercred: { stream: true, datagram: false, unixOnly: true },
  fd: { stream: true, datagram: false, unixOnly: true },
  chat: { stream: true, datagram: false, concurrent: true },
  broker: { stream: true, datagram: false, concurrent: true },
  exec: { stream: true, datagram: false, concurrent: true },
} satisfies Record<string, ServiceSpec>;

export type ServiceName = keyof typeof SERVICES;

export interface ServiceSettings {
  text?: Buffer | undefined;
  unknownReply?: string | undefined;
  file?: string | undefined;
  maxLineLength?: number | undefined;
  /** exec: the command and its arguments (what follows `--`). */
  command?: string[] | undefined;
}

export async function streamHandlerFor(service: ServiceName, settings: ServiceSettings): Promise<StreamHandler> {
  const line = { maxLineLength: settings.maxLineLength };
  switch (service) {
    case "echo":
      return streamEcho;
    case "line-echo":
      return lineEcho(line);
    case "cmd":
      return commandService({ ...line, unknownReply: settings.unknownReply });
    case "greet":
      return greetService(settings.text);
    case "peercred":
      return peercredService();
    case "fd":
      return fdService(settings.file ?? "/etc/hostname");
    case "chat":
      return chatService(line);
    case "broker":
      return brokerService();
    case "exec": {
      const [command, ...args] = settings.command ?? [];
      if (command === undefined) {
        throw new UsageError("serve exec needs a command: socklab serve exec ADDRESS -- CMD [ARGS...]", { messageKey: "usage.exec-needs-command" });
      }
      return execService({ command, args });
    }
    default:
      throw new NotSupportedError(`${service} is not a stream service`);
  }
}

export function datagramResponderFor(service: ServiceName, settings: ServiceSettings): DatagramResponder {
  switch (service) {
    case "echo":
      return datagramEcho;
    case "time":
      return datagramTime;
    case "announce":
      return announceService(settings.text);
    default:
      throw new NotSupportedError(`${service} is not a datagram service`);
  }
}

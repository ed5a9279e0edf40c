import winston from "winston";
import { LogLevel } from "./common-config";
import { BoundedLokiTransport } from "./loki-shipper";
import { errorMessage } from "./timeout";

const MESSAGE = Symbol.for("message");

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  /** Where the JSON lines go. Defaults to process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** When set, lines are also shipped to Loki (bounded; see BoundedLokiTransport). */
  loki?: { url: string; bufferLines: number; onDrop: (lines: number) => void };
}

export interface ServiceLogger {
  logger: Logger;
  /** Flushes the Loki buffer within `deadlineMs` (no-op without Loki). */
  close(deadlineMs: number): Promise<void>;
}

/** One JSON object per line: ts, level, service, msg first, then the call's fields (errors as their message). */
function jsonLine(service: string): winston.Logform.Format {
  return winston.format((info) => {
    const { level, message, service: _ignored, ...fields } = info;
    const ts = new Date().toISOString();
    const line: Record<string, unknown> = { ts, level, service, msg: message };
    for (const [key, value] of Object.entries(fields)) {
      line[key] = value instanceof Error ? errorMessage(value) : value;
    }
    info["ts"] = ts;
    (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(line);
    return info;
  })();
}

export function createLogger(options: LoggerOptions): ServiceLogger {
  const console = new winston.transports.Stream({ stream: options.stdout ?? process.stdout });
  const loki = options.loki
    ? new BoundedLokiTransport({ url: options.loki.url, service: options.service, bufferLines: options.loki.bufferLines, onDrop: options.loki.onDrop })
    : undefined;
  const logger = winston.createLogger({
    level: options.level,
    format: jsonLine(options.service),
    transports: loki ? [console, loki] : [console],
    exitOnError: false,
  });
  return {
    logger,
    close: async (deadlineMs) => {
      if (loki) await loki.flushAndClose(deadlineMs);
    },
  };
}

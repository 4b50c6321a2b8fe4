/**
 * Structured logging (pino). Components take a `Logger` and add their name with
 * `child({ component })`; nothing logs through console except the CLI's own
 * human-facing progress lines.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Default `info`; `VERGE_LOG_LEVEL` overrides. */
  level?: string;
  /** Where to write; default stderr. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = process.env.VERGE_LOG_LEVEL ?? options.level ?? 'info';
  return pino({ level, base: undefined }, options.destination ?? pino.destination(2));
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

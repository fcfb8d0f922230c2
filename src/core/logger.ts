/**
 * The logger factory (pino, JSON lines). One root logger is made in `cli/`; components take
 * child loggers (`logger.child({ component: 'outbox' })`). Nothing here reads process.env.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  readonly name?: string;
  /** Where lines go (a file descriptor number or a writable with write()). Default: stderr (fd 2). */
  readonly destination?: number | { write(line: string): unknown };
}

/** A root logger writing synchronously, so no line is lost when the process is killed. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dest = options.destination ?? 2;
  const stream = typeof dest === 'number' ? pino.destination({ dest, sync: true }) : dest;
  return pino({ level: options.level ?? 'info', name: options.name, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream as pino.DestinationStream);
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

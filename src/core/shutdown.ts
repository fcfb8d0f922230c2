/**
 * Graceful shutdown: on SIGTERM or SIGINT, run the registered closers in reverse order of
 * registration, each bounded by the grace period, then resolve `done`. A second signal
 * during shutdown is reported and ignored (the closers are already running).
 */

export type Closer = () => Promise<void> | void;

export interface ShutdownHandle {
  /** Registers something to close; closers run last-registered first. */
  add(name: string, close: Closer): void;
  /** Starts the shutdown (also what the signals do). Resolves when every closer finished or timed out. */
  shutdown(reason: string): Promise<void>;
  /** Resolves with the reason once shutdown has completed. */
  readonly done: Promise<string>;
  /** Removes the signal handlers (for tests). */
  dispose(): void;
}

export interface ShutdownOptions {
  readonly graceMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
  readonly onEvent?: (event: { kind: 'signal' | 'closed' | 'timeout' | 'error'; name: string; error?: unknown }) => void;
  /** The process to listen on (injectable for tests). */
  readonly proc?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** Installs signal handlers and returns the shutdown handle. */
export function createShutdown(options: ShutdownOptions = {}): ShutdownHandle {
  const graceMs = options.graceMs ?? 10_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const proc = options.proc ?? process;
  const closers: { name: string; close: Closer }[] = [];
  let started: Promise<void> | undefined;
  let resolveDone!: (reason: string) => void;
  const done = new Promise<string>((r) => (resolveDone = r));

  const shutdown = (reason: string): Promise<void> => {
    if (started) return started;
    started = (async () => {
      for (const { name, close } of [...closers].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          const outcome = await Promise.race([
            Promise.resolve().then(close).then(() => 'closed' as const),
            new Promise<'timeout'>((r) => {
              timer = setTimeout(() => r('timeout'), graceMs);
            }),
          ]);
          options.onEvent?.({ kind: outcome, name });
        } catch (error) {
          options.onEvent?.({ kind: 'error', name, error });
        } finally {
          if (timer) clearTimeout(timer);
        }
      }
      resolveDone(reason);
    })();
    return started;
  };

  const handler = (signal: NodeJS.Signals): void => {
    options.onEvent?.({ kind: 'signal', name: signal });
    void shutdown(signal);
  };
  for (const s of signals) proc.on(s, handler);

  return {
    add: (name, close) => void closers.push({ name, close }),
    shutdown,
    done,
    dispose: () => {
      for (const s of signals) proc.off(s, handler);
    },
  };
}

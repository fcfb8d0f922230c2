/**
 * Time. The only file that reads the wall clock: everything else takes `now` or a `Clock`.
 * Times are milliseconds since the Unix epoch (UTC).
 */

/** A source of the current time and of waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time (or rejects with the signal's reason when aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's clock. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** A monotonic reading in milliseconds (fractional), for measuring durations. */
export function monotonicMs(): number {
  return performance.now();
}

/** The current wall-clock time, for code at the edge (cli) that must read it. */
export function wallNow(): number {
  return Date.now();
}

/**
 * A clock that moves only when told to: for tests. `sleep(ms)` resolves when `advance`/`set`
 * moves the time to or past its due time (a sleep of 0 waits for the next `advance`, even of 0).
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: { at: number; seq: number; resolve: () => void; cleanup: () => void }[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== entry);
        reject(signal?.reason);
      };
      const entry = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      this.sleepers.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward, waking every sleeper that falls due, in order of due time. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Sets the time (never backwards), waking sleepers that fall due, in order of due time. */
  set(to: number): void {
    if (to < this.current) throw new RangeError('a FakeClock never goes backwards');
    this.current = to;
    const due = this.sleepers.filter((s) => s.at <= to).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.sleepers = this.sleepers.filter((s) => s.at > to);
    for (const s of due) {
      s.cleanup();
      s.resolve();
    }
  }

  /**
   * Moves time forward step by step: to each sleeper's due time in turn, waking it and letting
   * the code it releases run (and sleep again) before going on, up to `now() + ms`. Use this
   * when a loop sleeps repeatedly and must see each intermediate time.
   */
  async advanceStepwise(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.sleepers.reduce((m, s) => Math.min(m, s.at), Infinity);
      if (next > target) break;
      this.set(Math.max(this.current, next));
      await flushPromises();
    }
    this.set(target);
    await flushPromises();
  }

  /** How many sleepers are waiting. */
  get pending(): number {
    return this.sleepers.length;
  }
}

/** Lets pending promise callbacks (and what they start) run: a macrotask turn. */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock running `speed` times faster than `base`, starting at simulated time `origin`
 * when the base reads `baseOrigin`. `speed` 60 makes a simulated hour pass in a real minute.
 */
export class ScaledClock implements Clock {
  constructor(
    private readonly base: Clock,
    readonly speed: number,
    private readonly origin: number,
    private readonly baseOrigin: number = base.now(),
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  }

  now(): number {
    return this.origin + (this.base.now() - this.baseOrigin) * this.speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms / this.speed, signal);
  }
}

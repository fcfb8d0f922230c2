/**
 * Retry policy: capped exponential backoff with full jitter. Pure: the caller passes the
 * attempt number and a random source, and gets back a delay or a decision to stop.
 */
import type { Rng } from './random.js';

/** How to retry. */
export interface RetryPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Cap on any single delay, ms. */
  readonly maxMs: number;
  /** Growth per attempt (2 doubles). */
  readonly factor: number;
  /** 0 = no jitter; 1 = full jitter (uniform in [0, delay]); between: delay·(1 − j·u). */
  readonly jitter: number;
  /** Give up after this many retries (Infinity: never). */
  readonly maxRetries: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({ initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.5, maxRetries: Infinity });

/** The un-jittered delay before retry `attempt` (0-based): initial·factor^attempt, capped. */
export function backoffCeiling(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt)));
}

/**
 * The delay before retry `attempt` (0-based), or `undefined` when the policy says stop.
 * With jitter j and a uniform u from `rng`, the delay is ceiling·(1 − j·u).
 */
export function nextDelay(policy: RetryPolicy, attempt: number, rng: Pick<Rng, 'next'>): number | undefined {
  if (attempt >= policy.maxRetries) return undefined;
  const ceiling = backoffCeiling(policy, attempt);
  return ceiling * (1 - policy.jitter * rng.next());
}

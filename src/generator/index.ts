/**
 * The synthetic hospital (spec/generator.md): `generate(options)` writes history.csv,
 * messages.mllp, aki.csv, training.csv, test.csv and test.expected.csv into `options.out`,
 * deterministically for a seed, and returns a summary.
 */
import { ConfigError } from '../core/errors.js';
import { runEngine, type EngineOptions, type GenerateProgress, type GenerateSummary } from './engine.js';
import { loadProfile, type Profile } from './profile.js';

export type { GenerateProgress, GenerateSummary } from './engine.js';
export { GeneratorError, GeneratorErrorCode } from './errors.js';
export { BUILT_IN_PROFILES, loadProfile, validateProfile, type Profile } from './profile.js';

/** Options of `generate` (the CLI's flags; defaults as in the course kit). */
export interface GenerateOptions {
  readonly seed?: number | string;
  /** Days of stream (default 365). */
  readonly days?: number;
  /** Days of history before the stream (default 90). */
  readonly history?: number;
  /** People (default 10000). */
  readonly population?: number;
  /** Mean admissions per day (default 30). */
  readonly admits?: number;
  /** Output directory (default "."). */
  readonly out?: string;
  /** A built-in profile name (`kit`, `course`), a path to a YAML profile, or a loaded profile (default `kit`). */
  readonly profile?: string | Profile;
}

/** Defaults of every option. */
export const GENERATE_DEFAULTS = { seed: 0, days: 365, history: 90, population: 10000, admits: 30, out: '.', profile: 'kit' } as const;

/** Upper limits that keep a run inside memory and the event key's precision. */
export const GENERATE_LIMITS = { days: 36500, history: 36500, population: 1_000_000, admits: 100_000 } as const;

/** Checks options, listing every problem (ConfigError). */
export function resolveOptions(o: GenerateOptions): EngineOptions {
  const problems: string[] = [];
  const int = (name: keyof typeof GENERATE_LIMITS, value: number, min: number): number => {
    if (!Number.isInteger(value) || value < min || value > GENERATE_LIMITS[name]) {
      problems.push(`${name}: expected an integer from ${min} to ${GENERATE_LIMITS[name]}, got ${String(value)}`);
    }
    return value;
  };
  const days = int('days', o.days ?? GENERATE_DEFAULTS.days, 1);
  const history = int('history', o.history ?? GENERATE_DEFAULTS.history, 0);
  const population = int('population', o.population ?? GENERATE_DEFAULTS.population, 1);
  const admits = o.admits ?? GENERATE_DEFAULTS.admits;
  if (!Number.isFinite(admits) || admits < 0 || admits > GENERATE_LIMITS.admits) problems.push(`admits: expected a number from 0 to ${GENERATE_LIMITS.admits}, got ${String(admits)}`);
  const seed = o.seed ?? GENERATE_DEFAULTS.seed;
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) problems.push(`seed: expected an integer, got ${String(seed)}`);
  const out = o.out ?? GENERATE_DEFAULTS.out;
  if (out === '') problems.push('out: expected a directory');
  if (problems.length > 0) throw new ConfigError(problems);
  return { seed, days, history, population, admits, out };
}

/**
 * Generates a hospital's data files. Deterministic: the same options give byte-identical files.
 * `onProgress` is called once per simulated day.
 */
export async function generate(options: GenerateOptions = {}, hooks: { onProgress?: (p: GenerateProgress) => void; cwd?: string } = {}): Promise<GenerateSummary> {
  const resolved = resolveOptions(options);
  const p = options.profile ?? GENERATE_DEFAULTS.profile;
  const profile = typeof p === 'string' ? loadProfile(p, hooks.cwd) : p;
  return runEngine(resolved, profile, hooks.onProgress);
}

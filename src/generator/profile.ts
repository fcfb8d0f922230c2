/**
 * Generator profiles: the model's parameters as data (YAML), validated with a schema.
 *
 * `kit` is spec/generator.md; `course` is fitted to the course's real 2025 data (docs/generator.md).
 * A profile may say `extends: kit` (or another built-in name or a path) and override only some
 * sections: objects merge key by key, arrays and numbers replace the parent's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';

const profilesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiles');

/** Names of the profiles shipped with the generator. */
export const BUILT_IN_PROFILES = ['kit', 'course'] as const;

const nonNegative = z.number().finite().nonnegative();
const probability = z.number().finite().min(0).max(1);
const ageRange = { ageMin: z.number().int().min(0), ageMax: z.number().int().min(0) };

const creatinineBand = z.strictObject({ sex: z.enum(['m', 'f']), ...ageRange, muMean: z.number().finite(), muSd: nonNegative, sigma: nonNegative });
const multiplierBand = z.strictObject({ ...ageRange, low: nonNegative, high: nonNegative });
const akiBand = z.strictObject({ ...ageRange, factor: nonNegative, low: nonNegative, high: nonNegative });

const profileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  extends: z.string().optional(),
  population: z.strictObject({
    ageCounts: z.array(nonNegative).min(1).max(130),
    femaleProbability: probability,
  }),
  creatinine: z.strictObject({
    bands: z.array(creatinineBand).min(1),
    muMin: z.strictObject({ m: nonNegative, f: nonNegative }),
    multiplierBands: z.array(multiplierBand),
  }),
  timeOfDay: z.strictObject({ falloff: z.number().finite().positive(), attempts: z.number().int().min(1).max(100) }),
  admissions: z.strictObject({ dailySd: nonNegative, stayMeanDays: z.number().finite(), staySdDays: nonNegative }),
  tests: z.strictObject({ dailyProbability: probability, admitProbability: probability, repeatProbability: probability }),
  aki: z.strictObject({ baseProbability: probability, bands: z.array(akiBand).min(1) }),
});

/** A validated generator profile. */
export type Profile = z.infer<typeof profileSchema>;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v) : v;
  return out;
}

function locate(nameOrPath: string, cwd: string): string {
  if ((BUILT_IN_PROFILES as readonly string[]).includes(nameOrPath)) return path.join(profilesDir, `${nameOrPath}.yaml`);
  return path.resolve(cwd, nameOrPath);
}

function readRaw(nameOrPath: string, cwd: string, seen: readonly string[]): Record<string, unknown> {
  const file = locate(nameOrPath, cwd);
  if (seen.includes(file)) throw new ConfigError([`profile ${file}: 'extends' loops (${[...seen, file].join(' -> ')})`]);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const hint = (BUILT_IN_PROFILES as readonly string[]).includes(nameOrPath) ? '' : ` (built-in profiles: ${BUILT_IN_PROFILES.join(', ')})`;
    throw new ConfigError([`profile '${nameOrPath}': cannot read ${file}${code ? ` (${code})` : ''}${hint}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError([`profile ${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (!isPlainObject(doc)) throw new ConfigError([`profile ${file}: expected a mapping at the top level`]);
  const parent = doc.extends;
  if (parent === undefined) return doc;
  if (typeof parent !== 'string') throw new ConfigError([`profile ${file}: 'extends' must be a profile name or path`]);
  const base = readRaw(parent, path.dirname(file), [...seen, file]);
  return merge(base, doc) as Record<string, unknown>;
}

/** Semantic checks the schema cannot express; every problem is reported. */
function checkBands(p: Profile, file: string): string[] {
  const problems: string[] = [];
  // The computed age can be one more than the largest drawn age (leap days).
  const maxAge = p.population.ageCounts.length;
  if (!p.population.ageCounts.some((c) => c > 0)) problems.push('population.ageCounts: all zero');
  const check = (label: string, bands: readonly { ageMin: number; ageMax: number }[], mustCover: boolean, filter?: (i: number) => boolean): void => {
    bands.forEach((b, i) => {
      if (b.ageMin > b.ageMax) problems.push(`${label}[${i}]: ageMin ${b.ageMin} is above ageMax ${b.ageMax}`);
    });
    if (!mustCover) return;
    for (let age = 0; age <= maxAge; age++) {
      if (!bands.some((b, i) => (filter ? filter(i) : true) && age >= b.ageMin && age <= b.ageMax)) {
        problems.push(`${label}: no band covers age ${age}`);
        break;
      }
    }
  };
  for (const sex of ['m', 'f'] as const) {
    check(`creatinine.bands (sex ${sex})`, p.creatinine.bands, true, (i) => p.creatinine.bands[i]?.sex === sex);
  }
  check('creatinine.multiplierBands', p.creatinine.multiplierBands, false);
  check('aki.bands', p.aki.bands, true);
  const lowHigh = (label: string, bands: readonly { low: number; high: number }[]): void =>
    bands.forEach((b, i) => {
      if (b.low > b.high) problems.push(`${label}[${i}]: low ${b.low} is above high ${b.high}`);
    });
  lowHigh('creatinine.multiplierBands', p.creatinine.multiplierBands);
  lowHigh('aki.bands', p.aki.bands);
  p.aki.bands.forEach((b, i) => {
    if (b.factor * p.aki.baseProbability > 1) problems.push(`aki.bands[${i}]: baseProbability × factor is above 1`);
  });
  return problems.map((m) => `profile ${file}: ${m}`);
}

/**
 * Loads a profile by built-in name (`kit`, `course`) or by path (relative to `cwd`), resolving
 * `extends`, and validates it. Throws `ConfigError` listing every problem.
 */
export function loadProfile(nameOrPath: string, cwd: string = process.cwd()): Profile {
  const raw = readRaw(nameOrPath, cwd, []);
  const file = locate(nameOrPath, cwd);
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `profile ${file}: ${i.path.join('.') || '(top)'}: ${i.message}`));
  }
  const problems = checkBands(parsed.data, file);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** Validates an in-memory profile object (e.g. from a fitting script). */
export function validateProfile(value: unknown, label = '(inline)'): Profile {
  const parsed = profileSchema.safeParse(value);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `profile ${label}: ${i.path.join('.') || '(top)'}: ${i.message}`));
  const problems = checkBands(parsed.data, label);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

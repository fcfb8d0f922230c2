/**
 * `swemls generate`: a seeded synthetic hospital (spec/generator.md). Writes history.csv,
 * messages.mllp, aki.csv, training.csv, test.csv and test.expected.csv, then prints a one-line
 * summary. The course kit's flag spellings work too.
 */
import path from 'node:path';
import { monotonicMs } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import { BUILT_IN_PROFILES, GENERATE_DEFAULTS, GENERATE_LIMITS, generate, type GenerateProgress, type GenerateSummary } from '../generator/index.js';
import { ExitCode, type Command } from './command.js';

/** A progress bar on a terminal: redrawn at most every 100 ms, erased at the end. */
function progressBar(stream: { write(text: string): unknown }): { update(p: GenerateProgress): void; clear(): void } {
  let last = -Infinity;
  let drawn = false;
  const width = 30;
  return {
    update(p) {
      const now = monotonicMs();
      if (now - last < 100 && p.day < p.totalDays) return;
      last = now;
      const frac = p.totalDays === 0 ? 1 : p.day / p.totalDays;
      const filled = Math.round(frac * width);
      stream.write(`\rgenerating [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] day ${p.day}/${p.totalDays}`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write(`\r${' '.repeat(width + 40)}\r`);
    },
  };
}

/** The one-line summary printed at the end. */
export function formatSummary(s: GenerateSummary, ms: number): string {
  const m = s.messages;
  return (
    `generated ${s.days}+${s.history} days (profile ${s.profile}, seed ${String(s.seed)}) into ${s.out}: ` +
    `${m['ORU^R01']} ORU^R01, ${m['ADT^A01']} ADT^A01, ${m['ADT^A03']} ADT^A03; ${s.akis} AKIs; ` +
    `NHS F3 on the stream ${s.akis === 0 && s.nhs.tp + s.nhs.fp === 0 ? 'n/a (no AKIs)' : s.nhs.f3.toFixed(3)}; ${s.trainingRows} training rows (${s.trainingAkiRows} AKI); ` +
    `${(ms / 1000).toFixed(2)} s`
  );
}

export const command: Command = {
  spec: {
    name: 'generate',
    summary: 'Generate a synthetic hospital: history.csv, messages.mllp, aki.csv, training.csv, test.csv, test.expected.csv.',
    options: [
      { name: 'seed', type: 'int', help: 'random seed: the same seed and options give byte-identical files', default: GENERATE_DEFAULTS.seed, min: 0, max: Number.MAX_SAFE_INTEGER },
      { name: 'days', type: 'int', help: 'days of stream (messages.mllp) after the history', default: GENERATE_DEFAULTS.days, min: 1, max: GENERATE_LIMITS.days, metavar: 'N' },
      { name: 'history', type: 'int', help: 'days of history (history.csv) before the stream', default: GENERATE_DEFAULTS.history, min: 0, max: GENERATE_LIMITS.history, metavar: 'N' },
      { name: 'population', type: 'int', help: 'people in the catchment', default: GENERATE_DEFAULTS.population, min: 1, max: GENERATE_LIMITS.population, aliases: ['population_size', 'population-size'], metavar: 'N' },
      { name: 'admits', type: 'number', help: 'mean admissions per day', default: GENERATE_DEFAULTS.admits, min: 0, max: GENERATE_LIMITS.admits, aliases: ['mean_daily_admits', 'mean-daily-admits'], metavar: 'N' },
      { name: 'out', type: 'string', help: 'output directory (created if missing)', default: GENERATE_DEFAULTS.out, aliases: ['output'], metavar: 'DIR' },
      { name: 'profile', type: 'string', help: `model parameters: ${BUILT_IN_PROFILES.join(' or ')}, or a path to a YAML profile`, default: GENERATE_DEFAULTS.profile, metavar: 'NAME|FILE' },
      { name: 'data', type: 'string', help: "the kit's data directory (names and census are built in)", ignoredNote: 'names come from @faker-js/faker and the census table is built into the profile', metavar: 'DIR' },
    ],
    epilog: 'Profiles: kit = the course kit (spec/generator.md); course = fitted to the course\'s 2025 data (docs/generator.md).',
  },
  async run(args, io) {
    const v = args.values;
    const bar = io.stderr.isTTY ? progressBar(io.stderr) : undefined;
    const started = monotonicMs();
    let summary: GenerateSummary;
    try {
      summary = await generate(
        {
          seed: v.seed as number,
          days: v.days as number,
          history: v.history as number,
          population: v.population as number,
          admits: v.admits as number,
          out: path.resolve(io.cwd, v.out as string),
          profile: v.profile as string,
        },
        { cwd: io.cwd, ...(bar ? { onProgress: (p: GenerateProgress) => bar.update(p) } : {}) },
      );
    } catch (err) {
      bar?.clear();
      if (err instanceof ConfigError) {
        io.stderr.write(`swemls generate: ${err.problems.join('; ')}\n`);
        return ExitCode.usage;
      }
      throw err;
    }
    bar?.clear();
    io.stdout.write(formatSummary(summary, monotonicMs() - started) + '\n');
    return ExitCode.ok;
  },
};

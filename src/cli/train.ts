/**
 * `swemls train`: trains an AKI model on one or more labelled training CSV files (the course's
 * coursework-1 format) and writes it as a versioned JSON model file. Deterministic for a seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monotonicMs } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import { parsePatientCsv, parseDateFlag, type PatientRow } from '../aki/dataset.js';
import { trainModel, type Family } from '../aki/train.js';
import { ExitCode, type Command } from './command.js';

/** Parses `--stream-start`: `auto` (undefined), `none` (null) or a date. */
export function parseStreamStart(value: string | undefined): number | null | undefined {
  if (value === undefined || value === 'auto') return undefined;
  if (value === 'none') return null;
  const t = parseDateFlag(value);
  if (Number.isNaN(t)) throw new ConfigError([`--stream-start: expected auto, none or a date like 2024-03-31, got '${value}'`]);
  return t;
}

export const command: Command = {
  spec: {
    name: 'train',
    summary: 'Train an AKI model on labelled training CSV files; writes a JSON model file.',
    usage: 'swemls train --training FILE [--training FILE...] --out model.json [--seed N]',
    options: [
      { name: 'training', type: 'strings', help: 'a labelled training CSV (age,sex,aki,creatinine_date_0,...); repeat for several', metavar: 'FILE' },
      { name: 'out', type: 'string', help: 'where to write the model (JSON)', metavar: 'FILE' },
      { name: 'seed', type: 'int', help: 'seed of the patient split and folds: the same seed and data give the same file', default: 1, min: 0, max: 2 ** 31 - 1 },
      { name: 'family', type: 'string', help: 'model families to compare', default: 'both', choices: ['both', 'logistic', 'gbdt'] },
      { name: 'stream-start', type: 'string', help: "start of the hospital's live period (results before it are history): auto = the day of the earliest AKI, none, or a date", default: 'auto', metavar: 'auto|none|DATE' },
      { name: 'quiet', type: 'boolean', help: 'print only the final line', default: false },
    ],
    epilog: 'Prints the comparison of model families on held-out patients (F3, precision, recall); see docs/model.md.',
  },
  async run(args, io) {
    const files = (args.values.training as readonly string[] | undefined) ?? [];
    const out = args.values.out as string | undefined;
    const problems: string[] = [];
    if (files.length === 0) problems.push('--training FILE is required');
    if (!out) problems.push('--out FILE is required');
    if (problems.length > 0) throw new ConfigError(problems);
    const streamStart = parseStreamStart(args.values.streamStart as string);
    const seed = args.values.seed as number;
    const fam = args.values.family as string;
    const families: Family[] = fam === 'both' ? ['logistic', 'gbdt'] : [fam as Family];
    const log = (m: string): void => {
      if (!args.values.quiet) io.stderr.write(`${m}\n`);
    };
    const t0 = monotonicMs();
    const rows: PatientRow[] = [];
    for (const f of files) {
      const file = path.resolve(io.cwd, f);
      const table = parsePatientCsv(fs.readFileSync(file, 'utf8'), f, { requireLabels: true });
      log(`read ${table.rows.length} patients from ${f}`);
      for (const r of table.rows) rows.push(r);
    }
    const { file, report } = trainModel(rows, { seed, families, log, ...(streamStart !== undefined ? { streamStart } : {}) });
    const outPath = path.resolve(io.cwd, out as string);
    fs.mkdirSync(path.dirname(outPath), { recursive: true });
    fs.writeFileSync(outPath, JSON.stringify(file) + '\n');
    const chosen = report.families[report.chosen];
    io.stdout.write(
      `trained ${file.version} on ${report.patients} patients (${report.examples} results, ${report.positives} AKI) in ${((monotonicMs() - t0) / 1000).toFixed(1)} s; ` +
        `held-out F3 ${chosen?.holdout.f3.toFixed(4)} (precision ${chosen?.holdout.precision.toFixed(4)}, recall ${chosen?.holdout.recall.toFixed(4)}); wrote ${out}\n`,
    );
    return ExitCode.ok;
  },
};

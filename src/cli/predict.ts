/**
 * `swemls predict`: the course's coursework-1 interface. Reads a test CSV (one patient per row)
 * and writes `aki.csv`: a single `aki` column, `y` when the row's last result is predicted to
 * be an AKI. `--model nhs` runs the course's NHS algorithm instead of a learned model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monotonicMs } from '../core/clock.js';
import { formatLabelCsv, readPatientCsv } from '../aki/dataset.js';
import { createPatientState, resetPatientState, updatePatientState } from '../aki/features.js';
import { DEFAULT_MODEL_PATH } from '../aki/default-model.js';
import { loadModel, nhsEnglandModel, nhsModel, type Model } from '../aki/model.js';
import { ExitCode, type Command } from './command.js';
import { parseStreamStart } from './train.js';


/** Loads `nhs`, `default` or a model file path (relative to `cwd`). */
export function resolveModel(spec: string, cwd: string, streamStart?: number | null): Model {
  if (spec === 'nhs') return nhsModel();
  if (spec === 'nhs-england') return nhsEnglandModel();
  const file = spec === 'default' ? DEFAULT_MODEL_PATH : path.resolve(cwd, spec);
  return loadModel(fs.readFileSync(file, 'utf8'), streamStart !== undefined ? { streamStart } : {});
}

export const command: Command = {
  spec: {
    name: 'predict',
    summary: 'Predict AKI for each row of a test CSV (the course coursework-1 interface); writes a single aki column.',
    usage: 'swemls predict --model model.json|nhs --input test.csv --output aki.csv',
    options: [
      { name: 'model', type: 'string', help: "a model file, 'default' (models/default.json), 'nhs' (the course's NHS algorithm) or 'nhs-england' (NHS England's full algorithm)", default: 'default', metavar: 'FILE|nhs' },
      { name: 'input', type: 'string', help: 'test CSV: age,sex[,aki],creatinine_date_0,creatinine_result_0,... (CRLF/LF, BOM, ragged rows all accepted)', default: 'test.csv', metavar: 'FILE' },
      { name: 'output', type: 'string', help: "where to write the predictions ('-' for stdout)", default: 'aki.csv', metavar: 'FILE' },
      { name: 'stream-start', type: 'string', help: "override the model's start of the live period: auto (the model's), none, or a date", default: 'auto', metavar: 'auto|none|DATE' },
    ],
  },
  async run(args, io) {
    const streamStart = parseStreamStart(args.values.streamStart as string);
    const model = resolveModel(args.values.model as string, io.cwd, streamStart);
    const input = args.values.input as string;
    const t0 = monotonicMs();
    const labels: boolean[] = [];
    const state = createPatientState();
    let positives = 0;
    const read = readPatientCsv(fs.readFileSync(path.resolve(io.cwd, input), 'utf8'), input, {}, (_line, age, sex, _aki, times, values, count) => {
      resetPatientState(state); // one state object, reused: a row is a patient
      for (let k = 0; k < count; k++) updatePatientState(state, times[k]!, values[k]!);
      const aki = count > 0 && model.predict(state, { age, sex }).aki;
      labels.push(aki);
      if (aki) positives++;
    });
    const table = { rows: { length: read.rows } };
    const text = formatLabelCsv(labels);
    const output = args.values.output as string;
    if (output === '-') io.stdout.write(text);
    else fs.writeFileSync(path.resolve(io.cwd, output), text);
    const secs = (monotonicMs() - t0) / 1000;
    io.stderr.write(`predicted ${table.rows.length} rows with ${model.kind} ${model.version}: ${positives} AKI; ${secs.toFixed(2)} s (${Math.round(table.rows.length / Math.max(secs, 1e-9))} rows/s)\n`);
    return ExitCode.ok;
  },
};

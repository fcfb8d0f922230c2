/**
 * `swemls score`: scores predictions against expected labels, like the course's `score.py`:
 * F3 and the confusion counts for the predictions, for an arbitrary (random) guess and for a
 * perfect model. Both files need an `aki` column (`y`/`n` or `1`/`0`); rows pair up in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import { createRng } from '../core/random.js';
import { parseLabelCsv } from '../aki/dataset.js';
import { confusion, fbeta, precision, recall, type Confusion } from '../aki/score.js';
import { ExitCode, type Command } from './command.js';

/** One line in score.py's layout, plus precision and recall. */
export function formatScore(name: string, c: Confusion): string {
  return (
    `${name}: f3: ${fbeta(c.tp, c.fp, c.fn).toFixed(5)} tp: ${c.tp} tn: ${c.tn} fp: ${c.fp} fn: ${c.fn} ` +
    `precision: ${precision(c.tp, c.fp).toFixed(5)} recall: ${recall(c.tp, c.fn).toFixed(5)}`
  );
}

export const command: Command = {
  spec: {
    name: 'score',
    summary: "Score predictions against expected labels (F3, confusion counts), like the course's score.py.",
    usage: 'swemls score --expected FILE --predictions FILE',
    options: [
      { name: 'expected', type: 'string', help: 'expected labels: any CSV with an aki column (test.expected.csv, or a labelled test.csv)', default: 'test.expected.csv', metavar: 'FILE' },
      { name: 'predictions', type: 'string', help: 'predictions: a CSV with an aki column (aki.csv)', default: 'aki.csv', metavar: 'FILE' },
      { name: 'seed', type: 'int', help: 'seed of the arbitrary (coin-flip) guess', default: 0, min: 0, max: 2 ** 31 - 1 },
    ],
  },
  async run(args, io) {
    const expectedPath = args.values.expected as string;
    const predictionsPath = args.values.predictions as string;
    const expected = parseLabelCsv(fs.readFileSync(path.resolve(io.cwd, expectedPath), 'utf8'), expectedPath);
    const predicted = parseLabelCsv(fs.readFileSync(path.resolve(io.cwd, predictionsPath), 'utf8'), predictionsPath);
    if (expected.length !== predicted.length) {
      throw new ConfigError([`${predictionsPath} has ${predicted.length} rows but ${expectedPath} has ${expected.length}: they must pair up row by row`]);
    }
    const rng = createRng(args.values.seed as number).stream('arbitrary');
    const arbitrary = expected.map(() => rng.chance(0.5));
    io.stdout.write(
      [formatScore('model', confusion(expected, predicted)), formatScore('arbitrary', confusion(expected, arbitrary)), formatScore('perfect', confusion(expected, expected))].join('\n') + '\n',
    );
    return ExitCode.ok;
  },
};

/**
 * Where the committed default model lives (`models/default.json` of the package, produced by
 * `npm run train:default`), resolved from this file so it works from any working directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type Model, type ModelOptions } from './model.js';

/** Absolute path of models/default.json (source tree `src/aki/` or build `dist/aki/`: two levels up). */
export const DEFAULT_MODEL_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models/default.json');

/** Loads the default model (throws `AkiError` AKI_ERR_BAD_MODEL, or the fs error, if it is missing or bad). */
export function loadDefaultModel(options: ModelOptions = {}): Model {
  return loadModel(fs.readFileSync(DEFAULT_MODEL_PATH, 'utf8'), options);
}

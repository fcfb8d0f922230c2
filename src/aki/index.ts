/**
 * The AKI domain's public API (what the detector, the generator and the CLI use).
 *
 * Streaming use (the detector):
 * ```ts
 * const model = loadModel(fs.readFileSync('models/default.json', 'utf8')); // or nhsModel()
 * const state = createPatientState();            // one per patient, JSON-serialisable
 * updatePatientState(state, timeMs, creatinine); // per result, in arrival order
 * const { aki, score } = model.predict(state, { age, sex }); // age/sex may be unknown
 * ```
 */
export { nhsAki, nhsAkiAt, nhsDecision, upperReference, median, DAY_MS } from './nhs.js';
export { fbeta, precision, recall, confusion, confusionFbeta, createConfusion, addOutcome, type Confusion } from './score.js';
export {
  createPatientState,
  updatePatientState,
  resetPatientState,
  parsePatientState,
  stateFeatures,
  batchFeatures,
  FEATURE_NAMES,
  FEATURE_COUNT,
  WINDOW_CAP,
  WINDOW_MS,
  type PatientState,
  type Demographics,
} from './features.js';
export {
  loadModel,
  createModel,
  parseModelFile,
  nhsModel,
  nhsEnglandModel,
  nhsFromState,
  type ModelOptions,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type Model,
  type ModelFile,
  type Prediction,
  type SubModel,
} from './model.js';
export { DEFAULT_MODEL_PATH, loadDefaultModel } from './default-model.js';
export { nhsEnglandAki, nhsEnglandStage, type AkiStage } from './nhs-england.js';
export { parsePatientCsv, readPatientCsv, parseLabelCsv, formatLabelCsv, parseCsvDate, parseDateFlag, formatCsvDate, type PatientRow, type PatientTable } from './dataset.js';
export { AkiError, AkiErrorCode } from './errors.js';

/** Errors of the AKI domain (codes listed in docs/errors.md). */
import { SwemlsError } from '../core/errors.js';

/** Stable codes of `AkiError`. */
export const AkiErrorCode = {
  /** A CSV file (training, test, labels, predictions) is malformed; the message names the line. */
  badCsv: 'AKI_ERR_BAD_CSV',
  /** A model file is not a valid swemls model. */
  badModel: 'AKI_ERR_BAD_MODEL',
  /** Training could not run (no examples, no positives…). */
  training: 'AKI_ERR_TRAINING',
} as const;

/** An error of the AKI domain. */
export class AkiError extends SwemlsError {}

/** Errors of the detector (codes listed in docs/errors.md). */
import { SwemlsError } from '../core/errors.js';

/** Stable codes of `DetectorError`. */
export const DetectorErrorCode = {
  /** The state store could not be opened or migrated (bad path, a newer schema, a corrupt file). */
  store: 'DET_ERR_STORE',
  /** The history CSV could not be read at all (lines it cannot read are skipped and counted instead). */
  history: 'DET_ERR_HISTORY',
  /** The model file could not be read or is not a valid model. */
  model: 'DET_ERR_MODEL',
  /** A backfill file holds nothing that looks like HL7 batch text. */
  backfill: 'DET_ERR_BACKFILL',
  /** An address flag is not `HOST:PORT`. */
  address: 'DET_ERR_ADDRESS',
} as const;

export type DetectorErrorCode = (typeof DetectorErrorCode)[keyof typeof DetectorErrorCode];

/** An error of the detector. */
export class DetectorError extends SwemlsError {}

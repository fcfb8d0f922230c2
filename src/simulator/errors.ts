/** Errors of the simulator, with stable codes (listed in docs/errors.md). */
import { SwemlsError } from '../core/errors.js';

export const SimulatorErrorCode = {
  /** The messages, AKI, groups or fault-plan file cannot be used. */
  input: 'SIM_ERR_INPUT',
  /** The state directory or its event log cannot be used. */
  state: 'SIM_ERR_STATE',
} as const;
export type SimulatorErrorCode = (typeof SimulatorErrorCode)[keyof typeof SimulatorErrorCode];

export class SimulatorError extends SwemlsError {
  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Errors of the generator. Bad options and profiles are `ConfigError`s (src/core/errors.ts). */
import { SwemlsError } from '../core/errors.js';

/** Stable codes (docs/errors.md § Generator). */
export const GeneratorErrorCode = {
  /** The output directory or a file in it cannot be created or written. */
  output: 'GEN_ERR_OUTPUT',
} as const;

export type GeneratorErrorCode = (typeof GeneratorErrorCode)[keyof typeof GeneratorErrorCode];

/** A generator failure with a stable code, chaining the underlying cause. */
export class GeneratorError extends SwemlsError {
  constructor(code: GeneratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

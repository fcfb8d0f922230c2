/** Typed errors of the HL7/MLLP library. Codes are stable and listed in docs/errors.md. */

export const Hl7ErrorCode = {
  /** An MLLP frame grew past the configured cap. The stream cannot be resynchronised: drop it. */
  frameTooLarge: 'HL7_ERR_FRAME_TOO_LARGE',
  /** An MLLP frame with nothing inside (`0x0B 0x1C 0x0D`). */
  emptyFrame: 'HL7_ERR_EMPTY_FRAME',
  /** Text that is not an HL7 v2 message (no MSH, bad delimiters). */
  notHl7: 'HL7_ERR_NOT_HL7',
  /** No reply came in time. */
  timeout: 'HL7_ERR_TIMEOUT',
  /** The connection closed (or was closed) while something was waiting on it. */
  closed: 'HL7_ERR_CLOSED',
  /** A second request while one is outstanding. */
  busy: 'HL7_ERR_BUSY',
} as const;

export type Hl7ErrorCode = (typeof Hl7ErrorCode)[keyof typeof Hl7ErrorCode];

/** An error of the HL7/MLLP library, with a stable `code`. */
export class Hl7Error extends Error {
  readonly code: Hl7ErrorCode;

  constructor(code: Hl7ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'Hl7Error';
  }
}

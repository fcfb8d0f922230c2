/**
 * Acknowledgements. `buildAck` takes the time and control id from the caller (no clock inside:
 * a library that bakes `new Date()` into ACKs cannot be tested). `readAck` says what an ACK
 * acknowledges.
 */
import { formatHl7Timestamp } from './timestamp.js';
import { buildHl7, parseHl7, unescapeHl7, type Hl7Message, type Hl7Segment } from './message.js';
import { Hl7Error } from './errors.js';

/** MSA-1 codes: accept, error (resend may help), reject (do not resend). */
export const AckCode = { accept: 'AA', error: 'AE', reject: 'AR' } as const;
export type AckCode = (typeof AckCode)[keyof typeof AckCode];

export interface BuildAckOptions {
  /** The message being acknowledged (its MSH-3..6 are swapped into the ACK, MSH-10 goes to MSA-2). Omit when it could not be parsed. */
  readonly message?: Hl7Message;
  readonly code: AckCode;
  /** The ACK's own time (ms since epoch, UTC). */
  readonly time: number;
  /** The ACK's own MSH-10 ('' for none, as the course's minimal ACK). */
  readonly controlId?: string;
  /** For AE/AR: a text for ERR-8, and an HL7 table 0357 code for ERR-3 (default 207, application internal error). */
  readonly errorText?: string;
  readonly errorCode?: string;
}

/** HL7 table 0357 (message error condition codes): the texts for ERR-3. */
export const ERROR_CONDITION_TEXT: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Message accepted',
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
});

/** MSH-3..6 are HD fields (namespace^universal id^type): every component, unescaped. */
function hdComponents(h: Hl7Segment | undefined, n: number): string[] {
  return h ? h.field(n).split(h.delimiters.component).map((c) => unescapeHl7(c, h.delimiters)) : [''];
}

/**
 * Builds an ACK:
 * `MSH|^~\&|<MSH-5>|<MSH-6>|<MSH-3>|<MSH-4>|<t>||ACK|<id>|P|2.5` `MSA|<code>|<MSH-10>` [`ERR|...`].
 */
export function buildAck(options: BuildAckOptions): string {
  const h = options.message?.header;
  const segments: [string, ...(string | string[])[]][] = [
    ['MSH', hdComponents(h, 5), hdComponents(h, 6), hdComponents(h, 3), hdComponents(h, 4), formatHl7Timestamp(options.time), '', 'ACK', options.controlId ?? '', 'P', '2.5'],
    ['MSA', options.code, options.message?.controlId ?? ''],
  ];
  if (options.code !== AckCode.accept) {
    const code = options.errorCode ?? '207';
    segments.push(['ERR', '', '', [code, ERROR_CONDITION_TEXT[code] ?? 'Error', 'HL70357'], 'E', '', '', '', options.errorText ?? '']);
  }
  return buildHl7(segments).toString();
}

/** What an ACK says. */
export type AckReading =
  | { readonly ok: true; readonly code: string; readonly acknowledges: string; readonly controlId: string; readonly errorText: string }
  | { readonly ok: false; readonly reason: string };

/** Reads an ACK (any MSA-1 code is reported as it is). Never throws. */
export function readAck(input: string | Uint8Array): AckReading {
  let message: Hl7Message;
  try {
    message = parseHl7(input);
  } catch (err) {
    return { ok: false, reason: err instanceof Hl7Error ? err.message : String(err) };
  }
  const msa = message.segment('MSA');
  if (!msa) return { ok: false, reason: 'no MSA segment' };
  const code = msa.component(1);
  if (code === '') return { ok: false, reason: 'MSA-1 is empty' };
  return { ok: true, code, acknowledges: msa.component(2), controlId: message.controlId, errorText: message.segment('ERR')?.component(8) ?? '' };
}

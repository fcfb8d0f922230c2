/**
 * The HL7 v2 message model: parse ER7 text, read fields and components (1-based, as HL7 numbers
 * them), build messages and serialise them back. Parsing is lazy below the field level, so
 * reading a few fields of a small message costs little more than splitting it.
 */
import { Hl7Error, Hl7ErrorCode } from './errors.js';

/** The delimiters of a message, read from its MSH segment. */
export interface Hl7Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
}

export const DEFAULT_DELIMITERS: Hl7Delimiters = Object.freeze({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });

/**
 * Replaces delimiter characters in a value with HL7 escapes (`|` → `\F\`, `^` → `\S\`, `&` →
 * `\T\`, `~` → `\R\`, `\` → `\E\`), and CR and LF with `\X0D\` and `\X0A\` (a raw one would
 * end the segment). A value with none of these is returned as it is.
 */
export function escapeHl7(value: string, d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  if (!needsEscape(value, d)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === d.escape) out += `${d.escape}E${d.escape}`;
    else if (ch === d.field) out += `${d.escape}F${d.escape}`;
    else if (ch === d.component) out += `${d.escape}S${d.escape}`;
    else if (ch === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (ch === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (ch === '\r') out += `${d.escape}X0D${d.escape}`;
    else if (ch === '\n') out += `${d.escape}X0A${d.escape}`;
    else out += ch;
  }
  return out;
}

function needsEscape(value: string, d: Hl7Delimiters): boolean {
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === d.escape || ch === d.field || ch === d.component || ch === d.subcomponent || ch === d.repetition || ch === '\r' || ch === '\n') return true;
  }
  return false;
}

/** Turns HL7 escapes back into characters; `\Xhh..\` gives the bytes as latin-1; unknown escapes are kept. */
export function unescapeHl7(value: string, d: Hl7Delimiters = DEFAULT_DELIMITERS): string {
  if (!value.includes(d.escape)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch !== d.escape) {
      out += ch;
      i++;
      continue;
    }
    const close = value.indexOf(d.escape, i + 1);
    if (close < 0) {
      out += value.slice(i);
      break;
    }
    const code = value.slice(i + 1, close);
    switch (code) {
      case 'F':
        out += d.field;
        break;
      case 'S':
        out += d.component;
        break;
      case 'T':
        out += d.subcomponent;
        break;
      case 'R':
        out += d.repetition;
        break;
      case 'E':
        out += d.escape;
        break;
      default:
        if (/^X([0-9A-Fa-f]{2})+$/.test(code)) {
          for (let k = 1; k < code.length; k += 2) out += String.fromCharCode(parseInt(code.slice(k, k + 2), 16));
        } else {
          out += value.slice(i, close + 1);
        }
    }
    i = close + 1;
  }
  return out;
}

/** The k-th (1-based) piece of `text` split on `sep` ('' when there are fewer pieces). */
function piece(text: string, sep: string, k: number): string {
  let start = 0;
  for (let i = 1; i < k; i++) {
    const at = text.indexOf(sep, start);
    if (at < 0) return '';
    start = at + sep.length;
  }
  const end = text.indexOf(sep, start);
  return end < 0 ? text.slice(start) : text.slice(start, end);
}

/** One segment: `fields[0]` is the name and `fields[n]` is field n (for MSH, MSH-1 is the field separator). */
export class Hl7Segment {
  /** The segment name (`fields[0]`). */
  readonly name: string;
  private split: readonly string[] | undefined;
  /** The segment's text, when it was parsed and its fields not yet split. */
  private readonly line: string | undefined;

  constructor(fields: readonly string[], delimiters: Hl7Delimiters);
  /** @internal A segment split into fields only when first read (what `parseHl7` makes). */
  constructor(fields: undefined, delimiters: Hl7Delimiters, line: string);
  constructor(
    fields: readonly string[] | undefined,
    readonly delimiters: Hl7Delimiters,
    line?: string,
  ) {
    this.split = fields;
    this.line = line;
    this.name = fields ? (fields[0] ?? '') : (line as string).slice(0, 3);
  }

  /** `fields[0]` is the name and `fields[n]` field n (MSH-1 being the field separator). */
  get fields(): readonly string[] {
    if (this.split === undefined) {
      const f = (this.line as string).split(this.delimiters.field);
      if (this.name === 'MSH') f.splice(1, 0, this.delimiters.field);
      this.split = f;
    }
    return this.split;
  }

  /** The raw text of field n (1-based), or '' when absent. */
  field(n: number): string {
    return this.fields[n] ?? '';
  }

  /**
   * Component c (1-based) of repetition r (1-based) of field n, unescaped; '' when absent.
   * MSH-1 and MSH-2 are returned whole (they hold the delimiters themselves).
   */
  component(n: number, c = 1, r = 1): string {
    const raw = this.fields[n];
    if (raw === undefined || raw === '') return '';
    if (n <= 2 && this.name === 'MSH') return raw;
    const d = this.delimiters;
    const rep = r === 1 && raw.indexOf(d.repetition) < 0 ? raw : piece(raw, d.repetition, r);
    const comp = c === 1 && rep.indexOf(d.component) < 0 ? rep : piece(rep, d.component, c);
    return comp.indexOf(d.escape) < 0 ? comp : unescapeHl7(comp, d);
  }

  /** Number of fields (the highest field number present). */
  get length(): number {
    return this.fields.length - 1;
  }

  /** The segment as ER7 text (no segment terminator). */
  toString(): string {
    if (this.name === 'MSH') return 'MSH' + this.delimiters.field + this.fields.slice(2).join(this.delimiters.field);
    return this.fields.join(this.delimiters.field);
  }
}

/** A parsed HL7 v2 message. */
export class Hl7Message {
  constructor(
    readonly segments: readonly Hl7Segment[],
    readonly delimiters: Hl7Delimiters,
  ) {}

  /** The n-th (1-based) segment with this name. */
  segment(name: string, occurrence = 1): Hl7Segment | undefined {
    let seen = 0;
    for (const s of this.segments) {
      if (s.name === name && ++seen === occurrence) return s;
    }
    return undefined;
  }

  /** Every segment with this name, in order. */
  segmentsNamed(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /** Component c of field n of the first segment `name` ('' when absent). */
  get(name: string, n: number, c = 1): string {
    return this.segment(name)?.component(n, c) ?? '';
  }

  get header(): Hl7Segment {
    return this.segments[0] as Hl7Segment;
  }

  /** MSH-9 as `TYPE^TRIGGER` (e.g. `ORU^R01`), or just the type when there is no trigger. */
  get type(): string {
    const h = this.header;
    const t = h.component(9, 1);
    const e = h.component(9, 2);
    return e ? `${t}^${e}` : t;
  }

  /** MSH-10, the message control id ('' when empty, as in the course's data). */
  get controlId(): string {
    return this.header.component(10);
  }

  /** The message as ER7 text, segments ended by `\r` (the last one too). */
  toString(): string {
    let out = '';
    for (const s of this.segments) out += s.toString() + '\r';
    return out;
  }
}

/** Reads the delimiters from the start of an MSH segment. */
function readDelimiters(text: string): Hl7Delimiters {
  if (text.startsWith('MSH|^~\\&')) return DEFAULT_DELIMITERS;
  if (!text.startsWith('MSH') || text.length < 8) {
    throw new Hl7Error(Hl7ErrorCode.notHl7, 'not an HL7 message: it does not start with an MSH segment');
  }
  const field = text[3] as string;
  const enc = text.slice(4, 8);
  const [component, repetition, escape, subcomponent] = enc;
  const set = new Set([field, component, repetition, escape, subcomponent]);
  if (set.size !== 5 || /[A-Za-z0-9\r\n\s]/.test(field + enc)) {
    throw new Hl7Error(Hl7ErrorCode.notHl7, `not an HL7 message: bad delimiters '${text.slice(3, 8)}' in MSH`);
  }
  return { field, component: component as string, repetition: repetition as string, escape: escape as string, subcomponent: subcomponent as string };
}

/** True for a valid segment name: an upper-case letter, then two upper-case letters or digits. */
function isSegmentName(name: string): boolean {
  if (name.length !== 3) return false;
  const a = name.charCodeAt(0);
  const b = name.charCodeAt(1);
  const c = name.charCodeAt(2);
  return a >= 65 && a <= 90 && ((b >= 65 && b <= 90) || (b >= 48 && b <= 57)) && ((c >= 65 && c <= 90) || (c >= 48 && c <= 57));
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Parses ER7 text. Segments may end in `\r`, `\n` or `\r\n`; empty lines are skipped. Bytes are
 * read as latin-1 (one character per byte), so serialising gives back the same bytes whatever the
 * charset; a UTF-8 or UTF-16 byte-order mark at the start is skipped. Throws `HL7_ERR_NOT_HL7`
 * when the text does not start with MSH, its delimiters are unusable, or a segment has no valid
 * name (three characters: an upper-case letter, then upper-case letters or digits).
 */
export function parseHl7(input: string | Uint8Array): Hl7Message {
  let text: string;
  if (typeof input === 'string') text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  else {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const skip = buf.length >= 3 && buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2] ? 3 : 0;
    text = buf.toString('latin1', skip);
  }
  const d = readDelimiters(text);
  const lines = text.includes('\n') ? text.split(/\r\n|\r|\n/) : text.split('\r');
  const segments: Hl7Segment[] = [];
  for (const line of lines) {
    if (line === '') continue;
    // Fields are split when first read: a reader of a few segments does not pay for the others.
    if (!isSegmentName(line.slice(0, 3)) || (line.length > 3 && line[3] !== d.field)) {
      const end = line.indexOf(d.field);
      const name = end < 0 ? line : line.slice(0, end);
      throw new Hl7Error(Hl7ErrorCode.notHl7, `bad segment name '${name.slice(0, 8)}' in segment ${segments.length + 1}`);
    }
    segments.push(new Hl7Segment(undefined, d, line));
  }
  return new Hl7Message(segments, d);
}

/** A field value for building: a plain value (escaped), or components (each escaped). */
export type Hl7FieldValue = string | readonly string[];

/**
 * Builds a message from segments given as `[name, field1, field2, ...]`. For MSH give the fields
 * from MSH-3 on (MSH-1 and MSH-2 are the default delimiters). Values are escaped.
 */
export function buildHl7(segments: readonly (readonly [string, ...Hl7FieldValue[]])[]): Hl7Message {
  const d = DEFAULT_DELIMITERS;
  const built = segments.map(([name, ...values]) => {
    const fields = values.map((v) => (typeof v === 'string' ? escapeHl7(v, d) : v.map((c) => escapeHl7(c, d)).join(d.component)));
    return new Hl7Segment(name === 'MSH' ? ['MSH', d.field, `${d.component}${d.repetition}${d.escape}${d.subcomponent}`, ...fields] : [name, ...fields], d);
  });
  return new Hl7Message(built, d);
}

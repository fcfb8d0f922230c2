/**
 * Fault injection for the simulator: a plan (YAML file or command-line flags), an injector that
 * decides, per message index, which faults to inject, and the pure byte-level faults themselves
 * (corruption, fragmentation).
 *
 * Decisions are deterministic: `decide(i)` depends only on the plan, the seeds and `i` (each
 * message index gets its own random stream), so a restarted simulator makes the same decisions
 * for the same messages. The plan format is documented in docs/faults.md.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { cumulativeWeights, type Rng } from '../core/random.js';

export const CORRUPTION_KINDS = ['truncate', 'bad-value', 'wrong-separators', 'non-ascii'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

/** The message faults a plan can schedule. */
export const MESSAGE_FAULTS = ['drop', 'corrupt', 'duplicate', 'delay', 'fragment'] as const;
export type MessageFaultName = (typeof MESSAGE_FAULTS)[number];

/** What to do to one message. */
export interface MessageFaults {
  /** Close the connection after writing this message, before its reply is read (the ACK is lost). */
  dropConnection: boolean;
  /** Send a corrupted copy of the message instead (scoring still uses the original). */
  corrupt: CorruptionKind | null;
  /** Send the message a second time after its reply arrives. */
  duplicate: boolean;
  /** Wait this long (real milliseconds) before writing the message; 0 = no delay. */
  delayMs: number;
  /** Number of separate writes the frame is split into; 1 = the whole frame in one write. */
  fragments: number;
}

/** No fault at all. */
export const NO_MESSAGE_FAULTS: Readonly<MessageFaults> = Object.freeze({
  dropConnection: false,
  corrupt: null,
  duplicate: false,
  delayMs: 0,
  fragments: 1,
});

/** Which message indexes a scheduled fault applies to (indexes are 0-based positions in the file). */
export type IndexSelector =
  | { readonly kind: 'at'; readonly indexes: readonly number[] }
  | { readonly kind: 'range'; readonly from: number; readonly to: number } // inclusive
  | { readonly kind: 'every'; readonly every: number; readonly start: number; readonly end: number | null }; // end inclusive

export interface ScheduledFault {
  readonly select: IndexSelector;
  readonly fault: MessageFaultName;
  /** For `corrupt`: a fixed kind (otherwise drawn with the plan's weights). */
  readonly kind: CorruptionKind | null;
  /** For `delay`: milliseconds (otherwise the plan's `delayMs`). */
  readonly ms: number | null;
  /** For `fragment`: number of pieces (otherwise drawn from the plan's `fragments` range). */
  readonly pieces: number | null;
}

export type PagerMode = 'error500' | 'hang';

/** A pager outage: simulated time since the start simulated time, [fromMs, toMs). */
export interface PagerOutage {
  readonly fromMs: number;
  readonly toMs: number;
  readonly mode: PagerMode;
  /** For `hang`: how long each page hangs before the pager answers (real ms). */
  readonly hangMs: number;
}

export interface FaultPlan {
  /** Seed of the fault streams (mixed with the seed of the `Rng` given to the injector). */
  readonly seed: number;
  readonly messages: {
    /** Probability per message of each fault. */
    readonly rates: Readonly<Record<MessageFaultName, number>>;
    /** Delay of rate-drawn delays, ms. */
    readonly delayMs: number;
    /** Relative weights of the corruption kinds drawn for rate-drawn corruptions. */
    readonly corruptionWeights: Readonly<Record<CorruptionKind, number>>;
    /** Number of pieces of a fragmented frame, drawn uniformly in [min, max]. */
    readonly fragments: { readonly min: number; readonly max: number };
    /** Fragment every frame (the course scaffolding's `--short_messages`). */
    readonly shortMessages: boolean;
    readonly schedule: readonly ScheduledFault[];
  };
  readonly pager: {
    /** Probability per page of a 500 answer. */
    readonly errorRate: number;
    /** Probability per page of a hang. */
    readonly hangRate: number;
    /** How long a rate-drawn hang lasts, ms. */
    readonly hangMs: number;
    readonly outages: readonly PagerOutage[];
  };
}

export type PagerFault = { kind: 'error500' } | { kind: 'hang'; ms: number } | null;

export interface FaultInjector {
  /** The faults for message `messageIndex` (0-based). Depends only on the plan, the seeds and the index. */
  decide(messageIndex: number): MessageFaults;
  /**
   * The fault for a page arriving at `simulatedNowMs`, the simulated milliseconds elapsed since
   * the start simulated time (the same origin as the plan's outage windows). Outage windows
   * win; otherwise the pager rates are drawn from a sequential stream (the n-th page of a run
   * always gets the same draw).
   */
  pagerFault(simulatedNowMs: number): PagerFault;
}

// ---------------------------------------------------------------------------------------------
// Plan schema (YAML keys in snake_case; camelCase keys are accepted and converted).

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_HANG_MS = 15000;
const DEFAULT_FRAGMENTS = { min: 2, max: 8 };
const MAX_PIECES = 65536;
const MAX_DELAY_MS = 3_600_000;

const rate = z.number().min(0, 'a rate must be between 0 and 1').max(1, 'a rate must be between 0 and 1');
const index = z.number().int('a message index must be an integer').min(0, 'a message index must be >= 0');
const ms = z.number().int('milliseconds must be an integer').min(0, 'milliseconds must be >= 0').max(MAX_DELAY_MS, `at most ${MAX_DELAY_MS} ms`);
const pieces = z.number().int('pieces must be an integer').min(1, 'pieces must be >= 1').max(MAX_PIECES, `at most ${MAX_PIECES} pieces`);
const kindName = z
  .string()
  .transform((s) => s.replace(/_/g, '-'))
  .pipe(z.enum(CORRUPTION_KINDS, { error: `a corruption kind is one of ${CORRUPTION_KINDS.join(', ')}` }));

const DURATION = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `30m`, `2h`, `1h30m`, `1d`, `250ms` (or `0`) into ms. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '0') return 0;
  if (!DURATION.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(DURATION_PART)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return Math.round(total);
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const parsed = typeof v === 'number' ? (v === 0 ? 0 : undefined) : parseDuration(v);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(v)} (write e.g. "90s", "30m", "2h", "1h30m")` });
    return z.NEVER;
  }
  return parsed;
});

/** Cross-field checks run even when a field already failed, so every problem is listed at once. */
const evenWithIssues = { when: (p: { value: unknown }) => p.value !== null && typeof p.value === 'object' };
const isNum = (v: unknown): v is number => typeof v === 'number';

const scheduleEntry = z
  .strictObject({
    at: z.union([index, z.array(index).min(1, 'at: give at least one index')]).optional(),
    range: z.tuple([index, index]).optional(),
    every: z.number().int().min(1, 'every must be >= 1').optional(),
    start: index.optional(),
    end: index.optional(),
    fault: z.enum(MESSAGE_FAULTS, { error: `fault is one of ${MESSAGE_FAULTS.join(', ')}` }),
    kind: kindName.optional(),
    ms: ms.optional(),
    pieces: pieces.optional(),
  })
  .superRefine((e, ctx) => {
    const selectors = [e.at !== undefined, e.range !== undefined, e.every !== undefined].filter(Boolean).length;
    if (selectors !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of at, range, every' });
    if (Array.isArray(e.range) && isNum(e.range[0]) && isNum(e.range[1]) && e.range[0] > e.range[1]) ctx.addIssue({ code: 'custom', path: ['range'], message: 'range: first index is after the last' });
    if ((e.start !== undefined || e.end !== undefined) && e.every === undefined)
      ctx.addIssue({ code: 'custom', message: 'start/end only go with every' });
    if (e.kind !== undefined && e.fault !== 'corrupt') ctx.addIssue({ code: 'custom', path: ['kind'], message: 'kind only goes with fault: corrupt' });
    if (e.ms !== undefined && e.fault !== 'delay') ctx.addIssue({ code: 'custom', path: ['ms'], message: 'ms only goes with fault: delay' });
    if (e.pieces !== undefined && e.fault !== 'fragment') ctx.addIssue({ code: 'custom', path: ['pieces'], message: 'pieces only goes with fault: fragment' });
  }, evenWithIssues);

const corruptionWeights = z
  .record(z.string(), z.number().min(0, 'a weight must be >= 0'))
  .superRefine((w, ctx) => {
    for (const k of Object.keys(w)) {
      if (!(CORRUPTION_KINDS as readonly string[]).includes(k.replace(/_/g, '-')))
        ctx.addIssue({ code: 'custom', path: [k], message: `unknown corruption kind (one of ${CORRUPTION_KINDS.join(', ')})` });
    }
    if (Object.values(w).reduce((a, b) => a + b, 0) <= 0) ctx.addIssue({ code: 'custom', message: 'the corruption weights must not all be 0' });
  });

const messagesSection = z
  .strictObject({
    drop_rate: rate.default(0),
    corrupt_rate: rate.default(0),
    duplicate_rate: rate.default(0),
    delay_rate: rate.default(0),
    delay_ms: ms.default(DEFAULT_DELAY_MS),
    fragment_rate: rate.default(0),
    fragments: z
      .strictObject({ min: pieces.default(DEFAULT_FRAGMENTS.min), max: pieces.default(DEFAULT_FRAGMENTS.max) })
      .refine((f) => f.min <= f.max, 'fragments: min is above max')
      .default(DEFAULT_FRAGMENTS),
    short_messages: z.boolean().default(false),
    corruption: corruptionWeights.optional(),
    schedule: z.array(scheduleEntry).default([]),
  })
  .default({
    drop_rate: 0,
    corrupt_rate: 0,
    duplicate_rate: 0,
    delay_rate: 0,
    delay_ms: DEFAULT_DELAY_MS,
    fragment_rate: 0,
    fragments: DEFAULT_FRAGMENTS,
    short_messages: false,
    schedule: [],
  });

const outage = z
  .strictObject({
    from: duration,
    to: duration.optional(),
    for: duration.optional(),
    mode: z.enum(['error500', 'hang'], { error: 'mode is error500 or hang' }),
    hang_ms: ms.optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.to === undefined) === (o.for === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of to, for' });
    if (isNum(o.to) && isNum(o.from) && o.to <= o.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    if (isNum(o.for) && o.for <= 0) ctx.addIssue({ code: 'custom', path: ['for'], message: 'for must be > 0' });
    if (o.hang_ms !== undefined && o.mode !== 'hang') ctx.addIssue({ code: 'custom', path: ['hang_ms'], message: 'hang_ms only goes with mode: hang' });
  }, evenWithIssues);

const pagerSection = z
  .strictObject({
    error_rate: rate.default(0),
    hang_rate: rate.default(0),
    hang_ms: ms.default(DEFAULT_HANG_MS),
    outages: z.array(outage).default([]),
  })
  .refine((p) => p.error_rate + p.hang_rate <= 1, 'error_rate + hang_rate must be <= 1')
  .default({ error_rate: 0, hang_rate: 0, hang_ms: DEFAULT_HANG_MS, outages: [] });

const planSchema = z.strictObject({
  seed: z.number().int('seed must be an integer').default(0),
  messages: messagesSection,
  pager: z.preprocess((v) => (Array.isArray(v) ? { outages: v } : v), pagerSection),
});

type RawPlan = z.output<typeof planSchema>;

function snakeKey(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Converts camelCase keys to snake_case, recursively (corruption weights keep their names). */
function normaliseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[snakeKey(k)] = normaliseKeys(v);
    return out;
  }
  return value;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(top level)' : out;
}

function buildPlan(raw: RawPlan): FaultPlan {
  const m = raw.messages;
  const weights: Record<CorruptionKind, number> = { truncate: 1, 'bad-value': 1, 'wrong-separators': 1, 'non-ascii': 1 };
  if (m.corruption) {
    for (const k of CORRUPTION_KINDS) weights[k] = 0;
    for (const [k, w] of Object.entries(m.corruption)) weights[k.replace(/_/g, '-') as CorruptionKind] = w;
  }
  const schedule: ScheduledFault[] = m.schedule.map((e) => {
    let select: IndexSelector;
    if (e.at !== undefined) select = { kind: 'at', indexes: Array.isArray(e.at) ? e.at : [e.at] };
    else if (e.range !== undefined) select = { kind: 'range', from: e.range[0], to: e.range[1] };
    else select = { kind: 'every', every: e.every as number, start: e.start ?? (e.every as number), end: e.end ?? null };
    return { select, fault: e.fault, kind: e.kind ?? null, ms: e.ms ?? null, pieces: e.pieces ?? null };
  });
  const p = raw.pager;
  return {
    seed: raw.seed,
    messages: {
      rates: { drop: m.drop_rate, corrupt: m.corrupt_rate, duplicate: m.duplicate_rate, delay: m.delay_rate, fragment: m.fragment_rate },
      delayMs: m.delay_ms,
      corruptionWeights: weights,
      fragments: { min: m.fragments.min, max: m.fragments.max },
      shortMessages: m.short_messages,
      schedule,
    },
    pager: {
      errorRate: p.error_rate,
      hangRate: p.hang_rate,
      hangMs: p.hang_ms,
      outages: p.outages.map((o) => ({
        fromMs: o.from,
        toMs: o.to ?? o.from + (o.for as number),
        mode: o.mode,
        hangMs: o.mode === 'hang' ? (o.hang_ms ?? p.hang_ms) : 0,
      })),
    },
  };
}

function validatePlan(value: unknown, source: string): FaultPlan {
  const result = planSchema.safeParse(normaliseKeys(value ?? {}));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${source} ${formatPath(i.path)}: ${i.message}`));
  }
  return deepFreeze(buildPlan(result.data));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses a fault plan (YAML, format in docs/faults.md). Throws a `ConfigError` (code
 * `CORE_ERR_CONFIG`) whose `problems` list every YAML and schema problem found.
 */
export function parseFaultPlan(yamlText: string): FaultPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `fault plan: YAML ${e.code} at line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  let value: unknown;
  try {
    // Throws on an unresolved alias or an alias bomb (maxAliasCount).
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([`fault plan: YAML: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigError(['fault plan: the top level must be a mapping (seed, messages, pager)']);
  }
  return validatePlan(value, 'fault plan');
}

export interface FaultFlags {
  faultSeed?: number;
  dropRate?: number;
  corruptRate?: number;
  duplicateRate?: number;
  delayRate?: number;
  delayMs?: number;
  fragmentRate?: number;
  pagerErrorRate?: number;
  shortMessages?: boolean;
}

/** A plan from command-line flags (rates only; schedules need a plan file). Throws a `ConfigError` listing every bad flag. */
export function faultPlanFromFlags(flags: FaultFlags): FaultPlan {
  const raw = {
    seed: flags.faultSeed ?? 0,
    messages: {
      drop_rate: flags.dropRate ?? 0,
      corrupt_rate: flags.corruptRate ?? 0,
      duplicate_rate: flags.duplicateRate ?? 0,
      delay_rate: flags.delayRate ?? 0,
      delay_ms: flags.delayMs ?? DEFAULT_DELAY_MS,
      fragment_rate: flags.fragmentRate ?? 0,
      short_messages: flags.shortMessages ?? false,
    },
    pager: { error_rate: flags.pagerErrorRate ?? 0 },
  };
  const flagNames: Record<string, string> = {
    seed: '--fault-seed',
    'messages.drop_rate': '--drop-rate',
    'messages.corrupt_rate': '--corrupt-rate',
    'messages.duplicate_rate': '--duplicate-rate',
    'messages.delay_rate': '--delay-rate',
    'messages.delay_ms': '--delay-ms',
    'messages.fragment_rate': '--fragment-rate',
    'messages.short_messages': '--short-messages',
    'pager.error_rate': '--pager-error-rate',
  };
  const result = planSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const path = formatPath(i.path);
        return `${flagNames[path] ?? path}: ${i.message}`;
      }),
    );
  }
  return deepFreeze(buildPlan(result.data));
}

/** True when the plan can never inject anything. */
export function isEmptyFaultPlan(plan: FaultPlan): boolean {
  const m = plan.messages;
  return (
    Object.values(m.rates).every((r) => r === 0) &&
    !m.shortMessages &&
    m.schedule.length === 0 &&
    plan.pager.errorRate === 0 &&
    plan.pager.hangRate === 0 &&
    plan.pager.outages.length === 0
  );
}

/**
 * Stable counter keys for the faults of one decision (for metrics and the report's `faults`):
 * `drop_connection`, `corrupt_<kind>` (kind with `_`), `duplicate`, `delay`, `fragment`.
 */
export function faultCounterKeys(f: MessageFaults): string[] {
  const keys: string[] = [];
  if (f.dropConnection) keys.push('drop_connection');
  if (f.corrupt) keys.push(`corrupt_${f.corrupt.replace(/-/g, '_')}`);
  if (f.duplicate) keys.push('duplicate');
  if (f.delayMs > 0) keys.push('delay');
  if (f.fragments > 1) keys.push('fragment');
  return keys;
}

const indexSets = new WeakMap<readonly number[], ReadonlySet<number>>();

function selects(s: IndexSelector, i: number): boolean {
  switch (s.kind) {
    case 'at': {
      // A plan may list many indexes: look them up in a set made once per list.
      let set = indexSets.get(s.indexes);
      if (!set) indexSets.set(s.indexes, (set = new Set(s.indexes)));
      return set.has(i);
    }
    case 'range':
      return i >= s.from && i <= s.to;
    case 'every':
      return i >= s.start && (s.end === null || i <= s.end) && (i - s.start) % s.every === 0;
  }
}

/**
 * An injector for a plan. Decisions depend only on `rng.seed`, `plan.seed` and the message
 * index (never on how many numbers `rng` gave before, nor on the order of calls).
 */
export function createFaultInjector(plan: FaultPlan, rng: Rng): FaultInjector {
  const base = rng.stream(`faults/${plan.seed}`);
  const m = plan.messages;
  const kindCum = cumulativeWeights(CORRUPTION_KINDS.map((k) => m.corruptionWeights[k]));
  const pagerStream = base.stream('pager');
  const outages = plan.pager.outages;
  const { errorRate, hangRate, hangMs } = plan.pager;
  const pagerRatesOn = errorRate > 0 || hangRate > 0;

  return {
    decide(messageIndex: number): MessageFaults {
      if (!Number.isSafeInteger(messageIndex) || messageIndex < 0) throw new RangeError(`message index must be a non-negative integer, got ${messageIndex}`);
      const r = base.stream(`msg:${messageIndex}`);
      // Always draw the same numbers in the same order, whatever the rates, so one message's
      // decisions never depend on another part of the plan's draws.
      const uDrop = r.next();
      const uCorrupt = r.next();
      const uDuplicate = r.next();
      const uDelay = r.next();
      const uFragment = r.next();
      const kind = CORRUPTION_KINDS[r.weighted(kindCum)] as CorruptionKind;
      const drawnPieces = r.int(m.fragments.min, m.fragments.max + 1);

      const out: MessageFaults = {
        dropConnection: uDrop < m.rates.drop,
        corrupt: uCorrupt < m.rates.corrupt ? kind : null,
        duplicate: uDuplicate < m.rates.duplicate,
        delayMs: uDelay < m.rates.delay ? m.delayMs : 0,
        fragments: m.shortMessages || uFragment < m.rates.fragment ? drawnPieces : 1,
      };
      for (const s of m.schedule) {
        if (!selects(s.select, messageIndex)) continue;
        switch (s.fault) {
          case 'drop':
            out.dropConnection = true;
            break;
          case 'corrupt':
            out.corrupt = s.kind ?? kind;
            break;
          case 'duplicate':
            out.duplicate = true;
            break;
          case 'delay':
            out.delayMs = Math.max(out.delayMs, s.ms ?? m.delayMs);
            break;
          case 'fragment':
            out.fragments = s.pieces ?? drawnPieces;
            break;
        }
      }
      return out;
    },

    pagerFault(simulatedNowMs: number): PagerFault {
      for (const o of outages) {
        if (simulatedNowMs >= o.fromMs && simulatedNowMs < o.toMs) return o.mode === 'hang' ? { kind: 'hang', ms: o.hangMs } : { kind: 'error500' };
      }
      if (!pagerRatesOn) return null;
      const u = pagerStream.next();
      if (u < errorRate) return { kind: 'error500' };
      if (u < errorRate + hangRate) return { kind: 'hang', ms: hangMs };
      return null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Byte-level faults.

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
const LF = 0x0a;

/** Removes MLLP control bytes (a corrupted message must still be one frame). */
function withoutControlBytes(buf: Buffer): Buffer {
  if (!buf.includes(VT) && !buf.includes(FS)) return buf;
  return Buffer.from(buf.filter((b) => b !== VT && b !== FS));
}

/** Length without trailing segment terminators. */
function contentLength(msg: Buffer): number {
  let n = msg.length;
  while (n > 0 && (msg[n - 1] === CR || msg[n - 1] === LF)) n--;
  return n;
}

function truncate(msg: Buffer, rng: Rng): Buffer {
  const n = contentLength(msg);
  if (n <= 1) return Buffer.from(msg[0] === 0x58 ? 'Y' : 'X');
  let mshEnd = msg.indexOf(CR);
  if (mshEnd < 0 || mshEnd >= n) mshEnd = n;
  // Keep MSH and its terminator when there is something after it; always drop at least one byte of content.
  const cut = mshEnd + 1 < n ? rng.int(mshEnd + 1, n) : rng.int(1, n);
  return Buffer.from(msg.subarray(0, cut));
}

interface Segment {
  name: string;
  fields: string[];
}

function splitSegments(text: string): { segments: string[]; sep: string } {
  const sep = text.includes('\r') ? '\r' : '\n';
  return { segments: text.split(sep), sep };
}

const BAD_DATES = ['20251341256161', '00000000000000', 'NOT-A-DATE'];
const BAD_NUMBERS = ['abc', '1.2.3', 'twelve'];

function lettersFor(value: string): string {
  const mapped = value.replace(/[0-9]/g, (d) => String.fromCharCode(65 + Number(d)));
  return mapped === value ? `${value}ABC` : mapped;
}

function badValue(msg: Buffer, rng: Rng): Buffer {
  const text = msg.toString('latin1');
  if (!text.startsWith('MSH') || text.length < 4) {
    // Not HL7 we can read: overwrite part of it.
    const at = rng.int(0, Math.max(1, text.length));
    return Buffer.from(`${text.slice(0, at)}abc${text.slice(at + 3)}`, 'latin1');
  }
  const fieldSep = text[3] as string;
  const { segments, sep } = splitSegments(text);
  const parsed: Segment[] = segments.map((s) => {
    const fields = s.split(fieldSep);
    return { name: fields[0] ?? '', fields };
  });
  const msh = parsed[0] as Segment;
  // MSH-n is at split index n-1 (MSH-1 is the separator itself); other segments' field n at index n.
  const fieldIndex = (seg: Segment, n: number): number => (seg.name === 'MSH' ? n - 1 : n);
  const type = (msh.fields[fieldIndex(msh, 9)] ?? '').split(text[4] ?? '^').slice(0, 2).join('^');
  const has = (name: string): Segment | undefined => parsed.find((s) => s.name === name);

  type Candidate = { seg: Segment; field: number; value: (old: string) => string };
  const candidates: Candidate[] = [];
  const obx = has('OBX');
  const obr = has('OBR');
  const pid = has('PID');
  const badNumber = (old: string): string => {
    const v = rng.pick(BAD_NUMBERS);
    return v === old ? 'abc?' : v;
  };
  const badDate = (old: string): string => {
    const v = rng.pick(BAD_DATES);
    return v === old ? '99999999999999' : v;
  };
  if (type.startsWith('ORU')) {
    if (obx) candidates.push({ seg: obx, field: 5, value: badNumber });
    if (obr) candidates.push({ seg: obr, field: 7, value: badDate });
  }
  if (pid) {
    candidates.push({ seg: pid, field: 3, value: lettersFor });
    if (type.startsWith('ADT^A01') || type.startsWith('ADT^A04')) candidates.push({ seg: pid, field: 7, value: badDate });
  }
  if (candidates.length === 0) candidates.push({ seg: msh, field: 7, value: badDate });

  const c = rng.pick(candidates);
  const idx = fieldIndex(c.seg, c.field);
  while (c.seg.fields.length <= idx) c.seg.fields.push('');
  c.seg.fields[idx] = c.value(c.seg.fields[idx] as string);
  const out = parsed.map((s) => s.fields.join(fieldSep)).join(sep);
  return Buffer.from(out, 'latin1');
}

function wrongSeparators(msg: Buffer, rng: Rng): Buffer {
  const text = msg.toString('latin1');
  const variants: (() => string)[] = [];
  if (text.includes('\r')) {
    variants.push(() => text.replace(/\r\n?/g, '\n')); // segments joined by \n only
    variants.push(() => text.replace(/\r(?!\n)/g, '\r\n')); // Windows line ends
  }
  if (text.startsWith('MSH') && text.length > 8) {
    const fieldSep = text[3] as string;
    const compSep = text[4] as string;
    if (fieldSep !== compSep) {
      // The body swaps field and component separators while MSH-1/MSH-2 still declare the usual ones.
      variants.push(() => {
        const head = text.slice(0, 8);
        const body = text.slice(8).replace(/./gs, (ch) => (ch === fieldSep ? compSep : ch === compSep ? fieldSep : ch));
        return head + body;
      });
    }
  }
  if (variants.length === 0) variants.push(() => text.replace(/\|/g, ',') + (text.includes('|') ? '' : '\n'));
  return Buffer.from(rng.pick(variants)(), 'latin1');
}

const NON_ASCII_INSERTS: readonly Buffer[] = [
  Buffer.from([0xc3, 0x89]), // "É" in UTF-8
  Buffer.from([0xe9]), // "é" in Latin-1 (invalid UTF-8)
  Buffer.from([0xff, 0xfe]), // never valid UTF-8
  Buffer.from([0xe2, 0x80, 0x99]), // right single quote in UTF-8
];

function nonAscii(msg: Buffer, rng: Rng): Buffer {
  const n = contentLength(msg);
  const inserts = rng.int(1, 4);
  let out = msg;
  let limit = Math.max(n, 0);
  for (let k = 0; k < inserts; k++) {
    // After "MSH|^~\&" when there is room, so the header stays recognisable.
    const lo = Math.min(8, limit);
    const at = rng.int(lo, limit + 1);
    const bytes = rng.pick(NON_ASCII_INSERTS);
    out = Buffer.concat([out.subarray(0, at), bytes, out.subarray(at)]);
    limit += bytes.length;
  }
  return out;
}

/**
 * A corrupted copy of an HL7 message (without MLLP framing). The result always differs from the
 * input, is never empty, and never contains the MLLP control bytes 0x0B or 0x1C.
 * - `truncate`: cut somewhere after the MSH segment (inside MSH if there is nothing after it).
 * - `bad-value`: by message type: OBX-5 → `abc`-like text, OBR-7 or PID-7 → an impossible
 *   date, PID-3 → letters; MSH-7 → an impossible date for other types.
 * - `wrong-separators`: segments joined by `\n` only, or by `\r\n`, or field and component
 *   separators swapped in the body while MSH-1/MSH-2 declare the usual ones.
 * - `non-ascii`: one to three byte sequences ≥ 0x80 inserted (UTF-8, Latin-1, invalid UTF-8).
 */
export function corruptMessage(kind: CorruptionKind, message: Buffer, rng: Rng): Buffer {
  let out: Buffer;
  switch (kind) {
    case 'truncate':
      out = truncate(message, rng);
      break;
    case 'bad-value':
      out = badValue(message, rng);
      break;
    case 'wrong-separators':
      out = wrongSeparators(message, rng);
      break;
    case 'non-ascii':
      out = nonAscii(message, rng);
      break;
  }
  out = withoutControlBytes(out);
  if (out.length === 0 || out.equals(message)) {
    // A degenerate input (empty, or nothing the kind could change): still deliver a change.
    out = withoutControlBytes(Buffer.concat([message, Buffer.from([0xe9])]));
  }
  return out;
}

/**
 * Splits a frame into `pieces` non-empty parts at random cut points (fewer when the frame is
 * shorter than `pieces` bytes); concatenated, they give the frame back. The parts share the
 * frame's memory.
 */
export function fragmentFrame(frame: Buffer, pieces: number, rng: Rng): Buffer[] {
  const k = Math.min(Math.floor(pieces), frame.length) - 1; // number of cuts
  if (!(k >= 1)) return [frame];
  const positions = new Uint32Array(frame.length - 1);
  for (let i = 0; i < positions.length; i++) positions[i] = i + 1;
  // Partial Fisher–Yates: the first k entries are a uniform sample of distinct cut points.
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, positions.length);
    const t = positions[i] as number;
    positions[i] = positions[j] as number;
    positions[j] = t;
  }
  const cuts = Array.from(positions.subarray(0, k)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(frame.subarray(prev, c));
    prev = c;
  }
  out.push(frame.subarray(prev));
  return out;
}

/**
 * The event engine of the synthetic hospital (spec/generator.md): day starts, admissions,
 * discharges and blood tests in one priority queue of numeric keys, AKI injection, and every
 * output file written as the events happen (the MLLP file and aki.csv are streamed; history.csv
 * is written at the history/stream boundary; training.csv and the test files at the end, from
 * per-patient numeric arrays — never from held HL7 text).
 *
 * Event order. A key packs (minute, class, person index) so that at equal minutes admissions come
 * first, then the day start, then discharges, then blood tests, each in ascending MRN order (person
 * index order is MRN order). Blood tests at a minute therefore see every admission and discharge
 * of that minute, as the kit's two-stage pipeline does: a test due in the minute of its patient's
 * discharge is dropped.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Rng } from '../core/random.js';
import { createRng } from '../core/random.js';
// The modules themselves, not hl7/index.js: a CLI run then loads (and tsx compiles) only these.
import { buildAdmitMessage, buildDischargeMessage, buildResultMessage } from '../hl7/course-messages.js';
import { median, nhsAki } from '../aki/nhs.js';
import { fbeta } from '../aki/score.js';
import { GeneratorError, GeneratorErrorCode } from './errors.js';
import { BufferedFileWriter } from './file-writer.js';
import { CsvDateFormatter, DAY_MS, EPOCH_MS, MINUTE_MS, formatFixed2 } from './format.js';
import { NumberHeap } from './heap.js';
import { NameSource } from './names.js';
import { createPopulation, type Population } from './people.js';
import type { Profile } from './profile.js';
import { MINUTES_PER_DAY, TimeOfDaySampler } from './time-of-day.js';

/** Options of one run (the CLI's flags). */
export interface EngineOptions {
  readonly seed: number | string;
  /** Days of stream after the history. */
  readonly days: number;
  /** Days of history. */
  readonly history: number;
  readonly population: number;
  /** Mean admissions per day. */
  readonly admits: number;
  /** Output directory (created if missing). */
  readonly out: string;
}

/** Progress, once per simulated day. */
export interface GenerateProgress {
  readonly day: number;
  readonly totalDays: number;
}

/** What a run produced. */
export interface GenerateSummary {
  readonly seed: number | string;
  readonly profile: string;
  readonly days: number;
  readonly history: number;
  readonly population: number;
  readonly admits: number;
  readonly out: string;
  /** Messages in messages.mllp by type. */
  readonly messages: { readonly 'ADT^A01': number; readonly 'ADT^A03': number; readonly 'ORU^R01': number };
  /** ADT^A01 messages at the head of the file for patients admitted at the boundary. */
  readonly boundaryAdmits: number;
  readonly historyTests: number;
  readonly streamTests: number;
  /** Tests that fell due after their patient's discharge (or in its minute): dropped. */
  readonly droppedTests: number;
  /** Admissions skipped because every person was already in hospital. */
  readonly skippedAdmissions: number;
  readonly akis: number;
  /** The NHS algorithm on the stream, per test (aki.csv). */
  readonly nhs: { readonly tp: number; readonly fp: number; readonly fn: number; readonly f3: number };
  readonly historyRows: number;
  readonly trainingRows: number;
  readonly trainingAkiRows: number;
  /** The NHS algorithm on training.csv's rows as written (2 decimals; last result = now), against the `aki` column. */
  readonly trainingNhs: { readonly tp: number; readonly fp: number; readonly fn: number; readonly f3: number };
  /** Output files, by name, with sizes in bytes. */
  readonly files: Readonly<Record<string, number>>;
}

const CLS_ADMIT = 0;
const CLS_DAY_START = 1;
const CLS_DISCHARGE = 2;
const CLS_TEST = 3;

/** Named random streams: one per concern, so changing one part of the model reshuffles no other. */
export interface Streams {
  people: Rng;
  mrn: Rng;
  creatinine: Rng;
  names: Rng;
  admissions: Rng;
  tests: Rng;
  results: Rng;
  aki: Rng;
}

/** The run's streams for a seed. */
export function createStreams(seed: number | string): Streams {
  const root = createRng(seed);
  return {
    people: root.stream('people'),
    mrn: root.stream('mrn'),
    creatinine: root.stream('creatinine'),
    names: root.stream('names'),
    admissions: root.stream('admissions'),
    tests: root.stream('tests'),
    results: root.stream('results'),
    aki: root.stream('aki'),
  };
}

/** Per-patient results (times in ms, values at full precision), grown as tests happen. */
interface Results {
  times: number[];
  values: number[];
}

function csvHeader(prefix: string, pairs: number): string {
  let h = prefix;
  for (let i = 0; i < pairs; i++) h += `,creatinine_date_${i},creatinine_result_${i}`;
  return h + '\r\n';
}

/** Runs the hospital and writes the output files. */
export async function runEngine(options: EngineOptions, profile: Profile, onProgress?: (p: GenerateProgress) => void): Promise<GenerateSummary> {
  const { days, history, admits } = options;
  const n = options.population;
  const streams = createStreams(options.seed);
  const people: Population = createPopulation(n, profile, streams);
  const names = new NameSource(streams.names);
  const tod = new TimeOfDaySampler(profile.timeOfDay.falloff, profile.timeOfDay.attempts);
  const lastDay = days + history; // day starts 0..lastDay carry events
  const endMinute = (lastDay + 1) * MINUTES_PER_DAY;
  const boundaryMinute = history * MINUTES_PER_DAY;

  // Key = (minute·4 + class)·cap + index: exact in a double while below 2^53.
  let cap = 1;
  while (cap < n) cap *= 2;
  if ((endMinute * 4 + 4) * cap >= 2 ** 53) throw new RangeError('days × population too large for the event key');
  const key = (minute: number, cls: number, idx: number): number => (minute * 4 + cls) * cap + idx;

  const inpatient = new Uint8Array(n);
  const scheduled = new Uint8Array(n);
  let scheduledCount = 0;
  const admitMinute = new Int32Array(n);
  const inpatients = new Set<number>();
  const results: (Results | undefined)[] = new Array<Results | undefined>(n);
  const streamOrdinary: (number[] | undefined)[] = new Array<number[] | undefined>(n);
  const akiDone = new Uint8Array(n);
  const akiAt = new Int32Array(n).fill(-1);
  const firstOrder: number[] = [];
  const sexOf = (i: number): 'm' | 'f' => (people.female[i] === 1 ? 'f' : 'm');
  const mrnText = (i: number): string => String(people.mrn[i]);
  const akiProbability = profile.aki.bands.map((b) => profile.aki.baseProbability * b.factor);
  const { dailyProbability, admitProbability, repeatProbability } = profile.tests;
  const { dailySd, stayMeanDays, staySdDays } = profile.admissions;

  try {
    mkdirSync(options.out, { recursive: true });
  } catch (err) {
    throw new GeneratorError(GeneratorErrorCode.output, `cannot create the output directory ${options.out}: ${(err as Error).message}`, { cause: err });
  }
  const file = (name: string): string => path.join(options.out, name);
  const dates = new CsvDateFormatter();
  const open: BufferedFileWriter[] = [];
  const openWriter = (name: string): BufferedFileWriter => {
    let w: BufferedFileWriter;
    try {
      w = new BufferedFileWriter(file(name));
    } catch (err) {
      for (const o of open) o.abort();
      throw new GeneratorError(GeneratorErrorCode.output, `cannot write ${file(name)}: ${(err as Error).message}`, { cause: err });
    }
    open.push(w);
    return w;
  };
  const sizes: Record<string, number> = {};
  const finish = (w: BufferedFileWriter): void => {
    w.close();
    sizes[path.basename(w.path)] = w.bytes;
  };

  let a01 = 0;
  let a03 = 0;
  let oru = 0;
  let boundaryAdmits = 0;
  let historyTests = 0;
  let streamTests = 0;
  let droppedTests = 0;
  let skippedAdmissions = 0;
  let akis = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let historyRows = 0;

  const mllp = openWriter('messages.mllp');
  const akiCsv = openWriter('aki.csv');
  akiCsv.write('mrn,date,aki,nhs\r\n');

  const writeAdmit = (minute: number, i: number): void => {
    let name = people.names[i];
    if (name === undefined) {
      name = names.name(people.mrn[i] as number, people.female[i] === 1);
      people.names[i] = name;
    }
    const text = buildAdmitMessage({
      time: EPOCH_MS + minute * MINUTE_MS,
      mrn: mrnText(i),
      name,
      birthDate: people.birthMs[i] as number,
      sex: people.female[i] === 1 ? 'F' : 'M',
    });
    mllp.writeFrame(text);
    a01++;
  };

  const boundary = (): void => {
    // history.csv: every test so far, one row per patient in order of first result.
    const hist = openWriter('history.csv');
    let pairs = 0;
    for (const i of firstOrder) pairs = Math.max(pairs, (results[i] as Results).times.length);
    hist.write(csvHeader('mrn', pairs));
    for (const i of firstOrder) {
      const r = results[i] as Results;
      let row = mrnText(i);
      const k = r.times.length;
      for (let j = 0; j < k; j++) row += `,${dates.format(((r.times[j] as number) - EPOCH_MS) / MINUTE_MS)},${formatFixed2(r.values[j] as number)}`;
      row += ','.repeat(2 * (pairs - k));
      hist.write(row + '\r\n');
    }
    historyRows = firstOrder.length;
    finish(hist);
    // Patients still in hospital: an ADT^A01 each at their original admit time, oldest first.
    const still = [...inpatients].sort((x, y) => (admitMinute[x] as number) - (admitMinute[y] as number) || x - y);
    for (const i of still) writeAdmit(admitMinute[i] as number, i);
    boundaryAdmits = still.length;
  };

  /**
   * A cheap exact pre-check before the NHS algorithm (most results are ordinary): it alerts only
   * when its ratio exceeds 1.5, and its ratio is at most c1 ÷ the lowest earlier result less than
   * 365 days old (the 7-day minimum and the older median are both at least that). A margin keeps
   * rounding out of it; the full algorithm decides everything that passes.
   */
  const nhsCould = (r: Results, now: number, c1: number): boolean => {
    const last = r.times.length - 1;
    if (last < 1) return false;
    let lowest = Infinity;
    for (let j = last - 1; j >= 0; j--) {
      if (now - (r.times[j] as number) >= 365 * DAY_MS) break;
      const v = r.values[j] as number;
      if (v < lowest) lowest = v;
    }
    return c1 > 1.49 * lowest;
  };

  const recordResult = (i: number, minute: number, value: number): Results => {
    let r = results[i];
    if (r === undefined) {
      r = { times: [], values: [] };
      results[i] = r;
      firstOrder.push(i);
    }
    r.times.push(EPOCH_MS + minute * MINUTE_MS);
    r.values.push(value);
    return r;
  };

  const heap = new NumberHeap(1 << 14);
  heap.push(key(0, CLS_DAY_START, 0));
  const { admissions: admRng, tests: testRng, results: resultRng } = streams;
  // AKI draws come from a stream per patient (derived from the run's `aki` stream and the MRN):
  // a patient's AKI then depends only on their own tests and their band's figures, so changing
  // one band's factor reshuffles no other patient (and a larger factor only brings AKIs earlier).
  const akiStreams: (Rng | undefined)[] = new Array<Rng | undefined>(n);
  const akiRngOf = (i: number): Rng => {
    let r = akiStreams[i];
    if (r === undefined) {
      r = streams.aki.stream(mrnText(i));
      akiStreams[i] = r;
    }
    return r;
  };

  try {
    while (heap.size > 0) {
      const k = heap.pop();
      const idx = k % cap;
      const rest = (k - idx) / cap;
      const cls = rest % 4;
      const minute = (rest - cls) / 4;
      if (minute >= endMinute) break;
      const streamed = minute >= boundaryMinute;
      switch (cls) {
        case CLS_DAY_START: {
          const day = minute / MINUTES_PER_DAY;
          if (day === history) boundary();
          onProgress?.({ day, totalDays: lastDay + 1 });
          // Let timers and signals run once in a while (a year is a few seconds of CPU).
          if (day % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          for (const i of inpatients) {
            if (testRng.chance(dailyProbability)) {
              const t = tod.after(testRng, minute);
              if (t >= 0) heap.push(key(t, CLS_TEST, i));
            }
          }
          const count = Math.trunc(admRng.normal(admits, dailySd));
          for (let a = 0; a < count; a++) {
            if (scheduledCount >= n) {
              skippedAdmissions++;
              continue;
            }
            let p: number;
            do p = admRng.int(0, n);
            while (scheduled[p] === 1);
            scheduled[p] = 1;
            scheduledCount++;
            const admitAt = minute + tod.sample(admRng);
            let dischargeAt: number;
            do {
              const stay = Math.trunc(admRng.normal(stayMeanDays, staySdDays));
              dischargeAt = (day + stay) * MINUTES_PER_DAY + tod.sample(admRng);
            } while (dischargeAt <= admitAt);
            heap.push(key(admitAt, CLS_ADMIT, p));
            heap.push(key(dischargeAt, CLS_DISCHARGE, p));
          }
          if (day < lastDay) heap.push(key(minute + MINUTES_PER_DAY, CLS_DAY_START, 0));
          break;
        }
        case CLS_ADMIT: {
          inpatient[idx] = 1;
          inpatients.add(idx);
          admitMinute[idx] = minute;
          if (streamed) writeAdmit(minute, idx);
          if (testRng.chance(admitProbability)) {
            const t = tod.after(testRng, minute);
            if (t >= 0) heap.push(key(t, CLS_TEST, idx));
          }
          break;
        }
        case CLS_DISCHARGE: {
          inpatient[idx] = 0;
          inpatients.delete(idx);
          scheduled[idx] = 0;
          scheduledCount--;
          if (streamed) {
            mllp.writeFrame(buildDischargeMessage({ time: EPOCH_MS + minute * MINUTE_MS, mrn: mrnText(idx) }));
            a03++;
          }
          break;
        }
        case CLS_TEST: {
          if (inpatient[idx] !== 1) {
            droppedTests++;
            break;
          }
          let value = resultRng.normal(people.mu[idx] as number, people.sigma[idx] as number) * (people.multiplier[idx] as number);
          let isAki = false;
          if (minute > boundaryMinute) {
            let earlier = streamOrdinary[idx];
            const band = people.akiBand[idx] as number;
            if (earlier !== undefined && earlier.length > 0 && akiDone[idx] === 0 && akiRngOf(idx).chance(akiProbability[band] as number)) {
              const b = profile.aki.bands[band] as { low: number; high: number };
              value = median(earlier) * akiRngOf(idx).uniform(b.low, b.high);
              isAki = true;
              akiDone[idx] = 1;
            } else if (akiDone[idx] === 0) {
              // Earlier ordinary results matter only until the patient's AKI.
              if (earlier === undefined) {
                earlier = [];
                streamOrdinary[idx] = earlier;
              }
              earlier.push(value);
            }
          }
          const r = recordResult(idx, minute, value);
          if (isAki) akiAt[idx] = r.times.length - 1;
          if (streamed) {
            streamTests++;
            const time = EPOCH_MS + minute * MINUTE_MS;
            mllp.writeFrame(buildResultMessage({ time, mrn: mrnText(idx), value }));
            oru++;
            const nhs = nhsCould(r, time, value) && nhsAki(people.age[idx] as number, sexOf(idx), r.times, r.values);
            if (isAki) akis++;
            if (isAki && nhs) tp++;
            else if (nhs) fp++;
            else if (isAki) fn++;
            if (isAki || nhs) akiCsv.write(`${mrnText(idx)},${dates.format(minute)},${isAki ? 'y' : 'n'},${nhs ? 'y' : 'n'}\r\n`);
          } else {
            historyTests++;
          }
          if (testRng.chance(repeatProbability)) {
            const t = tod.after(testRng, minute);
            if (t >= 0) heap.push(key(t, CLS_TEST, idx));
          }
          break;
        }
      }
    }
    onProgress?.({ day: lastDay + 1, totalDays: lastDay + 1 });
    finish(mllp);
    finish(akiCsv);

    // training.csv, test.csv, test.expected.csv: one row per patient with any test, in order of
    // first result, each ending at the patient's AKI when there is one.
    const training = openWriter('training.csv');
    const test = openWriter('test.csv');
    const expected = openWriter('test.expected.csv');
    let pairs = 0;
    for (const i of firstOrder) {
      const at = akiAt[i] as number;
      const len = at >= 0 ? at + 1 : (results[i] as Results).times.length;
      pairs = Math.max(pairs, len);
    }
    training.write(csvHeader('age,sex,aki', pairs));
    test.write(csvHeader('age,sex', pairs));
    expected.write('aki\r\n');
    let trainingAkiRows = 0;
    let ttp = 0;
    let tfp = 0;
    let tfn = 0;
    for (const i of firstOrder) {
      const r = results[i] as Results;
      const at = akiAt[i] as number;
      const aki = at >= 0;
      const len = aki ? at + 1 : r.times.length;
      let cells = '';
      // Scored below on the values as the file has them (2 decimals), as anyone reading the file would.
      const rounded = new Array<number>(len);
      for (let j = 0; j < len; j++) {
        const text = formatFixed2(r.values[j] as number);
        rounded[j] = Number(text);
        cells += `,${dates.format(((r.times[j] as number) - EPOCH_MS) / MINUTE_MS)},${text}`;
      }
      cells += ','.repeat(2 * (pairs - len)) + '\r\n';
      const age = people.age[i] as number;
      const sex = sexOf(i);
      training.write(`${age},${sex},${aki ? 'y' : 'n'}${cells}`);
      test.write(`${age},${sex}${cells}`);
      expected.write(aki ? 'y\r\n' : 'n\r\n');
      if (aki) trainingAkiRows++;
      const nhs = nhsAki(age, sex, len === r.times.length ? r.times : r.times.slice(0, len), rounded);
      if (aki && nhs) ttp++;
      else if (nhs) tfp++;
      else if (aki) tfn++;
    }
    finish(training);
    finish(test);
    finish(expected);

    return {
      seed: options.seed,
      profile: profile.name,
      days,
      history,
      population: n,
      admits,
      out: options.out,
      messages: { 'ADT^A01': a01, 'ADT^A03': a03, 'ORU^R01': oru },
      boundaryAdmits,
      historyTests,
      streamTests,
      droppedTests,
      skippedAdmissions,
      akis,
      nhs: { tp, fp, fn, f3: fbeta(tp, fp, fn, 3) },
      historyRows,
      trainingRows: firstOrder.length,
      trainingAkiRows,
      trainingNhs: { tp: ttp, fp: tfp, fn: tfn, f3: fbeta(ttp, tfp, tfn, 3) },
      files: sizes,
    };
  } catch (err) {
    for (const w of open) w.abort();
    if (err instanceof GeneratorError) throw err;
    const code = (err as { code?: unknown }).code;
    // File-system failures while writing (disk full, directory removed) keep a stable code.
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new GeneratorError(GeneratorErrorCode.output, `writing into ${options.out} failed: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * The durable event log of a group (`--state DIR`): `<group>.events.jsonl`, one JSON event per
 * line, times in ms since the epoch (UTC). Events are queued as they happen and written with one
 * write(2) by `flush()` before anything that depends on them is visible to a peer (the next
 * message, a page's answer), so a `kill -9` of the simulator loses nothing it has counted;
 * `sync()` adds a group commit (one fdatasync for every event written since the last one) for
 * machine crashes. A torn last line (a crash mid-write) is
 * dropped on reading.
 *
 * The reference's text log (`<group>.log`: `Type SimulatedTime RealTime Index`) is read when no
 * log of ours exists yet, and converted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseHl7Timestamp } from '../hl7/index.js';
import type { SimEvent } from './group-state.js';
import { ZERO_TIME } from './scoring-compatible.js';
import { SimulatorError, SimulatorErrorCode } from './errors.js';

const HEADER = { swemls: 'simulator-events', version: 1 };

export interface OpenedLog {
  readonly log: EventLog;
  /** Events already in the log (to be applied before serving). */
  readonly events: SimEvent[];
  /** Where they came from. */
  readonly source: 'new' | 'ours' | 'reference';
  /** Lines that could not be read (a torn last line, or garbage). */
  readonly skipped: number;
}

function readOurs(file: string): { events: SimEvent[]; skipped: number; goodBytes: number } {
  const text = fs.readFileSync(file, 'utf8');
  const events: SimEvent[] = [];
  let skipped = 0;
  let goodBytes = 0;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) {
      skipped++; // torn last line: never acknowledged as written
      break;
    }
    const line = text.slice(pos, nl);
    pos = nl + 1;
    try {
      const obj = JSON.parse(line) as Record<string, unknown>;
      if (typeof obj.type === 'string' && typeof obj.real === 'number') events.push(obj as unknown as SimEvent);
      else if (obj.swemls !== HEADER.swemls) skipped++;
    } catch {
      skipped++;
    }
    goodBytes = Buffer.byteLength(text.slice(0, pos), 'utf8');
  }
  return { events, skipped, goodBytes };
}

function refTime(text: string): number | undefined {
  if (text === '00010101000000') return ZERO_TIME;
  return /^\d{14}$/.test(text) ? parseHl7Timestamp(text) : undefined;
}

/** Reads the reference simulator's text event log into our events (its local times read as UTC, as it does). */
export function readReferenceLog(text: string): { events: SimEvent[]; skipped: number } {
  const events: SimEvent[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l === '') continue;
    const [type, simText, realText, indexText] = l.split(/\s+/);
    const sim = refTime(simText ?? '');
    const real = refTime(realText ?? '');
    const index = Number(indexText);
    if (sim === undefined || real === undefined || !Number.isInteger(index)) {
      skipped++;
      continue;
    }
    switch (type) {
      case 'Rewind':
        events.push({ type: 'rewind', real, sim });
        break;
      case 'Send':
        events.push({ type: 'write', real, index }, { type: 'reply', real, index, code: 'AA', counted: true, note: 'reference log' });
        break;
      case 'Page':
        events.push({ type: 'page', real, mrn: String(index), time: sim });
        break;
      case 'Error':
        events.push({ type: 'error', real, text: 'error (reference log: no text)' });
        break;
      default:
        skipped++;
    }
  }
  return { events, skipped };
}

/** fsyncs a directory (its entries); a no-op where directories cannot be opened for it. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not supported on this platform or file system: the file's own fsync is all there is.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export class EventLog {
  private fd: number;
  private dirty = false;
  /** Lines appended and not yet written (written together by flush: one write(2)). */
  private pending: string[] = [];
  private syncing: Promise<void> | null = null;
  private closed = false;

  private constructor(readonly file: string, fd: number) {
    this.fd = fd;
  }

  /** Opens (or creates) the log of `group` in `dir` and returns the events already there. */
  static open(dir: string, group: string): OpenedLog {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (err) {
      throw new SimulatorError(SimulatorErrorCode.state, `state directory ${dir} does not exist`, { cause: err });
    }
    if (!st.isDirectory()) throw new SimulatorError(SimulatorErrorCode.state, `state path ${dir} is not a directory`);
    const safe = group.replace(/[^A-Za-z0-9._-]/g, '_');
    const ours = path.join(dir, `${safe}.events.jsonl`);
    const reference = path.join(dir, `${safe}.log`);
    let events: SimEvent[] = [];
    let skipped = 0;
    let source: OpenedLog['source'] = 'new';
    try {
      if (fs.existsSync(ours)) {
        const r = readOurs(ours);
        events = r.events;
        skipped = r.skipped;
        source = 'ours';
        // Cut a torn tail so new events start on a line of their own.
        if (r.goodBytes < fs.statSync(ours).size) fs.truncateSync(ours, r.goodBytes);
      } else if (fs.existsSync(reference)) {
        const r = readReferenceLog(fs.readFileSync(reference, 'latin1'));
        events = r.events;
        skipped = r.skipped;
        source = 'reference';
      }
      const fd = fs.openSync(ours, 'a');
      const log = new EventLog(ours, fd);
      if (source !== 'ours') {
        log.writeLine(JSON.stringify(HEADER));
        for (const e of events) log.append(e);
        log.flush();
        fs.fsyncSync(fd);
        log.dirty = false;
        syncDirectory(dir); // the new file's directory entry, so a machine crash cannot lose the file
      }
      return { log, events, source, skipped };
    } catch (err) {
      if (err instanceof SimulatorError) throw err;
      throw new SimulatorError(SimulatorErrorCode.state, `cannot use event log in ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  private writeLine(line: string): void {
    const buf = Buffer.from(line + '\n', 'utf8');
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off);
  }

  /**
   * Queues one event. It reaches the kernel (and survives the process being killed) at the next
   * flush(), which the simulator calls before anything that depends on the event is visible to
   * a peer (the next message written, a page answered).
   */
  append(e: SimEvent): void {
    if (this.closed) return;
    this.pending.push(JSON.stringify(e));
  }

  /** Writes every queued event with one write(2). */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.writeLine(text.slice(0, -1));
    this.dirty = true;
  }

  /** Group commit: flushes, then resolves once every event appended before the call is on disk. */
  sync(): Promise<void> {
    this.flush();
    if (!this.dirty || this.closed) return this.syncing ?? Promise.resolve();
    if (this.syncing) return this.syncing.then(() => this.sync());
    this.dirty = false;
    const p = new Promise<void>((resolve) => {
      fs.fdatasync(this.fd, () => {
        this.syncing = null;
        resolve();
      });
    });
    this.syncing = p;
    return p;
  }

  /** Flushes and fsyncs now, synchronously (start-up events). */
  syncNow(): void {
    this.flush();
    if (this.closed) return;
    fs.fsyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // closing anyway
    }
    fs.closeSync(this.fd);
  }
}

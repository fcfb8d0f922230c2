/**
 * The detector's durable state: one SQLite file (WAL) holding patients (demographics and the
 * model's per-patient state), every result (keyed by MRN and observation time, which makes
 * replays idempotent), the page outbox and the dead letters. Forward-only migrations through
 * `PRAGMA user_version`. Everything the detector acknowledges has been committed here first.
 */
import Database from 'better-sqlite3';
import { DetectorError, DetectorErrorCode } from './errors.js';

/** How hard a commit waits for the disk. `full`: fsync on every commit (survives power loss). `normal`: survives a process kill (SIGKILL), not an OS crash. */
export type Synchronous = 'full' | 'normal';

/** A patient as stored. */
export interface PatientRow {
  readonly mrn: string;
  /** ms since epoch, or null when no admission was seen. */
  readonly birthDate: number | null;
  /** 'm' | 'f' | null. */
  readonly sex: 'm' | 'f' | null;
  /** MSH-7 of the admission the demographics came from (ms), or null. */
  readonly admittedAt: number | null;
  /** The model's per-patient state (JSON text), or null when no result was seen. */
  readonly state: string | null;
}

/** A page in the outbox. */
export interface PageRow {
  readonly mrn: string;
  /** Observation time (OBR-7), ms. */
  readonly time: number;
  /** OBR-7 as paged. */
  readonly timeText: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  /** When the result's message arrived (ms, wall clock). */
  readonly createdAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE patients (
     mrn TEXT PRIMARY KEY,
     birth_date INTEGER,
     sex TEXT,
     admitted_at INTEGER,
     discharged_at INTEGER,
     state TEXT
   ) WITHOUT ROWID;
   CREATE TABLE results (
     mrn TEXT NOT NULL,
     time INTEGER NOT NULL,
     value REAL NOT NULL,
     source TEXT NOT NULL,
     received_at INTEGER NOT NULL,
     aki INTEGER,
     score REAL,
     PRIMARY KEY (mrn, time)
   ) WITHOUT ROWID;
   CREATE TABLE pages (
     mrn TEXT NOT NULL,
     time INTEGER NOT NULL,
     time_text TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     delivered_at INTEGER,
     last_error TEXT,
     PRIMARY KEY (mrn, time)
   ) WITHOUT ROWID;
   CREATE INDEX pages_by_status ON pages (status);
   CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY,
     received_at INTEGER NOT NULL,
     reason TEXT NOT NULL,
     detail TEXT NOT NULL,
     raw BLOB NOT NULL
   );`,
];

/** Largest part of a dead message kept (bytes). */
export const DEAD_LETTER_MAX_BYTES = 65_536;

/** The store. Construct with `DetectorStore.open`. */
export class DetectorStore {
  private readonly s;
  /** One transaction wrapper, made once (better-sqlite3 prepares BEGIN/COMMIT per wrapper). */
  private readonly runInTransaction: (fn: () => unknown) => unknown;

  private constructor(readonly db: Database.Database) {
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      getMeta: p('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: p('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      getPatient: p('SELECT mrn, birth_date AS birthDate, sex, admitted_at AS admittedAt, state FROM patients WHERE mrn = ?'),
      putState: p('INSERT INTO patients (mrn, state) VALUES (?, ?) ON CONFLICT (mrn) DO UPDATE SET state = excluded.state'),
      putAdmission: p(
        `INSERT INTO patients (mrn, birth_date, sex, admitted_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (mrn) DO UPDATE SET birth_date = excluded.birth_date, sex = excluded.sex, admitted_at = excluded.admitted_at
         WHERE patients.admitted_at IS NULL OR excluded.admitted_at IS NULL OR excluded.admitted_at >= patients.admitted_at`,
      ),
      putDischarge: p('INSERT INTO patients (mrn, discharged_at) VALUES (?, ?) ON CONFLICT (mrn) DO UPDATE SET discharged_at = excluded.discharged_at'),
      insertResult: p('INSERT OR IGNORE INTO results (mrn, time, value, source, received_at) VALUES (?, ?, ?, ?, ?)'),
      setPrediction: p('UPDATE results SET aki = ?, score = ? WHERE mrn = ? AND time = ?'),
      insertPage: p("INSERT OR IGNORE INTO pages (mrn, time, time_text, status, created_at) VALUES (?, ?, ?, 'pending', ?)"),
      pendingPages: p(
        "SELECT mrn, time, time_text AS timeText, status, attempts, created_at AS createdAt, delivered_at AS deliveredAt, last_error AS lastError FROM pages WHERE status = 'pending' ORDER BY created_at",
      ),
      allPages: p(
        'SELECT mrn, time, time_text AS timeText, status, attempts, created_at AS createdAt, delivered_at AS deliveredAt, last_error AS lastError FROM pages ORDER BY created_at',
      ),
      markDelivered: p("UPDATE pages SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE mrn = ? AND time = ?"),
      markFailed: p("UPDATE pages SET status = 'failed', attempts = ?, last_error = ? WHERE mrn = ? AND time = ?"),
      markAttempt: p('UPDATE pages SET attempts = ?, last_error = ? WHERE mrn = ? AND time = ?'),
      insertDead: p('INSERT INTO dead_letters (received_at, reason, detail, raw) VALUES (?, ?, ?, ?)'),
      resultsOf: p('SELECT time, value FROM results WHERE mrn = ? ORDER BY time'),
      countDead: p('SELECT COUNT(*) FROM dead_letters').pluck(),
      countResults: p('SELECT COUNT(*) FROM results').pluck(),
      countPatients: p('SELECT COUNT(*) FROM patients').pluck(),
      dataVersion: p('PRAGMA data_version').pluck(),
    };
  }

  /**
   * Opens (creating if needed) and migrates the store at `path` (`:memory:` in tests).
   * Throws `DET_ERR_STORE` with the cause when the file cannot be used.
   */
  static open(path: string, options: { synchronous?: Synchronous } = {}): DetectorStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new DetectorError(DetectorErrorCode.store, `store ${path} has schema ${version}, newer than this build's ${MIGRATIONS.length}`);
      }
      for (let v = version; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db!.exec(MIGRATIONS[v] as string);
          db!.pragma(`user_version = ${v + 1}`);
        })();
      }
      return new DetectorStore(db);
    } catch (err) {
      db?.close();
      if (err instanceof DetectorError) throw err;
      throw new DetectorError(DetectorErrorCode.store, `cannot open the state store ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Runs `fn` in one transaction (committed when it returns, rolled back when it throws). */
  transaction<T>(fn: () => T): T {
    return this.runInTransaction(fn) as T;
  }

  getMeta(key: string): string | undefined {
    return this.s.getMeta.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.s.setMeta.run(key, value);
  }

  getPatient(mrn: string): PatientRow | undefined {
    return this.s.getPatient.get(mrn) as PatientRow | undefined;
  }

  putState(mrn: string, stateJson: string): void {
    this.s.putState.run(mrn, stateJson);
  }

  /** Records demographics unless a later admission is already stored. True when they were written. */
  putAdmission(mrn: string, birthDate: number | null, sex: 'm' | 'f' | null, admittedAt: number | null): boolean {
    return this.s.putAdmission.run(mrn, birthDate, sex, admittedAt).changes > 0;
  }

  putDischarge(mrn: string, at: number | null): void {
    this.s.putDischarge.run(mrn, at);
  }

  /** Stores a result; false when (MRN, time) is already stored (a replay or a duplicate). */
  insertResult(mrn: string, time: number, value: number, source: 'stream' | 'history', receivedAt: number): boolean {
    return this.s.insertResult.run(mrn, time, value, source, receivedAt).changes > 0;
  }

  /** A patient's stored results in time order. */
  resultsOf(mrn: string): { time: number; value: number }[] {
    return this.s.resultsOf.all(mrn) as { time: number; value: number }[];
  }

  setPrediction(mrn: string, time: number, aki: boolean, score: number): void {
    this.s.setPrediction.run(aki ? 1 : 0, score, mrn, time);
  }

  /** Adds a pending page; false when a page for (MRN, time) already exists. */
  insertPage(mrn: string, time: number, timeText: string, createdAt: number): boolean {
    return this.s.insertPage.run(mrn, time, timeText, createdAt).changes > 0;
  }

  pendingPages(): PageRow[] {
    return this.s.pendingPages.all() as PageRow[];
  }

  allPages(): PageRow[] {
    return this.s.allPages.all() as PageRow[];
  }

  markDelivered(mrn: string, time: number, attempts: number, at: number): void {
    this.s.markDelivered.run(attempts, at, mrn, time);
  }

  markFailed(mrn: string, time: number, attempts: number, error: string): void {
    this.s.markFailed.run(attempts, error, mrn, time);
  }

  markAttempt(mrn: string, time: number, attempts: number, error: string): void {
    this.s.markAttempt.run(attempts, error, mrn, time);
  }

  /** Stores a message that could not be understood. */
  insertDeadLetter(receivedAt: number, reason: string, detail: string, raw: Uint8Array): void {
    const kept = raw.byteLength > DEAD_LETTER_MAX_BYTES ? raw.subarray(0, DEAD_LETTER_MAX_BYTES) : raw;
    this.s.insertDead.run(receivedAt, reason, detail, Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength));
  }

  counts(): { deadLetters: number; results: number; patients: number } {
    return {
      deadLetters: this.s.countDead.get() as number,
      results: this.s.countResults.get() as number,
      patients: this.s.countPatients.get() as number,
    };
  }

  /** Changes when another connection (another process, e.g. a backfill) commits to the file. */
  dataVersion(): number {
    return this.s.dataVersion.get() as number;
  }

  /** Checkpoints the WAL and closes the file. Idempotent. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A busy checkpoint is harmless: the WAL is replayed on the next open.
    }
    this.db.close();
  }
}

/**
 * `swemls detect`: the AKI alerting service (spec/detector.md), and `swemls detect backfill FILE`
 * to load admissions missed during an outage into its store.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, nhsModel, parseDateFlag, type Model } from '../aki/index.js';
import type { CommandSpec } from '../core/config.js';
import { realClock, wallNow } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createRng } from '../core/random.js';
import { createShutdown } from '../core/shutdown.js';
import { loadBackfill } from '../detector/backfill.js';
import { DetectorError, DetectorErrorCode } from '../detector/errors.js';
import { startDetector, type HostPort } from '../detector/service.js';
import { DetectorStore } from '../detector/store.js';
import { ExitCode, type Command } from './command.js';

const DEFAULT_STATE = '/state';
const DEFAULT_HISTORY = '/data/history.csv';
const DEFAULT_MODEL = 'models/default.json';
/** The store's file name inside the state directory. */
export const STORE_FILE = 'detector.sqlite';

const spec: CommandSpec = {
  name: 'detect',
  summary: 'Run the AKI detector: read the hospital MLLP feed, store every message durably before its ACK, predict AKI, page the pager.',
  usage: 'detect [options]\n       swemls detect backfill FILE [--state DIR]',
  positionals: true,
  options: [
    { name: 'mllp', type: 'string', metavar: 'HOST:PORT', env: 'MLLP_ADDRESS', default: 'localhost:8440', help: 'the hospital MLLP feed to connect to' },
    { name: 'pager', type: 'string', metavar: 'HOST:PORT', env: 'PAGER_ADDRESS', default: 'localhost:8441', help: 'the pager to POST /page to' },
    { name: 'history', type: 'string', metavar: 'FILE', env: 'HISTORY_PATH', default: DEFAULT_HISTORY, help: 'history.csv loaded into the store on first start (the default is skipped with a warning when absent)' },
    { name: 'state', type: 'string', metavar: 'DIR', env: 'STATE_DIR', default: DEFAULT_STATE, help: `directory of the durable store (${STORE_FILE}); the default falls back to ./state when ${DEFAULT_STATE} is not writable` },
    { name: 'model', type: 'string', metavar: 'FILE', env: 'MODEL_PATH', default: DEFAULT_MODEL, help: "model file (swemls train), or 'nhs' for the course's NHS algorithm; the default falls back to the NHS algorithm with a warning when absent" },
    {
      name: 'stream-start',
      type: 'string',
      metavar: 'WHEN',
      env: 'STREAM_START',
      default: 'feed',
      validate: (v) => (v === 'feed' || v === 'model' || v === 'none' || !Number.isNaN(parseDateFlag(String(v))) ? undefined : `expected feed, model, none or a date YYYY-MM-DD, got '${String(v)}'`),
      help: "start of the live period a learned model measures new results against: 'feed' (00:00 UTC of the day of the first result on the feed, kept in the store), 'model' (the one stored in the model file), 'none' (every result is live: for feeds not made by the course's generator) or YYYY-MM-DD",
    },
    { name: 'metrics-port', type: 'int', metavar: 'N', env: 'METRICS_PORT', default: 8000, min: 0, max: 65535, help: 'port of /metrics, /healthz and /readyz (0: any free port)' },
    { name: 'metrics-host', type: 'string', metavar: 'HOST', env: 'METRICS_HOST', default: '0.0.0.0', help: 'address the metrics server binds' },
    { name: 'bad-message-ack', type: 'string', env: 'BAD_MESSAGE_ACK', default: 'AA', choices: ['AA', 'AE'], help: 'answer to a message that cannot be understood (stored as a dead letter either way); AE adds an ERR segment' },
    { name: 'sqlite-synchronous', type: 'string', env: 'SQLITE_SYNCHRONOUS', default: 'full', choices: ['full', 'normal'], help: 'full: fsync before every ACK (survives power loss); normal: survives a process kill, not an OS crash' },
    { name: 'pager-timeout-ms', type: 'int', metavar: 'MS', env: 'PAGER_TIMEOUT_MS', default: 30000, min: 1, help: 'a page attempt with no answer by then is abandoned and retried (longer than a pager hang, which may already have recorded the page)' },
    { name: 'page-retry-max-ms', type: 'int', metavar: 'MS', env: 'PAGE_RETRY_MAX_MS', default: 5000, min: 1, help: 'cap on the backoff between page attempts' },
    { name: 'reconnect-max-ms', type: 'int', metavar: 'MS', env: 'RECONNECT_MAX_MS', default: 1000, min: 1, help: 'cap on the backoff between connection attempts to the feed' },
    { name: 'grace-ms', type: 'int', metavar: 'MS', env: 'SHUTDOWN_GRACE_MS', default: 10000, min: 0, help: 'on SIGTERM, time allowed for pages in flight and the store to close' },
    { name: 'log-level', type: 'string', env: 'LOG_LEVEL', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], help: 'log level (JSON lines on stderr)' },
  ],
  epilog: [
    'On start it prints one line to stdout: `listening metrics=HOST:PORT`.',
    'Every message is committed to the store before it is acknowledged; pages go out from a durable',
    'outbox, retried on 5xx/timeouts, never twice. SIGTERM stops reading and closes cleanly.',
  ].join('\n'),
};

/** Parses `HOST:PORT` (also `:PORT` or `PORT`, meaning localhost). */
export function parseHostPort(text: string, what: string): HostPort {
  const t = text.trim().replace(/^[a-z]+:\/\//, '');
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(t);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new DetectorError(DetectorErrorCode.address, `${what}: expected HOST:PORT, got '${text}'`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '') || 'localhost';
  return { host, port };
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The state directory: as given (created if needed), or the default with its ./state fallback. */
function resolveStateDir(value: string, given: boolean, cwd: string, warn: (msg: string) => void): string {
  const dir = path.resolve(cwd, value);
  if (writableDir(dir)) return dir;
  if (given) throw new ConfigError([`--state: ${dir} is not a writable directory`]);
  const fallback = path.resolve(cwd, 'state');
  if (!writableDir(fallback)) throw new ConfigError([`--state: neither ${dir} nor ${fallback} is writable`]);
  warn(`${dir} is not writable; keeping state in ${fallback} (set --state or STATE_DIR)`);
  return fallback;
}

function resolveModel(value: string, given: boolean, cwd: string, warn: (msg: string) => void): Model {
  if (value === 'nhs') return nhsModel();
  const candidates = [path.resolve(cwd, value)];
  if (!path.isAbsolute(value)) candidates.push(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', value));
  const file = candidates.find((c) => existsSync(c));
  if (!file) {
    if (given) throw new ConfigError([`--model: ${candidates[0]} does not exist`]);
    warn(`no model at ${value}; using the NHS algorithm (set --model or MODEL_PATH)`);
    return nhsModel();
  }
  try {
    return loadModel(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DetectorError(DetectorErrorCode.model, `cannot load the model ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

export const command: Command = {
  spec,
  async run(args, io) {
    const v = args.values as {
      mllp: string;
      pager: string;
      history: string;
      state: string;
      model: string;
      streamStart: string;
      metricsPort: number;
      metricsHost: string;
      badMessageAck: 'AA' | 'AE';
      sqliteSynchronous: 'full' | 'normal';
      pagerTimeoutMs: number;
      pageRetryMaxMs: number;
      reconnectMaxMs: number;
      graceMs: number;
      logLevel: 'info';
    };
    const logger = createLogger({ level: v.logLevel, name: 'detector' });
    const warn = (msg: string): void => logger.warn(msg);
    const [sub, ...rest] = args.positionals;
    const stateDir = resolveStateDir(v.state, args.given.has('state'), io.cwd, warn);
    const storePath = path.join(stateDir, STORE_FILE);

    if (sub === 'backfill') {
      if (rest.length !== 1) throw new ConfigError(['usage: swemls detect backfill FILE [--state DIR]']);
      const file = path.resolve(io.cwd, rest[0] as string);
      let text: string;
      try {
        text = readFileSync(file, 'latin1');
      } catch (err) {
        throw new DetectorError(DetectorErrorCode.backfill, `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
      }
      const store = DetectorStore.open(storePath, { synchronous: 'full' });
      try {
        const r = loadBackfill(store, text);
        io.stdout.write(
          `backfill ${file}: ${r.messages} messages, ${r.admissions} admissions stored, ${r.superseded} older than what was stored, ${r.ignored} of other types, ${r.invalid} unreadable (store ${storePath})\n`,
        );
        for (const p of r.problems) io.stderr.write(`  ${p}\n`);
      } finally {
        store.close();
      }
      return ExitCode.ok;
    }
    if (sub !== undefined) throw new ConfigError([`unknown argument '${sub}' (did you mean 'detect backfill FILE'?)`]);

    const mllp = parseHostPort(v.mllp, '--mllp');
    const pager = parseHostPort(v.pager, '--pager');
    let historyPath: string | undefined = path.resolve(io.cwd, v.history);
    if (!existsSync(historyPath)) {
      if (args.given.has('history')) throw new ConfigError([`--history: ${historyPath} does not exist`]);
      warn(`no history at ${historyPath}; starting without one (set --history or HISTORY_PATH)`);
      historyPath = undefined;
    }
    const loaded = resolveModel(v.model, args.given.has('model'), io.cwd, warn);
    const fromFeed = v.streamStart === 'feed';
    const model = fromFeed || v.streamStart === 'model' ? loaded : loaded.withStreamStart(v.streamStart === 'none' ? null : parseDateFlag(v.streamStart));
    const shutdown = createShutdown({
      graceMs: v.graceMs,
      onEvent: (e) => {
        if (e.kind === 'signal') logger.info({ signal: e.name }, 'shutting down');
        else if (e.kind === 'timeout') logger.warn({ name: e.name }, 'shutdown: grace period over');
        else if (e.kind === 'error') logger.error({ err: e.error }, 'shutdown: error while closing');
      },
    });
    const t0 = wallNow();
    const detector = await startDetector(
      {
        mllp,
        pager,
        storePath,
        historyPath,
        model,
        streamStartFromFeed: fromFeed,
        metrics: { host: v.metricsHost, port: v.metricsPort },
        badMessageAck: v.badMessageAck,
        synchronous: v.sqliteSynchronous,
        pagerTimeoutMs: v.pagerTimeoutMs,
        pageRetryPolicy: { initialMs: Math.min(100, v.pageRetryMaxMs), maxMs: v.pageRetryMaxMs, factor: 2, jitter: 0.5, maxRetries: Infinity },
        reconnectPolicy: { initialMs: Math.min(50, v.reconnectMaxMs), maxMs: v.reconnectMaxMs, factor: 2, jitter: 0.5, maxRetries: Infinity },
      },
      { clock: realClock, rng: createRng(`detector:${wallNow()}:${process.pid}`), logger },
    ).catch((err: unknown) => {
      shutdown.dispose();
      throw err;
    });
    shutdown.add('detector', () => detector.close());
    const metricsHost = v.metricsHost === '0.0.0.0' ? '127.0.0.1' : v.metricsHost;
    io.stdout.write(`listening metrics=${metricsHost}:${detector.metricsAddress.port}\n`);
    logger.info(
      { mllp: v.mllp, pager: v.pager, store: storePath, model: { kind: model.kind, version: model.version }, history: detector.history ?? null, startupMs: wallNow() - t0 },
      'detector started',
    );
    await shutdown.done;
    shutdown.dispose();
    logger.info('detector stopped');
    return ExitCode.ok;
  },
};

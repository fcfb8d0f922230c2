/**
 * `swemls trial`: the whole system end to end. Generates a training and an evaluation hospital,
 * trains a model, starts the simulator and the detector as separate processes on free loopback
 * ports with their state in a run directory, replays the evaluation stream, waits for late
 * pages, stops both cleanly and prints a scorecard against the NHS algorithm.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monotonicMs } from '../core/clock.js';
import { readMllpFile } from '../hl7/mllp-file.js';
import { fbeta } from '../aki/score.js';
import { counts, formatScorecard, marking, type Scorecard } from './scorecard.js';
import { parseTrialFaultPlan, type TrialFaultPlan } from './fault-plan.js';
import { describeExit, runStep, startService, TrialError, type Service } from './service.js';

export interface TrialOptions {
  readonly seed: number;
  /** Days of the evaluation stream. */
  readonly days: number;
  /** Days of the training hospital's stream. */
  readonly trainDays: number;
  readonly history: number;
  readonly population: number;
  readonly profile: string;
  /** The run directory. */
  readonly out: string;
  /** Simulated seconds per real second; undefined = as fast as the detector acknowledges. */
  readonly speed?: number;
  /** A trial fault plan file. */
  readonly faults?: string;
  /** Leave the services running after the scorecard until interrupted. */
  readonly keep: boolean;
  /** Another detector to run in place of ours (a shell command). */
  readonly detectorCommand?: string;
  /** Seconds to wait for late pages after the last message is acknowledged. */
  readonly graceSeconds: number;
}

export interface TrialIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks to stop (Ctrl-C), for `--keep`. */
  readonly interrupted?: Promise<void>;
  /** Called once the scorecard is printed. */
  readonly onScored?: () => void;
}

export interface TrialResult {
  readonly scorecard: Scorecard;
  readonly runDir: string;
  readonly reportJson: string;
  readonly reportHtml: string;
}

/**
 * The `swemls` the parts run as: bin/swemls.js beside the sources (through tsx), or the compiled
 * dist/cli/entry.js when this module is itself compiled (the container image has no bin/).
 */
const here = fileURLToPath(import.meta.url);
const swemlsBin = here.endsWith('.ts') ? path.resolve(path.dirname(here), '..', '..', 'bin', 'swemls.js') : path.resolve(path.dirname(here), '..', 'cli', 'entry.js');

const SIM_READY = /listening mllp=([^\s:]+):(\d+) pager=([^\s:]+):(\d+) backstage=([^\s:]+):(\d+)/;
const DETECTOR_READY = /listening metrics=/;

/** Reads one sample of a metric (the first line with that name) from Prometheus text. */
export function metricValue(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) return v;
    }
  }
  return undefined;
}

/** Reads a file with one `aki` column of y/n (predictions or expected labels). */
function readLabels(file: string): boolean[] {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((l) => l.trim().toLowerCase() === 'y');
}

function labelF3(expected: boolean[], predicted: boolean[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  expected.forEach((e, i) => {
    const p = predicted[i] ?? false;
    if (p && e) tp++;
    else if (p) fp++;
    else if (e) fn++;
  });
  return fbeta(tp, fp, fn, 3);
}

interface Progress {
  update(sent: number, total: number, extra: string): void;
  done(): void;
}

function createProgress(io: TrialIo): Progress {
  let lastShare = -1;
  return {
    update(sent, total, extra) {
      const share = total > 0 ? sent / total : 0;
      if (io.isTTY) {
        const width = 28;
        const filled = Math.round(share * width);
        io.stdout.write(`\r  replay [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${sent}/${total} ${extra}   `);
      } else {
        const tenth = Math.floor(share * 10);
        if (tenth > lastShare) {
          lastShare = tenth;
          io.stdout.write(`  replay ${Math.round(share * 100)}% (${sent}/${total}) ${extra}\n`);
        }
      }
    },
    done() {
      if (io.isTTY) io.stdout.write('\n');
    },
  };
}

/** Runs a trial; returns the scorecard and where the reports are. Throws TrialError when a part fails. */
export async function runTrial(options: TrialOptions, io: TrialIo): Promise<TrialResult> {
  const started = monotonicMs();
  const runDir = path.resolve(options.out);
  const dirs = {
    train: path.join(runDir, 'train'),
    evaluation: path.join(runDir, 'evaluation'),
    logs: path.join(runDir, 'logs'),
    simState: path.join(runDir, 'simulator-state'),
    detState: path.join(runDir, 'detector-state'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const plan: TrialFaultPlan | undefined = options.faults ? parseTrialFaultPlan(readFileSync(options.faults, 'utf8'), options.faults) : undefined;
  const env = { ...io.env };
  const say = (text: string): void => void io.stdout.write(`${text}\n`);
  const log = (name: string): string => path.join(dirs.logs, `${name}.log`);
  const swemls = (name: string, args: readonly string[]): Promise<void> => runStep({ name, command: process.execPath, args: [swemlsBin, ...args], env, logFile: log(name) });
  const step = async (label: string, work: () => Promise<void>): Promise<void> => {
    const t0 = monotonicMs();
    if (io.isTTY) io.stdout.write(`• ${label} …`);
    await work();
    const took = `${((monotonicMs() - t0) / 1000).toFixed(1)} s`;
    if (io.isTTY) io.stdout.write(`\r• ${label} (${took})\n`);
    else say(`• ${label} (${took})`);
  };

  say(`swemls trial: seed ${options.seed}, ${options.days} days, profile ${options.profile}, run directory ${runDir}`);
  const common = ['--history', String(options.history), '--population', String(options.population), '--profile', options.profile];
  await step('generate the training hospital', () => swemls('generate-training', ['generate', '--seed', String(options.seed), '--days', String(options.trainDays), ...common, '--out', dirs.train]));
  await step('generate the evaluation hospital', () =>
    swemls('generate-evaluation', ['generate', '--seed', String(options.seed + 1000), '--days', String(options.days), ...common, '--out', dirs.evaluation]),
  );
  const modelPath = path.join(runDir, 'model.json');
  await step('train the model', () => swemls('train', ['train', '--training', path.join(dirs.train, 'training.csv'), '--out', modelPath, '--seed', String(options.seed)]));

  let modelEval: Scorecard['model'];
  await step('evaluate the model on the evaluation hospital (coursework 1)', async () => {
    const input = path.join(dirs.evaluation, 'test.csv');
    const expected = readLabels(path.join(dirs.evaluation, 'test.expected.csv'));
    await swemls('predict-model', ['predict', '--model', modelPath, '--input', input, '--output', path.join(runDir, 'predictions-model.csv')]);
    await swemls('predict-nhs', ['predict', '--model', 'nhs', '--input', input, '--output', path.join(runDir, 'predictions-nhs.csv')]);
    modelEval = {
      f3: labelF3(expected, readLabels(path.join(runDir, 'predictions-model.csv'))),
      nhsF3: labelF3(expected, readLabels(path.join(runDir, 'predictions-nhs.csv'))),
      rows: expected.length,
    };
  });

  const messagesFile = path.join(dirs.evaluation, 'messages.mllp');
  const total = readMllpFile(messagesFile).frames.length;
  let simPlanFile: string | undefined;
  if (plan?.simulatorPlanYaml) {
    simPlanFile = path.join(runDir, 'simulator-faults.yaml');
    writeFileSync(simPlanFile, plan.simulatorPlanYaml);
  }

  let ports: { mllp: string; pager: string; backstage: string } | undefined;
  const simArgs = (): string[] => [
    swemlsBin,
    'simulate',
    '--messages',
    messagesFile,
    '--akis',
    path.join(dirs.evaluation, 'aki.csv'),
    '--addr',
    '127.0.0.1',
    '--mllp',
    ports ? ports.mllp.split(':')[1]! : '0',
    '--pager',
    ports ? ports.pager.split(':')[1]! : '0',
    '--backstage',
    ports ? ports.backstage.split(':')[1]! : '0',
    '--state',
    dirs.simState,
    // The trial kills processes, never the machine: the kernel's page cache is durable enough
    // for the simulator's log, and an fsync per exchange would set the pace of the replay.
    '--state-sync',
    'write',
    '--rewind=false',
    ...(options.keep ? [] : ['--report', runDir, '--exit-when-done', '--grace', String(options.graceSeconds)]),
    ...(options.speed !== undefined ? ['--speed', String(options.speed)] : []),
    ...(simPlanFile ? ['--fault-plan', simPlanFile] : []),
  ];
  const startSimulator = async (): Promise<Service> => {
    const sim = startService({ name: 'simulator', command: process.execPath, args: simArgs(), env, logFile: log('simulator'), readyPattern: SIM_READY });
    const m = await sim.ready;
    if (!m) throw new TrialError('simulator gave no addresses', sim.logFile);
    ports ??= { mllp: `${m[1]}:${m[2]}`, pager: `${m[3]}:${m[4]}`, backstage: `${m[5]}:${m[6]}` };
    return sim;
  };

  say(`• replay ${total} messages through the simulator and ${options.detectorCommand ? `'${options.detectorCommand}'` : 'our detector'}`);
  let sim = await startSimulator();
  const addr = ports as unknown as { mllp: string; pager: string; backstage: string };
  const detectorEnv = {
    ...env,
    MLLP_ADDRESS: addr.mllp,
    PAGER_ADDRESS: addr.pager,
    HISTORY_PATH: path.join(dirs.evaluation, 'history.csv'),
    STATE_DIR: dirs.detState,
    MODEL_PATH: modelPath,
    METRICS_PORT: '0',
    // A trial replays far faster than real time and ends --grace seconds after the last ACK:
    // after a pager outage, retry within a second rather than after the 5 s default cap.
    PAGE_RETRY_MAX_MS: '1000',
  };
  const startDetector = async (): Promise<Service> => {
    const det = options.detectorCommand
      ? startService({ name: 'detector', command: options.detectorCommand, shell: true, env: detectorEnv, logFile: log('detector') })
      : startService({ name: 'detector', command: process.execPath, args: [swemlsBin, 'detect'], env: detectorEnv, logFile: log('detector'), readyPattern: DETECTOR_READY });
    await det.ready;
    return det;
  };
  let detector = await startDetector();
  const replayStart = monotonicMs();
  const injected: string[] = [];
  const kills = [...(plan?.detectorKills ?? [])];
  const restarts = [...(plan?.simulatorRestarts ?? [])];
  const progress = createProgress(io);
  let lastSent = -1;
  let lastChange = monotonicMs();
  let sent = 0;
  /** When the simulator first reported every message sent (the replay's end, before the grace). */
  let replayedAt: number | undefined;
  const stallMs = 120_000;

  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      if (detector.hasExited) {
        const exit = await detector.exited;
        throw new TrialError(`the detector stopped unexpectedly (${describeExit(exit)})`, detector.logFile);
      }
      if (sim.hasExited) {
        const exit = await sim.exited;
        if (exit.code !== 0) throw new TrialError(`the simulator failed (${describeExit(exit)})`, sim.logFile);
        break;
      }
      let text: string;
      try {
        text = await (await fetch(`http://${addr.backstage}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      } catch {
        continue;
      }
      sent = metricValue(text, 'messages_sent') ?? sent;
      if (sent >= total) replayedAt ??= monotonicMs();
      const tp = metricValue(text, 'true_positives') ?? 0;
      const fp = metricValue(text, 'false_positives') ?? 0;
      progress.update(sent, total, `TP ${tp} FP ${fp}`);
      if (sent !== lastSent) {
        lastSent = sent;
        lastChange = monotonicMs();
      } else if (monotonicMs() - lastChange > stallMs) {
        throw new TrialError(`the replay made no progress for ${stallMs / 1000} s at message ${sent}/${total}`, detector.logFile);
      }
      if (kills.length > 0 && sent >= (kills[0] as number) * total) {
        kills.shift();
        await detector.stop('SIGKILL');
        injected.push(`detector killed with SIGKILL at message ${sent}/${total}, restarted`);
        detector = await startDetector();
      }
      if (restarts.length > 0 && sent >= (restarts[0] as number) * total) {
        restarts.shift();
        await sim.stop('SIGKILL');
        injected.push(`simulator killed with SIGKILL at message ${sent}/${total}, restarted on the same ports`);
        sim = await startSimulator();
      }
      if (options.keep && sent >= total && metricValue(text, 'queue') === 0) {
        await new Promise((r) => setTimeout(r, options.graceSeconds * 1000));
        const live = await (await fetch(`http://${addr.backstage}/report.json`)).text();
        writeFileSync(path.join(runDir, 'report.json'), live);
        const { renderReportHtml, validateReport } = await import('../simulator/report.js');
        writeFileSync(path.join(runDir, 'report.html'), renderReportHtml(validateReport(JSON.parse(live))));
        break;
      }
    }
  } catch (err) {
    progress.done();
    await Promise.all([detector.stop('SIGTERM', 5000), sim.stop('SIGTERM', 5000)]);
    throw err;
  }
  progress.done();
  // Polled every 200 ms, so the replay time is that precise; without a sighting (a replay shorter
  // than one poll), up to the simulator's exit less its grace.
  const replaySeconds = ((replayedAt ?? Math.max(replayStart, monotonicMs() - options.graceSeconds * 1000)) - replayStart) / 1000;
  if (!options.keep) await detector.stop('SIGTERM', 10_000);

  const reportJson = path.join(runDir, 'report.json');
  const reportHtml = path.join(runDir, 'report.html');
  if (!existsSync(reportJson)) throw new TrialError('the simulator wrote no report.json', sim.logFile);
  const report = JSON.parse(readFileSync(reportJson, 'utf8')) as {
    groups: {
      messages: { sent: number };
      exact: { tp: number; fp: number; fn: number; nhs: { tp: number; fp: number; fn: number } };
      compatible: { tp: number; fp: number; fn: number; f3: number; nhs: { tp: number; fp: number; fn: number; f3: number } };
      latency: { count: number; p50: number; p90: number; p99: number; max: number };
    }[];
  };
  const g = report.groups[0];
  if (!g) throw new TrialError('the simulator report has no group', sim.logFile);
  const faultsSummary = [...injected];
  const simFaults = (report.groups[0] as unknown as { faults?: Record<string, number> }).faults ?? {};
  for (const [kind, n] of Object.entries(simFaults)) if (n > 0) faultsSummary.push(`simulator fault '${kind}': ${n}`);

  const scorecard: Scorecard = {
    detector: options.detectorCommand ? `detector '${options.detectorCommand}'` : 'swemls detect',
    exact: counts(g.exact.tp, g.exact.fp, g.exact.fn),
    compatible: { tp: g.compatible.tp, fp: g.compatible.fp, fn: g.compatible.fn, f3: g.compatible.f3 },
    nhsExact: counts(g.exact.nhs.tp, g.exact.nhs.fp, g.exact.nhs.fn),
    nhsCompatible: { tp: g.compatible.nhs.tp, fp: g.compatible.nhs.fp, fn: g.compatible.nhs.fn, f3: g.compatible.nhs.f3 },
    latency: g.latency,
    messages: g.messages.sent,
    replaySeconds,
    wallSeconds: (monotonicMs() - started) / 1000,
    ...(modelEval ? { model: modelEval } : {}),
    ...(faultsSummary.length > 0 || plan ? { faults: faultsSummary } : {}),
  };
  // The simulator's report plus the trial's own figures (scorecard, marking, model evaluation).
  writeFileSync(reportJson, JSON.stringify({ ...report, trial: { options, scorecard, marking: marking(scorecard) } }, null, 2) + '\n');
  if (existsSync(reportHtml)) {
    const html = readFileSync(reportHtml, 'utf8');
    const section = `<section id="trial"><h2>Trial scorecard</h2><pre>${escapeHtml(formatScorecard(scorecard))}</pre></section>`;
    writeFileSync(reportHtml, html.includes('</body>') ? html.replace('</body>', `${section}\n</body>`) : html + section);
  }
  io.stdout.write(formatScorecard(scorecard));
  io.onScored?.();
  say(`reports: ${reportJson}\n         ${reportHtml}\nlogs:    ${dirs.logs}`);

  if (options.keep) {
    say(`services left running: simulator backstage http://${addr.backstage}/ (MLLP ${addr.mllp}, pager ${addr.pager}); press Ctrl-C to stop them`);
    await (io.interrupted ?? new Promise<void>(() => undefined));
    await Promise.all([detector.stop('SIGTERM'), sim.stop('SIGTERM')]);
  }
  return { scorecard, runDir, reportJson, reportHtml };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

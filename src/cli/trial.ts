/** `swemls trial` (what `npm start` runs): the whole system end to end, with a scorecard. */
import path from 'node:path';
import { wallNow } from '../core/clock.js';
import { runTrial } from '../trial/index.js';
import { killAllServices, TrialError } from '../trial/service.js';
import { ExitCode, type Command } from './command.js';

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export const command: Command = {
  spec: {
    name: 'trial',
    usage: 'trial [options]',
    summary:
      'Runs the whole system end to end: generates a training and an evaluation hospital, trains a model, starts the simulator and the detector as separate processes on free loopback ports, replays the evaluation stream, and prints a scorecard against the NHS algorithm.',
    options: [
      { name: 'seed', type: 'int', default: 1, min: 0, help: 'seed of the training hospital (the evaluation hospital uses seed + 1000)' },
      { name: 'days', type: 'int', default: 30, min: 1, max: 3650, help: 'days of the evaluation stream' },
      { name: 'train-days', type: 'int', default: 365, min: 1, max: 3650, help: 'days of the training hospital' },
      { name: 'history', type: 'int', default: 90, min: 1, max: 3650, help: 'days of history before each stream' },
      { name: 'population', type: 'int', default: 10000, min: 10, help: 'people in each hospital' },
      { name: 'profile', type: 'string', default: 'kit', metavar: 'NAME|FILE', help: "generator profile: 'kit', 'course' or a profile file" },
      { name: 'out', type: 'string', metavar: 'DIR', help: 'run directory (default: runs/trial-<time>)' },
      { name: 'speed', type: 'number', min: 0.001, help: 'simulated seconds per real second (default: as fast as the detector acknowledges)' },
      { name: 'faults', type: 'string', metavar: 'FILE', help: 'a trial fault plan (detector kills, simulator restarts, simulator faults; see docs/trial.md)' },
      { name: 'keep', type: 'boolean', default: false, help: 'leave the simulator and detector running after the scorecard, until Ctrl-C' },
      { name: 'detector-command', type: 'string', metavar: 'CMD', help: 'run this detector instead of ours (shell command; gets MLLP_ADDRESS, PAGER_ADDRESS, HISTORY_PATH)' },
      { name: 'grace', type: 'number', default: 3, min: 0, help: 'seconds to wait for late pages after the last message' },
    ],
  },
  async run(args, io) {
    const v = args.values as {
      seed: number;
      days: number;
      trainDays: number;
      history: number;
      population: number;
      profile: string;
      out?: string;
      speed?: number;
      faults?: string;
      keep: boolean;
      detectorCommand?: string;
      grace: number;
    };
    const out = v.out ?? path.join(io.cwd, 'runs', `trial-${stamp(wallNow())}`);
    // The parts run in process groups of their own: on Ctrl-C or SIGTERM, stop them too. With
    // --keep, Ctrl-C after the scorecard is the normal way to end the run.
    let scored = false;
    let resolveInterrupted!: () => void;
    const interrupted = new Promise<void>((resolve) => (resolveInterrupted = resolve));
    const onSignal = (signal: NodeJS.Signals): void => {
      if (v.keep && scored) return resolveInterrupted();
      io.stderr.write(`swemls trial: ${signal}: stopping the simulator and the detector\n`);
      killAllServices('SIGTERM');
      setTimeout(() => {
        killAllServices('SIGKILL');
        process.exit(130);
      }, 3000).unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await runTrial(
        {
          seed: v.seed,
          days: v.days,
          trainDays: v.trainDays,
          history: v.history,
          population: v.population,
          profile: v.profile,
          out,
          keep: v.keep,
          graceSeconds: v.grace,
          ...(v.speed !== undefined ? { speed: v.speed } : {}),
          ...(v.faults !== undefined ? { faults: v.faults } : {}),
          ...(v.detectorCommand !== undefined ? { detectorCommand: v.detectorCommand } : {}),
        },
        { stdout: io.stdout, stderr: io.stderr, isTTY: Boolean(io.stdout.isTTY), env: io.env, interrupted, onScored: () => (scored = true) },
      );
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // The trial ran: 0 whatever the scores (the scorecard says PASS or FAIL).
      return ExitCode.ok;
    } catch (err) {
      if (err instanceof TrialError) {
        io.stderr.write(`swemls trial: ${err.message}\n`);
        return ExitCode.failure;
      }
      throw err;
    }
  },
};

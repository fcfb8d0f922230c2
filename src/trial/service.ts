/**
 * A part of the system run as a separate process (the simulator, the detector, a generator
 * run): its output goes to a log file in the run directory, and `ready` resolves with the first
 * output line that matches a pattern (the "listening ..." line that gives the real ports).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { SwemlsError } from '../core/errors.js';

export interface ServiceOptions {
  readonly name: string;
  /** The program and its arguments. With `shell`, `command` is a shell command line. */
  readonly command: string;
  readonly args?: readonly string[];
  readonly shell?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly logFile: string;
  /** A line matching this resolves `ready`. Without one, `ready` resolves at once. */
  readonly readyPattern?: RegExp;
  /** How long to wait for the ready line before giving up (ms). */
  readonly readyTimeoutMs?: number;
  /** Called with every output line (for progress displays). */
  readonly onLine?: (line: string) => void;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly ready: Promise<RegExpMatchArray | undefined>;
  readonly exited: Promise<Exit>;
  /** True once the process has exited. */
  readonly hasExited: boolean;
  /** Sends a signal and waits for the exit; escalates to SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

/** The error for a part that failed: names it and its log file. */
export class TrialError extends SwemlsError {
  constructor(
    message: string,
    readonly logFile?: string,
  ) {
    super('TRIAL_ERR_PART_FAILED', logFile ? `${message} (log: ${logFile})` : message);
  }
}

const live = new Set<ChildProcess>();

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** Sends a signal to a child's whole process group (a shell command's own children too). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Kills every running service's process group (for an interrupted trial). */
export function killAllServices(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of live) signalGroup(child, signal);
}

/** Starts a service in a process group of its own, so stopping it stops everything it started. */
export function startService(options: ServiceOptions): Service {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  // What was run, so a part can be re-run by hand from its log.
  log.write(`[trial] $ ${options.shell ? options.command : [options.command, ...(options.args ?? [])].map(shellQuote).join(' ')}\n`);
  const spawnOptions = { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], detached: true };
  const child = options.shell ? spawn(options.command, { ...spawnOptions, shell: true }) : spawn(options.command, options.args ?? [], spawnOptions);
  live.add(child);
  let hasExited = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (err) => {
      log.write(`[trial] could not start ${options.name}: ${err.message}\n`);
      hasExited = true;
      resolve({ code: 127, signal: null });
    });
    child.once('exit', (code, signal) => {
      hasExited = true;
      live.delete(child);
      // Whatever the part left behind in its group goes with it.
      signalGroup(child, 'SIGKILL');
      resolve({ code, signal });
    });
  });
  let resolveReady!: (m: RegExpMatchArray | undefined) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<RegExpMatchArray | undefined>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  // Avoid an unhandled rejection when nobody awaits `ready` (e.g. a service with no pattern).
  ready.catch(() => undefined);
  let isReady = !options.readyPattern;
  if (isReady) resolveReady(undefined);

  const onText = (stream: NodeJS.ReadableStream): void => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        options.onLine?.(line);
        if (!isReady && options.readyPattern) {
          const m = line.match(options.readyPattern);
          if (m) {
            isReady = true;
            resolveReady(m);
          }
        }
      }
    });
  };
  if (child.stdout) onText(child.stdout);
  if (child.stderr) onText(child.stderr);

  const timer = setTimeout(() => {
    if (!isReady) rejectReady(new TrialError(`${options.name} did not report ready within ${options.readyTimeoutMs ?? 30_000} ms`, options.logFile));
  }, options.readyTimeoutMs ?? 30_000);
  timer.unref();
  void exited.then((exit) => {
    clearTimeout(timer);
    if (!isReady) rejectReady(new TrialError(`${options.name} exited (${describeExit(exit)}) before it was ready`, options.logFile));
    log.end();
  });

  return {
    name: options.name,
    child,
    logFile: options.logFile,
    ready,
    exited,
    get hasExited() {
      return hasExited;
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (hasExited) return exited;
      signalGroup(child, signal);
      const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(killer);
      return exit;
    },
  };
}

/** "exit code 1" / "signal SIGKILL". */
export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** Runs a command to completion; rejects with a TrialError naming the log when it fails. */
export async function runStep(options: Omit<ServiceOptions, 'readyPattern'>): Promise<void> {
  const service = startService(options);
  const exit = await service.exited;
  if (exit.code !== 0) throw new TrialError(`${options.name} failed (${describeExit(exit)})`, options.logFile);
}

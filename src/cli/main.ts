/**
 * `swemls <command>`: finds the subcommand, parses its flags and env, runs it, chooses the exit code.
 */
import { formatHelp, parseArgs } from '../core/config.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { ExitCode, type CliIo, type Command } from './command.js';

interface Entry {
  readonly summary: string;
  readonly load: () => Promise<{ command: Command }>;
}

/** Every subcommand, in the order `--help` lists them. Modules load only when used. */
export const commands: Readonly<Record<string, Entry>> = {
  generate: { summary: 'generate a synthetic hospital: CSV datasets and an MLLP file of HL7 messages', load: () => import('./generate.js') },
  train: { summary: 'train an AKI model on training CSV files', load: () => import('./train.js') },
  predict: { summary: 'predict AKI for each row of a test CSV (course coursework-1 interface)', load: () => import('./predict.js') },
  score: { summary: 'score predictions against expected labels (F3, confusion counts)', load: () => import('./score.js') },
  simulate: { summary: 'run the hospital simulator: replay HL7 over MLLP, take pages, score them', load: () => import('./simulate.js') },
  detect: { summary: 'run the AKI detector: read the MLLP feed, predict, page (also: detect backfill FILE)', load: () => import('./detect.js') },
  trial: { summary: 'run the whole system end to end and print a scorecard (what npm start runs)', load: () => import('./trial.js') },
};

/** The top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = [
    'swemls: real-time acute kidney injury alerting, and the simulated hospital it is tested in.',
    '',
    'Usage: swemls <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`),
    '',
    "Run 'swemls <command> --help' for a command's options.",
  ];
  return lines.join('\n') + '\n';
}

function defaultIo(env: Readonly<Record<string, string | undefined>>): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env, cwd: process.cwd() };
}

/** Runs the CLI and returns the exit code (the caller sets it). */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo = defaultIo(env)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v') {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    io.stdout.write(`${pkg.version}\n`);
    return ExitCode.ok;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry && name.startsWith('-')) {
    io.stderr.write(`swemls: unknown option '${name.split('=')[0]}' (give a command first; see 'swemls --help')\n`);
    return ExitCode.usage;
  }
  if (!entry) {
    io.stderr.write(`swemls: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')}; see 'swemls --help')\n`);
    return ExitCode.usage;
  }
  let command: Command;
  try {
    ({ command } = await entry.load());
  } catch (err) {
    io.stderr.write(`swemls ${name}: cannot load the command: ${errorMessage(err).split('\n')[0]}\n`);
    return ExitCode.failure;
  }
  let args;
  try {
    args = parseArgs(command.spec, rest, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`swemls ${name}: ${err.problems.join('; ')}\n`);
      return ExitCode.usage;
    }
    throw err;
  }
  if (args.help) {
    io.stdout.write(formatHelp(command.spec));
    return ExitCode.ok;
  }
  for (const note of args.notes) io.stderr.write(`swemls ${name}: note: ${note}\n`);
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`swemls ${name}: ${err.problems.join('; ')}\n`);
      return ExitCode.usage;
    }
    const e = err as { code?: unknown; syscall?: unknown; path?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    let text = errorMessage(err);
    if (code !== undefined && text.startsWith(`${code}: `)) {
      // Node's own errors ("ENOENT: no such file or directory, open '/x'"): "cannot open /x: no such file or directory (ENOENT)".
      const why = text.slice(code.length + 2).replace(/, \w+ '.*'$/, '');
      text = `${typeof e.path === 'string' && typeof e.syscall === 'string' ? `cannot ${e.syscall} ${e.path}: ` : ''}${why} (${code})`;
    } else if (code !== undefined) text = `${code}: ${text}`;
    io.stderr.write(`swemls ${name}: ${text}\n`);
    return ExitCode.failure;
  }
}

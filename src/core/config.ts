/**
 * Configuration loading: command-line flags, then environment variables, then defaults,
 * validated against a declared option table, reporting every problem at once.
 *
 * Accepted spellings (Go's flag package and GNU style both work, as the course kit's tools
 * use both): `--name value`, `--name=value`, `-name value`, `-name=value`; booleans take
 * `--name`, `--name=true|false|1|0` or `--no-name`. A repeatable option (`strings`) collects
 * every occurrence. The same table produces `--help` text and docs/configuration.md.
 */
import { ConfigError } from './errors.js';

export type OptionType = 'string' | 'int' | 'number' | 'boolean' | 'strings';

/** One option of a command. */
export interface OptionSpec {
  /** Long name, kebab-case (`mllp`, `max-resends`). The parsed key is its camelCase form. */
  readonly name: string;
  readonly type: OptionType;
  readonly help: string;
  readonly default?: string | number | boolean | readonly string[];
  /** Environment variable read when the flag is absent. */
  readonly env?: string;
  /** Other accepted spellings (e.g. the course kit's `mean_daily_admits`). */
  readonly aliases?: readonly string[];
  /** Placeholder in help text (`N`, `FILE`, `HOST:PORT`). */
  readonly metavar?: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** Accepted for compatibility and ignored; the text is printed as a note when it is used. */
  readonly ignoredNote?: string;
  /** Must be given (by flag or env); a default makes no sense for it. */
  readonly required?: boolean;
  /** A further check on the converted value: returns a problem (without the option name) or undefined. */
  readonly validate?: (value: string | number | boolean) => string | undefined;
}

/** A command: its name, what it does and its options. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** The usage line after `Usage: ` (e.g. `score --expected FILE`); a leading `swemls ` is allowed. */
  readonly usage?: string;
  readonly options: readonly OptionSpec[];
  /** Extra help text printed after the options. */
  readonly epilog?: string;
  /** Whether the command takes arguments besides options (e.g. `detect backfill FILE`); for others, parseArgs refuses them. */
  readonly positionals?: boolean;
}

/** The result of parsing. `values` is frozen and keyed by camelCase option name. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, unknown>>;
  readonly positionals: readonly string[];
  /** Notes for the user (ignored compatibility flags). */
  readonly notes: readonly string[];
  readonly help: boolean;
  /** Names (camelCase) of the options given explicitly by flag or env, not defaulted. */
  readonly given: ReadonlySet<string>;
}

/** `max-resends` → `maxResends`. */
export function camelCase(name: string): string {
  return name.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function convert(opt: OptionSpec, raw: string, source: string, problems: string[]): unknown {
  switch (opt.type) {
    case 'string':
    case 'strings': {
      if (opt.choices && !opt.choices.includes(raw)) {
        problems.push(`${source}: expected one of ${opt.choices.join(', ')}, got '${raw}'`);
        return undefined;
      }
      return raw;
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (['true', '1', 'yes', 't'].includes(v)) return true;
      if (['false', '0', 'no', 'f'].includes(v)) return false;
      problems.push(`${source}: expected true or false, got '${raw}'`);
      return undefined;
    }
    case 'int':
    case 'number': {
      const trimmed = raw.trim();
      const n = trimmed === '' ? Number.NaN : Number(trimmed);
      if (!Number.isFinite(n) || (opt.type === 'int' && !Number.isInteger(n))) {
        problems.push(`${source}: expected ${opt.type === 'int' ? 'an integer' : 'a number'}, got '${raw}'`);
        return undefined;
      }
      if (opt.min !== undefined && n < opt.min) {
        problems.push(`${source}: must be at least ${opt.min}, got ${n}`);
        return undefined;
      }
      if (opt.max !== undefined && n > opt.max) {
        problems.push(`${source}: must be at most ${opt.max}, got ${n}`);
        return undefined;
      }
      return n;
    }
  }
}

function convertChecked(opt: OptionSpec, raw: string, source: string, problems: string[]): unknown {
  const v = convert(opt, raw, source, problems);
  if (v === undefined || !opt.validate) return v;
  const problem = opt.validate(v as string | number | boolean);
  if (problem === undefined) return v;
  problems.push(`${source}: ${problem}`);
  return undefined;
}

/**
 * Parses argv and env against a command's options. Throws `ConfigError` listing every problem.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const opt of spec.options) {
    byName.set(opt.name, opt);
    for (const a of opt.aliases ?? []) byName.set(a, opt);
  }
  const problems: string[] = [];
  const notes: string[] = [];
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  /** Options that appeared as flags, valid or not: env and defaults do not stand in for them. */
  const flagged = new Set<string>();
  const positionals: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help' || arg === '-help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let inline: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    let opt = byName.get(name);
    if (!opt && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean' && inline === undefined) {
      opt = byName.get(name.slice(3));
      name = name.slice(3);
      inline = 'false';
    }
    if (!opt) {
      problems.push(`unknown option '${arg.split('=')[0]}' (see 'swemls ${spec.name} --help')`);
      continue;
    }
    flagged.add(camelCase(opt.name));
    let raw: string;
    if (inline !== undefined) raw = inline;
    else if (opt.type === 'boolean') raw = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined) {
        problems.push(`option '--${opt.name}' needs a value`);
        continue;
      }
      raw = next;
      i++;
    }
    if (opt.ignoredNote) {
      notes.push(`--${name} is accepted for compatibility and ignored: ${opt.ignoredNote}`);
      continue;
    }
    const v = convertChecked(opt, raw, `--${opt.name}`, problems);
    if (v === undefined) continue;
    const key = camelCase(opt.name);
    given.add(key);
    if (opt.type === 'strings') values[key] = [...((values[key] as string[] | undefined) ?? []), v];
    else values[key] = v;
  }

  for (const opt of spec.options) {
    const key = camelCase(opt.name);
    if (given.has(key) || flagged.has(key)) continue;
    const fromEnv = opt.env ? env[opt.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      const v = convertChecked(opt, fromEnv, `${opt.env}`, problems);
      if (v !== undefined) {
        values[key] = opt.type === 'strings' ? [v] : v;
        given.add(key);
      }
      continue;
    }
    if (opt.required) {
      problems.push(`option '--${opt.name}' is required${opt.env ? ` (or set ${opt.env})` : ''}`);
      continue;
    }
    if (opt.default !== undefined) values[key] = opt.default;
    else if (opt.type === 'strings') values[key] = [];
  }

  const stray = positionals[0];
  if (stray !== undefined && !spec.positionals) {
    // `--rewind false` is two arguments: the stray 'false' is refused, not silently dropped.
    const hint = stray === 'true' || stray === 'false' ? `a boolean flag takes its value with '=', e.g. --rewind=${stray}` : `see 'swemls ${spec.name} --help'`;
    problems.push(`unexpected argument '${stray}' (${hint})`);
  }
  if (problems.length > 0 && !help) throw new ConfigError(problems);
  return { values: Object.freeze(values), positionals, notes, help, given };
}

function optionLabel(opt: OptionSpec): string {
  const meta = opt.type === 'boolean' ? '' : ` ${opt.metavar ?? (opt.type === 'int' || opt.type === 'number' ? 'N' : 'VALUE')}`;
  return `--${opt.name}${meta}`;
}

/** Help text for a command: usage, summary, one line per option with default and env var. */
export function formatHelp(spec: CommandSpec, program = 'swemls'): string {
  // `usage` may be written with or without the program name in front.
  const usage = spec.usage ?? `${spec.name} [options]`;
  const lines = [`Usage: ${usage.startsWith(`${program} `) ? usage : `${program} ${usage}`}`, '', spec.summary, '', 'Options:'];
  const labels = spec.options.map(optionLabel);
  const width = Math.min(32, Math.max(...labels.map((l) => l.length), 10));
  spec.options.forEach((opt, i) => {
    const extras: string[] = [];
    if (opt.default !== undefined && opt.default !== '' && !(Array.isArray(opt.default) && opt.default.length === 0)) {
      extras.push(`default: ${Array.isArray(opt.default) ? opt.default.join(',') : String(opt.default)}`);
    }
    if (opt.env) extras.push(`env: ${opt.env}`);
    if (opt.aliases?.length) extras.push(`also: ${opt.aliases.map((a) => `--${a}`).join(', ')}`);
    const label = (labels[i] as string).padEnd(width);
    lines.push(`  ${label}  ${opt.help}${extras.length ? ` (${extras.join('; ')})` : ''}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}  show this help`);
  if (spec.epilog) lines.push('', spec.epilog);
  return lines.join('\n') + '\n';
}

/**
 * Lints deploy/Dockerfile: dockerfile-utils' checks (syntax, instructions, arguments) plus ours
 * (multi-stage, production dependencies only, non-root, the swemls entry point).
 *
 *   node --import tsx deploy/scripts/check-dockerfile.ts [Dockerfile]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate } from 'dockerfile-utils';

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? '';
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next.trim();
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (m) out.push({ line: start + 1, keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() });
  }
  return out;
}

/** Every problem with a Dockerfile's text. */
export function checkDockerfile(text: string): string[] {
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  const all = parseInstructions(text);
  const froms = all.filter((x) => x.keyword === 'FROM');
  if (froms.length < 2) problems.push('must be multi-stage (a build stage, then a slim runtime stage)');
  const lastFrom = all.lastIndexOf(froms[froms.length - 1] as Instruction);
  const runtime = lastFrom >= 0 ? all.slice(lastFrom) : [];
  const build = lastFrom >= 0 ? all.slice(0, lastFrom) : all;

  for (const f of froms) {
    const image = f.args.split(/\s+/)[0] ?? '';
    if (/:latest$/.test(image) || (!image.includes(':') && !image.startsWith('$') && image !== 'scratch')) problems.push(`line ${f.line}: FROM ${image} must pin a tag`);
  }
  const runs = (ins: Instruction[]): string => ins.filter((x) => x.keyword === 'RUN').map((x) => x.args).join('\n');
  if (!/npm ci\b/.test(runs(build))) problems.push('the build stage must install with `npm ci` (the lock file)');
  if (!/npm run build\b/.test(runs(build))) problems.push('the build stage must compile with `npm run build`');
  if (!/npm (prune|ci)\b[^\n]*--omit=dev/.test(runs(all))) problems.push('production dependencies only: `npm prune --omit=dev` (or `npm ci --omit=dev`)');
  if (/apt-get install/.test(runs(runtime))) problems.push('the runtime stage must not install build tools');
  for (const c of runtime.filter((x) => x.keyword === 'COPY' || x.keyword === 'ADD')) {
    if (/^(--\S+\s+)*\.\s/.test(c.args)) problems.push(`line ${c.line}: the runtime stage must not copy the whole context`);
    if (c.keyword === 'ADD') problems.push(`line ${c.line}: use COPY, not ADD`);
  }
  const user = runtime.filter((x) => x.keyword === 'USER').pop();
  if (!user) problems.push('the runtime stage must set a USER');
  else if (/^(0|root)(:|$)/.test(user.args)) problems.push(`line ${user.line}: USER must not be root`);
  const entry = runtime.filter((x) => x.keyword === 'ENTRYPOINT').pop();
  if (!entry) problems.push('the runtime stage must have an ENTRYPOINT');
  else {
    let argv: unknown;
    try {
      argv = JSON.parse(entry.args);
    } catch {
      argv = undefined;
    }
    if (!Array.isArray(argv)) problems.push(`line ${entry.line}: ENTRYPOINT must be exec form (a JSON array) so signals reach node`);
    else if (argv[0] !== 'node' || argv[1] !== '/app/dist/cli/entry.js') problems.push(`line ${entry.line}: ENTRYPOINT must run node /app/dist/cli/entry.js (swemls)`);
    if (user && user.line > entry.line) problems.push('USER must come before ENTRYPOINT');
  }
  return problems;
}

/** A .dockerignore pattern as a regular expression over a context-relative path. */
function ignorePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/\/+$/, '')
    .split('/')
    .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/')
    .replace(/\.\*\//g, '(?:.*/)?');
  return new RegExp(`^${body}(?:/.*)?$`);
}

/** Whether the ignore file leaves `file` (context-relative) in the build context: the last matching rule decides. */
export function inContext(ignoreText: string, file: string): boolean {
  let included = true;
  for (const raw of ignoreText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (ignorePattern(negated ? line.slice(1) : line).test(file)) included = negated;
  }
  return included;
}

/** COPY sources (from the context, not another stage) that the ignore file leaves out: the build would fail. */
export function contextProblems(dockerfileText: string, ignoreText: string): string[] {
  const problems: string[] = [];
  for (const c of parseInstructions(dockerfileText).filter((x) => x.keyword === 'COPY' || x.keyword === 'ADD')) {
    const words = c.args.split(/\s+/).filter(Boolean);
    if (words.some((w) => w.startsWith('--from'))) continue;
    const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
    for (const src of sources) {
      const rel = src.replace(/^\.\//, '').replace(/\/+$/, '');
      if (rel === '.' || rel === '') continue;
      if (!inContext(ignoreText, rel)) problems.push(`line ${c.line}: COPY ${src}: the .dockerignore leaves it out of the build context`);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../Dockerfile');
  const problems = checkDockerfile(readFileSync(file, 'utf8'));
  for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
  process.stdout.write(problems.length === 0 ? `${file}: ok\n` : '');
  process.exitCode = problems.length === 0 ? 0 : 1;
}

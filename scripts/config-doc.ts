/**
 * Writes docs/configuration.md from the CLI's own option tables (`npm run docs:config`), so the
 * doc lists every flag and environment variable of every command. test/docs-configuration.test.ts
 * fails when a command's options and the doc disagree.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../src/cli/main.js';
import type { OptionSpec } from '../src/core/config.js';

function defaultText(opt: OptionSpec): string {
  if (opt.default === undefined) return '';
  if (Array.isArray(opt.default)) return opt.default.length ? `\`${opt.default.join(',')}\`` : '';
  return `\`${String(opt.default)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The whole of docs/configuration.md. */
export async function renderConfigurationDoc(): Promise<string> {
  const out = [
    '# Configuration',
    '',
    'Every flag and environment variable of every `swemls` command. This file is generated from the',
    "commands' own option tables by `npm run docs:config`; a test fails when they disagree.",
    '',
    'Flags take `--name value`, `--name=value`, `-name value` or `-name=value` (the course kit\'s Go and',
    'Python tools use both styles); booleans take `--name`, `--name=false` or `--no-name`. A flag beats its',
    'environment variable, which beats the default. Invalid values are all reported at once, in one line,',
    'with exit code 2.',
    '',
  ];
  for (const [name, entry] of Object.entries(commands)) {
    const { command } = await entry.load();
    out.push(`## swemls ${name}`, '', command.spec.summary, '');
    if (command.spec.usage) out.push('```', `swemls ${command.spec.usage}`, '```', '');
    if (command.spec.options.length === 0) {
      out.push('No options.', '');
      continue;
    }
    out.push('| flag | env | default | meaning |', '|---|---|---|---|');
    for (const opt of command.spec.options) {
      const names = [`\`--${opt.name}\``, ...(opt.aliases ?? []).map((a) => `\`--${a}\``)].join(', ');
      const meaning = opt.ignoredNote ? `${opt.help} (accepted and ignored: ${opt.ignoredNote})` : opt.help;
      out.push(`| ${names} | ${opt.env ? `\`${opt.env}\`` : ''} | ${cell(defaultText(opt))} | ${cell(meaning)} |`);
    }
    out.push('');
    if (command.spec.epilog) out.push(command.spec.epilog, '');
  }
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'configuration.md');
  writeFileSync(target, await renderConfigurationDoc());
  process.stdout.write(`wrote ${target}\n`);
}

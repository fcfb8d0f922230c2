import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { commands } from '../src/cli/main.js';
import { formatHelp } from '../src/core/config.js';
import { renderConfigurationDoc } from '../scripts/config-doc.js';

const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');

test('docs/configuration.md is up to date with every command option table (run npm run docs:config)', async () => {
  assert.equal(doc, await renderConfigurationDoc());
});

test('every flag and env var in every command help text appears in docs/configuration.md', async () => {
  for (const [name, entry] of Object.entries(commands)) {
    const { command } = await entry.load();
    const help = formatHelp(command.spec);
    assert.ok(doc.includes(`## swemls ${name}`), `no section for swemls ${name}`);
    const section = doc.slice(doc.indexOf(`## swemls ${name}\n`)).split('\n## ')[0] as string;
    for (const flag of help.matchAll(/--([a-z][a-z0-9_-]*)/g)) {
      if (flag[1] === 'help') continue;
      assert.ok(section.includes(`\`--${flag[1]}\``), `swemls ${name}: --${flag[1]} is in --help but not documented`);
    }
    for (const env of help.matchAll(/env: ([A-Z_][A-Z0-9_]*)/g)) {
      assert.ok(section.includes(`\`${env[1]}\``), `swemls ${name}: ${env[1]} is in --help but not documented`);
    }
  }
});

test('the check fails for a flag that is not documented', () => {
  const help = formatHelp({ name: 'x', summary: 's', options: [{ name: 'brand-new-flag', type: 'boolean', help: 'h' }] });
  assert.match(help, /--brand-new-flag/);
  assert.ok(!doc.includes('`--brand-new-flag`'));
});

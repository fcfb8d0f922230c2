/**
 * The lint rules of eslint.config.js really fire: imports only point downwards (ARCHITECTURE.md),
 * no Date.now / Math.random / process.exit where they are banned. Each case lints a small
 * source text as if it were a file at that path (ESLint's lintText with filePath), so nothing is
 * written into src/.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  assert.ok(result);
  return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const use = (spec: string): string => `import * as x from '${spec}';\nexport const y = x;\n`;

describe('layering lint rule (no-restricted-imports per folder)', { timeout: 60_000 }, () => {
  const banned: readonly (readonly [string, string])[] = [
    ['src/hl7/probe.ts', '../core/clock.js'],
    ['src/hl7/probe.ts', '../aki/index.js'],
    ['src/core/probe.ts', '../hl7/index.js'],
    ['src/core/probe.ts', '../cli/main.js'],
    ['src/aki/probe.ts', '../generator/people.js'],
    ['src/generator/probe.ts', '../simulator/index.js'],
    ['src/simulator/probe.ts', '../detector/store.js'],
    ['src/simulator/sub/probe.ts', '../../detector/store.js'],
    ['src/detector/probe.ts', '../simulator/replay.js'],
    ['src/detector/probe.ts', '../generator/people.js'],
    ['src/detector/probe.ts', '../cli/main.js'],
  ];
  for (const [file, spec] of banned) {
    it(`refuses ${file} importing ${spec}`, async () => {
      assert.deepEqual(await ruleIds(file, use(spec)), ['no-restricted-imports']);
    });
  }

  const allowed: readonly (readonly [string, string])[] = [
    ['src/detector/probe.ts', '../hl7/index.js'],
    ['src/detector/probe.ts', '../core/clock.js'],
    ['src/detector/probe.ts', '../aki/index.js'],
    ['src/simulator/probe.ts', '../hl7/index.js'],
    ['src/generator/probe.ts', '../aki/index.js'],
    ['src/cli/probe.ts', '../detector/index.js'],
    ['src/cli/probe.ts', '../simulator/index.js'],
    ['src/hl7/probe.ts', './message.js'],
  ];
  for (const [file, spec] of allowed) {
    it(`allows ${file} importing ${spec}`, async () => {
      assert.deepEqual(await ruleIds(file, use(spec)), []);
    });
  }
});

describe('banned globals', { timeout: 60_000 }, () => {
  it('refuses Date.now and process.exit in src (outside clock.ts and cli)', async () => {
    assert.deepEqual(await ruleIds('src/hl7/probe.ts', 'export const t = Date.now();\n'), ['no-restricted-properties']);
    assert.deepEqual(await ruleIds('src/detector/probe.ts', 'export function f(): void {\n  process.exit(1);\n}\n'), ['no-restricted-properties']);
    assert.deepEqual(await ruleIds('src/core/clock.ts', 'export const t = Date.now();\n'), []);
    assert.deepEqual(await ruleIds('src/cli/probe.ts', 'export function f(): void {\n  process.exit(Date.now() > 0 ? 0 : 1);\n}\n'), []);
  });

  it('refuses Math.random everywhere', async () => {
    assert.deepEqual(await ruleIds('src/generator/probe.ts', 'export const r = Math.random();\n'), ['no-restricted-syntax']);
    assert.deepEqual(await ruleIds('bench/probe.ts', 'export const r = Math.random();\n'), ['no-restricted-syntax']);
  });
});

// The reference docs follow the code: every error code has a row in docs/errors.md, every
// detector metric one in docs/metrics.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');

/** Every `XXX_ERR_YYY` code written in a source file (tests excluded). */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/'([A-Z0-9]+_ERR_[A-Z0-9_]+)'/g)) codes.add(m[1] as string);
      }
    }
  };
  walk(path.join(root, 'src'));
  return codes;
}

test('every error code in the source has a row in docs/errors.md', () => {
  const codes = codesInSource();
  assert.ok(codes.size >= 15, `only ${[...codes].join(', ')}`);
  const missing = [...codes].filter((c) => !doc.includes(`| \`${c}\` |`));
  assert.deepEqual(missing, []);
});

test('docs/errors.md names no code the source does not have', () => {
  const codes = codesInSource();
  const documented = [...doc.matchAll(/^\| `([A-Z0-9]+_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
  assert.deepEqual(documented.filter((c) => !codes.has(c)), []);
});

test('every detector metric has a row in docs/metrics.md', () => {
  const metricsDoc = readFileSync(path.join(root, 'docs/metrics.md'), 'utf8');
  const source = readFileSync(path.join(root, 'src/detector/metrics.ts'), 'utf8');
  const names = [...source.matchAll(/name: '(detector_[a-z_]+)'/g)].map((m) => m[1] as string);
  assert.ok(names.length >= 15, names.join(', '));
  assert.deepEqual(
    names.filter((n) => !metricsDoc.includes(`| \`${n}\` |`)),
    [],
  );
});

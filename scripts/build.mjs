#!/usr/bin/env node
// npm run build: compiles src/ to dist/ (tsconfig.build.json) and copies the data files that
// live beside the code (the generator's profiles, ...), which tsc does not emit. The container
// image and test/build.test.ts both build this way, so dist/ is the same everywhere.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
let copied = 0;
for (const e of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || e.name.endsWith('.ts')) continue;
  const from = path.join(e.parentPath ?? e.path, e.name); // parentPath from Node 20.12
  cpSync(from, path.join(dist, path.relative(src, from)));
  copied++;
}
console.log(`built ${path.relative(root, dist)}/ (and ${copied} data files)`);

#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `swemls` is never a stale build.
// The container image runs the compiled `dist/cli/entry.js` instead (see deploy/Dockerfile).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);

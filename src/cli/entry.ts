/**
 * The compiled CLI's entry point (the container image runs `node /app/dist/cli/entry.js`):
 * runs `main` with the process's argv and env and sets the exit code. `bin/swemls.js` does the
 * same from the TypeScript sources through tsx.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), process.env);

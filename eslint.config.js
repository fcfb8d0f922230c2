// Lint rules, including the layering of ARCHITECTURE.md: imports only point downwards.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Folders of src/ and what each may not import (relative imports resolved by pattern). */
const layers = {
  core: ['hl7', 'aki', 'generator', 'simulator', 'detector', 'cli', 'trial'],
  hl7: ['core', 'aki', 'generator', 'simulator', 'detector', 'cli', 'trial'],
  aki: ['generator', 'simulator', 'detector', 'cli', 'trial'],
  generator: ['simulator', 'detector', 'cli', 'trial'],
  simulator: ['detector', 'generator', 'cli', 'trial'],
  detector: ['simulator', 'generator', 'cli', 'trial'],
  trial: ['cli'],
};

const layerRules = Object.entries(layers).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`../${b}/*`, `../../${b}/*`, `**/src/${b}/*`],
          message: `src/${layer} must not import src/${b} (see docs/architecture.md).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'runs/', 'coverage/', 'deploy/**/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use a seeded Rng from src/core/random.ts.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/clock.ts', 'src/cli/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take `now` or a Clock (src/core/clock.ts).' },
        { object: 'process', property: 'exit', message: 'Only src/cli calls process.exit.' },
      ],
    },
  },
  ...layerRules,
);

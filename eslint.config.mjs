// Lint: typescript-eslint's recommended rules; library code logs through OTel's diag, never console.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'exporter/schemas/**', 'node_modules/**', 'test-artifacts/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['sdk/**/*.ts', 'exporter/**/*.ts', 'schemas/**/*.ts'],
    ignores: ['exporter/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);

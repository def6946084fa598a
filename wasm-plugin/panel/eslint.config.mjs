// Lint rules for the panel: the no-HTML rule of every rootspan UI (log lines are attacker-controlled text),
// shared from @rootspan/views.
import tseslint from 'typescript-eslint';

import { noHtmlInjection } from '../views/eslint.config.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/harness/.build/**', 'test-results/**', 'playwright-report/**', '.config/**'] },
  ...tseslint.configs.recommended,
  { languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } } },
  {
    files: ['**/*.{ts,tsx,mjs}'],
    rules: {
      ...noHtmlInjection,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);

// The demo renders attacker-controlled log text too: the shared no-HTML rule applies here unchanged.
import tseslint from 'typescript-eslint';

import { noHtmlInjection } from '../wasm-plugin/views/eslint.config.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-dev/**', 'node_modules/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  { languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } } },
  {
    files: ['**/*.{ts,tsx,mjs}'],
    rules: {
      ...noHtmlInjection,
      'no-restricted-imports': ['error', { patterns: [{ group: ['@grafana/*'], message: 'The web demo does not ship Grafana packages.' }] }],
    },
  }
);

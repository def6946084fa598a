// Lint rules for the panel. Log lines are attacker-controlled text: nothing here may render HTML from
// a string, so dangerouslySetInnerHTML (and innerHTML-style DOM writes) are forbidden everywhere.
import tseslint from 'typescript-eslint';

export const noHtmlInjection = {
  'no-restricted-syntax': [
    'error',
    {
      selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
      message: 'Log text is attacker-controlled: render it as React text nodes, never as HTML.',
    },
    {
      selector: "Property[key.name='dangerouslySetInnerHTML']",
      message: 'Log text is attacker-controlled: render it as React text nodes, never as HTML.',
    },
    {
      selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]",
      message: 'Log text is attacker-controlled: never write HTML strings into the DOM.',
    },
    {
      selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]",
      message: 'Log text is attacker-controlled: never write HTML strings into the DOM.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/harness/.build/**', 'test-results/**', 'playwright-report/**', '.config/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mjs}'],
    languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
    rules: {
      ...noHtmlInjection,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The views and the engine are shared with the web demo, which does not ship Grafana's packages.
    files: ['src/views/**', 'src/engine/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@grafana/*'], message: 'src/views and src/engine are shared with web-demo: no Grafana imports.' }] }],
    },
  }
);

// Lint rules for the shared views, and the no-HTML rule every UI of rootspan applies (the panel and the web
// demo import `noHtmlInjection` from here). Log lines are attacker-controlled text: nothing may render HTML
// from a string, so dangerouslySetInnerHTML (and innerHTML-style DOM writes) are forbidden everywhere.
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
  { ignores: ['node_modules/**'] },
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
    // The web demo ships these too, without Grafana's packages.
    files: ['src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@grafana/*'], message: '@rootspan/views is shared with web-demo: no Grafana imports.' }] }],
    },
  }
);

// The lint the TypeScript workspaces that run in Node share (the npm package, the simulator, the benchmark): eslint's
// and typescript-eslint's recommended rules, type-aware. Each workspace's eslint.config.mjs calls this with its own
// folder (type information comes from that folder's tsconfig) and what it ignores.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export function nodeTsConfig(dirname, ignores = []) {
  return tseslint.config(
    { ignores },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        globals: { ...globals.node, ...globals.browser },
        parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: dirname },
      },
    },
    {
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
        // node:test's describe/it return promises the runner itself awaits.
        '@typescript-eslint/no-floating-promises': [
          'error',
          { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
        ],
      },
    },
    { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  );
}

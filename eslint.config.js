// ESLint (flat config): the recommended JavaScript and TypeScript rules, without type information so it stays fast.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // admin-ui/src/gql is generated (npm run codegen).
  { ignores: ['node_modules/', 'src/generated/', 'dist/', 'admin-ui/dist/', 'admin-ui/src/gql/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_`-prefixed names mark what a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Non-null assertions are used where an invariant of the code guarantees the value (map filled just before).
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['admin-ui/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests and GraphQL client scripts read responses loosely; typing every response shape would add noise, not safety.
    files: ['test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'src/cli/simulate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

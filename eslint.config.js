// ESLint for the TypeScript of the server, the benchmarks, the browser tests and the scripts (the console's
// Svelte is checked by svelte-check). Formatting is Prettier's (.prettierrc.json); module boundaries are
// dependency-cruiser's (server/.dependency-cruiser.cjs). Both run in `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'web/**', 'server/drizzle/**', 'server/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,mjs,js}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Each module's events.ts merges its payloads into the kernel's map with an empty `interface … extends`.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value=/^\\.\\.?\\/.*(?<!\\.ts)$/]", message: 'Import relative modules with their .ts extension (Node runs the sources through tsx).' }],
    },
  },
  // Tests and benchmarks read JSON answers whose shape the assertions check.
  { files: ['bench/**', 'e2e/**', 'server/test/**', '**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);

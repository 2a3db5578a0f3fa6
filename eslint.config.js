// Lint rules for the TypeScript sources: typescript-eslint's type-checked recommended set, with the
// few rules switched off that clash with how this code base deliberately works (each says why).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'web/dist/', 'test-artifacts/', 'wasm/', 'native/', 'node_modules/', 'test/browser/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A leading underscore marks a name that is unused on purpose (as tsc's noUnused* options allow),
      // and `{ drop: _, ...rest }` is how the tests strip a field before comparing.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests parse the CLI's and the page's JSON output and then assert its shape field by field;
    // typing every JSON.parse would restate, unchecked, the very shape the assertions check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

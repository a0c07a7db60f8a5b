import js from '@eslint/js';
import globals from 'globals';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Our sources import `./x.js` for `./x.ts` (ESM + TypeScript): resolve that the way tsc does.
const resolver = createNodeResolver({
  extensions: ['.ts', '.tsx', '.js', '.mjs', '.json', '.node'],
  extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
});

/** DESIGN §1, the import table, as lint zones (paths relative to the repository root). */
const IMPORT_ZONES = [
  {
    target: './main/core',
    from: './main',
    except: ['./core', './store'],
    message: 'main/core is the business in plain Node: it may import main/store and preload/contract only (DESIGN §1).',
  },
  { target: './main/core', from: './renderer', message: 'main/core never imports the renderer (DESIGN §1).' },
  { target: './main/core', from: './preload', except: ['./contract.ts'], message: 'main/core takes only the contract from preload/ (DESIGN §1).' },
  { target: './preload', from: ['./main', './renderer'], message: 'preload/ builds window.api from the contract alone (DESIGN §1).' },
  { target: './main/store', from: ['./main', './preload', './renderer'], except: ['./store'], message: 'main/store imports nothing of ours (DESIGN §1).' },
  { target: './main/emulator', from: ['./main', './preload', './renderer'], except: ['./emulator'], message: 'main/emulator imports nothing of ours (DESIGN §1).' },
  { target: './renderer', from: './main', message: 'The renderer never imports from main/: use window.api (DESIGN §1).' },
  // inside the emulator, dependencies point one way: engine ← resources ← http ← composition (DESIGN §5)
  {
    target: './main/emulator/engine',
    from: ['./main/emulator/resources', './main/emulator/http', './main/emulator/index.ts', './main/emulator/cli.ts'],
    message: 'The emulator engine knows no resource and no HTTP: resources register with it (DESIGN §5).',
  },
  { target: './main/emulator/resources', from: ['./main/emulator/http', './main/emulator/index.ts', './main/emulator/cli.ts'], message: 'Resources never import the server (DESIGN §5).' },
  { target: './main/emulator/http', from: ['./main/emulator/index.ts', './main/emulator/cli.ts'], message: 'http is wired by the composition (index.ts), not the other way round (DESIGN §5).' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The import table and "no cycles" for the app's own code. Tests and scripts may import anything;
    // leaving them out also keeps no-cycle (which walks the import graph) fast.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [resolver],
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: IMPORT_ZONES }],
      // only our own files are walked: packages cannot import back into us
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Where a file runs is part of its place (DESIGN §1): core and store are plain Node.
    files: ['main/core/**', 'main/store/**', 'main/emulator/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'main/core, main/store and main/emulator are plain Node: inject what you need.' }] }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'The renderer talks to main only through window.api.' }], patterns: [{ group: ['**/main/**', '../main', '../../main'], message: 'The renderer never imports from main/: use window.api.' }] },
      ],
    },
  },
);

// One ESLint config for the monorepo: LWC rules for force-app, typescript-eslint for the bridge,
// plain recommended rules for the Node scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import lwcConfig from '@salesforce/eslint-config-lwc';
import jestPlugin from 'eslint-plugin-jest';
import importPlugin from 'eslint-plugin-import';

const lwcFiles = ['force-app/**/lwc/**/*.js'];
const withFiles = (configs, files) => configs.map((config) => ({ ...config, files }));

// The bridge's layers, top to bottom (bridge-service/README.md): a module imports only from its own layer or below.
const BRIDGE_LAYERS = [
  ['index.ts'],
  ['bridge.ts', 'host'],
  ['sync'],
  ['xero', 'server'],
  ['salesforce', 'store'],
  ['config'],
  ['domain', 'lib'],
];
const bridgeSrc = (name) => `./bridge-service/src/${name}`;
const layerZones = BRIDGE_LAYERS.slice(1).map((layer, i) => ({
  target: layer.map(bridgeSrc),
  from: BRIDGE_LAYERS.slice(0, i + 1)
    .flat()
    .map(bridgeSrc),
  message: `bridge-service layering: ${layer.join('/')} must not import from a layer above it (index → bridge/host → sync → xero/server → salesforce/store → config → domain/lib)`,
}));

export default [
  {
    ignores: [
      '**/node_modules/**',
      '**/coverage/**',
      '**/build/**',
      '**/dist/**',
      '.sf/**',
      '.sfdx/**',
      'preview/out/**',
      'bench/tmp/**',
    ],
  },

  // Lightning Web Components
  ...withFiles(lwcConfig.configs.recommended, lwcFiles),
  {
    files: ['force-app/**/lwc/**/__tests__/**/*.js', 'force-app/test/**/*.js'],
    ...jestPlugin.configs['flat/recommended'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },

  // bridge-service (TypeScript)
  ...withFiles(tseslint.configs.recommended, ['bridge-service/**/*.ts']),
  {
    files: ['bridge-service/**/*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          // map.set(k, [...(map.get(k) ?? []), item]) copies the group for every item: quadratic in the group's size
          // (a KPI snapshot of 10,000 deals grouped its revenue lines and invoices so).
          selector:
            "CallExpression[callee.property.name='set'] > ArrayExpression > SpreadElement > LogicalExpression[operator='??'] > CallExpression[callee.property.name='get']",
          message: 'Grouping by copying the group each time is quadratic: use Map.groupBy, or push onto the group.',
        },
      ],
    },
  },
  {
    files: ['bridge-service/src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      'import/no-restricted-paths': ['error', { zones: layerZones }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'xero-node', message: 'xero-node stays inside src/xero: map to domain types in xero/wire.ts' },
          ],
        },
      ],
    },
  },
  {
    files: ['bridge-service/src/xero/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Production code never reaches into the emulators, the end-to-end tests or the benchmarks (the build leaves them out).
    files: ['bridge-service/src/**/*.ts'],
    ignores: [
      'bridge-service/src/**/*.test.ts',
      'bridge-service/src/**/*.contract.ts',
      'bridge-service/src/**/__fixtures__/**',
    ],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            ...layerZones,
            {
              target: './bridge-service/src',
              from: ['./bridge-service/sandbox', './bridge-service/test', './bridge-service/bench'],
              message: 'production code (src) must not import the sandbox, the end-to-end tests or the benchmarks',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bridge-service/**/*.test.ts', 'bridge-service/test/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },

  // Node scripts and configs
  {
    files: ['scripts/**/*.{js,mjs,cjs}', '*.{js,mjs,cjs}', 'bridge-service/*.{js,cjs}'],
    ...js.configs.recommended,
    languageOptions: { globals: { ...globals.node, ...globals.jest }, ecmaVersion: 2024, sourceType: 'module' },
  },
  {
    files: ['**/*.cjs', 'jest.config.js', 'bridge-service/jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
];

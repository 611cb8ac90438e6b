/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/token-secret.setup.ts', '<rootDir>/test/helpers/fuzz-seed.setup.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};

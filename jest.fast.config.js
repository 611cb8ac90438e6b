/**
 * The fast project (`npm run test:fast`): unit and supertest suites on SQLite, under 90 s on two cores. It leaves out
 * the browser journeys (*.browser.test.ts) and the suites that spawn processes, run fuzzers or walk every
 * questionnaire (*.slow.test.ts). `npm test` runs everything; CI runs `npm test`.
 */
const base = require('./jest.config');

// SQLite only, even when the shell has TEST_DATABASE_URL set (workers inherit this process's environment)
delete process.env.TEST_DATABASE_URL;

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', '\\.slow\\.test\\.ts$', '\\.browser\\.test\\.ts$'],
};

/** The TOKEN_SECRET of the test suites (and of the processes they start). Never used outside tests. */
export const TEST_TOKEN_SECRET = 'test-only-token-secret-0123456789abcdef';

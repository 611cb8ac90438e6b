import { setTokenSecret } from '../../server/respondent/personal-tokens';
import { TEST_TOKEN_SECRET } from './test-token-secret';

// Every suite derives personal tokens with the same test key, set here once (jest setupFiles) rather than as a side
// effect of importing a helper; a suite that needs another key sets it and restores this one.
setTokenSecret(TEST_TOKEN_SECRET);

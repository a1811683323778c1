// Registers accessibility matchers (toBeAccessible) for every LWC test.
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();

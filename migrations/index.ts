import { Init1763780000000 } from './1763780000000-Init.js';

// Listed explicitly (not globbed) so the same list works compiled and under the test runner.
export const MIGRATIONS = [Init1763780000000];

/**
 * Section O: posix_fallocate (R-FALLOC-1). Node's fs API has no fallocate,
 * and the fs offers none as an extension, so there is nothing to call.
 */

import { test } from 'vitest';

// No fallocate in Node's fs API (nor in the fs's extensions).
test.skip('R-FALLOC-1 posix_fallocate grows the size to offset+len, updates ctime, and gives EINVAL for len 0', () => {});

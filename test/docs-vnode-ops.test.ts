import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderVopDoc } from '../packages/core/src/vnode/vop-doc.js';

test('docs/vnode-ops.md matches the op table (npm run docs:vops regenerates it)', () => {
  expect(readFileSync(new URL('../docs/vnode-ops.md', import.meta.url), 'utf8')).toBe(renderVopDoc());
});

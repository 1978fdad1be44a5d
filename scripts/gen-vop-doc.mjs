// Writes docs/vnode-ops.md from the built op table (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { renderVopDoc } from '../packages/core/dist/vnode/vop-doc.js';

writeFileSync(new URL('../docs/vnode-ops.md', import.meta.url), renderVopDoc());

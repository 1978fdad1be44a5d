/**
 * The built-in providers (protocol/messages.ts BUILTIN_PROVIDERS), by the
 * names a config uses.
 */

import type { HostSettings, OpenRequest } from '../../protocol/messages.js';
import type { Resource } from '../resource.js';
import { fileProvider } from './file.js';
import { filterProvider } from './filter.js';
import { moduleProvider } from './module.js';
import { tcpProvider } from './tcp.js';

export async function provide(req: OpenRequest, settings: HostSettings): Promise<Resource> {
  if (req.module !== null) return moduleProvider(req.module, req);
  switch (req.provider) {
    case 'file':
      return fileProvider(req, settings);
    case 'tcp':
      return tcpProvider(req, settings);
    case 'rfilter':
    case 'wfilter':
    case 'pipe':
      return filterProvider(req.provider, req, settings);
    default:
      throw Object.assign(new Error('unknown provider'), { code: 'ENOENT' });
  }
}

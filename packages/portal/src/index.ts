/**
 * @actorvfs/portal: mount_portal for actorvfs.
 *
 *   import { createVfs } from '@actorvfs/core';
 *   import { portalFs, PortalStream } from '@actorvfs/portal';
 *
 *   const vfs = createVfs();
 *   vfs.fs.mkdirSync('/p');
 *   const portal = portalFs({ config: 'tcp/ tcp tcp/\nfs/ file fs/\necho/ rfilter echo/ echo %s\n' });
 *   vfs.mount('/p', portal);
 *   vfs.fs.readFileSync('/p/echo/hello', 'utf8');            // 'hello\n'
 *   const fh = await vfs.fs.promises.open('/p/tcp/127.0.0.1/7777', 'r+');
 *
 * See docs/portal.md: the config, the providers, the stream semantics, the
 * provider protocol, and every difference from NetBSD's mount_portal.
 */

export { portalFs, PortalFs, type ReloadResult, type OpenStreamOptions, type Rule } from './main/portal-fs.js';
export type { PortalFsOptions, NormalizedPortalOptions } from './main/options.js';
export { PortalStream } from './stream/portal-stream.js';
export type { PortalStreamHandle } from './stream/stream-end.js';
export type { ProviderRequest, ProviderResult, ProviderFunction } from './worker/providers/module.js';
export { parseConfig, matchRule, type ParsedConfig } from './config/conf.js';
export { PROTOCOL_VERSION } from './protocol/messages.js';
export type { HostDiagnostics } from './protocol/messages.js';

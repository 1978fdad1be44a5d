// A short tour of createVfs(): an in-memory POSIX file system in this thread.
// Run after `npm ci` (which builds): node examples/quickstart.mjs
import { createVfs, tmpfs } from '@actorvfs/core';

const vfs = createVfs();
const fs = vfs.fs; // Node's fs API, acting as root

fs.mkdirSync('/home/alice/src', { recursive: true });
fs.writeFileSync('/home/alice/src/hello.txt', 'hello from actorvfs\n');
fs.chownSync('/home/alice', 1000, 1000);
console.log('read back:', fs.readFileSync('/home/alice/src/hello.txt', 'utf8').trim());

// A context acts as another user; permissions are POSIX's.
const alice = vfs.context({ uid: 1000, gid: 1000, umask: 0o022 });
const bob = vfs.context({ uid: 1001, gid: 1001 });
alice.writeFileSync('/home/alice/notes', 'private', { mode: 0o600 });
try {
  bob.readFileSync('/home/alice/notes');
} catch (e) {
  console.log('bob reading alice\'s notes:', e.message);
}

// Sparse files: a byte at 4 GiB costs one page, not 4 GiB.
const fd = fs.openSync('/sparse', 'w');
fs.writeSync(fd, 'x', 2 ** 32);
fs.closeSync(fd);
const st = fs.statSync('/sparse');
console.log(`sparse file: size ${st.size}, ${st.blocks * 512} bytes allocated`);

// Mount a second tmpfs read-only; writes there fail with EROFS.
fs.mkdirSync('/mnt');
vfs.mount('/mnt', tmpfs(), { readonly: true });
try {
  fs.writeFileSync('/mnt/x', 'no');
} catch (e) {
  console.log('write to a read-only mount:', e.code);
}

// Promises and streams work as in node:fs.
await fs.promises.appendFile('/home/alice/src/hello.txt', 'second line\n');
const lines = [];
for await (const line of (await fs.promises.open('/home/alice/src/hello.txt')).readLines()) lines.push(line);
console.log('lines:', lines);
console.log('tree:', fs.readdirSync('/', { recursive: true }).sort().join(' '));

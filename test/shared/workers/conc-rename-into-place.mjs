// Rename into place while others read. Writers (threads 0 .. writers-1)
// write each new version of a file in full under a temporary name, then
// rename it over the target. Readers (the other threads) read the target
// over and over, until every writer is done: each read must be one whole
// version (header with writer, version, length and checksum), never a mix,
// never ENOENT, and a reader must never see a writer's versions go
// backwards. Some reads hold a descriptor across a few other reads, so the
// version they opened is replaced (and unlinked) under them.
//
// Writers write in chunks (several write calls) with the sync forms on even
// threads and fs.promises on odd ones; readers alternate readFileSync,
// fs.promises.readFile and a held descriptor.
//
// workerData: { dir, target, writers, versions, minReads, shared }
//   shared: Int32Array [writers done]
// => { role, reads, versionsSeen, problems, tally }

import { attempt, attemptAsync, fnv1a, rng, runThread, tally } from './conc-common.mjs';

const HEADER = 29;

function version(writer, v, length) {
  const buf = Buffer.alloc(HEADER + length);
  for (let i = 0; i < length; i++) buf[HEADER + i] = (writer * 31 + v * 7 + i) & 0xff;
  const sum = fnv1a(buf, HEADER);
  buf.write(`V${String(writer).padStart(2, '0')}:${String(v).padStart(6, '0')}:${String(length).padStart(8, '0')}:${sum.toString(16).padStart(8, '0')}\n`, 0, 'latin1');
  return buf;
}

/** => { writer, v } of a whole version, or a string saying what is wrong. */
function check(buf) {
  if (buf.length < HEADER) return `only ${buf.length} bytes`;
  const m = /^V(\d\d):(\d{6}):(\d{8}):([0-9a-f]{8})\n$/.exec(buf.toString('latin1', 0, HEADER));
  if (m === null) return `bad header ${JSON.stringify(buf.toString('latin1', 0, HEADER))}`;
  const [writer, v, length, sum] = [Number(m[1]), Number(m[2]), Number(m[3]), parseInt(m[4], 16)];
  if (buf.length !== HEADER + length) return `version ${writer}/${v}: ${buf.length} bytes, its header says ${HEADER + length}`;
  if (fnv1a(buf, HEADER) !== sum) return `version ${writer}/${v}: checksum mismatch (torn)`;
  return { writer, v };
}

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const shared = new Int32Array(data.shared);
  const r = rng(index + 1);
  const p = fs.promises;
  if (index < data.writers) {
    const usePromises = index % 2 === 1;
    for (let v = 1; v <= data.versions; v++) {
      const buf = version(index, v, 1 + r.below(r.chance(0.3) ? 40_000 : 3000));
      const tmp = `${data.dir}/.tmp-${index}-${v}`;
      const chunk = 1 + r.below(buf.length);
      if (usePromises) {
        await attemptAsync(t, 'write', [], tmp, async () => {
          const fh = await p.open(tmp, 'wx');
          try {
            for (let off = 0; off < buf.length; off += chunk) await fh.write(buf, off, Math.min(chunk, buf.length - off), off);
          } finally {
            await fh.close();
          }
        });
        await attemptAsync(t, 'rename', [], tmp, () => p.rename(tmp, data.target));
      } else {
        attempt(t, 'write', [], tmp, () => {
          const fd = fs.openSync(tmp, 'wx');
          try {
            for (let off = 0; off < buf.length; off += chunk) fs.writeSync(fd, buf, off, Math.min(chunk, buf.length - off), off);
          } finally {
            fs.closeSync(fd);
          }
        });
        attempt(t, 'rename', [], tmp, () => fs.renameSync(tmp, data.target));
      }
      tick();
    }
    Atomics.add(shared, 0, 1);
    return { role: 'writer', reads: 0, versionsSeen: 0, problems: [], tally: t };
  }

  const problems = [];
  const last = new Map();
  const seen = new Set();
  let reads = 0;
  const judge = (buf, how, ordered) => {
    const got = check(buf);
    if (typeof got === 'string') {
      if (problems.length < 20) problems.push(`${how}: ${got}`);
      return;
    }
    seen.add(`${got.writer}/${got.v}`);
    if (!ordered) return;
    const before = last.get(got.writer) ?? -1;
    if (got.v < before && problems.length < 20) problems.push(`${how}: version ${got.writer}/${got.v} after ${got.writer}/${before}`);
    last.set(got.writer, Math.max(before, got.v));
  };
  let held = null;
  while (Atomics.load(shared, 0) < data.writers || reads < data.minReads) {
    const how = ['readFileSync', 'readFile', 'held'][reads % 3];
    if (how === 'readFileSync') {
      const got = attempt(t, how, [], data.target, () => fs.readFileSync(data.target));
      if (got.ok) judge(got.value, how, true);
    } else if (how === 'readFile') {
      const got = await attemptAsync(t, how, [], data.target, () => p.readFile(data.target));
      if (got.ok) judge(got.value, how, true);
    } else if (held === null) {
      const got = attempt(t, 'open', [], data.target, () => fs.openSync(data.target, 'r'));
      if (got.ok) held = got.value;
    } else {
      // Read the version opened a few reads ago: it must still be whole.
      const fd = held;
      held = null;
      const got = attempt(t, how, [], data.target, () => {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(size);
        let n = 0;
        while (n < size) {
          const k = fs.readSync(fd, buf, n, size - n, n);
          if (k === 0) break;
          n += k;
        }
        return buf.subarray(0, n);
      });
      attempt(t, 'close', [], data.target, () => fs.closeSync(fd));
      if (got.ok) judge(got.value, 'held descriptor', false);
    }
    reads++;
    tick();
  }
  if (held !== null) attempt(t, 'close', [], data.target, () => fs.closeSync(held));
  return { role: 'reader', reads, versionsSeen: seen.size, problems, tally: t };
});

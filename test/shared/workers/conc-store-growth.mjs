// Store memory that other threads added (the store grows by segments; a
// thread maps new ones lazily). Two modes:
//
// 'lookup': each thread lists the directory once (mapping the store as it
//   is), says so (shared[0]++), and waits for shared[1]; meanwhile the test
//   thread grows the store with a big file and creates names. Then every
//   thread stats, lists and reads all of them: their entries live in
//   segments it has never seen.
// 'write': every thread writes a big file of its own at once, so the store
//   grows while each write runs; then each reads back every thread's file.
//
// workerData: { mode, dir, bigBytes, names, shared }  => { seen, tally }

import { attempt, runThread, tally, unexpected } from './conc-common.mjs';

await runThread(async ({ fs, data, index, threads, tick }) => {
  const t = tally();
  const shared = new Int32Array(data.shared);
  const { dir, bigBytes, names } = data;
  let seen = 0;
  if (data.mode === 'lookup') {
    attempt(t, 'readdir', [], dir, () => fs.readdirSync(dir));
    Atomics.add(shared, 0, 1);
    Atomics.notify(shared, 0);
    while (Atomics.load(shared, 1) === 0) Atomics.wait(shared, 1, 0);
    for (let k = 0; k < names; k++) {
      const path = `${dir}/n${k}`;
      if (attempt(t, 'stat', [], path, () => fs.statSync(path)).ok) seen++;
      tick();
    }
    const list = attempt(t, 'readdir', [], dir, () => fs.readdirSync(dir));
    if (list.ok && list.value.length !== names + 1) unexpected(t, `readdir: ${list.value.length} entries, want ${names + 1}`, 'readdir short');
    for (let k = 0; k < names; k += 7) {
      const got = attempt(t, 'readFile', [], `n${k}`, () => fs.readFileSync(`${dir}/n${k}`, 'utf8'));
      if (got.ok && got.value !== `n${k}`) unexpected(t, `n${k}: ${JSON.stringify(got.value)}`, 'wrong contents');
    }
  } else {
    attempt(t, 'writeBig', [], `big-${index}`, () => fs.writeFileSync(`${dir}/big-${index}`, Buffer.alloc(bigBytes, index + 1)));
    Atomics.add(shared, 0, 1);
    Atomics.notify(shared, 0);
    for (let n = Atomics.load(shared, 0); n < threads; n = Atomics.load(shared, 0)) Atomics.wait(shared, 0, n);
    for (let other = 0; other < threads; other++) {
      const big = attempt(t, 'readBig', [], `big-${other}`, () => fs.readFileSync(`${dir}/big-${other}`));
      if (big.ok && big.value.length === bigBytes && big.value.every((b) => b === other + 1)) seen++;
      else if (big.ok) unexpected(t, `big-${other}: ${big.value.length} bytes, want ${bigBytes} bytes of ${other + 1}`, 'wrong big contents');
    }
  }
  return { seen, tally: t };
});

// Every thread appends `records` fixed-size records to one file opened with
// O_APPEND, each naming its thread and sequence number and ending with a
// checksum. Four forms: a kept fd (writeSync), a kept FileHandle,
// appendFileSync and fs.promises.appendFile (open and close per record).
// After each append the thread checks that fstat's size is a whole number
// of records: a size inside a record would be a write seen half done.
//
// workerData: { path, records, size }  => { tally }

import { attempt, attemptAsync, fnv1a, runThread, tally, unexpected } from './conc-common.mjs';

function record(thread, seq, size) {
  const buf = Buffer.alloc(size);
  const head = `R${String(thread).padStart(2, '0')}:${String(seq).padStart(6, '0')}:`;
  buf.write(head, 0, 'latin1');
  buf.fill(97 + ((thread * 7 + seq) % 26), head.length, size - 9);
  buf.write(fnv1a(buf, 0, size - 9).toString(16).padStart(8, '0'), size - 9, 'latin1');
  buf[size - 1] = 10;
  return buf;
}

await runThread(async ({ fs, data, index, tick }) => {
  const t = tally();
  const { path, records, size } = data;
  const form = ['fd', 'filehandle', 'appendFileSync', 'appendFile'][index % 4];
  const misaligned = [];
  const checkSize = (n) => {
    if (n % size !== 0 && misaligned.length < 10) misaligned.push(n);
  };
  if (form === 'fd') {
    const fd = fs.openSync(path, 'a');
    for (let seq = 0; seq < records; seq++) {
      attempt(t, 'append', [], `${path} #${seq}`, () => {
        const n = fs.writeSync(fd, record(index, seq, size));
        if (n !== size) throw new Error(`wrote ${n} of ${size}`);
      });
      checkSize(fs.fstatSync(fd).size);
      tick();
    }
    fs.closeSync(fd);
  } else if (form === 'filehandle') {
    const fh = await fs.promises.open(path, 'a');
    for (let seq = 0; seq < records; seq++) {
      await attemptAsync(t, 'append', [], `${path} #${seq}`, async () => {
        const { bytesWritten } = await fh.write(record(index, seq, size));
        if (bytesWritten !== size) throw new Error(`wrote ${bytesWritten} of ${size}`);
      });
      checkSize((await fh.stat()).size);
      tick();
    }
    await fh.close();
  } else {
    for (let seq = 0; seq < records; seq++) {
      if (form === 'appendFileSync') attempt(t, 'append', [], `${path} #${seq}`, () => fs.appendFileSync(path, record(index, seq, size)));
      else await attemptAsync(t, 'append', [], `${path} #${seq}`, () => fs.promises.appendFile(path, record(index, seq, size)));
      checkSize(fs.statSync(path).size);
      tick();
    }
  }
  if (misaligned.length > 0) unexpected(t, `sizes that are not a whole number of ${size}-byte records: ${misaligned.join(', ')}`);
  return { tally: t, form };
});

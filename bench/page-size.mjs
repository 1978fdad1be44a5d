// Page size by measurement (docs/architecture.md, "Page size"): cost of copying 64 KiB
// between a SharedArrayBuffer and the heap in pages of 4, 16 and 64 KiB. Run: node bench/page-size.mjs
const SEG = 64 << 20;
const u8 = new Uint8Array(new SharedArrayBuffer(SEG));
u8.fill(1);
const dst = Buffer.alloc(65536);
const src = Buffer.alloc(65536, 7);
function run(name, fn) {
  for (let i = 0; i < 500; i++) fn(i);
  const N = 20000, t0 = performance.now();
  for (let i = 0; i < N; i++) fn(i);
  return (65536 * N / ((performance.now() - t0) / 1000) / 1e9);
}
for (const P of [4096, 16384, 65536]) {
  const per = 65536 / P, pages = SEG / P;
  const scatter = (i, k) => ((i * per + k) * 7919 % pages) * P;
  const rc = run('', (i) => { const b = (i * 65536) % (SEG - 65536); for (let k = 0; k < per; k++) dst.set(u8.subarray(b + k * P, b + (k + 1) * P), k * P); });
  const rs = run('', (i) => { for (let k = 0; k < per; k++) { const o = scatter(i, k); dst.set(u8.subarray(o, o + P), k * P); } });
  const wc = run('', (i) => { const b = (i * 65536) % (SEG - 65536); for (let k = 0; k < per; k++) u8.set(src.subarray(k * P, (k + 1) * P), b + k * P); });
  console.log(`page ${P / 1024} KiB: read contiguous ${rc.toFixed(2)} GB/s, read scattered ${rs.toFixed(2)} GB/s, write ${wc.toFixed(2)} GB/s`);
}
const one = run('', (i) => { const b = (i * 65536) % (SEG - 65536); dst.set(u8.subarray(b, b + 65536)); });
console.log(`one 64 KiB copy (coalesced run): ${one.toFixed(2)} GB/s`);

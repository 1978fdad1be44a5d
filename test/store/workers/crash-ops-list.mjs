// A deterministic list of file-system operations from a seed, shared by the
// crash test's worker (which runs them on a journaled store until killed)
// and the test (which replays a prefix on a fresh embedded VFS as the model).
// Every operation either succeeds or fails before changing anything, so the
// model needs no journal to agree with a rolled-back run.

export function crashOps(seed, count) {
  let s = seed >>> 0 || 1;
  const rnd = (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
  const dirs = ['/', '/a', '/a/b', '/c', '/big'];
  const name = () => `${dirs[rnd(dirs.length)]}/n${rnd(40)}`.replace('//', '/');
  const ops = [
    () => (fs) => fs.mkdirSync('/a/b', { recursive: true }),
    () => (fs) => fs.mkdirSync('/c', { recursive: true }),
    () => (fs) => fs.mkdirSync('/big', { recursive: true }),
    () => {
      const p = name();
      const n = rnd(3) === 0 ? 5000 + rnd(300000) : rnd(200);
      const b = rnd(256);
      return (fs) => fs.writeFileSync(p, Buffer.alloc(n, b));
    },
    () => {
      const p = name();
      const n = 1 + rnd(70000);
      return (fs) => fs.appendFileSync(p, Buffer.alloc(n, 7));
    },
    () => {
      const p = name();
      return (fs) => fs.mkdirSync(p);
    },
    () => {
      const p = name();
      return (fs) => fs.unlinkSync(p);
    },
    () => {
      const p = name();
      return (fs) => fs.rmdirSync(p);
    },
    () => {
      const a = name();
      const b = name();
      return (fs) => fs.renameSync(a, b);
    },
    () => {
      const a = name();
      const b = name();
      return (fs) => fs.linkSync(a, b);
    },
    () => {
      const a = name();
      const t = 'x'.repeat(rnd(3) === 0 ? 3000 : 10);
      return (fs) => fs.symlinkSync(t, a);
    },
    () => {
      const p = name();
      const n = rnd(400000);
      return (fs) => fs.truncateSync(p, n);
    },
    () => {
      // Many entries in one directory: tables resize.
      const base = rnd(1000);
      return (fs) => {
        for (let k = 0; k < 8; k++) fs.writeFileSync(`/big/f${base + k}`, '');
      };
    },
    () => {
      const base = rnd(1000);
      return (fs) => {
        for (let k = 0; k < 8; k++) fs.rmSync(`/big/f${base + k}`, { force: true });
      };
    },
    () => {
      const p = name();
      const mode = rnd(0o777);
      return (fs) => fs.chmodSync(p, mode);
    },
    () => {
      const p = name();
      const at = rnd(500000);
      const n = 1 + rnd(9000);
      return (fs) => {
        const fd = fs.openSync(p, 'r+');
        try {
          fs.writeSync(fd, Buffer.alloc(n, 3), 0, n, at);
        } finally {
          fs.closeSync(fd);
        }
      };
    },
  ];
  const out = [ops[0](), ops[1](), ops[2]()];
  while (out.length < count) out.push(ops[3 + rnd(ops.length - 3)]());
  return out;
}

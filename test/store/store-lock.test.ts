import { expect, test } from 'vitest';
import {
  exclusiveState,
  mutexEnter,
  mutexExit,
  mutexTryEnter,
  rwEnterExclusive,
  rwEnterShared,
  rwExit,
  rwTryEnterExclusive,
  rwTryEnterShared,
  seqRead,
  seqValid,
} from '../../packages/core/src/store/lock.js';

test('mutex excludes', () => {
  const w = new Int32Array(new SharedArrayBuffer(16));
  mutexEnter(w, 0);
  expect(mutexTryEnter(w, 0)).toBe(false);
  mutexExit(w, 0);
  expect(mutexTryEnter(w, 0)).toBe(true);
  mutexExit(w, 0);
  expect(w[0]).toBe(0);
});

test('rwlock: readers share, writers exclude, the sequence marks writes', () => {
  const w = new Int32Array(new SharedArrayBuffer(16));
  const s0 = seqRead(w, 0);
  rwEnterShared(w, 0);
  expect(rwTryEnterShared(w, 0)).toBe(true);
  expect(rwTryEnterExclusive(w, 0, 1)).toBe(false);
  rwExit(w, 0);
  rwExit(w, 0);
  expect(seqValid(w, 0, s0)).toBe(true);
  rwEnterExclusive(w, 0, 7);
  expect(seqRead(w, 0)).toBe(-1);
  expect(w[0]).toBe(exclusiveState(7)); // the owner is part of the state word
  expect(rwTryEnterShared(w, 0)).toBe(false);
  rwExit(w, 0);
  expect(seqValid(w, 0, s0)).toBe(false);
  expect(seqRead(w, 0)).toBe(s0 + 2);
});

// The probe sequence tracker under wrap, restart and forgery (issue 17): loss is only ever the
// gaps inside the in-order ranges observed, never the distance a forged number claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JUMP, StreamTracker, seqDelta } from '../../src/core/probe/tracker.js';

const feed = (seqs: readonly number[]): StreamTracker => {
  const t = new StreamTracker('h1-abcd', 'eth0', '239.1.1.1', 0);
  seqs.forEach((s, i) => t.add(s, NaN, i));
  return t;
};

test('serial arithmetic: distances across the 2^32 wrap are small', () => {
  assert.equal(seqDelta(1, 0xffffffff), 2);
  assert.equal(seqDelta(0xffffffff, 1), -2);
  assert.equal(seqDelta(5, 5), 0);
});

test('a stream that wraps past 2^32 loses nothing, and a gap across the wrap is counted', () => {
  const clean = feed([0xfffffffd, 0xfffffffe, 0xffffffff, 0, 1, 2]);
  assert.equal(clean.stats.unique, 6);
  assert.equal(clean.stats.expected, 6);
  assert.equal(clean.stats.lost, 0);
  assert.equal(clean.stats.outliers, 0);
  const gap = feed([0xfffffffe, 0xffffffff, 2, 3]); // 0 and 1 lost
  assert.equal(gap.stats.lost, 2);
  assert.equal(gap.stats.expected, 6);
});

test('one forged probe far ahead (0xfffffffe into a stream at 20) is an outlier, not 4 294 967 274 lost', () => {
  const seqs = [...Array.from({ length: 20 }, (_, i) => i), 0xfffffffe, 20, 21, 22, 23];
  const t = feed(seqs);
  assert.equal(t.stats.lost, 0);
  assert.equal(t.stats.outliers, 1);
  assert.equal(t.stats.restarts, 0);
  assert.equal(t.stats.unique, 24);
  assert.equal(t.stats.received, 25);
  assert.equal(t.stats.highestSeq, 23);
});

test('a forged probe far behind is an outlier too, and a burst of them never becomes loss', () => {
  const t = feed([1000000, 1000001, 5, 1000002, 9, 10, 1000003]);
  assert.equal(t.stats.lost, 0);
  // 5 alone, then 9 followed by 10: that pair looks like a restart, 1000003 another one back.
  assert.ok(t.stats.outliers + t.stats.restarts >= 2);
  assert.ok(t.stats.expected < 20, `expected ${t.stats.expected}`);
});

test('a sender that restarts at 0 opens a new segment; the old segment keeps its loss', () => {
  const t = feed([100, 101, 103, 104, 0, 1, 2, 4]);
  assert.equal(t.stats.restarts, 1);
  assert.equal(t.stats.outliers, 0);
  // 102 lost before the restart, 3 after it; the jump itself costs nothing.
  assert.equal(t.stats.lost, 2);
  assert.equal(t.stats.expected, 5 + 5);
  assert.equal(t.stats.unique, 8);
  assert.equal(t.stats.firstSeq, 0);
  assert.equal(t.stats.highestSeq, 4);
});

test('a gap up to the window is loss; one just past it is a jump', () => {
  const inside = feed([0, JUMP, JUMP + 1]);
  assert.equal(inside.stats.lost, JUMP - 1);
  const beyond = feed([0, JUMP + 2, 1]);
  assert.equal(beyond.stats.lost, 0);
  assert.equal(beyond.stats.outliers, 1);
});

test('duplicates and reorder inside the window still count as before', () => {
  const t = feed([0, 1, 2, 4, 3, 3, 7]);
  assert.equal(t.stats.duplicates, 1);
  assert.equal(t.stats.reordered, 1);
  assert.equal(t.stats.lost, 2);
});

test('a late first probe extends the range backwards, but not across the wrap', () => {
  const t = feed([1, 2, 0xffffffff, 0]);
  assert.equal(t.stats.lost, 0);
  assert.equal(t.stats.expected, 3);
  assert.equal(t.stats.reordered, 1);
  assert.equal(t.stats.outliers, 1);
});

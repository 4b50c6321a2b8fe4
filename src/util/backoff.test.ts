import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullJitter } from './backoff.ts';

test('full jitter grows exponentially up to the cap and stays within the window', () => {
  const top = (attempt: number): number => fullJitter(attempt, { random: () => 0.999999 });
  assert.equal(top(0), 999);
  assert.equal(top(1), 1999);
  assert.equal(top(5), 31_999);
  assert.equal(top(6), 59_999);
  assert.equal(top(100), 59_999);
  assert.equal(fullJitter(3, { random: () => 0 }), 0);
  for (let i = 0; i < 1000; i++) {
    const d = fullJitter(4);
    assert.ok(d >= 0 && d < 16_000, `${d} outside [0, 16000)`);
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowStartBatch } from './slow-start.ts';

/** Records the size of each batch: calls that start before any of them finishes. */
function recorder(fail: (call: number) => boolean): {
  fn: () => Promise<void>;
  batches: number[];
} {
  const batches: number[] = [];
  let call = 0;
  let open = 0;
  const fn = async (): Promise<void> => {
    const n = call++;
    if (open === 0) batches.push(0);
    open++;
    batches[batches.length - 1]++;
    await Promise.resolve();
    open--;
    if (fail(n)) throw new Error(`call ${n} failed`);
  };
  return { fn, batches };
}

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, 8, ... up to the count', async () => {
    const r = recorder(() => false);
    const result = await slowStartBatch(20, 1, r.fn);
    assert.deepEqual(r.batches, [1, 2, 4, 8, 5]);
    assert.deepEqual(result, { successes: 20, attempted: 20 });
  });

  it('stops after the first batch with a failure', async () => {
    // Calls 0..2 succeed (batches 1 and 2), call 4 fails in the batch of 4.
    const r = recorder((n) => n === 4);
    const result = await slowStartBatch(100, 1, r.fn);
    assert.deepEqual(r.batches, [1, 2, 4]);
    assert.equal(result.successes, 6);
    assert.equal(result.attempted, 7);
    assert.equal((result.error as Error).message, 'call 4 failed');
  });

  it('a template that always fails costs one call', async () => {
    const r = recorder(() => true);
    const result = await slowStartBatch(1000, 1, r.fn);
    assert.deepEqual(r.batches, [1]);
    assert.equal(result.successes, 0);
  });

  it('does nothing for zero', async () => {
    const r = recorder(() => false);
    assert.deepEqual(await slowStartBatch(0, 1, r.fn), { successes: 0, attempted: 0 });
    assert.deepEqual(r.batches, []);
  });
});

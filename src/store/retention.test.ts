import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetentionPolicy, compactionOptions } from './retention.ts';

describe('retention policy', () => {
  const opts = compactionOptions({ minRetainMs: 300_000, minRetainRevisions: 10_000 });

  it('keeps the last revisions even when they are old', () => {
    const p = new RetentionPolicy(opts);
    p.sample(0, 5000);
    assert.equal(p.target(10 * 60_000, 5000), 0);
    p.sample(0, 12_000);
    assert.equal(p.target(10 * 60_000, 12_000), 2000);
  });

  it('keeps the last five minutes even when they hold many revisions', () => {
    const p = new RetentionPolicy(opts);
    p.sample(0, 1000);
    p.sample(60_000, 50_000);
    p.sample(120_000, 90_000);
    // Just under 6 min: only the sample taken at 0 is 5 minutes old.
    assert.equal(p.target(359_999, 100_000), 1000);
    // At 6 min the 1-minute sample is old enough too.
    assert.equal(p.target(360_000, 100_000), 50_000);
  });

  it('defaults to 5 minutes and 10,000 revisions every 60 s', () => {
    assert.deepEqual(compactionOptions(undefined), {
      intervalMs: 60_000,
      minRetainMs: 300_000,
      minRetainRevisions: 10_000,
      batchSize: 1000,
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, settle } from '../util/clock.ts';
import { silentLogger } from '../util/log.ts';
import { WorkQueue } from './queue.ts';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 2);
    const seen: string[] = [];
    const ac = new AbortController();
    const run = q.run(async (k) => void seen.push(k), 1, ac.signal, silentLogger());
    await settle();
    ac.abort();
    await run;
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('never hands one key to two workers, and reruns a key added while it ran', async () => {
    const q = new WorkQueue();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ac = new AbortController();
    const run = q.run(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        runs++;
        if (runs === 1) await gate;
        running--;
      },
      4,
      ac.signal,
      silentLogger(),
    );
    q.add('k');
    await settle();
    q.add('k'); // while the first run is blocked
    q.add('k');
    await settle();
    assert.equal(maxRunning, 1);
    release();
    await settle();
    ac.abort();
    await run;
    assert.equal(runs, 2, 'the adds during processing collapse into one more run');
  });

  it('retries failures with doubling backoff and forgets after success', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100 });
    const attempts: number[] = [];
    const ac = new AbortController();
    const run = q.run(
      async () => {
        attempts.push(clock.now());
        if (attempts.length < 4) throw new Error('not yet');
      },
      1,
      ac.signal,
      silentLogger(),
    );
    const t0 = clock.now();
    q.add('x');
    await settle();
    await clock.advance(99);
    assert.equal(attempts.length, 1);
    await clock.advance(1); // 100 ms: second attempt
    assert.equal(attempts.length, 2);
    await clock.advance(200); // +200: third
    assert.equal(attempts.length, 3);
    await clock.advance(400); // +400: fourth succeeds
    assert.deepEqual(
      attempts.map((t) => t - t0),
      [0, 100, 300, 700],
    );
    assert.equal(q.failures('x'), 0);
    ac.abort();
    await run;
  });

  it('keeps the earlier of two delayed adds', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('k', 1000);
    q.addAfter('k', 500);
    q.addAfter('k', 2000);
    await clock.advance(500);
    assert.equal(q.length, 1);
    await clock.advance(2000);
    assert.equal(q.length, 1, 'the later delays were dropped');
  });
});

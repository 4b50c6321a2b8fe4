import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../util/clock.ts';
import { SchedulingQueue } from './queue.ts';

const signal = new AbortController().signal;

/** Pops every key that is active now, without waiting. */
async function drain(q: SchedulingQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.activeLength > 0) out.push((await q.pop(signal))!);
  return out;
}

describe('SchedulingQueue', () => {
  it('hands out higher priority first, then oldest first, each key once', async () => {
    const q = new SchedulingQueue({ clock: new FakeClock() });
    q.add('a', 0);
    q.add('b', 10);
    q.add('c', 0);
    q.add('a', 0);
    assert.deepEqual(await drain(q), ['b', 'a', 'c']);
  });

  it('parks unschedulable pods until moved, then honours their backoff', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('p', 0);
    await q.pop(signal);
    q.unschedulable('p');
    assert.equal(q.placeOf('p'), 'unschedulable');
    await clock.advance(500);
    q.moveAll();
    assert.equal(q.placeOf('p'), 'backoff'); // 1 s backoff after the first failure
    await clock.advance(499);
    assert.equal(q.placeOf('p'), 'backoff');
    await clock.advance(1);
    assert.equal(q.placeOf('p'), 'active');
  });

  it('doubles the backoff per failure up to 10 s', () => {
    const q = new SchedulingQueue({ clock: new FakeClock() });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => q.backoffMs(n)),
      [1000, 2000, 4000, 8000, 10000, 10000],
    );
  });

  it('moves a pod whose backoff has passed straight to active', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('p', 0);
    await q.pop(signal);
    q.unschedulable('p');
    await clock.advance(5_000);
    q.moveAll();
    assert.equal(q.placeOf('p'), 'active');
  });

  it('retries every unschedulable pod 60 s after it failed at the latest', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('a', 0);
    await q.pop(signal);
    q.unschedulable('a');
    await clock.advance(30_000);
    q.add('b', 0);
    await q.pop(signal);
    q.unschedulable('b');
    await clock.advance(29_999);
    assert.deepEqual([q.placeOf('a'), q.placeOf('b')], ['unschedulable', 'unschedulable']);
    await clock.advance(1);
    assert.deepEqual([q.placeOf('a'), q.placeOf('b')], ['active', 'unschedulable']);
    await clock.advance(30_000);
    assert.equal(q.placeOf('b'), 'active');
  });

  it('an impossible pod is tried at most once per backoff however many events come', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('p', 0);
    let attempts = 0;
    for (let ms = 0; ms < 60_000; ms += 100) {
      if (q.activeLength > 0) {
        await q.pop(signal);
        attempts++;
        q.unschedulable('p');
      }
      q.moveAll(); // an event every 100 ms
      await clock.advance(100);
    }
    // Tries at 0, 1, 3, 7, 15, 25, 35, 45, 55 s.
    assert.equal(attempts, 9);
  });

  it('a moveAll filter picks which pods move', async () => {
    const q = new SchedulingQueue({ clock: new FakeClock() });
    for (const k of ['a', 'b']) q.add(k, 0);
    await drain(q);
    q.unschedulable('a');
    q.unschedulable('b');
    q.moveAll((k) => k === 'b');
    assert.deepEqual([q.placeOf('a'), q.placeOf('b')], ['unschedulable', 'backoff']);
  });

  it('an update while in flight sends the pod to backoff instead of parking it', async () => {
    const q = new SchedulingQueue({ clock: new FakeClock() });
    q.add('p', 0);
    await q.pop(signal);
    q.add('p', 0);
    q.unschedulable('p');
    assert.equal(q.placeOf('p'), 'backoff');
  });

  it('an update moves a parked pod', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('p', 0);
    await q.pop(signal);
    q.unschedulable('p');
    await clock.advance(2_000);
    q.add('p', 0);
    assert.equal(q.placeOf('p'), 'active');
  });

  it('failed bindings retry after backoff; done and delete forget the pod', async () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue({ clock });
    q.add('p', 0);
    await q.pop(signal);
    q.failed('p');
    assert.equal(q.placeOf('p'), 'backoff');
    await clock.advance(1_000);
    assert.deepEqual(await drain(q), ['p']);
    q.done('p');
    assert.equal(q.placeOf('p'), undefined);
    q.add('x', 0);
    q.delete('x');
    assert.equal(q.activeLength, 0);
    assert.deepEqual(await drain(q), []);
  });

  it('pop waits for a pod and ends on abort', async () => {
    const q = new SchedulingQueue({ clock: new FakeClock() });
    const next = q.pop(signal);
    q.add('late', 0);
    assert.equal(await next, 'late');
    const ac = new AbortController();
    const pending = q.pop(ac.signal);
    ac.abort();
    assert.equal(await pending, undefined);
  });
});

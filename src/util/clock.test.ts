import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { FakeClock, sleep, wakeOrAbort } from './clock.ts';

describe('sleep and wakeOrAbort', () => {
  it('sleep ends when the time passes or the signal aborts, leaving no listener', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) {
      const slept = sleep(clock, 1000, controller.signal);
      await clock.advance(1000);
      await slept;
    }
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    let done = false;
    const pending = sleep(clock, 60_000, controller.signal).then(() => (done = true));
    await clock.advance(1000);
    assert.equal(done, false, 'not before its time');
    controller.abort();
    await pending;
    assert.equal(done, true);
  });

  it('wakeOrAbort resolves on the wake-up or the abort, leaving no listener', async () => {
    const controller = new AbortController();
    const waiters: Array<() => void> = [];
    for (let i = 0; i < 50; i++) {
      const waiting = wakeOrAbort(controller.signal, (wake) => waiters.push(wake));
      waiters.shift()!();
      await waiting;
    }
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const last = wakeOrAbort(controller.signal, (wake) => waiters.push(wake));
    controller.abort();
    await last;
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await wakeOrAbort(controller.signal, () => {}); // already aborted: at once
  });
});

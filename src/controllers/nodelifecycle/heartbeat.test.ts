import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeartbeatTracker } from './heartbeat.ts';

describe('HeartbeatTracker', () => {
  it('counts first sight and every change as a heartbeat, at the time it was seen', () => {
    const t = new HeartbeatTracker();
    assert.equal(t.observe('n', 'L1', 'H1', 100), 100);
    assert.equal(t.observe('n', 'L1', 'H1', 200), 100, 'nothing new');
    assert.equal(t.observe('n', 'L2', 'H1', 300), 300, 'lease renewed');
    assert.equal(t.observe('n', 'L2', 'H2', 400), 400, 'status posted');
    // A node whose own clock is far behind still counts: only the change matters.
    assert.equal(t.observe('n', '2020-01-01T00:00:00.000000Z', 'H2', 500), 500);
  });

  it('does not count a value disappearing, but counts it coming back', () => {
    const t = new HeartbeatTracker();
    t.observe('n', 'L1', undefined, 100);
    assert.equal(t.observe('n', undefined, undefined, 200), 100, 'lease deleted');
    assert.equal(t.observe('n', 'L1', undefined, 300), 300, 'lease recreated');
  });

  it('does not count a heartbeat the controller wrote itself', () => {
    const t = new HeartbeatTracker();
    t.observe('n', undefined, undefined, 100);
    t.acknowledge('n', 'created-at');
    assert.equal(t.observe('n', undefined, 'created-at', 200), 100);
  });

  it('starts afresh for a forgotten node', () => {
    const t = new HeartbeatTracker();
    t.observe('n', 'L1', 'H1', 100);
    t.forget('n');
    assert.equal(t.observe('n', 'L1', 'H1', 900), 900);
  });
});

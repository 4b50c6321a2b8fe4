import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../util/clock.ts';
import { Expectations } from './expectations.ts';

describe('Expectations', () => {
  it('holds a key until every expected creation is observed', () => {
    const e = new Expectations(new FakeClock());
    assert.equal(e.satisfied('ns/rs'), true, 'nothing recorded');
    e.expectCreations('ns/rs', 3);
    assert.equal(e.satisfied('ns/rs'), false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs', 2);
    assert.equal(e.satisfied('ns/rs'), true);
    assert.deepEqual(e.pending('ns/rs'), { adds: 0, deletes: 0 });
  });

  it('counts each expected deletion once, however often the pod is seen going', () => {
    const e = new Expectations(new FakeClock());
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/unrelated');
    assert.deepEqual(e.pending('ns/rs'), { adds: 0, deletes: 1 });
    assert.equal(e.satisfied('ns/rs'), false);
    e.deletionObserved('ns/rs', 'ns/b');
    assert.equal(e.satisfied('ns/rs'), true);
  });

  it('expires after five minutes so a lost event never wedges a controller', async () => {
    const clock = new FakeClock();
    const e = new Expectations(clock);
    e.expectCreations('ns/rs', 1);
    await clock.advance(5 * 60_000);
    assert.equal(e.satisfied('ns/rs'), false);
    await clock.advance(1);
    assert.equal(e.satisfied('ns/rs'), true);
  });

  it('new expectations replace old ones; delete forgets', () => {
    const e = new Expectations(new FakeClock());
    e.expectCreations('k', 5);
    e.expectDeletions('k', ['ns/x']);
    assert.deepEqual(e.pending('k'), { adds: 0, deletes: 1 });
    e.delete('k');
    assert.equal(e.pending('k'), undefined);
    assert.equal(e.satisfied('k'), true);
  });
});

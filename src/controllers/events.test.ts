import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Event } from '../api/types/core.ts';
import { FakeClock } from '../util/clock.ts';
import { EventRecorder } from './events.ts';
import { testApi } from './testing.ts';

describe('EventRecorder', () => {
  it('aggregates repeats into one Event with a count, and limits spam per object', async () => {
    const clock = new FakeClock();
    const api = await testApi({ clock });
    const pod = await api.client.create(GVR.configmaps, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'subject' },
    });
    const rec = new EventRecorder(api.client, api.log, { component: 'test-controller', clock });
    for (let i = 0; i < 3; i++) rec.event(pod, 'Warning', 'FailedThing', 'it failed');
    rec.event(pod, 'Normal', 'Other', 'something else');
    await rec.flush();
    let events = (await api.client.list<Event>(GVR.events, 'default')).items;
    assert.deepEqual(events.map((e) => [e.reason, e.count]).sort(), [
      ['FailedThing', 3],
      ['Other', 1],
    ]);
    assert.equal(events[0].involvedObject.name, 'subject');
    assert.equal(events[0].source?.component, 'test-controller');
    // 25 in a burst per object, then one per five minutes.
    for (let i = 0; i < 40; i++) rec.event(pod, 'Normal', 'Spam', `message ${i}`);
    await rec.flush();
    events = (await api.client.list<Event>(GVR.events, 'default')).items;
    assert.equal(events.filter((e) => e.reason === 'Spam').length, 25 - 4);
    await clock.advance(5 * 60_000);
    rec.event(pod, 'Normal', 'Spam', 'after the pause');
    await rec.flush();
    events = (await api.client.list<Event>(GVR.events, 'default')).items;
    assert.equal(events.filter((e) => e.reason === 'Spam').length, 25 - 4 + 1);
    await api.close();
  });
});

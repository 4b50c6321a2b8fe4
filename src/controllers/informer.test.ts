import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { settle } from '../util/clock.ts';
import { Informer } from './informer.ts';
import { testApi } from './testing.ts';

const cm = (
  name: string,
  data: Record<string, string> = {},
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data,
});

describe('Informer', () => {
  it('lists, then follows adds, updates and deletes, keeping an index', async () => {
    const api = await testApi();
    await api.client.create(GVR.configmaps, 'default', cm('before', {}, { team: 'a' }));
    const inf = new Informer(api.client, GVR.configmaps, api.log);
    inf.addIndex('team', (o) => (o.metadata.labels?.team ? [o.metadata.labels.team] : []));
    const events: string[] = [];
    inf.on({
      add: (o) => events.push(`add ${o.metadata.name}`),
      update: (o, n) =>
        events.push(
          `update ${n.metadata.name} ${String((o.data as Record<string, string>).v)}->${String((n.data as Record<string, string>).v)}`,
        ),
      delete: (o) => events.push(`delete ${o.metadata.name}`),
    });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await inf.synced();
    assert.deepEqual(events, ['add before']);
    await api.client.create(GVR.configmaps, 'default', cm('live', { v: '1' }, { team: 'b' }));
    await api.client.patch(GVR.configmaps, 'default', 'live', 'merge', {
      data: { v: '2' },
      metadata: { labels: { team: 'a' } },
    });
    await settle();
    assert.deepEqual(
      inf
        .byIndex('team', 'a')
        .map((o) => o.metadata.name)
        .sort(),
      ['before', 'live'],
    );
    assert.deepEqual(inf.byIndex('team', 'b'), []);
    await api.client.delete(GVR.configmaps, 'default', 'before');
    await settle();
    assert.deepEqual(events, ['add before', 'add live', 'update live 1->2', 'delete before']);
    assert.deepEqual(
      inf.list().map((o) => o.metadata.name),
      ['live'],
    );
    ac.abort();
    await run;
    await api.close();
  });

  it('lists again when its version was compacted, reporting what changed meanwhile', async () => {
    const api = await testApi();
    await api.client.create(GVR.configmaps, 'default', cm('a'));
    await api.client.create(GVR.configmaps, 'default', cm('b'));
    const inf = new Informer(api.client, GVR.configmaps, api.log);
    const events: string[] = [];
    inf.on({
      add: (o) => events.push(`add ${o.metadata.name}`),
      delete: (o) => events.push(`delete ${o.metadata.name}`),
      update: (_o, n) => events.push(`update ${n.metadata.name}`),
    });
    // Load the informer, stop it, change things and compact the history it would
    // resume from: running again, its watch gets 410 and it must list again.
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await inf.synced();
    ac.abort();
    await run;
    await api.client.delete(GVR.configmaps, 'default', 'a');
    await api.client.patch(GVR.configmaps, 'default', 'b', 'merge', { data: { x: '1' } });
    await api.client.create(GVR.configmaps, 'default', cm('c'));
    await api.store.compact(await api.store.revision());
    const ac2 = new AbortController();
    const run2 = inf.run(ac2.signal);
    await settle();
    assert.deepEqual(
      inf
        .list()
        .map((o) => o.metadata.name)
        .sort(),
      ['b', 'c'],
    );
    assert.deepEqual(events.slice(2).sort(), ['add c', 'delete a', 'update b']);
    ac2.abort();
    await run2;
    await api.close();
  });
});

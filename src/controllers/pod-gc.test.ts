import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Node, Pod } from '../api/types/core.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { FakeClock } from '../util/clock.ts';
import {
  missingNodeNames,
  outOfServiceTerminatingPods,
  podGcControllerWith,
  terminatedPodsToDelete,
  withPodCondition,
  type PodGcOptions,
} from './pod-gc.ts';
import { testApi, type TestApi } from './testing.ts';
import { getOrUndefined, names, pod, waitFor } from './gc/testing.ts';

function node(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

async function start(
  options: PodGcOptions,
  setup: (api: TestApi, clock: FakeClock) => Promise<void>,
): Promise<{ api: TestApi; clock: FakeClock; stop(): Promise<void> }> {
  const clock = new FakeClock();
  const api = await testApi({ clock });
  await setup(api, clock);
  const manager = api.manager();
  manager.add(podGcControllerWith(options));
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  await manager.synced();
  await clock.advance(0);
  return {
    api,
    clock,
    async stop() {
      ac.abort();
      await running;
      await api.close();
    },
  };
}

describe('pod GC', () => {
  it('force-deletes pods bound to a node that was deleted, after a quarantine', async () => {
    const { api, clock, stop } = await start({}, async (api) => {
      await api.client.create(GVR.nodes, undefined, node('n1'));
      await api.client.create(GVR.nodes, undefined, node('n2'));
      await api.client.create(GVR.pods, 'default', pod('on-n1', { nodeName: 'n1' }));
      await api.client.create(GVR.pods, 'default', pod('on-n2', { nodeName: 'n2' }));
      await api.client.create(GVR.pods, 'default', pod('pending'));
    });
    const seen: string[] = [];
    const watch = await api.client.watch<Pod>(GVR.pods, 'default', {
      resourceVersion: String(await api.store.revision()),
    });
    const watching = (async () => {
      for await (const e of watch) {
        const p = e.object as Pod;
        if (p.metadata.name !== 'on-n1') continue;
        const c = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
        seen.push(`${e.type} ${p.status?.phase} ${c ? `${c.reason}: ${c.message}` : '-'}`);
      }
    })();

    await clock.advance(60_000);
    assert.deepEqual(names(await api.client.list(GVR.pods, 'default')), [
      'on-n1',
      'on-n2',
      'pending',
    ]);
    await api.client.delete(GVR.nodes, undefined, 'n1');
    // Missing for less than the 40 s quarantine: kept.
    await clock.advance(30_000);
    assert.ok(await getOrUndefined(api.client, GVR.pods, 'default', 'on-n1'));
    await waitFor(
      clock,
      'on-n1 to go',
      async () => !(await getOrUndefined(api.client, GVR.pods, 'default', 'on-n1')),
      { stepMs: 1_000, maxSteps: 60 },
    );
    assert.deepEqual(names(await api.client.list(GVR.pods, 'default')), ['on-n2', 'pending']);
    watch.close();
    await watching;
    assert.deepEqual(seen, [
      'MODIFIED Failed DeletionByPodGC: PodGC: node no longer exists',
      'DELETED Failed DeletionByPodGC: PodGC: node no longer exists',
    ]);
    await stop();
  });

  it('keeps no more terminated pods than the threshold, evicted and oldest first', async () => {
    const finish = async (
      api: TestApi,
      name: string,
      status: Record<string, unknown>,
    ): Promise<void> => {
      const p = await api.client.get(GVR.pods, 'default', name);
      await api.client.update(
        GVR.pods,
        'default',
        { ...p, status: { ...(p.status as object), ...status } },
        {
          subresource: 'status',
        },
      );
    };
    const { api, clock, stop } = await start({ terminatedPodThreshold: 2 }, async (api, clock) => {
      for (const n of ['a', 'b', 'c', 'd', 'running']) {
        await api.client.create(GVR.pods, 'default', pod(n, { nodeName: 'n1' }));
        await clock.advance(1_000);
      }
      await api.client.create(GVR.nodes, undefined, node('n1'));
      await finish(api, 'a', { phase: 'Succeeded' });
      await finish(api, 'b', { phase: 'Failed' });
      await finish(api, 'c', { phase: 'Failed', reason: 'Evicted' });
      await finish(api, 'd', { phase: 'Succeeded' });
    });
    await waitFor(clock, 'two terminated pods to go', async () => {
      return (await api.client.list(GVR.pods, 'default')).items.length === 3;
    });
    assert.deepEqual(names(await api.client.list(GVR.pods, 'default')), ['b', 'd', 'running']);
    await clock.advance(60_000);
    assert.deepEqual(names(await api.client.list(GVR.pods, 'default')), ['b', 'd', 'running']);
    await stop();
  });
});

describe('pod GC decisions', () => {
  const at = (
    name: string,
    created: string,
    status: Pod['status'],
    extra: Partial<KubeObject['metadata']> = {},
  ): Pod => ({
    metadata: { name, creationTimestamp: created, ...extra },
    spec: { nodeName: 'n1', containers: [] },
    status,
  });

  it('terminatedPodsToDelete: the excess over the threshold, evicted first, then oldest', () => {
    const pods = [
      at('new', '2026-01-01T00:00:03Z', { phase: 'Succeeded' }),
      at('old', '2026-01-01T00:00:01Z', { phase: 'Failed' }),
      at('evicted', '2026-01-01T00:00:05Z', { phase: 'Failed', reason: 'Evicted' }),
      at('live', '2026-01-01T00:00:00Z', { phase: 'Running' }),
    ];
    assert.deepEqual(
      terminatedPodsToDelete(pods, 1).map((p) => p.metadata.name),
      ['evicted', 'old'],
    );
    assert.deepEqual(terminatedPodsToDelete(pods, 3), []);
    assert.deepEqual(terminatedPodsToDelete(pods, 0), []);
  });

  it('outOfServiceTerminatingPods: only on a NotReady node with the out-of-service taint', () => {
    const deleting = { deletionTimestamp: '2026-01-01T00:01:00Z' };
    const pods = [
      at('p', '2026-01-01T00:00:01Z', { phase: 'Running' }, deleting),
      at('done', '2026-01-01T00:00:01Z', { phase: 'Succeeded' }, deleting),
      at('alive', '2026-01-01T00:00:01Z', { phase: 'Running' }),
    ];
    const down: Node = {
      metadata: { name: 'n1' },
      spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    };
    assert.deepEqual(
      outOfServiceTerminatingPods(pods, new Map([['n1', down]])).map((p) => p.metadata.name),
      ['p'],
    );
    const untainted: Node = { ...down, spec: {} };
    assert.deepEqual(outOfServiceTerminatingPods(pods, new Map([['n1', untainted]])), []);
  });

  it('missingNodeNames: nodes pods are bound to that do not exist', () => {
    const pods = [
      at('a', '2026-01-01T00:00:01Z', {}),
      { metadata: { name: 'b' }, spec: { containers: [] } } as Pod,
    ];
    assert.deepEqual([...missingNodeNames(pods, new Set(['n2']))], ['n1']);
    assert.deepEqual([...missingNodeNames(pods, new Set(['n1']))], []);
  });

  it('withPodCondition: keeps the transition time when the status is unchanged', () => {
    const old = [{ type: 'DisruptionTarget', status: 'True' as const, lastTransitionTime: 't0' }];
    assert.deepEqual(
      withPodCondition(old, {
        type: 'DisruptionTarget',
        status: 'True',
        lastTransitionTime: 't1',
        reason: 'R',
      }),
      [{ type: 'DisruptionTarget', status: 'True', lastTransitionTime: 't0', reason: 'R' }],
    );
    assert.deepEqual(
      withPodCondition([], { type: 'X', status: 'True', lastTransitionTime: 't1' }),
      [{ type: 'X', status: 'True', lastTransitionTime: 't1' }],
    );
  });
});

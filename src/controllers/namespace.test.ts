import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Namespace } from '../api/types/core.ts';
import { FakeClock } from '../util/clock.ts';
import { ControllerManager } from './manager.ts';
import { finalizeNamespace, namespaceController } from './namespace.ts';
import { testApi, type TestApi } from './testing.ts';
import {
  GADGETS,
  configMap,
  countingClient,
  gadget,
  gadgetCrd,
  getOrUndefined,
  pod,
  serveCrd,
  waitFor,
  type CountingClient,
} from './gc/testing.ts';

interface Harness {
  api: TestApi;
  clock: FakeClock;
  client: CountingClient;
  stop(): Promise<void>;
}

async function start(setup: (api: TestApi) => Promise<void> = async () => {}): Promise<Harness> {
  const clock = new FakeClock();
  const api = await testApi({ clock });
  await setup(api);
  const client = countingClient(api.client);
  const manager = new ControllerManager({ client, log: api.log, clock });
  manager.add(namespaceController);
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  await manager.synced();
  await clock.advance(0);
  return {
    api,
    clock,
    client,
    async stop() {
      ac.abort();
      await running;
      await api.close();
    },
  };
}

function namespace(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function conditions(ns: Namespace): string[] {
  return (ns.status?.conditions ?? []).map(
    (c) => `${c.type} ${c.status} ${c.reason}: ${c.message}`,
  );
}

describe('namespace controller', () => {
  it('empties a deleted namespace, custom objects included, then the namespace goes', async () => {
    const h = await start(async (api) => {
      await serveCrd(api, gadgetCrd());
      await api.client.create(GVR.namespaces, undefined, namespace('team'));
      await api.client.create(GVR.configmaps, 'team', configMap('plain', { namespace: 'team' }));
      await api.client.create(
        GVR.configmaps,
        'team',
        configMap('held', { namespace: 'team', finalizers: ['example.com/hold'] }),
      );
      await api.client.create(GVR.pods, 'team', pod('loose', { namespace: 'team' }));
      await api.client.create(
        GVR.pods,
        'team',
        pod('bound', { namespace: 'team', nodeName: 'node-1' }),
      );
      await api.client.create(GADGETS, 'team', gadget('g', { namespace: 'team' }));
      await api.client.create(GVR.configmaps, 'default', configMap('elsewhere'));
    });
    const { api, clock } = h;
    await api.client.delete(GVR.namespaces, undefined, 'team');
    const ns = await waitFor(clock, 'the first pass to report', async () => {
      const got = await api.client.get<Namespace>(GVR.namespaces, undefined, 'team');
      return got.status?.conditions ? got : undefined;
    });
    assert.equal(ns.status?.phase, 'Terminating');
    assert.deepEqual(conditions(ns), [
      'NamespaceDeletionDiscoveryFailure False ResourcesDiscovered: All resources successfully discovered',
      'NamespaceDeletionGroupVersionParsingFailure False ParsedGroupVersions: All legacy kube types successfully parsed',
      'NamespaceDeletionContentFailure False ContentDeleted: All content successfully deleted, may be waiting on finalization',
      'NamespaceContentRemaining True SomeResourcesRemain: Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances',
      'NamespaceFinalizersRemaining True SomeFinalizersRemain: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    ]);
    assert.equal((await api.client.list(GADGETS, 'team')).items.length, 0);
    assert.equal((await api.client.list(GVR.configmaps, 'team')).items.length, 1);
    const bound = await api.client.get(GVR.pods, 'team', 'bound');
    assert.ok(bound.metadata.deletionTimestamp, 'the bound pod terminates gracefully');
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'default', 'elsewhere'));

    // The node agent finishes the pod; the finalizer's owner lets go of the map.
    await api.client.delete(GVR.pods, 'team', 'bound', { gracePeriodSeconds: 0 });
    await api.client.patch(GVR.configmaps, 'team', 'held', 'merge', {
      metadata: { finalizers: null },
    });
    await waitFor(
      clock,
      'the namespace to go',
      async () => !(await getOrUndefined(api.client, GVR.namespaces, undefined, 'team')),
      { stepMs: 1_000, maxSteps: 120 },
    );
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'default', 'elsewhere'));
    await h.stop();
  });

  it('reports content that outlives its grace period, and finishes when it goes', async () => {
    const h = await start(async (api) => {
      await api.client.create(GVR.namespaces, undefined, namespace('stuck'));
      await api.client.create(
        GVR.pods,
        'stuck',
        pod('bound', { namespace: 'stuck', nodeName: 'gone-node' }),
      );
    });
    const { api, clock } = h;
    await api.client.delete(GVR.namespaces, undefined, 'stuck');
    // The pod's 30 s grace passes and nothing deletes it.
    const ns = await waitFor(
      clock,
      'the content failure',
      async () => {
        const got = await api.client.get<Namespace>(GVR.namespaces, undefined, 'stuck');
        const failed = got.status?.conditions?.find(
          (c) => c.type === 'NamespaceDeletionContentFailure' && c.status === 'True',
        );
        return failed ? got : undefined;
      },
      { stepMs: 1_000, maxSteps: 120 },
    );
    assert.deepEqual(conditions(ns).slice(2), [
      'NamespaceDeletionContentFailure True ContentDeletionFailed: Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: stuck for gvr: /v1, Resource=pods',
      'NamespaceContentRemaining True SomeResourcesRemain: Some resources are remaining: pods. has 1 resource instances',
      'NamespaceFinalizersRemaining False ContentHasNoFinalizers: All content-preserving finalizers finished',
    ]);
    await api.client.delete(GVR.pods, 'stuck', 'bound', { gracePeriodSeconds: 0 });
    await waitFor(
      clock,
      'the namespace to go',
      async () => !(await getOrUndefined(api.client, GVR.namespaces, undefined, 'stuck')),
      { stepMs: 1_000, maxSteps: 120 },
    );
    await h.stop();
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    const h = await start(async (api) => {
      await api.client.create(GVR.namespaces, undefined, namespace('calm'));
      await api.client.create(GVR.configmaps, 'calm', configMap('c', { namespace: 'calm' }));
    });
    const { api, clock, client } = h;
    await clock.advance(60_000);
    assert.equal(client.writes(), 0);
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'calm', 'c'));
    await h.stop();
  });
});

describe('finalizeNamespace', () => {
  it('removes only the kubernetes token, through namespaces/finalize', async () => {
    const api = await testApi();
    await api.client.create(GVR.namespaces, undefined, {
      ...namespace('two'),
      spec: { finalizers: ['kubernetes', 'example.com/last'] },
    });
    const deleting = await api.client.delete(GVR.namespaces, undefined, 'two');
    const done = await finalizeNamespace(api.client, deleting as Namespace);
    assert.deepEqual(done?.spec?.finalizers, ['example.com/last']);
    const now = await api.client.get<Namespace>(GVR.namespaces, undefined, 'two');
    assert.deepEqual(now.spec?.finalizers, ['example.com/last']);
    assert.equal(now.status?.phase, 'Terminating');
    // Already finalized by us: nothing to do.
    assert.equal(await finalizeNamespace(api.client, now), undefined);
    await api.close();
  });

  it('retries on a stale read, and the namespace goes with its last finalizer', async () => {
    const api = await testApi();
    await api.client.create(GVR.namespaces, undefined, namespace('one'));
    const stale = (await api.client.delete(GVR.namespaces, undefined, 'one')) as Namespace;
    await api.client.patch(GVR.namespaces, undefined, 'one', 'merge', {
      metadata: { labels: { touched: 'yes' } },
    });
    await finalizeNamespace(api.client, stale);
    assert.equal(await getOrUndefined(api.client, GVR.namespaces, undefined, 'one'), undefined);
    await api.close();
  });
});

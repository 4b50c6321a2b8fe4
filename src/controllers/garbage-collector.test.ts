import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { GVR } from '../api/client.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { FakeClock } from '../util/clock.ts';
import { createLogger } from '../util/log.ts';
import { crdResourceTypes } from '../api/crd/resource-type.ts';
import { systemContext } from '../apiserver/context.ts';
import { garbageCollectorControllerWith } from './garbage-collector.ts';
import { ControllerManager } from './manager.ts';
import { testApi, type TestApi } from './testing.ts';
import {
  GADGETS,
  configMap,
  countingClient,
  gadget,
  gadgetCrd,
  getOrUndefined,
  names,
  ownerRef,
  pod,
  replicaSet,
  serveCrd,
  unserveCrd,
  CRDS,
  waitFor,
  type CountingClient,
} from './gc/testing.ts';

interface Harness {
  api: TestApi;
  clock: FakeClock;
  /** What the garbage collector's calls went through. */
  gc: CountingClient;
  /** Messages the controller logged. */
  logged: string[];
  stop(): Promise<void>;
}

async function start(): Promise<Harness> {
  const clock = new FakeClock();
  const api = await testApi({ clock });
  const ac = new AbortController();
  const gc = countingClient(api.client);
  const logged: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        logged.push((JSON.parse(line) as { msg: string }).msg);
      }
      done();
    },
  });
  const log = createLogger({ level: 'info', destination });
  const manager = new ControllerManager({ client: gc, log, clock });
  manager.add(garbageCollectorControllerWith({ resyncPeriodMs: 30_000 }));
  const running = manager.run(ac.signal);
  await manager.synced();
  await clock.advance(0);
  return {
    api,
    clock,
    gc,
    logged,
    async stop() {
      ac.abort();
      await running;
      await api.close();
    },
  };
}

async function createRs(api: TestApi, name: string, namespace = 'default'): Promise<KubeObject> {
  return api.client.create(GVR.replicasets, namespace, replicaSet(name, namespace));
}

const blocking = { controller: true, blockOwnerDeletion: true };

describe('garbage collector', () => {
  it('background: deleting a ReplicaSet deletes its pods', async () => {
    const h = await start();
    const { api, clock } = h;
    const rs = await createRs(api, 'web');
    for (const n of ['web-a', 'web-b']) {
      await api.client.create(GVR.pods, 'default', pod(n, { owners: [ownerRef(rs, blocking)] }));
    }
    await api.client.create(GVR.pods, 'default', pod('unrelated'));
    await clock.advance(100);
    // Nothing is collected while the owner lives.
    assert.deepEqual(names(await api.client.list(GVR.pods, 'default')), [
      'unrelated',
      'web-a',
      'web-b',
    ]);
    await api.client.delete(GVR.replicasets, 'default', 'web', { propagationPolicy: 'Background' });
    await waitFor(clock, 'the pods of web to go', async () => {
      const left = names(await api.client.list(GVR.pods, 'default'));
      return left.length === 1 && left[0] === 'unrelated';
    });
    await h.stop();
  });

  it('foreground: the owner stays Terminating until its blocking dependents are gone', async () => {
    const h = await start();
    const { api, clock } = h;
    const rs = await createRs(api, 'web');
    // Bound pods are deleted gracefully: they stay until the node agent lets them go.
    for (const n of ['web-a', 'web-b']) {
      await api.client.create(
        GVR.pods,
        'default',
        pod(n, { owners: [ownerRef(rs, blocking)], nodeName: 'node-1' }),
      );
    }
    await api.client.delete(GVR.replicasets, 'default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(clock, 'both pods to be deleted gracefully', async () => {
      const pods = (await api.client.list(GVR.pods, 'default')).items;
      return pods.length === 2 && pods.every((p) => p.metadata.deletionTimestamp);
    });
    await clock.advance(5_000);
    const owner = await api.client.get(GVR.replicasets, 'default', 'web');
    assert.ok(owner.metadata.deletionTimestamp);
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    // The node agent finishes one pod: the owner still waits for the other.
    await api.client.delete(GVR.pods, 'default', 'web-a', { gracePeriodSeconds: 0 });
    await clock.advance(1_000);
    assert.ok(await getOrUndefined(api.client, GVR.replicasets, 'default', 'web'));
    await api.client.delete(GVR.pods, 'default', 'web-b', { gracePeriodSeconds: 0 });
    await waitFor(clock, 'the ReplicaSet to go', async () => {
      return !(await getOrUndefined(api.client, GVR.replicasets, 'default', 'web'));
    });
    await h.stop();
  });

  it('foreground: a dependent without blockOwnerDeletion is deleted but not waited for', async () => {
    const h = await start();
    const { api, clock } = h;
    const rs = await createRs(api, 'web');
    await api.client.create(
      GVR.pods,
      'default',
      pod('web-a', { owners: [ownerRef(rs, { controller: true })], nodeName: 'node-1' }),
    );
    await api.client.delete(GVR.replicasets, 'default', 'web', { propagationPolicy: 'Foreground' });
    await waitFor(clock, 'the ReplicaSet to go', async () => {
      return !(await getOrUndefined(api.client, GVR.replicasets, 'default', 'web'));
    });
    const p = await api.client.get(GVR.pods, 'default', 'web-a');
    assert.ok(p.metadata.deletionTimestamp, 'the pod is being deleted');
    await h.stop();
  });

  it('foreground: a whole tree goes, deepest first', async () => {
    const h = await start();
    const { api, clock } = h;
    const top = await api.client.create(GVR.configmaps, 'default', configMap('top'));
    const mid = await api.client.create(
      GVR.configmaps,
      'default',
      configMap('mid', { owners: [ownerRef(top, blocking)] }),
    );
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('leaf', { owners: [ownerRef(mid, blocking)], finalizers: ['example.com/hold'] }),
    );
    await api.client.delete(GVR.configmaps, 'default', 'top', { propagationPolicy: 'Foreground' });
    await waitFor(clock, 'leaf to be deleted', async () => {
      const leaf = await api.client.get(GVR.configmaps, 'default', 'leaf');
      return leaf.metadata.deletionTimestamp;
    });
    await clock.advance(1_000);
    const midNow = await api.client.get(GVR.configmaps, 'default', 'mid');
    assert.deepEqual(midNow.metadata.finalizers, ['foregroundDeletion'], 'mid went foreground');
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'default', 'top'));
    await api.client.patch(GVR.configmaps, 'default', 'leaf', 'merge', {
      metadata: { finalizers: null },
    });
    await waitFor(clock, 'mid and top to go', async () => {
      const left = names(await api.client.list(GVR.configmaps, 'default'));
      return !left.includes('mid') && !left.includes('top') && !left.includes('leaf');
    });
    await h.stop();
  });

  it('orphan: the dependents stay, without the reference', async () => {
    const h = await start();
    const { api, clock } = h;
    const rs = await createRs(api, 'web');
    const other = await createRs(api, 'other');
    await api.client.create(
      GVR.pods,
      'default',
      pod('web-a', { owners: [ownerRef(rs, blocking)] }),
    );
    await api.client.create(
      GVR.pods,
      'default',
      pod('web-b', { owners: [ownerRef(rs, blocking), ownerRef(other)] }),
    );
    await api.client.delete(GVR.replicasets, 'default', 'web', { propagationPolicy: 'Orphan' });
    await waitFor(clock, 'the ReplicaSet to go', async () => {
      return !(await getOrUndefined(api.client, GVR.replicasets, 'default', 'web'));
    });
    const a = await api.client.get(GVR.pods, 'default', 'web-a');
    const b = await api.client.get(GVR.pods, 'default', 'web-b');
    assert.equal(a.metadata.ownerReferences, undefined);
    assert.deepEqual(b.metadata.ownerReferences, [ownerRef(other)]);
    await h.stop();
  });

  it('a dependent with two owners survives one owner, losing only that reference', async () => {
    const h = await start();
    const { api, clock } = h;
    const a = await createRs(api, 'a');
    const b = await createRs(api, 'b');
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('shared', { owners: [ownerRef(a), ownerRef(b)] }),
    );
    await api.client.delete(GVR.replicasets, 'default', 'a');
    const shared = await waitFor(clock, 'the reference to a to go', async () => {
      const cm = await api.client.get(GVR.configmaps, 'default', 'shared');
      return cm.metadata.ownerReferences?.length === 1 ? cm : undefined;
    });
    assert.deepEqual(shared.metadata.ownerReferences, [ownerRef(b)]);
    await clock.advance(60_000);
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'default', 'shared'));
    // The last owner goes: so does the dependent.
    await api.client.delete(GVR.replicasets, 'default', 'b');
    await waitFor(clock, 'shared to go', async () => {
      return !(await getOrUndefined(api.client, GVR.configmaps, 'default', 'shared'));
    });
    await h.stop();
  });

  it('a reference to an owner that never existed: collected once', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    const ghost = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: 'not-a-uid' };
    await api.client.create(GVR.configmaps, 'default', configMap('haunted', { owners: [ghost] }));
    const rs = await createRs(api, 'real');
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('half', { owners: [ghost, ownerRef(rs)] }),
    );
    await waitFor(clock, 'haunted to go and half to lose the ghost', async () => {
      const haunted = await getOrUndefined(api.client, GVR.configmaps, 'default', 'haunted');
      const half = await api.client.get(GVR.configmaps, 'default', 'half');
      return !haunted && half.metadata.ownerReferences?.length === 1;
    });
    await clock.advance(10 * 60_000);
    assert.equal(gc.calls.get('delete'), 1);
    assert.equal(gc.calls.get('patch'), 1);
    await h.stop();
  });

  it('an owner loop neither spins nor blocks deletion', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    const a = await api.client.create(GVR.configmaps, 'default', configMap('a'));
    const b = await api.client.create(
      GVR.configmaps,
      'default',
      configMap('b', { owners: [ownerRef(a, blocking)] }),
    );
    await api.client.patch(GVR.configmaps, 'default', 'a', 'merge', {
      metadata: { ownerReferences: [ownerRef(b, blocking)] },
    });
    const self = await api.client.create(GVR.configmaps, 'default', configMap('self'));
    await api.client.patch(GVR.configmaps, 'default', 'self', 'merge', {
      metadata: { ownerReferences: [ownerRef(self, blocking)] },
    });
    // Both alive: an hour of nothing to do costs no writes and few reads.
    await clock.advance(60 * 60_000);
    assert.equal(gc.writes(), 0);
    assert.ok(gc.reads() < 20, `reads: ${gc.reads()}`);

    // Foreground through the cycle terminates (a, b) and so does a self-owner.
    await api.client.delete(GVR.configmaps, 'default', 'a', { propagationPolicy: 'Foreground' });
    await api.client.delete(GVR.configmaps, 'default', 'self', { propagationPolicy: 'Foreground' });
    await waitFor(clock, 'a, b and self to go', async () => {
      return names(await api.client.list(GVR.configmaps, 'default')).length === 0;
    });
    // b's references made non-blocking, b deleted in the foreground, and the
    // foregroundDeletion finalizer removed from a, b and self: five writes.
    const writes = gc.writes();
    assert.equal(writes, 5);
    await clock.advance(60 * 60_000);
    assert.equal(gc.writes(), writes);
    await h.stop();
  });

  it('a background cycle: deleting one member collects the other', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    const a = await api.client.create(GVR.configmaps, 'default', configMap('a'));
    const b = await api.client.create(
      GVR.configmaps,
      'default',
      configMap('b', { owners: [ownerRef(a)] }),
    );
    await api.client.patch(GVR.configmaps, 'default', 'a', 'merge', {
      metadata: { ownerReferences: [ownerRef(b)] },
    });
    await api.client.delete(GVR.configmaps, 'default', 'a');
    await waitFor(clock, 'b to go', async () => {
      return !(await getOrUndefined(api.client, GVR.configmaps, 'default', 'b'));
    });
    assert.equal(gc.writes(), 1);
    await h.stop();
  });

  it('a reference to a kind nobody serves is never acted on, and backs off', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('odd', {
        owners: [{ apiVersion: 'nowhere.example.com/v1', kind: 'Thing', name: 't', uid: 'u1' }],
      }),
    );
    await clock.advance(60 * 60_000);
    assert.ok(await getOrUndefined(api.client, GVR.configmaps, 'default', 'odd'));
    assert.equal(gc.writes(), 0);
    // Retries double from 5 ms: an hour holds about twenty of them, each asking
    // discovery at most once, besides the periodic discovery every 30 s.
    const extra = (gc.calls.get('discover') ?? 0) - (1 + 3600 / 30);
    assert.ok(extra > 0 && extra < 25, `extra discover calls: ${extra}`);
    await h.stop();
  });

  it('an owner in another namespace counts as absent, and is reported', async () => {
    const h = await start();
    const { api, clock } = h;
    await api.client.create(GVR.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'other' },
    });
    const rs = await createRs(api, 'web', 'other');
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('stray', { owners: [ownerRef(rs)] }),
    );
    await waitFor(clock, 'stray to go', async () => {
      return !(await getOrUndefined(api.client, GVR.configmaps, 'default', 'stray'));
    });
    const events = await waitFor(clock, 'the warning event', async () => {
      const list = await api.client.list(GVR.events, 'default');
      const found = list.items.filter((e) => e.reason === 'OwnerRefInvalidNamespace');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(
      events[0].message,
      `ownerRef [apps/v1/ReplicaSet, namespace: default, name: web, uid: ${rs.metadata.uid}] does not exist in namespace "default"`,
    );
    assert.ok(await getOrUndefined(api.client, GVR.replicasets, 'other', 'web'));
    await h.stop();
  });

  it('a cluster-scoped dependent of a namespaced kind is left alone', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    const rs = await createRs(api, 'web');
    await api.client.create(GVR.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'child', ownerReferences: [ownerRef(rs)] },
    });
    await api.client.delete(GVR.replicasets, 'default', 'web');
    await clock.advance(60_000);
    assert.ok(await getOrUndefined(api.client, GVR.namespaces, undefined, 'child'));
    // Never written to; only reported.
    assert.deepEqual(
      gc.log.filter(
        (l) =>
          / namespaces$/.test(l) &&
          !l.startsWith('get') &&
          !l.startsWith('list') &&
          !l.startsWith('watch'),
      ),
      [],
    );
    const events = await api.client.list(GVR.events, 'default');
    const warning = events.items.find((e) => e.reason === 'OwnerRefInvalidNamespace');
    assert.equal(
      warning?.message,
      `ownerRef [apps/v1/ReplicaSet, namespace: , name: web, uid: ${rs.metadata.uid}] does not exist in namespace ""`,
    );
    await h.stop();
  });

  it('custom resources, served at run time, as owners and as dependents', async () => {
    const h = await start();
    const { api, clock } = h;
    await serveCrd(api, gadgetCrd());
    await waitFor(clock, 'the collector to watch gadgets', () =>
      h.gc.log.includes('watch gadgets'),
    );
    // A custom owner of a built-in dependent.
    const owner = await api.client.create(GADGETS, 'default', gadget('g1'));
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('of-g1', { owners: [ownerRef(owner)] }),
    );
    // A built-in owner of a custom dependent.
    const cm = await api.client.create(GVR.configmaps, 'default', configMap('owner-cm'));
    await api.client.create(
      GADGETS,
      'default',
      gadget('of-cm', { owners: [ownerRef(cm, blocking)] }),
    );
    // A custom owner of a custom dependent, deleted in the foreground.
    const g2 = await api.client.create(GADGETS, 'default', gadget('g2'));
    await api.client.create(
      GADGETS,
      'default',
      gadget('of-g2', { owners: [ownerRef(g2, blocking)], finalizers: ['example.com/hold'] }),
    );
    await clock.advance(1_000);

    await api.client.delete(GADGETS, 'default', 'g1');
    await api.client.delete(GVR.configmaps, 'default', 'owner-cm');
    await api.client.delete(GADGETS, 'default', 'g2', { propagationPolicy: 'Foreground' });
    await waitFor(clock, 'of-g1 and of-cm to go', async () => {
      const a = await getOrUndefined(api.client, GVR.configmaps, 'default', 'of-g1');
      const b = await getOrUndefined(api.client, GADGETS, 'default', 'of-cm');
      return !a && !b;
    });
    const ofG2 = await waitFor(clock, 'of-g2 to be deleted', async () => {
      const o = await api.client.get(GADGETS, 'default', 'of-g2');
      return o.metadata.deletionTimestamp ? o : undefined;
    });
    assert.deepEqual(ofG2.metadata.finalizers, ['example.com/hold']);
    const g2Now = await api.client.get(GADGETS, 'default', 'g2');
    assert.deepEqual(g2Now.metadata.finalizers, ['foregroundDeletion']);
    await api.client.patch(GADGETS, 'default', 'of-g2', 'merge', {
      metadata: { finalizers: null },
    });
    await waitFor(clock, 'g2 to go', async () => {
      return !(await getOrUndefined(api.client, GADGETS, 'default', 'g2'));
    });
    await h.stop();
  });

  it('a CRD going away: deletions of its objects still free their dependents', async () => {
    const h = await start();
    const { api, clock, gc } = h;
    const crd = gadgetCrd();
    await serveCrd(api, crd);
    await waitFor(clock, 'the collector to watch gadgets', () => gc.log.includes('watch gadgets'));
    const owner = await api.client.create(GADGETS, 'default', gadget('g1'));
    await api.client.create(
      GVR.configmaps,
      'default',
      configMap('of-g1', { owners: [ownerRef(owner)] }),
    );
    await clock.advance(100);
    // What the CRD manager does on deletion: stop serving, delete the objects.
    unserveCrd(api, crd);
    await api.client.delete(CRDS, undefined, crd.metadata.name!);
    const [type] = crdResourceTypes(crd);
    await api.storage.delete(systemContext(), type, 'default', 'g1');
    await waitFor(clock, 'of-g1 to go', async () => {
      return !(await getOrUndefined(api.client, GVR.configmaps, 'default', 'of-g1'));
    });
    // The informer for gadgets stops once discovery has not listed them for a period.
    await clock.advance(2 * 30_000);
    assert.equal(h.logged.filter((m) => m === 'stopped watching: no longer served').length, 1);
    const calls = gc.log.filter((l) => l.endsWith(' gadgets')).length;
    await clock.advance(10 * 60_000);
    assert.equal(gc.log.filter((l) => l.endsWith(' gadgets')).length, calls);
    await h.stop();
  });
});

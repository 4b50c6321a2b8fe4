import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Pod } from '../api/types/core.ts';
import type { ReplicaSet } from '../api/types/apps.ts';
import { podQuota, startHarness, type Harness } from './workload/test-harness.ts';

function replicaSet(
  name: string,
  replicas: number,
  extra: { minReadySeconds?: number; nodeName?: string } = {},
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'fe' }, annotations: { note: 'from-template' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: extra.nodeName },
      },
    },
  };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function getRS(name: string): Promise<ReplicaSet> {
  return h!.client.get<ReplicaSet>(GVR.replicasets, 'default', name);
}

async function scale(name: string, replicas: number): Promise<void> {
  await h!.client.patch(GVR.replicasets, 'default', name, 'merge', { spec: { replicas } });
}

const ownedBy = (pod: Pod, rs: ReplicaSet): boolean =>
  pod.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller) ?? false;

describe('ReplicaSet controller', () => {
  it('creates spec.replicas pods from the template, owned by the ReplicaSet, exactly once each', async () => {
    const quota = podQuota({ pods: 1000 });
    h = await startHarness({ admission: [quota], deployments: false });
    const rs = await h.client.create<ReplicaSet>(GVR.replicasets, 'default', replicaSet('web', 40));
    const pods = await h.until('40 pods', async () => {
      const p = await h!.pods();
      return p.length === 40 && p;
    });
    await h.quiesce();
    // Status writes trigger syncs while creates are in flight; expectations keep them from creating more.
    assert.equal(quota.attempts, 40);
    assert.equal((await h.pods()).length, 40);
    for (const pod of pods) {
      assert.match(pod.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.equal(pod.metadata.generateName, 'web-');
      assert.deepEqual(pod.metadata.labels, { app: 'web', tier: 'fe' });
      assert.deepEqual(pod.metadata.annotations, { note: 'from-template' });
      assert.deepEqual(pod.metadata.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    const status = (await getRS('web')).status;
    assert.deepEqual(status, { replicas: 40, fullyLabeledReplicas: 40, observedGeneration: 1 });
    const created = (await h.events()).filter((e) => e.startsWith('SuccessfulCreate'));
    // The recorder lets 25 events per object through in a burst.
    assert.equal(created.length, 25);
    for (const e of created) assert.match(e, /^SuccessfulCreate: Created pod: web-[a-z0-9]{5}$/);
  });

  it('counts ready pods, and available ones once minReadySeconds have passed', async () => {
    h = await startHarness({ deployments: false });
    await h.client.create(
      GVR.replicasets,
      'default',
      replicaSet('web', 2, { minReadySeconds: 30 }),
    );
    const pods = await h.until('2 pods', async () => {
      const p = await h!.pods();
      return p.length === 2 && p;
    });
    for (const pod of pods) await h.markReady(pod);
    await h.until('2 ready', async () => (await getRS('web')).status?.readyReplicas === 2);
    assert.equal((await getRS('web')).status?.availableReplicas, undefined);
    // Nothing else happens: the sync that counts them comes from the controller's own timer.
    await h.clock.advance(29_000);
    assert.equal((await getRS('web')).status?.availableReplicas, undefined);
    await h.until('2 available', async () => (await getRS('web')).status?.availableReplicas === 2, {
      stepMs: 100,
    });
    assert.ok(h.clock.now() - Date.UTC(2026, 0, 1) <= 31_500, 'counted within a second or so');
  });

  it('scales down the least valuable pods first', async () => {
    h = await startHarness({ deployments: false });
    await h.client.create(GVR.replicasets, 'default', replicaSet('web', 3));
    const pods = await h.until('3 pods', async () => {
      const p = await h!.pods();
      return p.length === 3 && p;
    });
    await h.markReady(pods[0]);
    await h.markReady(pods[2]);
    await h.until('2 ready', async () => (await getRS('web')).status?.readyReplicas === 2);
    await scale('web', 2);
    const left = await h.until('2 pods', async () => {
      const p = await h!.pods();
      return p.length === 2 && p;
    });
    assert.deepEqual(
      left.map((p) => p.metadata.name),
      [pods[0].metadata.name, pods[2].metadata.name],
    );
    assert.ok(
      (await h.events()).includes(`SuccessfulDelete: Deleted pod: ${pods[1].metadata.name}`),
    );
    await h.until('status of 2', async () => {
      const s = (await getRS('web')).status;
      return s?.replicas === 2 && s.readyReplicas === 2 && s.observedGeneration === 2;
    });
  });

  it('adopts matching orphans, releases pods that stop matching, ignores pods of other controllers', async () => {
    h = await startHarness({ deployments: false });
    const pod = (name: string, extra: Partial<Pod['metadata']> = {}): Pod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'web' }, ...extra },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await h.client.create(GVR.pods, 'default', pod('orphan'));
    const foreignRef = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'other',
      uid: 'other-uid',
      controller: true,
    };
    await h.client.create(GVR.pods, 'default', pod('foreign', { ownerReferences: [foreignRef] }));
    const rs = await h.client.create<ReplicaSet>(GVR.replicasets, 'default', replicaSet('web', 2));

    const owned = await h.until('2 owned pods', async () => {
      const p = (await h!.pods()).filter((x) => ownedBy(x, rs));
      return p.length === 2 && p;
    });
    assert.ok(
      owned.some((p) => p.metadata.name === 'orphan'),
      'the orphan was adopted',
    );
    const foreign = await h.client.get<Pod>(GVR.pods, 'default', 'foreign');
    assert.deepEqual(foreign.metadata.ownerReferences, [foreignRef]);
    assert.equal((await h.pods()).length, 3, 'one pod created beside the adopted orphan');

    // The orphan's labels change: it is released and replaced.
    await h.client.patch(GVR.pods, 'default', 'orphan', 'merge', {
      metadata: { labels: { app: 'elsewhere' } },
    });
    await h.until('orphan released and replaced', async () => {
      const released = await h!.client.get<Pod>(GVR.pods, 'default', 'orphan');
      const mine = (await h!.pods()).filter((x) => ownedBy(x, rs));
      return (released.metadata.ownerReferences ?? []).length === 0 && mine.length === 2;
    });
  });

  it('stops replacing a terminating pod twice: graceful deletions count as gone', async () => {
    h = await startHarness({ deployments: false });
    await h.client.create(GVR.replicasets, 'default', replicaSet('web', 3, { nodeName: 'node-1' }));
    await h.until('3 pods', async () => (await h!.pods()).length === 3);
    await scale('web', 1);
    // Bound pods are deleted gracefully: they stay, with a deletionTimestamp, until the node removes them.
    await h.until('1 active pod', async () => (await h!.pods()).length === 1);
    await h.quiesce();
    const all = (await h.client.list<Pod>(GVR.pods, 'default')).items;
    assert.equal(all.length, 3);
    assert.equal(all.filter((p) => p.metadata.deletionTimestamp).length, 2);
    assert.equal((await getRS('web')).status?.replicas, 1);
    // A replica lost to a graceful delete is replaced at once, not when the pod is finally gone.
    const [survivor] = await h.pods();
    await h.client.delete(GVR.pods, 'default', survivor.metadata.name!);
    await h.until('a replacement', async () => {
      const p = await h!.pods();
      return p.length === 1 && p[0].metadata.name !== survivor.metadata.name;
    });
  });

  it('refused creates: FailedCreate events and ReplicaFailure, retried with backoff, then recovery', async () => {
    const limit = { pods: 2 };
    const quota = podQuota(limit);
    h = await startHarness({ admission: [quota], deployments: false });
    await h.client.create(GVR.replicasets, 'default', replicaSet('web', 100));
    const failure = await h.until('ReplicaFailure', async () =>
      (await getRS('web')).status?.conditions?.find((c) => c.type === 'ReplicaFailure'),
    );
    assert.equal(failure.status, 'True');
    assert.equal(failure.reason, 'FailedCreate');
    assert.match(
      failure.message!,
      /^pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: pod-count/,
    );
    assert.equal((await h.pods()).length, 2);
    // Slow start: batch 1 (ok), batch 2 (one ok, one refused), then it stops; the
    // resyncs its own writes trigger try one pod each. Not 98 refused creates.
    assert.ok(quota.attempts <= 6, `${quota.attempts} attempts`);
    const failed = (await h.events()).filter((e) => e.startsWith('FailedCreate'));
    assert.ok(failed.length >= 1);
    assert.match(
      failed[0],
      /^FailedCreate: Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota/,
    );

    // A minute of refusals costs a handful of attempts (exponential backoff), not a hot loop.
    const before = quota.attempts;
    for (let i = 0; i < 600; i++) await h.clock.advance(100);
    const retries = quota.attempts - before;
    assert.ok(retries >= 5 && retries <= 20, `${retries} attempts in a minute`);

    limit.pods = 1000;
    await h.until(
      '100 pods and no failure',
      async () => {
        const rs = await getRS('web');
        return (await h!.pods()).length === 100 && rs.status?.conditions === undefined;
      },
      { stepMs: 1000, maxSteps: 200 },
    );
  });
});

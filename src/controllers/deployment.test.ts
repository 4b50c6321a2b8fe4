import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GVR, type Client, type GroupVersionResource } from '../api/client.ts';
import type { Pod, PodTemplateSpec } from '../api/types/core.ts';
import type { Deployment, DeploymentStrategy, ReplicaSet } from '../api/types/apps.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { podQuota, startHarness, type Harness } from './workload/test-harness.ts';
import { computeTemplateHash } from './workload/template-hash.ts';
import { isPodReady } from './workload/pods.ts';

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

interface DeploymentOptions {
  replicas?: number;
  image?: string;
  strategy?: DeploymentStrategy;
  progressDeadlineSeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  nodeName?: string;
  changeCause?: string;
  minReadySeconds?: number;
}

function deployment(o: DeploymentOptions = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      annotations: o.changeCause ? { [CHANGE_CAUSE]: o.changeCause } : undefined,
    },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: o.strategy,
      progressDeadlineSeconds: o.progressDeadlineSeconds,
      revisionHistoryLimit: o.revisionHistoryLimit,
      paused: o.paused,
      minReadySeconds: o.minReadySeconds,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: o.image ?? 'nginx:1' }],
          nodeName: o.nodeName,
        },
      },
    },
  };
}

/** What `kubectl rollout status deployment/web` prints (or fails with) for this state. */
function kubectlRolloutStatus(d: Deployment): string {
  const name = d.metadata.name;
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return 'Waiting for deployment spec update to be observed...';
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    throw new Error(`deployment "${name}" exceeded its progress deadline`);
  }
  const want = d.spec!.replicas!;
  const updated = s.updatedReplicas ?? 0;
  const replicas = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (updated < want)
    return `${waiting}${updated} out of ${want} new replicas have been updated...`;
  if (replicas > updated)
    return `${waiting}${replicas - updated} old replicas are pending termination...`;
  if (available < updated)
    return `${waiting}${available} of ${updated} updated replicas are available...`;
  return `deployment "${name}" successfully rolled out`;
}

const ROLLED_OUT = 'deployment "web" successfully rolled out';

let h: Harness | undefined;
/** Watches to close before the harness stops, even when a test fails midway. */
const openWatches: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of openWatches.splice(0)) await close();
  await h?.stop();
  h = undefined;
});

const getD = (): Promise<Deployment> =>
  h!.client.get<Deployment>(GVR.deployments, 'default', 'web');

/** ReplicaSets the Deployment controls, oldest first (as kubectl rollout history lists them). */
async function ownedReplicaSets(): Promise<ReplicaSet[]> {
  const d = await getD();
  const list = await h!.client.list<ReplicaSet>(GVR.replicasets, 'default', {
    labelSelector: 'app=web',
  });
  return list.items
    .filter((rs) =>
      rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid),
    )
    .sort(
      (a, b) =>
        Number(a.metadata.annotations?.[REVISION]) - Number(b.metadata.annotations?.[REVISION]),
    );
}

async function patchDeployment(patch: unknown): Promise<void> {
  await h!.client.patch(GVR.deployments, 'default', 'web', 'strategic', patch);
}

async function setImage(image: string, changeCause?: string): Promise<void> {
  await patchDeployment({
    metadata: changeCause ? { annotations: { [CHANGE_CAUSE]: changeCause } } : undefined,
    spec: { template: { spec: { containers: [{ name: 'web', image }] } } },
  });
}

/** The kubelet: marks every pod Ready, repeatedly, until the rollout is done. */
async function rollOut(options: { stepMs?: number } = {}): Promise<void> {
  await h!.until(
    'the rollout to finish',
    async () => {
      for (const pod of await h!.pods()) if (!isPodReady(pod)) await h!.markReady(pod);
      return kubectlRolloutStatus(await getD()) === ROLLED_OUT;
    },
    { stepMs: options.stepMs ?? 5 },
  );
}

const scalingEvents = async (): Promise<string[]> =>
  (await h!.events()).filter((e) => e.startsWith('ScalingReplicaSet'));

/**
 * Follows a collection through a watch, calling `check` on every state it
 * passes through; returns the problems `check` reported.
 */
async function observe<T extends KubeObject>(
  client: Client,
  gvr: GroupVersionResource,
  check: (objs: T[]) => string | undefined,
): Promise<{ stop(): Promise<string[]> }> {
  const problems: string[] = [];
  const list = await client.list<T>(gvr, 'default');
  const objs = new Map(list.items.map((o) => [o.metadata.name!, o]));
  const run = (): void => {
    const p = check([...objs.values()]);
    if (p) problems.push(p);
  };
  run();
  const watch = await client.watch<T>(gvr, 'default', {
    resourceVersion: list.metadata.resourceVersion,
  });
  const done = (async () => {
    for await (const ev of watch) {
      const obj = ev.object as T;
      if (ev.type === 'ADDED' || ev.type === 'MODIFIED') objs.set(obj.metadata.name!, obj);
      else if (ev.type === 'DELETED') objs.delete(obj.metadata.name!);
      else continue;
      run();
    }
  })();
  const stop = async (): Promise<string[]> => {
    watch.close();
    await done;
    return problems;
  };
  openWatches.push(stop);
  return { stop };
}

describe('Deployment controller', () => {
  it('runs a Deployment through a hashed ReplicaSet and scales it 3 -> 5 -> 1', async () => {
    h = await startHarness();
    const created = await h.client.create<Deployment>(GVR.deployments, 'default', deployment());
    const hash = computeTemplateHash(created.spec!.template);
    const rsName = `web-${hash}`;
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);

    const pods = await h.until('3 pods', async () => {
      const p = await h!.pods();
      return p.length === 3 && p;
    });
    for (const pod of pods) {
      assert.ok(pod.metadata.name!.startsWith(`${rsName}-`));
      assert.deepEqual(pod.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    }
    const [rs] = await ownedReplicaSets();
    assert.equal(rs.metadata.name, rsName);
    assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs.spec!.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(rs.spec!.template!.metadata!.labels, {
      app: 'web',
      'pod-template-hash': hash,
    });
    assert.deepEqual(rs.metadata.annotations, {
      [REVISION]: '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    assert.equal((await getD()).metadata.annotations?.[REVISION], '1');
    assert.equal(
      kubectlRolloutStatus(await getD()),
      'Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...',
    );

    await rollOut();
    const d = await getD();
    const { conditions, ...counts } = d.status!;
    assert.deepEqual(counts, {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    assert.deepEqual(
      conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
        [
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
        ],
      ],
    );

    await patchDeployment({ spec: { replicas: 5 } });
    await rollOut();
    assert.equal((await h.pods()).length, 5);
    await patchDeployment({ spec: { replicas: 1 } });
    await h.until('1 pod', async () => (await h!.pods()).length === 1);
    await rollOut();
    const [scaled] = await ownedReplicaSets();
    assert.equal(scaled.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '1');
    assert.equal(scaled.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '2');
    assert.deepEqual(await scalingEvents(), [
      `ScalingReplicaSet: Scaled up replica set ${rsName} from 0 to 3`,
      `ScalingReplicaSet: Scaled up replica set ${rsName} from 3 to 5`,
      `ScalingReplicaSet: Scaled down replica set ${rsName} from 5 to 1`,
    ]);
    assert.equal((await ownedReplicaSets()).length, 1);
  });

  it('rolls an image change out within maxSurge and maxUnavailable at every observed state', async () => {
    h = await startHarness();
    await h.client.create(GVR.deployments, 'default', deployment({ replicas: 10 }));
    await rollOut();
    const [oldRS] = await ownedReplicaSets();

    // 10 replicas at 25%: at most 13 pods, at least 8 available, at every step.
    const pods = await observe<Pod>(h.client, GVR.pods, (all) => {
      const active = all.filter((p) => !p.metadata.deletionTimestamp);
      const available = active.filter(isPodReady).length;
      if (active.length > 13) return `${active.length} pods`;
      if (available < 8) return `${available} available pods`;
      return undefined;
    });
    const replicaSets = observe<ReplicaSet>(h.client, GVR.replicasets, (all) => {
      const total = all.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      return total > 13 ? `ReplicaSets want ${total} pods` : undefined;
    });
    const rsWatch = await replicaSets;
    const statuses: string[] = [];
    const dWatch = await observe<Deployment>(h.client, GVR.deployments, ([d]) => {
      const line = kubectlRolloutStatus(d);
      if (statuses.at(-1) !== line) statuses.push(line);
      return undefined;
    });

    await setImage('nginx:2');
    // The kubelet marks new pods ready one poll at a time.
    await h.until(
      'the rollout to finish',
      async () => {
        const notReady = (await h!.pods()).filter((p) => !isPodReady(p));
        if (notReady.length > 0) await h!.markReady(notReady[0]);
        return kubectlRolloutStatus(await getD()) === ROLLED_OUT;
      },
      { stepMs: 20 },
    );
    assert.deepEqual(await pods.stop(), []);
    assert.deepEqual(await rsWatch.stop(), []);
    await dWatch.stop();

    const [old, current] = await ownedReplicaSets();
    assert.equal(old.metadata.name, oldRS.metadata.name);
    assert.equal(old.spec!.replicas, 0);
    assert.equal(current.spec!.replicas, 10);
    assert.equal(current.metadata.annotations?.[REVISION], '2');
    assert.equal((await getD()).metadata.annotations?.[REVISION], '2');
    assert.ok((await h.pods()).every((p) => p.metadata.name!.startsWith(current.metadata.name!)));
    // The kubelet readies one pod per poll, so the rollout moves one pod at a time
    // after the first surge: exactly Kubernetes' sequence for this pace.
    const n = current.metadata.name;
    const o = old.metadata.name;
    assert.deepEqual((await scalingEvents()).slice(1), [
      `ScalingReplicaSet: Scaled up replica set ${n} from 0 to 3`,
      `ScalingReplicaSet: Scaled down replica set ${o} from 10 to 8`,
      `ScalingReplicaSet: Scaled up replica set ${n} from 3 to 5`,
      ...[7, 6, 5, 4].flatMap((left) => [
        `ScalingReplicaSet: Scaled down replica set ${o} from ${left + 1} to ${left}`,
        `ScalingReplicaSet: Scaled up replica set ${n} from ${12 - left} to ${13 - left}`,
      ]),
      `ScalingReplicaSet: Scaled down replica set ${o} from 4 to 3`,
      `ScalingReplicaSet: Scaled up replica set ${n} from 9 to 10`,
      `ScalingReplicaSet: Scaled down replica set ${o} from 3 to 2`,
      `ScalingReplicaSet: Scaled down replica set ${o} from 2 to 1`,
      `ScalingReplicaSet: Scaled down replica set ${o} from 1 to 0`,
    ]);
    // What `kubectl rollout status` prints along the way (as against Kubernetes, the
    // new ReplicaSet is observed before its pods exist).
    const waiting = 'Waiting for deployment "web" rollout to finish: ';
    assert.deepEqual(statuses, [
      ROLLED_OUT,
      'Waiting for deployment spec update to be observed...',
      ...[0, 3, 5, 6, 7, 8, 9].map(
        (u) => `${waiting}${u} out of 10 new replicas have been updated...`,
      ),
      ...[3, 2, 1].map((r) => `${waiting}${r} old replicas are pending termination...`),
      `${waiting}8 of 10 updated replicas are available...`,
      `${waiting}9 of 10 updated replicas are available...`,
      ROLLED_OUT,
    ]);
  });

  it('rollback (kubectl rollout undo) reuses the old ReplicaSet under a new revision', async () => {
    h = await startHarness();
    await h.client.create(
      GVR.deployments,
      'default',
      deployment({ replicas: 2, changeCause: 'create v1' }),
    );
    await rollOut();
    await setImage('nginx:2', 'set image v2');
    await rollOut();
    const [rs1, rs2] = await ownedReplicaSets();
    assert.deepEqual(
      [rs1, rs2].map((rs) => [
        rs.metadata.annotations?.[REVISION],
        rs.metadata.annotations?.[CHANGE_CAUSE],
      ]),
      [
        ['1', 'create v1'],
        ['2', 'set image v2'],
      ],
    );

    // What `kubectl rollout undo` does: the template of the previous revision
    // (without the hash label) and its annotations, in one JSON patch.
    const d = await getD();
    const template = structuredClone(rs1.spec!.template!) as PodTemplateSpec;
    delete template.metadata!.labels!['pod-template-hash'];
    const skip = new Set([
      'kubectl.kubernetes.io/last-applied-configuration',
      REVISION,
      'deployment.kubernetes.io/revision-history',
      'deployment.kubernetes.io/desired-replicas',
      'deployment.kubernetes.io/max-replicas',
      'deprecated.deployment.rollback.to',
    ]);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
      if (skip.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(rs1.metadata.annotations ?? {}))
      if (!skip.has(k)) annotations[k] = v;
    await h.client.patch(GVR.deployments, 'default', 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ]);
    await rollOut();

    const after = await ownedReplicaSets();
    assert.deepEqual(
      after.map((rs) => rs.metadata.name),
      [rs2.metadata.name, rs1.metadata.name],
      'no new ReplicaSet',
    );
    const back = after[1];
    assert.equal(back.metadata.annotations?.[REVISION], '3');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(back.spec!.replicas, 2);
    assert.equal(after[0].spec!.replicas, 0);
    const rolledBack = await getD();
    assert.equal(rolledBack.metadata.annotations?.[REVISION], '3');
    assert.equal(rolledBack.metadata.annotations?.[CHANGE_CAUSE], 'create v1');
    // `kubectl rollout history`: revision 1 is gone, 3 took its place.
    assert.deepEqual(
      after.map(
        (rs) => `${rs.metadata.annotations?.[REVISION]} ${rs.metadata.annotations?.[CHANGE_CAUSE]}`,
      ),
      ['2 set image v2', '3 create v1'],
    );
    assert.ok((await h.pods()).every((p) => p.metadata.name!.startsWith(`${rs1.metadata.name}-`)));
  });

  it('pause stops a rollout but not scaling; resume continues it', async () => {
    h = await startHarness();
    await h.client.create(GVR.deployments, 'default', deployment({ replicas: 2 }));
    await rollOut();
    await patchDeployment({ spec: { paused: true } });
    const paused = await h.until('the paused condition', async () =>
      (await getD()).status?.conditions?.find((c) => c.reason === 'DeploymentPaused'),
    );
    assert.deepEqual(
      [paused.type, paused.status, paused.message],
      ['Progressing', 'Unknown', 'Deployment is paused'],
    );

    await setImage('nginx:2');
    await patchDeployment({ spec: { replicas: 4 } });
    await h.until('4 pods', async () => (await h!.pods()).length === 4);
    await h.quiesce(1000);
    const [only, ...none] = await ownedReplicaSets();
    assert.deepEqual(none, [], 'no rollout while paused');
    assert.equal(only.spec!.replicas, 4);
    assert.equal((await getD()).status?.observedGeneration, (await getD()).metadata.generation);

    await patchDeployment({ spec: { paused: false } });
    await h.until('the resumed condition', async () =>
      (await getD()).status?.conditions?.some(
        (c) => c.reason === 'DeploymentResumed' || c.reason === 'ReplicaSetUpdated',
      ),
    );
    await rollOut();
    const [old, current] = await ownedReplicaSets();
    assert.equal(old.spec!.replicas, 0);
    assert.equal(current.spec!.replicas, 4);
    assert.equal(current.spec!.template!.spec!.containers[0].image, 'nginx:2');
  });

  it('Recreate scales the old ReplicaSet to zero and waits until its pods are gone', async () => {
    h = await startHarness();
    // Bound pods terminate gracefully, so old ones linger until the node removes them.
    await h.client.create(
      GVR.deployments,
      'default',
      deployment({ replicas: 2, strategy: { type: 'Recreate' }, nodeName: 'node-1' }),
    );
    await rollOut();
    const [old] = await ownedReplicaSets();
    await setImage('nginx:2');
    await h.until('old pods terminating', async () => (await h!.pods()).length === 0);
    await h.quiesce(1000);
    assert.equal((await ownedReplicaSets()).length, 1, 'no new ReplicaSet while old pods remain');
    const terminating = (await h.client.list<Pod>(GVR.pods, 'default')).items;
    assert.equal(terminating.length, 2);

    // The node finishes the deletes.
    for (const pod of terminating) {
      await h.client.delete(GVR.pods, 'default', pod.metadata.name!, { gracePeriodSeconds: 0 });
    }
    await rollOut();
    const [first, second] = await ownedReplicaSets();
    assert.equal(first.metadata.name, old.metadata.name);
    assert.equal(first.spec!.replicas, 0);
    assert.equal(second.spec!.replicas, 2);
    assert.deepEqual((await scalingEvents()).slice(1), [
      `ScalingReplicaSet: Scaled down replica set ${old.metadata.name} from 2 to 0`,
      `ScalingReplicaSet: Scaled up replica set ${second.metadata.name} from 0 to 2`,
    ]);
  });

  it('reports ProgressDeadlineExceeded when a rollout makes no progress, and recovers', async () => {
    h = await startHarness();
    await h.client.create(
      GVR.deployments,
      'default',
      deployment({ replicas: 2, progressDeadlineSeconds: 60 }),
    );
    await h.until('2 pods', async () => (await h!.pods()).length === 2);
    // Creating the pods was progress; from then on nothing moves.
    await h.clock.advance(59_000);
    assert.equal(
      (await getD()).status?.conditions?.find((c) => c.type === 'Progressing')?.reason,
      'ReplicaSetUpdated',
    );
    const timedOut = await h.until(
      'the deadline',
      async () =>
        (await getD()).status?.conditions?.find((c) => c.reason === 'ProgressDeadlineExceeded'),
      { stepMs: 100 },
    );
    const [rs] = await ownedReplicaSets();
    assert.equal(timedOut.status, 'False');
    assert.equal(timedOut.message, `ReplicaSet "${rs.metadata.name}" has timed out progressing.`);
    assert.ok(h.clock.now() - Date.UTC(2026, 0, 1) <= 62_500, 'noticed within about a second');
    await getD().then((d) =>
      assert.throws(() => kubectlRolloutStatus(d), /exceeded its progress deadline/),
    );

    // Progress after the deadline puts the rollout back on track.
    for (const pod of await h.pods()) await h.markReady(pod);
    const done = await h.until('completion', async () =>
      (await getD()).status?.conditions?.find((c) => c.reason === 'NewReplicaSetAvailable'),
    );
    assert.equal(done.status, 'True');
    assert.equal(kubectlRolloutStatus(await getD()), ROLLED_OUT);
  });

  it('a template the API refuses: FailedCreate, ReplicaFailure on the Deployment, no hot loop', async () => {
    const limit = { pods: 1 };
    const quota = podQuota(limit);
    h = await startHarness({ admission: [quota] });
    await h.client.create(GVR.deployments, 'default', deployment({ replicas: 3 }));
    const failure = await h.until('ReplicaFailure on the Deployment', async () =>
      (await getD()).status?.conditions?.find((c) => c.type === 'ReplicaFailure'),
    );
    assert.equal(failure.status, 'True');
    assert.equal(failure.reason, 'FailedCreate');
    assert.match(failure.message!, /is forbidden: exceeded quota: pod-count/);
    const failed = (await h.events()).filter((e) =>
      e.startsWith('FailedCreate: Error creating: pods'),
    );
    assert.ok(failed.length >= 1);

    const before = quota.attempts;
    for (let i = 0; i < 600; i++) await h.clock.advance(100);
    const retries = quota.attempts - before;
    assert.ok(retries >= 5 && retries <= 20, `${retries} attempts in a minute`);

    limit.pods = 10;
    await h.until(
      'recovery',
      async () => {
        for (const pod of await h!.pods()) if (!isPodReady(pod)) await h!.markReady(pod);
        const d = await getD();
        return (
          kubectlRolloutStatus(d) === ROLLED_OUT &&
          !d.status?.conditions?.some((c) => c.type === 'ReplicaFailure')
        );
      },
      { stepMs: 1000, maxSteps: 300 },
    );
  });

  it('keeps revisionHistoryLimit old ReplicaSets, deleting the oldest', async () => {
    h = await startHarness();
    await h.client.create(
      GVR.deployments,
      'default',
      deployment({ replicas: 1, revisionHistoryLimit: 1 }),
    );
    await rollOut();
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      // Creation times have second precision: keep the ReplicaSets' ages apart.
      await h.clock.advance(2000);
      await setImage(image);
      await rollOut();
      await h.quiesce(100);
    }
    await h.until('two ReplicaSets', async () => (await ownedReplicaSets()).length === 2);
    const rss = await ownedReplicaSets();
    assert.deepEqual(
      rss.map((rs) => [
        rs.metadata.annotations?.[REVISION],
        rs.spec!.template!.spec!.containers[0].image,
        rs.spec!.replicas,
      ]),
      [
        ['3', 'nginx:3', 0],
        ['4', 'nginx:4', 1],
      ],
    );
  });

  it('counts a hash collision and names the ReplicaSet with the next hash', async () => {
    h = await startHarness();
    const d = await h.client.create<Deployment>(
      GVR.deployments,
      'default',
      deployment({ paused: true }),
    );
    const hash = computeTemplateHash(d.spec!.template);
    // Someone else's ReplicaSet already has the name.
    await h.client.create(GVR.replicasets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `web-${hash}`, labels: { app: 'squatter' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'squatter' } },
        template: {
          metadata: { labels: { app: 'squatter' } },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    await patchDeployment({ spec: { paused: false } });
    await rollOut();
    const after = await getD();
    assert.equal(after.status?.collisionCount, 1);
    const [rs] = await ownedReplicaSets();
    assert.equal(rs.metadata.name, `web-${computeTemplateHash(d.spec!.template, 1)}`);
    assert.notEqual(rs.metadata.name, `web-${hash}`);
  });

  it('scales proportionally when spec.replicas changes mid-rollout', async () => {
    h = await startHarness();
    const strategy = {
      type: 'RollingUpdate' as const,
      rollingUpdate: { maxSurge: 3, maxUnavailable: 2 },
    };
    await h.client.create(GVR.deployments, 'default', deployment({ replicas: 10, strategy }));
    await rollOut();
    // The new pods never become ready: the rollout stops at 8 old + 5 new.
    await setImage('nginx:broken');
    await h.until('a stuck rollout', async () => {
      const [old, fresh] = await ownedReplicaSets();
      return old?.spec?.replicas === 8 && fresh?.spec?.replicas === 5;
    });
    await h.quiesce(500);
    await patchDeployment({ spec: { replicas: 15 } });
    const [old, fresh] = await h.until('proportional sizes', async () => {
      const rss = await ownedReplicaSets();
      return rss[0].spec?.replicas === 11 && rss[1].spec?.replicas === 7 && rss;
    });
    for (const rs of [old, fresh]) {
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '15');
      assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '18');
    }
    const events = await scalingEvents();
    assert.deepEqual(events.slice(-2), [
      `ScalingReplicaSet: Scaled up replica set ${old.metadata.name} from 8 to 11`,
      `ScalingReplicaSet: Scaled up replica set ${fresh.metadata.name} from 5 to 7`,
    ]);
    await h.quiesce(500);
    assert.equal((await scalingEvents()).length, events.length, 'and then holds');
  });

  it('counts pods available only after minReadySeconds', async () => {
    h = await startHarness();
    await h.client.create(
      GVR.deployments,
      'default',
      deployment({ replicas: 2, minReadySeconds: 10 }),
    );
    const pods = await h.until('2 pods', async () => {
      const p = await h!.pods();
      return p.length === 2 && p;
    });
    const [rs] = await ownedReplicaSets();
    assert.equal(rs.spec!.minReadySeconds, 10);
    for (const pod of pods) await h.markReady(pod);
    await h.until('2 ready', async () => (await getD()).status?.readyReplicas === 2);
    assert.equal(
      kubectlRolloutStatus(await getD()),
      'Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...',
    );
    await h.clock.advance(9_000);
    assert.equal((await getD()).status?.availableReplicas, undefined);
    await h.until('rolled out', async () => kubectlRolloutStatus(await getD()) === ROLLED_OUT, {
      stepMs: 100,
    });
    assert.ok(h.clock.now() - Date.UTC(2026, 0, 1) <= 11_500, 'within a second or so');
  });

  it('adopts an orphan ReplicaSet its selector matches, and rolls it over', async () => {
    h = await startHarness();
    await h.client.create(GVR.replicasets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'legacy', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:0' }] },
        },
      },
    });
    await h.until('legacy pods', async () => (await h!.pods()).length === 2);
    await h.client.create(GVR.deployments, 'default', deployment({ replicas: 2 }));
    await rollOut();
    const [legacy, current] = await ownedReplicaSets();
    assert.equal(legacy.metadata.name, 'legacy');
    assert.equal(legacy.spec!.replicas, 0);
    assert.equal(current.spec!.replicas, 2);
    assert.equal(current.metadata.annotations?.[REVISION], '1');

    // Relabeled out of the selector, it is released.
    await h.client.patch(GVR.replicasets, 'default', 'legacy', 'merge', {
      metadata: { labels: { app: 'retired' } },
    });
    await h.until('legacy released', async () => {
      const rs = await h!.client.get<ReplicaSet>(GVR.replicasets, 'default', 'legacy');
      return (rs.metadata.ownerReferences ?? []).length === 0;
    });
    assert.deepEqual(
      (await ownedReplicaSets()).map((rs) => rs.metadata.name),
      [current.metadata.name],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodPhase } from '../../api/types/core.ts';
import type { Deployment, DeploymentStrategy, ReplicaSet } from '../../api/types/apps.ts';
import {
  activeReplicaSets,
  calculateStatus,
  deploymentStatusEqual,
  findNewReplicaSet,
  findOldReplicaSets,
  isScalingEvent,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newReplicaSetFor,
  newReplicaSetReplicas,
  oldPodsRunning,
  pausedConditionStatus,
  planNewReplicaSetScale,
  planOldReplicaSetsScaleDown,
  planScale,
  progressCheckAfterMs,
  replicaSetsToCleanUp,
  resolveFenceposts,
  rolloutStatus,
  scaledValue,
  setNewReplicaSetAnnotations,
  specReplicaSum,
  type ScaleStep,
} from './rollout.ts';
import { rfc3339 as iso } from '../time.ts';

const T0 = Date.UTC(2026, 0, 1);

const template = (image: string): NonNullable<Deployment['spec']>['template'] => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

function deployment(
  replicas: number,
  strategy: DeploymentStrategy = {
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
  },
  image = 'v2',
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: template(image),
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

const rolling = (
  maxSurge: number | string,
  maxUnavailable: number | string,
): DeploymentStrategy => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxSurge, maxUnavailable },
});

interface RSOptions {
  available?: number;
  actual?: number;
  image?: string;
  createdSec?: number;
  annotations?: Record<string, string>;
}

function replicaSet(name: string, replicas: number, o: RSOptions = {}): ReplicaSet {
  const t = template(o.image ?? name);
  t.metadata!.labels!['pod-template-hash'] = name;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 + (o.createdSec ?? 0) * 1000),
      annotations: o.annotations,
      generation: 1,
    },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: t },
    status: {
      replicas: o.actual ?? replicas,
      availableReplicas: o.available ?? replicas,
      readyReplicas: o.available ?? replicas,
      observedGeneration: 1,
    },
  };
}

describe('surge and unavailability', () => {
  const cases: [number | string, number | string, number, number, number][] = [
    // maxSurge, maxUnavailable, replicas -> surge (rounded up), unavailable (rounded down)
    ['25%', '25%', 10, 3, 2],
    ['25%', '25%', 4, 1, 1],
    ['25%', '25%', 1, 1, 0],
    [0, '25%', 3, 0, 1], // both resolve to zero: one may be unavailable
    [0, 0, 5, 0, 1],
    ['50%', '10%', 5, 3, 0],
    [2, 3, 10, 2, 3],
    ['100%', 0, 3, 3, 0],
  ];
  for (const [s, u, replicas, surge, unavailable] of cases) {
    it(`maxSurge ${s}, maxUnavailable ${u} of ${replicas}: ${surge} and ${unavailable}`, () => {
      assert.deepEqual(resolveFenceposts(s, u, replicas), { surge, unavailable });
    });
  }

  it('caps maxUnavailable at replicas, and is zero for Recreate or no replicas', () => {
    assert.equal(maxUnavailable(deployment(2, rolling(0, 5))), 2);
    assert.equal(maxUnavailable(deployment(0, rolling(1, 1))), 0);
    assert.equal(maxUnavailable(deployment(5, { type: 'Recreate' })), 0);
    assert.equal(maxSurge(deployment(5, { type: 'Recreate' })), 0);
    assert.equal(maxSurge(deployment(10)), 3);
  });

  it('accepts only integers and percentages', () => {
    assert.equal(scaledValue('33%', 10, true), 4);
    assert.equal(scaledValue('33%', 10, false), 3);
    assert.throws(() => scaledValue('5', 10, true), /string is not a percentage/);
    assert.throws(() => scaledValue('x%', 10, true), /string is not a percentage/);
  });
});

/**
 * A rollout as the controllers run it: each `sync` is one Deployment sync
 * (create or grow the new ReplicaSet; if that did nothing, shrink old ones),
 * with the ReplicaSet controller deleting pods at once; `kubelet` makes pods
 * available.
 */
class Rollout {
  d: Deployment;
  rss: ReplicaSet[];
  /** [old spec, new spec] after every sync that changed something. */
  trace: [number, number][] = [];
  readonly #healthy: boolean;

  constructor(d: Deployment, rss: ReplicaSet[], healthy = true) {
    this.d = d;
    this.rss = rss;
    this.#healthy = healthy;
  }

  #apply(step: ScaleStep): void {
    const rs = this.rss.find((r) => r.metadata.name === step.rs.metadata.name)!;
    rs.spec!.replicas = step.replicas;
    // The ReplicaSet controller deletes surplus pods right away.
    rs.status!.replicas = Math.min(rs.status!.replicas, step.replicas);
    rs.status!.availableReplicas = Math.min(rs.status!.availableReplicas ?? 0, step.replicas);
  }

  /** One sync; false if it changed nothing. */
  sync(): boolean {
    const newRS = findNewReplicaSet(this.d, this.rss);
    const old = findOldReplicaSets(this.d, this.rss);
    let changed = false;
    if (!newRS) {
      const rs = newReplicaSetFor(this.d, 'new', 0, maxRevision(old) + 1);
      rs.metadata.uid = 'uid-new';
      rs.metadata.creationTimestamp = iso(T0 + 3600_000);
      rs.spec!.replicas = newReplicaSetReplicas(this.d, [...old, rs], rs);
      rs.status = { replicas: 0 };
      this.rss.push(rs);
      changed = true;
    } else {
      const up = planNewReplicaSetScale(this.d, [...old, newRS], newRS);
      if (up) this.#apply(up);
      else {
        const down = planOldReplicaSetsScaleDown(
          this.d,
          [...old, newRS],
          activeReplicaSets(old),
          newRS,
        );
        for (const step of down) this.#apply(step);
        changed = down.length > 0;
      }
      changed ||= up !== undefined;
    }
    if (changed)
      this.trace.push([specReplicaSum(old), specReplicaSum([findNewReplicaSet(this.d, this.rss)])]);
    this.#checkInvariants();
    return changed;
  }

  /** Syncs until nothing changes. */
  settle(): void {
    for (let i = 0; i < 100 && this.sync(); i++);
  }

  kubelet(): void {
    const newRS = findNewReplicaSet(this.d, this.rss);
    for (const rs of this.rss) {
      rs.status!.replicas = rs.spec!.replicas!;
      if (rs !== newRS || this.#healthy) rs.status!.availableReplicas = rs.spec!.replicas!;
    }
  }

  #checkInvariants(): void {
    const replicas = this.d.spec!.replicas!;
    const total = specReplicaSum(this.rss);
    const available = this.rss.reduce((n, rs) => n + (rs.status!.availableReplicas ?? 0), 0);
    assert.ok(total <= replicas + maxSurge(this.d), `${total} replicas exceed replicas + maxSurge`);
    assert.ok(
      available >= replicas - maxUnavailable(this.d),
      `${available} available pods are fewer than replicas - maxUnavailable`,
    );
  }
}

describe('rolling update', () => {
  it('10 replicas, maxSurge 25%, maxUnavailable 25%, pods ready between rounds', () => {
    const r = new Rollout(deployment(10), [replicaSet('old', 10, { image: 'v1' })]);
    r.settle();
    assert.deepEqual(r.trace, [
      [10, 3], // new ReplicaSet created with maxSurge (3) replicas
      [8, 3], // old scaled down by maxUnavailable (2)
      [8, 5], // new grows into the room left: 13 total
    ]);
    r.kubelet();
    r.settle();
    assert.deepEqual(r.trace.slice(3), [
      [3, 5], // 13 available - 8 minimum = 5 may go
      [3, 10],
    ]);
    r.kubelet();
    r.settle();
    assert.deepEqual(r.trace.slice(5), [[0, 10]]);
    r.kubelet();
    assert.equal(r.sync(), false);
  });

  it('with pods ready at once, the rollout takes five steps', () => {
    const r = new Rollout(deployment(10), [replicaSet('old', 10, { image: 'v1' })]);
    for (let i = 0; i < 10; i++) {
      r.sync();
      r.kubelet();
    }
    assert.deepEqual(r.trace, [
      [10, 3],
      [5, 3],
      [5, 8],
      [0, 8],
      [0, 10],
    ]);
  });

  it('stops at maxSurge and maxUnavailable when new pods never become available', () => {
    // Kubernetes' example: 10 replicas, maxSurge 3, maxUnavailable 2, crashlooping new pods.
    const r = new Rollout(
      deployment(10, rolling(3, 2)),
      [replicaSet('old', 10, { image: 'v1' })],
      false,
    );
    for (let i = 0; i < 5; i++) {
      r.settle();
      r.kubelet();
    }
    assert.deepEqual(r.trace, [
      [10, 3],
      [8, 3],
      [8, 5],
    ]);
  });

  it('scales unhealthy old replicas down first, oldest ReplicaSet first', () => {
    const d = deployment(10, rolling(3, 2));
    const rs1 = replicaSet('rs1', 5, { image: 'v0', createdSec: 0 });
    const rs2 = replicaSet('rs2', 5, { image: 'v1', createdSec: 10, available: 2 });
    const fresh = replicaSet('fresh', 3, { image: 'v2', createdSec: 20, available: 0 });
    const plan = (n: ReplicaSet): [string, number][] =>
      planOldReplicaSetsScaleDown(d, [rs1, rs2, n], [rs1, rs2], n).map((s) => [
        s.rs.metadata.name!,
        s.replicas,
      ]);
    // 13 pods - 8 minimum - 3 unavailable new = 2: only rs2's unhealthy pods go.
    assert.deepEqual(plan(fresh), [['rs2', 3]]);
    // New pods available: 5 may go; rs2's 3 unhealthy, then 2 more from rs1.
    const ready = replicaSet('fresh', 3, { image: 'v2', createdSec: 20, available: 3 });
    assert.deepEqual(plan(ready), [
      ['rs2', 2],
      ['rs1', 3],
    ]);
  });

  it('waits for a stale old status rather than scaling up', () => {
    const d = deployment(10, rolling(3, 2));
    const old = replicaSet('old', 5, { image: 'v1', available: 8 });
    const fresh = replicaSet('fresh', 8, { image: 'v2', createdSec: 20, available: 8 });
    assert.deepEqual(planOldReplicaSetsScaleDown(d, [old, fresh], [old], fresh), []);
  });

  it('scales a new ReplicaSet larger than spec.replicas straight down', () => {
    const d = deployment(3);
    const fresh = replicaSet('fresh', 5, { image: 'v2' });
    assert.deepEqual(planNewReplicaSetScale(d, [fresh], fresh), { rs: fresh, replicas: 3 });
  });
});

describe('Recreate', () => {
  const recreate = deployment(4, { type: 'Recreate' });

  it('brings the new ReplicaSet straight to spec.replicas', () => {
    const fresh = replicaSet('fresh', 0, { image: 'v2' });
    assert.equal(newReplicaSetReplicas(recreate, [fresh], fresh), 4);
  });

  it('waits while old pods run, counting terminating and Unknown ones', () => {
    const old = replicaSet('old', 0, { actual: 0, available: 0 });
    const pod = (phase: PodPhase): Pod => ({
      metadata: { name: 'p' },
      status: { phase },
    });
    const byOwner = (pods: Pod[]): Map<string, Pod[]> => new Map([['uid-old', pods]]);
    assert.equal(oldPodsRunning(undefined, [old], byOwner([])), false);
    assert.equal(oldPodsRunning(undefined, [old], byOwner([pod('Running')])), true);
    assert.equal(oldPodsRunning(undefined, [old], byOwner([pod('Unknown')])), true);
    assert.equal(
      oldPodsRunning(undefined, [old], byOwner([pod('Succeeded'), pod('Failed')])),
      false,
    );
    assert.equal(
      oldPodsRunning(undefined, [replicaSet('old', 0, { actual: 1 })], byOwner([])),
      true,
    );
    const fresh = replicaSet('fresh', 4);
    assert.equal(oldPodsRunning(fresh, [old], new Map([['uid-fresh', [pod('Running')]]])), false);
  });
});

describe('proportional scaling', () => {
  const sizes = (steps: ScaleStep[]): [string, number][] =>
    steps.map((s) => [s.rs.metadata.name!, s.replicas]);
  const annotated = (max: number, desired: number): Record<string, string> => ({
    'deployment.kubernetes.io/max-replicas': String(max),
    'deployment.kubernetes.io/desired-replicas': String(desired),
  });

  it("shares a scale-up mid-rollout by size (Kubernetes' documented 10 -> 15 example)", () => {
    const d = deployment(15, rolling(3, 2));
    const old = replicaSet('old', 8, { image: 'v1', annotations: annotated(13, 10) });
    const fresh = replicaSet('fresh', 5, {
      image: 'v2',
      createdSec: 60,
      annotations: annotated(13, 10),
    });
    assert.equal(isScalingEvent(d, [old, fresh]), true);
    assert.deepEqual(sizes(planScale(d, fresh, [old])), [
      ['old', 11],
      ['fresh', 7],
    ]);
  });

  it('shares a scale-down the same way, older first', () => {
    const d = deployment(5, rolling(3, 2));
    const old = replicaSet('old', 11, { image: 'v1', annotations: annotated(18, 15) });
    const fresh = replicaSet('fresh', 7, {
      image: 'v2',
      createdSec: 60,
      annotations: annotated(18, 15),
    });
    assert.deepEqual(sizes(planScale(d, fresh, [old])), [
      ['old', 5],
      ['fresh', 3],
    ]);
  });

  it('gives the rounding leftover to the first ReplicaSet', () => {
    const d = deployment(11, rolling(0, 1));
    const a = replicaSet('a', 5, { image: 'v1', annotations: annotated(10, 10) });
    const b = replicaSet('b', 5, { image: 'v2', createdSec: 60, annotations: annotated(10, 10) });
    // Each computes round(5 * 11 / 10) - 5 = 1 (capped to the 1 available): equal
    // sizes go newer first when scaling up.
    assert.deepEqual(sizes(planScale(d, b, [a])), [
      ['b', 6],
      ['a', 5],
    ]);
  });

  it('scales the only active ReplicaSet, or the newest, to spec.replicas', () => {
    const d = deployment(7);
    const fresh = replicaSet('fresh', 3, { image: 'v2', createdSec: 60 });
    const idle = replicaSet('idle', 0, { image: 'v1' });
    assert.deepEqual(sizes(planScale(d, fresh, [idle])), [['fresh', 7]]);
    assert.deepEqual(sizes(planScale(d, replicaSet('fresh', 0, { image: 'v2' }), [idle])), [
      ['fresh', 7],
    ]);
    assert.deepEqual(planScale(deployment(3), fresh, [idle]), []);
  });

  it('scales old ReplicaSets to zero once the new one is saturated', () => {
    const d = deployment(10);
    const fresh = replicaSet('fresh', 10, { image: 'v2', annotations: annotated(13, 10) });
    const old = replicaSet('old', 2, { image: 'v1' });
    assert.deepEqual(sizes(planScale(d, fresh, [old])), [['old', 0]]);
  });
});

describe('revisions', () => {
  it('names the new ReplicaSet after the hash and annotates it', () => {
    const d = deployment(4);
    d.metadata.annotations = {
      'kubernetes.io/change-cause': 'kubectl set image',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'deployment.kubernetes.io/revision': '7',
    };
    const rs = newReplicaSetFor(d, '5d4f8c7b9', 2, 3);
    assert.deepEqual(rs.metadata, {
      name: 'web-5d4f8c7b9',
      namespace: 'ns',
      labels: { app: 'web', 'pod-template-hash': '5d4f8c7b9' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'web',
          uid: 'd-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      annotations: {
        'kubernetes.io/change-cause': 'kubectl set image',
        'deployment.kubernetes.io/revision': '3',
        'deployment.kubernetes.io/desired-replicas': '4',
        'deployment.kubernetes.io/max-replicas': '5',
      },
    });
    assert.deepEqual(rs.spec!.selector, {
      matchLabels: { app: 'web', 'pod-template-hash': '5d4f8c7b9' },
    });
    assert.deepEqual(rs.spec!.template!.metadata!.labels, {
      app: 'web',
      'pod-template-hash': '5d4f8c7b9',
    });
    assert.equal(rs.spec!.replicas, 2);
    // The Deployment's template is untouched.
    assert.deepEqual(d.spec!.template.metadata!.labels, { app: 'web' });
  });

  it('gives an old template that comes back the next revision and keeps its history', () => {
    const rs1 = replicaSet('rs1', 0, {
      image: 'v1',
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    });
    const rs2 = replicaSet('rs2', 3, {
      image: 'v2',
      createdSec: 60,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    });
    const rev = (rs: ReplicaSet): [string | undefined, string | undefined] => [
      rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
      rs.metadata.annotations?.['deployment.kubernetes.io/revision-history'],
    ];
    // Undo to v1: rs1 is the new ReplicaSet again, as revision 3.
    let d = deployment(3, undefined, 'v1');
    assert.equal(findNewReplicaSet(d, [rs1, rs2]), rs1);
    assert.equal(
      setNewReplicaSetAnnotations(d, rs1, maxRevision(findOldReplicaSets(d, [rs1, rs2])) + 1, true),
      true,
    );
    assert.deepEqual(rev(rs1), ['3', '1']);
    // Calling again changes nothing.
    assert.equal(setNewReplicaSetAnnotations(d, rs1, maxRevision([rs2]) + 1, true), false);
    // And back to v2 (4), and v1 again (5).
    d = deployment(3, undefined, 'v2');
    setNewReplicaSetAnnotations(d, rs2, maxRevision([rs1]) + 1, true);
    assert.deepEqual(rev(rs2), ['4', '2']);
    d = deployment(3, undefined, 'v1');
    setNewReplicaSetAnnotations(d, rs1, maxRevision([rs2]) + 1, true);
    assert.deepEqual(rev(rs1), ['5', '1,3']);
  });

  it('caps the revision history, dropping the oldest', () => {
    const rs = replicaSet('rs', 1, {
      annotations: {
        'deployment.kubernetes.io/revision': '5',
        'deployment.kubernetes.io/revision-history': '1,3',
      },
    });
    setNewReplicaSetAnnotations(deployment(1), rs, 7, true, 4);
    assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision-history'], '3,5');
  });

  it('ignores unparsable revisions when finding the highest', () => {
    const bad = replicaSet('bad', 0, { annotations: { 'deployment.kubernetes.io/revision': 'x' } });
    const two = replicaSet('two', 0, { annotations: { 'deployment.kubernetes.io/revision': '2' } });
    assert.equal(maxRevision([bad, two, replicaSet('none', 0)]), 2);
    assert.equal(maxRevision([]), 0);
  });
});

describe('history cleanup', () => {
  it('deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit', () => {
    const d = deployment(1);
    d.spec!.revisionHistoryLimit = 2;
    const a = replicaSet('a', 0, { createdSec: 1 });
    const b = replicaSet('b', 0, { createdSec: 2 });
    const lagging = replicaSet('lagging', 0, { createdSec: 3 });
    lagging.metadata.generation = 2;
    const running = replicaSet('running', 1, { createdSec: 4 });
    const e = replicaSet('e', 0, { createdSec: 5 });
    const going = replicaSet('going', 0, { createdSec: 0 });
    going.metadata.deletionTimestamp = iso(T0);
    const names = replicaSetsToCleanUp(d, [e, running, lagging, b, a, going]).map(
      (rs) => rs.metadata.name,
    );
    // 5 alive, limit 2: the oldest 3 are candidates; lagging's controller has not caught up.
    assert.deepEqual(names, ['a', 'b']);
    d.spec!.revisionHistoryLimit = 2147483647;
    assert.deepEqual(replicaSetsToCleanUp(d, [a, b, e]), []);
  });
});

describe('status and conditions', () => {
  const now = T0 + 100_000;
  const newRS = (available: number): ReplicaSet =>
    replicaSet('web-new', 3, { image: 'v2', createdSec: 60, available });

  it('sums the ReplicaSets and sets Available', () => {
    const old = replicaSet('web-old', 1, { image: 'v1', available: 1 });
    const d = deployment(3);
    // 3 replicas at 25%: none may be unavailable (0.75 rounds down).
    const status = calculateStatus([old, newRS(2)], newRS(2), d, now);
    assert.deepEqual(status, {
      observedGeneration: 1,
      replicas: 4,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 1,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: iso(now),
          lastTransitionTime: iso(now),
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
      ],
    });
    const low = calculateStatus([old, newRS(1)], newRS(1), deployment(3), now);
    assert.equal(low.conditions![0].reason, 'MinimumReplicasUnavailable');
    assert.equal(low.conditions![0].message, 'Deployment does not have minimum availability.');
  });

  it('Progressing: progress refreshes lastUpdateTime, completion says so, a stall times out', () => {
    const d = deployment(3);
    const started = iso(T0);
    d.status = {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: started,
          lastTransitionTime: started,
          reason: 'NewReplicaSetCreated',
          message: 'Created new replica set "web-new"',
        },
      ],
    };
    const progressing = rolloutStatus([newRS(1)], newRS(1), d, now);
    const p = progressing.conditions!.find((c) => c.type === 'Progressing')!;
    assert.deepEqual(p, {
      type: 'Progressing',
      status: 'True',
      lastUpdateTime: iso(now),
      lastTransitionTime: started,
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "web-new" is progressing.',
    });

    const done = rolloutStatus([newRS(3)], newRS(3), d, now);
    assert.deepEqual(
      done.conditions!.find((c) => c.type === 'Progressing'),
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: iso(now),
        lastTransitionTime: started,
        reason: 'NewReplicaSetAvailable',
        message: 'ReplicaSet "web-new" has successfully progressed.',
      },
    );

    // No progress: nothing until the deadline, then ProgressDeadlineExceeded.
    assert.deepEqual(rolloutStatus([newRS(0)], newRS(0), d, T0 + 600_000).conditions, [
      d.status.conditions![0],
      {
        type: 'Available',
        status: 'False',
        lastUpdateTime: iso(T0 + 600_000),
        lastTransitionTime: iso(T0 + 600_000),
        reason: 'MinimumReplicasUnavailable',
        message: 'Deployment does not have minimum availability.',
      },
    ]);
    assert.equal(
      progressCheckAfterMs(d, rolloutStatus([newRS(0)], newRS(0), d, now), now),
      501_000,
    );
    const late = T0 + 600_001;
    assert.deepEqual(
      rolloutStatus([newRS(0)], newRS(0), d, late).conditions!.find(
        (c) => c.type === 'Progressing',
      ),
      {
        type: 'Progressing',
        status: 'False',
        lastUpdateTime: iso(late),
        lastTransitionTime: iso(late),
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "web-new" has timed out progressing.',
      },
    );
  });

  it('without a deadline there is no Progressing condition', () => {
    const d = deployment(3);
    d.spec!.progressDeadlineSeconds = 2147483647;
    const status = rolloutStatus([newRS(3)], newRS(3), d, now);
    assert.deepEqual(
      status.conditions!.map((c) => c.type),
      ['Available'],
    );
  });

  it("surfaces the new ReplicaSet's ReplicaFailure", () => {
    const failing = newRS(0);
    failing.status!.conditions = [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: iso(T0),
        reason: 'FailedCreate',
        message: 'pods "web-new-" is forbidden: exceeded quota',
      },
    ];
    const status = rolloutStatus([failing], failing, deployment(3), now);
    assert.deepEqual(
      status.conditions!.find((c) => c.type === 'ReplicaFailure'),
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastUpdateTime: iso(T0),
        lastTransitionTime: iso(T0),
        reason: 'FailedCreate',
        message: 'pods "web-new-" is forbidden: exceeded quota',
      },
    );
  });

  it('pausing and resuming set Progressing to Unknown; a timeout stays', () => {
    const d = deployment(3);
    d.spec!.paused = true;
    const paused = pausedConditionStatus(d, now)!;
    assert.deepEqual(paused.conditions, [
      {
        type: 'Progressing',
        status: 'Unknown',
        lastUpdateTime: iso(now),
        lastTransitionTime: iso(now),
        reason: 'DeploymentPaused',
        message: 'Deployment is paused',
      },
    ]);
    d.status = paused;
    assert.equal(pausedConditionStatus(d, now), undefined);
    d.spec!.paused = false;
    assert.equal(pausedConditionStatus(d, now)!.conditions![0].reason, 'DeploymentResumed');
    d.status = {
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    };
    d.spec!.paused = true;
    assert.equal(pausedConditionStatus(d, now), undefined);
  });

  it('compares statuses with zero and absent counts as equal', () => {
    assert.equal(deploymentStatusEqual({ replicas: 0, conditions: [] }, {}), true);
    assert.equal(deploymentStatusEqual({ collisionCount: 0 }, {}), false);
    assert.equal(deploymentStatusEqual({ replicas: 1 }, {}), false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, DaemonSetUpdateStrategy } from '../../api/types/apps.ts';
import type { Node, Pod, PodPhase, Taint } from '../../api/types/core.ts';
import { labelSelectorFromObject } from '../../api/validation/selectors.ts';
import { Backoff } from './backoff.ts';
import { Expectations } from './expectations.ts';
import {
  computeStatus,
  desiredCounts,
  nextStatus,
  planManage,
  planRollingUpdate,
  scaledValue,
  statusNeedsUpdate,
} from './plan.ts';
import {
  adoptPatch,
  claimDecision,
  groupByNode,
  isPodAvailable,
  newDaemonPod,
  releasePatch,
} from './pods.ts';
import { rfc3339 as iso } from '../time.ts';

const T0 = Date.UTC(2026, 0, 1);

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { metadata: { name, labels }, spec: { taints } };
}

function ds(
  strategy?: DaemonSetUpdateStrategy,
  extra: Partial<NonNullable<DaemonSet['spec']>> = {},
): DaemonSet {
  return {
    metadata: { name: 'd', namespace: 'ns', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
      updateStrategy: strategy ?? {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      },
      ...extra,
    },
  };
}

interface PodOpts {
  hash?: string;
  ready?: boolean;
  readySince?: number;
  created?: number;
  phase?: PodPhase;
  deleting?: boolean;
  bound?: boolean;
}

function pod(name: string, nodeName: string, o: PodOpts = {}): Pod {
  const p = newDaemonPod(ds(), nodeName, o.hash ?? 'new');
  p.metadata.name = name;
  p.metadata.uid = `uid-${name}`;
  p.metadata.creationTimestamp = iso(o.created ?? T0);
  if (o.deleting) p.metadata.deletionTimestamp = iso(T0);
  if (o.bound !== false) p.spec!.nodeName = nodeName;
  p.status = {
    phase: o.phase ?? 'Running',
    conditions: [
      {
        type: 'Ready',
        status: o.ready === false ? 'False' : 'True',
        lastTransitionTime: iso(o.readySince ?? T0),
      },
    ],
  };
  return p;
}

const byNode = (pods: Pod[]) => groupByNode(pods, false);
const names = (ps: { pod: Pod }[]) => ps.map((p) => p.pod.metadata.name);

describe('planManage', () => {
  it('creates a pod on each eligible node without one, and deletes pods where they do not belong', () => {
    const d = ds(undefined, {
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c' }], nodeSelector: { disk: 'ssd' } },
      },
    });
    const nodes = [
      node('c', { disk: 'ssd' }),
      node('a', { disk: 'ssd' }),
      node('b'),
      node('e', { disk: 'ssd' }),
    ];
    const plan = planManage(
      d,
      nodes,
      byNode([pod('pb', 'b'), pod('pe', 'e'), pod('pb2', 'b', { deleting: true })]),
      'new',
      T0,
    );
    assert.deepEqual(plan, {
      create: ['a', 'c'],
      delete: ['pb'],
      failed: [],
      succeeded: [],
    });
  });

  it('keeps the oldest of several pods on a node (bound before unbound)', () => {
    const pods = [
      pod('young', 'a', { created: T0 + 2000 }),
      pod('old', 'a', { created: T0 }),
      pod('unbound', 'a', { created: T0 - 5000, bound: false }),
      pod('same-age-b', 'b', { created: T0 }),
      pod('same-age-a', 'b', { created: T0 }),
    ];
    const plan = planManage(ds(), [node('a'), node('b')], byNode(pods), 'new', T0);
    assert.deepEqual(plan.delete, ['young', 'unbound', 'same-age-b']);
    assert.deepEqual(plan.create, []);
  });

  it('hands failed and succeeded pods back instead of counting them as running', () => {
    const pods = [
      pod('f', 'a', { phase: 'Failed' }),
      pod('s', 'b', { phase: 'Succeeded' }),
      pod('gone', 'c', { phase: 'Failed', deleting: true }),
    ];
    const plan = planManage(ds(), [node('a'), node('b'), node('c')], byNode(pods), 'new', T0);
    assert.deepEqual(names(plan.failed), ['f']);
    assert.deepEqual(plan.failed[0].node, 'a');
    assert.deepEqual(names(plan.succeeded), ['s']);
    // The finished pod being deleted is out of the picture: c needs a new pod.
    assert.deepEqual(plan.create, ['c']);
    assert.deepEqual(plan.delete, []);
  });

  it('keeps pods on nodes with untolerated NoSchedule taints but evicts on NoExecute', () => {
    const nodes = [
      node('a', {}, [{ key: 'k', effect: 'NoSchedule' }]),
      node('b', {}, [{ key: 'k', effect: 'NoExecute' }]),
      node('c', {}, [{ key: 'k', effect: 'NoSchedule' }]),
    ];
    const plan = planManage(ds(), nodes, byNode([pod('pa', 'a'), pod('pb', 'b')]), 'new', T0);
    assert.deepEqual(plan, { create: [], delete: ['pb'], failed: [], succeeded: [] });
  });

  it('deletes never-bound pods pinned to nodes that no longer exist, and leaves bound ones to pod GC', () => {
    const plan = planManage(
      ds(),
      [node('a')],
      byNode([pod('pa', 'a'), pod('ghost', 'x'), pod('pending', 'y', { bound: false })]),
      'new',
      T0,
    );
    assert.deepEqual(plan.delete, ['pending']);
    assert.deepEqual(plan.create, []);
  });

  it('with surge, keeps the oldest old and new pod until the new one is available', () => {
    const d = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const notYet = [
      pod('old', 'a', { hash: 'old' }),
      pod('new', 'a', { hash: 'new', ready: false, created: T0 + 1 }),
      pod('new2', 'a', { hash: 'new', created: T0 + 2 }),
    ];
    assert.deepEqual(planManage(d, [node('a')], byNode(notYet), 'new', T0 + 10).delete, ['new2']);
    const availableNew = [
      pod('old', 'a', { hash: 'old' }),
      pod('new', 'a', { hash: 'new', created: T0 + 1 }),
    ];
    assert.deepEqual(planManage(d, [node('a')], byNode(availableNew), 'new', T0 + 10).delete, [
      'old',
    ]);
    const oldNotReady = [
      pod('old', 'a', { hash: 'old', ready: false }),
      pod('new', 'a', { hash: 'new', ready: false, created: T0 + 1 }),
    ];
    assert.deepEqual(planManage(d, [node('a')], byNode(oldNotReady), 'new', T0 + 10).delete, [
      'old',
    ]);
    // Surging: a node whose only pod is being deleted gets a new one at once.
    assert.deepEqual(
      planManage(d, [node('a')], byNode([pod('old', 'a', { deleting: true })]), 'new', T0).create,
      ['a'],
    );
  });
});

describe('planRollingUpdate', () => {
  const nodes = [node('n1'), node('n2'), node('n3'), node('n4')];

  it('deletes old available pods only while fewer than maxUnavailable nodes are unavailable', () => {
    const allOld = ['n1', 'n2', 'n3', 'n4'].map((n) => pod(`p-${n}`, n, { hash: 'old' }));
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(allOld), 'new', T0), {
      delete: ['p-n1'],
      create: [],
    });
    // n1's old pod is terminating: n1 counts as unavailable, nothing more goes.
    const step = [pod('p-n1', 'n1', { hash: 'old', deleting: true }), ...allOld.slice(1)];
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(step), 'new', T0).delete, []);
    // n1 has a new pod that is not ready yet: still nothing.
    const notReady = [pod('q-n1', 'n1', { ready: false }), ...allOld.slice(1)];
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(notReady), 'new', T0).delete, []);
    // Ready: the next node.
    const ready = [pod('q-n1', 'n1'), ...allOld.slice(1)];
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(ready), 'new', T0).delete, ['p-n2']);
    // An eligible node with no pod at all counts as unavailable.
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(allOld.slice(1)), 'new', T0).delete, []);
  });

  it('replaces unavailable old pods regardless of the budget', () => {
    const pods = [
      pod('a', 'n1', { hash: 'old', ready: false }),
      pod('b', 'n2', { hash: 'old', ready: false }),
      pod('c', 'n3', { hash: 'old' }),
      pod('d', 'n4', { hash: 'old' }),
    ];
    assert.deepEqual(planRollingUpdate(ds(), nodes, byNode(pods), 'new', T0).delete, ['a', 'b']);
  });

  it('scales a percentage of the eligible nodes, rounding up', () => {
    const d = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%', maxSurge: 0 } });
    const pods = ['n1', 'n2', 'n3', 'n4'].map((n) => pod(`p-${n}`, n, { hash: 'old' }));
    assert.deepEqual(desiredCounts(d, nodes), { maxSurge: 0, maxUnavailable: 2, desired: 4 });
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(pods), 'new', T0).delete, ['p-n1', 'p-n2']);
  });

  it('counts minReadySeconds: a ready pod is not available until it has been ready that long', () => {
    const d = ds(undefined, { minReadySeconds: 10 });
    const pods = [
      pod('q-n1', 'n1', { readySince: T0 }),
      ...['n2', 'n3', 'n4'].map((n) => pod(`p-${n}`, n, { hash: 'old', readySince: T0 - 60_000 })),
    ];
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(pods), 'new', T0 + 10_000).delete, []);
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(pods), 'new', T0 + 10_001).delete, [
      'p-n2',
    ]);
    assert.equal(isPodAvailable(pods[0], 10, T0 + 10_000), false);
    assert.equal(isPodAvailable(pods[0], 10, T0 + 10_001), true);
  });

  it('with surge, creates new pods beside available old ones and deletes each old one once replaced', () => {
    const d = ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const allOld = ['n1', 'n2', 'n3', 'n4'].map((n) => pod(`p-${n}`, n, { hash: 'old' }));
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(allOld), 'new', T0), {
      delete: [],
      create: ['n1'],
    });
    const surging = [...allOld, pod('q-n1', 'n1', { ready: false, created: T0 + 1 })];
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(surging), 'new', T0), {
      delete: [],
      create: [],
    });
    const replaced = [...allOld, pod('q-n1', 'n1', { created: T0 + 1 })];
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(replaced), 'new', T0), {
      delete: ['p-n1'],
      create: ['n2'],
    });
    // An unavailable old pod gets its replacement beside it at once.
    const broken = [
      pod('p-n1', 'n1', { hash: 'old', ready: false }),
      ...allOld.slice(1),
      pod('q-n2', 'n2', { ready: false }),
    ];
    assert.deepEqual(planRollingUpdate(d, nodes, byNode(broken), 'new', T0), {
      delete: [],
      create: ['n1'],
    });
  });

  it('has nothing to do for OnDelete beyond the fallback budget', () => {
    const d = ds({ type: 'OnDelete' });
    assert.deepEqual(desiredCounts(d, nodes), { maxSurge: 0, maxUnavailable: 1, desired: 4 });
  });
});

describe('computeStatus', () => {
  it('counts desired, current, misscheduled, ready, updated, available and unavailable nodes', () => {
    const d = ds(undefined, {
      minReadySeconds: 5,
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c' }], nodeSelector: { run: 'yes' } },
      },
    });
    const nodes = [
      node('a', { run: 'yes' }),
      node('b', { run: 'yes' }),
      node('c', { run: 'yes' }),
      node('d', { run: 'yes' }),
      node('x'),
    ];
    const pods = [
      pod('pa', 'a', { readySince: T0 - 60_000 }),
      pod('pb', 'b', { hash: 'old', readySince: T0 - 60_000 }),
      pod('pc', 'c', { readySince: T0 }),
      pod('px', 'x'),
    ];
    assert.deepEqual(computeStatus(d, nodes, byNode(pods), 'new', T0 + 1000), {
      desiredNumberScheduled: 4,
      currentNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 3,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
      numberUnavailable: 2,
    });
  });

  it('writes only on change, and omits the zero fields Kubernetes omits', () => {
    const d = ds();
    const counts = {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 0,
      updatedNumberScheduled: 2,
      numberAvailable: 0,
      numberUnavailable: 2,
    };
    assert.equal(statusNeedsUpdate(d, counts, false), true);
    const status = nextStatus(d.status, counts, 2);
    assert.deepEqual(status, {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 0,
      updatedNumberScheduled: 2,
      numberUnavailable: 2,
      observedGeneration: 2,
    });
    assert.equal('numberAvailable' in status, false);
    const written: DaemonSet = { ...d, status };
    assert.equal(statusNeedsUpdate(written, counts, true), false);
    assert.equal(
      statusNeedsUpdate({ ...written, metadata: { ...d.metadata, generation: 3 } }, counts, true),
      true,
    );
    assert.equal(
      statusNeedsUpdate({ ...written, metadata: { ...d.metadata, generation: 3 } }, counts, false),
      false,
    );
    assert.deepEqual(
      nextStatus({ ...status, collisionCount: 1 }, counts, undefined).collisionCount,
      1,
    );
  });

  it('scales int-or-percent values as Kubernetes does', () => {
    assert.equal(scaledValue(3, 10, true), 3);
    assert.equal(scaledValue('25%', 10, true), 3);
    assert.equal(scaledValue('25%', 10, false), 2);
    assert.equal(scaledValue('0%', 10, true), 0);
    assert.equal(scaledValue(undefined, 10, true), 0);
    assert.throws(() => scaledValue('3', 10, true), /string is not a percentage/);
  });
});

describe('DaemonSet pods', () => {
  it('builds the pod Kubernetes creates for a node', () => {
    const d = ds();
    d.metadata.annotations = { 'deprecated.daemonset.template.generation': '4' };
    d.spec!.template.metadata!.annotations = { note: 'x' };
    d.spec!.template.spec!.hostNetwork = true;
    const p = newDaemonPod(d, 'n1', 'h1');
    assert.deepEqual(p.metadata, {
      generateName: 'd-',
      namespace: 'ns',
      labels: { app: 'd', 'pod-template-generation': '4', 'controller-revision-hash': 'h1' },
      annotations: { note: 'x' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: 'd',
          uid: 'ds-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    assert.deepEqual(p.spec!.affinity, {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          ],
        },
      },
    });
    assert.equal(p.spec!.tolerations!.length, 7);
    assert.equal(d.spec!.template.spec!.tolerations, undefined, 'the template is not touched');
  });

  it('claims by controller reference and selector', () => {
    const d = ds();
    const sel = labelSelectorFromObject(d.spec!.selector);
    const mine = pod('p', 'a');
    assert.equal(claimDecision(d, mine, sel), 'own');
    const orphan: Pod = { ...mine, metadata: { ...mine.metadata, ownerReferences: undefined } };
    assert.equal(claimDecision(d, orphan, sel), 'adopt');
    assert.equal(
      claimDecision(d, { ...orphan, metadata: { ...orphan.metadata, labels: {} } }, sel),
      'ignore',
    );
    assert.equal(
      claimDecision(
        d,
        { ...orphan, metadata: { ...orphan.metadata, deletionTimestamp: iso(T0) } },
        sel,
      ),
      'ignore',
    );
    assert.equal(
      claimDecision(d, { ...mine, metadata: { ...mine.metadata, labels: { app: 'other' } } }, sel),
      'release',
    );
    const deleting = { ...d, metadata: { ...d.metadata, deletionTimestamp: iso(T0) } };
    assert.equal(
      claimDecision(deleting, { ...mine, metadata: { ...mine.metadata, labels: {} } }, sel),
      'ignore',
    );
    assert.equal(claimDecision(deleting, orphan, sel), 'ignore');
    const others = {
      ...mine,
      metadata: {
        ...mine.metadata,
        ownerReferences: [{ ...mine.metadata.ownerReferences![0], uid: 'x' }],
      },
    };
    assert.equal(claimDecision(d, others, sel), 'ignore');
    assert.deepEqual(adoptPatch(d, 'pod-uid'), {
      metadata: { ownerReferences: [mine.metadata.ownerReferences![0]], uid: 'pod-uid' },
    });
    assert.deepEqual(releasePatch(d, 'pod-uid'), {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: 'ds-uid' }], uid: 'pod-uid' },
    });
  });
});

describe('Backoff', () => {
  it('waits 1 s, then doubles up to the maximum, and starts over after a long quiet', () => {
    const b = new Backoff(1000, 4000);
    assert.equal(b.inBackoff('k', 0), false);
    b.next('k', 0);
    assert.equal(b.delay('k'), 1000);
    assert.equal(b.inBackoff('k', 999), true);
    assert.equal(b.inBackoff('k', 1000), false);
    b.next('k', 1000);
    assert.equal(b.delay('k'), 2000);
    b.next('k', 3000);
    b.next('k', 7000);
    assert.equal(b.delay('k'), 4000);
    assert.equal(b.inBackoff('k', 10_999), true);
    // More than twice the maximum since the last step: expired.
    assert.equal(b.inBackoff('k', 7000 + 8001), false);
    b.next('k', 7000 + 8001);
    assert.equal(b.delay('k'), 1000);
    b.gc(7000 + 8001 + 8001);
    assert.equal(b.size, 0);
  });
});

describe('Expectations', () => {
  it('holds until the cache shows every write, or the entry expires', () => {
    const seen = new Set<string>();
    const gone = new Set<string>();
    const e = new Expectations(
      { createObserved: (p) => seen.has(p.name), deleteObserved: (p) => gone.has(p.name) },
      1000,
    );
    assert.equal(e.satisfied('k', 0), true);
    e.expectCreate('k', { namespace: 'ns', name: 'a', resourceVersion: '5' }, 0);
    e.expectDelete('k', { namespace: 'ns', name: 'b', uid: 'u' }, 0);
    assert.equal(e.satisfied('k', 10), false);
    seen.add('a');
    assert.equal(e.satisfied('k', 10), false);
    gone.add('b');
    assert.equal(e.satisfied('k', 10), true);
    e.expectDelete('k', { namespace: 'ns', name: 'c', uid: 'u' }, 20);
    assert.equal(e.satisfied('k', 500), false);
    assert.equal(e.satisfied('k', 1021), true, 'expired');
    e.expectDelete('k', { namespace: 'ns', name: 'c', uid: 'u' }, 2000);
    e.cancelDelete('k', 'c');
    assert.equal(e.satisfied('k', 2000), true);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodPhase } from '../../api/types/core.ts';
import {
  isPodActive,
  isPodAvailable,
  msUntilAvailable,
  podDeletionCost,
  podsToDelete,
} from './pods.ts';
import { rfc3339 as iso } from '../time.ts';

const T0 = Date.UTC(2026, 0, 1);

interface PodOptions {
  node?: string;
  phase?: PodPhase;
  readySince?: number;
  created?: number;
  restarts?: number;
  cost?: string;
  uid?: string;
}

function pod(name: string, o: PodOptions = {}): Pod {
  const p: Pod = {
    metadata: {
      name,
      uid: o.uid ?? `uid-${name}`,
      creationTimestamp: iso(o.created ?? T0),
    },
    spec: { containers: [{ name: 'c' }], nodeName: o.node },
    status: { phase: o.phase ?? 'Running' },
  };
  if (o.cost !== undefined)
    p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': o.cost };
  if (o.readySince !== undefined) {
    p.status!.conditions = [
      { type: 'Ready', status: 'True', lastTransitionTime: iso(o.readySince) },
    ];
  }
  if (o.restarts !== undefined) {
    p.status!.containerStatuses = [
      { name: 'c', restartCount: o.restarts, ready: true, image: 'x', imageID: '' },
    ];
  }
  return p;
}

const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name!);

describe('pod state', () => {
  it('active excludes finished and terminating pods', () => {
    assert.equal(isPodActive(pod('a')), true);
    assert.equal(isPodActive(pod('a', { phase: 'Pending' })), true);
    assert.equal(isPodActive(pod('a', { phase: 'Succeeded' })), false);
    assert.equal(isPodActive(pod('a', { phase: 'Failed' })), false);
    const going = pod('a');
    going.metadata.deletionTimestamp = iso(T0);
    assert.equal(isPodActive(going), false);
  });

  it('available means ready for strictly more than minReadySeconds', () => {
    const p = pod('a', { readySince: T0 });
    assert.equal(isPodAvailable(p, 0, T0), true);
    assert.equal(msUntilAvailable(p, 10, T0), 10_001);
    assert.equal(msUntilAvailable(p, 10, T0 + 10_000), 1);
    assert.equal(isPodAvailable(p, 10, T0 + 10_000), false);
    assert.equal(isPodAvailable(p, 10, T0 + 10_001), true);
    assert.equal(msUntilAvailable(pod('b'), 10, T0), undefined);
    assert.equal(msUntilAvailable(pod('b'), 0, T0), undefined);
  });

  it('reads the deletion cost as an int32, 0 otherwise', () => {
    assert.equal(podDeletionCost(pod('a', { cost: '-5' })), -5);
    assert.equal(podDeletionCost(pod('a', { cost: '2147483647' })), 2147483647);
    assert.equal(podDeletionCost(pod('a', { cost: '2147483648' })), 0);
    assert.equal(podDeletionCost(pod('a', { cost: 'x' })), 0);
    assert.equal(podDeletionCost(pod('a')), 0);
  });
});

describe('podsToDelete', () => {
  const now = T0 + 3600_000;

  it('ranks unscheduled, then pending, then not ready, then the rest', () => {
    const pods = [
      pod('ready', { node: 'n1', readySince: T0 }),
      pod('notready', { node: 'n1' }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('unknown', { node: 'n1', phase: 'Unknown' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    assert.deepEqual(names(podsToDelete(pods, [], 4, now)), [
      'unscheduled',
      'pending',
      'unknown',
      'notready',
    ]);
    // The input order is left alone.
    assert.deepEqual(names(pods), ['ready', 'notready', 'pending', 'unknown', 'unscheduled']);
  });

  it('prefers a lower deletion cost, then pods doubled up on a node', () => {
    const a = pod('a', { node: 'n1', readySince: T0 });
    const b = pod('b', { node: 'n2', readySince: T0 });
    const cheap = pod('cheap', { node: 'n2', readySince: T0, cost: '-1' });
    assert.deepEqual(names(podsToDelete([a, b, cheap], [], 1, now)), ['cheap']);
    // n2 holds two related pods, n1 one: b goes first.
    assert.deepEqual(names(podsToDelete([a, b], [a, b, pod('sibling', { node: 'n2' })], 1, now)), [
      'b',
    ]);
  });

  it('prefers ready for less time (by log2 bucket), then more restarts, then newer', () => {
    const old = pod('old', { node: 'n1', readySince: T0, uid: 'u2' });
    const young = pod('young', { node: 'n1', readySince: now - 60_000, uid: 'u1' });
    assert.deepEqual(names(podsToDelete([old, young], [], 1, now)), ['young']);
    // Ready 1000s vs 1001s ago fall in the same bucket: the uid decides.
    const p1 = pod('p1', { node: 'n1', readySince: now - 1_001_000, uid: 'b' });
    const p2 = pod('p2', { node: 'n1', readySince: now - 1_000_000, uid: 'a' });
    assert.deepEqual(names(podsToDelete([p1, p2], [], 1, now)), ['p2']);
    const crashy = pod('crashy', { node: 'n1', readySince: T0, restarts: 5 });
    const calm = pod('calm', { node: 'n1', readySince: T0, restarts: 0 });
    assert.deepEqual(names(podsToDelete([calm, crashy], [], 1, now)), ['crashy']);
    const older = pod('older', { node: 'n1', created: T0 });
    const newer = pod('newer', { node: 'n1', created: now - 1000 });
    assert.deepEqual(names(podsToDelete([older, newer], [], 1, now)), ['newer']);
  });

  it('returns every pod when asked for as many', () => {
    const pods = [pod('a'), pod('b')];
    assert.deepEqual(names(podsToDelete(pods, [], 5, now)), ['a', 'b']);
  });
});

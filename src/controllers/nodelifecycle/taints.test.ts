import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, NodeCondition, Taint, Toleration } from '../../api/types/core.ts';
import { clone } from '../../util/objects.ts';
import { lifecycleNoExecuteTaint, matchingToleration, reconcileTaints } from './taints.ts';
import { TAINT_NOT_READY as NOT_READY, TAINT_UNREACHABLE as UNREACHABLE } from '../taints.ts';

const NOW = '2026-01-01T00:10:00Z';
const EARLIER = '2026-01-01T00:01:00Z';

function node(
  ready: NodeCondition['status'] | undefined,
  taints?: Taint[],
  extra: NodeCondition[] = [],
  unschedulable = false,
): Node {
  const conditions: NodeCondition[] = ready ? [{ type: 'Ready', status: ready }, ...extra] : extra;
  return {
    metadata: { name: 'n' },
    spec: { ...(taints ? { taints } : {}), ...(unschedulable ? { unschedulable } : {}) },
    status: { conditions },
  };
}

describe('reconcileTaints', () => {
  it('adds both unreachable taints for Ready=Unknown, with timeAdded', () => {
    assert.deepEqual(reconcileTaints(node('Unknown'), NOW), [
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: NOW },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: NOW },
    ]);
  });

  it('adds both not-ready taints for Ready=False', () => {
    assert.deepEqual(reconcileTaints(node('False'), NOW), [
      { key: NOT_READY, effect: 'NoSchedule', timeAdded: NOW },
      { key: NOT_READY, effect: 'NoExecute', timeAdded: NOW },
    ]);
  });

  it('keeps taints that stay exactly as they are (their timeAdded is the eviction clock)', () => {
    const existing: Taint[] = [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: EARLIER },
    ];
    assert.deepEqual(reconcileTaints(node('Unknown', existing), NOW), [
      ...existing,
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: NOW },
    ]);
    const complete = node('Unknown', reconcileTaints(node('Unknown', existing), EARLIER));
    assert.equal(reconcileTaints(complete, NOW), undefined, 'nothing to change');
  });

  it('swaps not-ready for unreachable, and removes both when Ready, leaving other taints alone', () => {
    const other: Taint = { key: 'example.com/x', effect: 'NoExecute', timeAdded: EARLIER };
    const notReady: Taint[] = [
      { key: NOT_READY, effect: 'NoSchedule', timeAdded: EARLIER },
      other,
      { key: NOT_READY, effect: 'NoExecute', timeAdded: EARLIER },
    ];
    const input = node('Unknown', notReady);
    const before = clone(input);
    assert.deepEqual(reconcileTaints(input, NOW), [
      other,
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: NOW },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: NOW },
    ]);
    assert.deepEqual(input, before, 'input not mutated');
    assert.deepEqual(reconcileTaints(node('True', notReady), NOW), [other]);
    assert.deepEqual(
      reconcileTaints(node('True', [{ key: NOT_READY, effect: 'NoExecute' }]), NOW),
      [],
    );
    assert.equal(reconcileTaints(node('True'), NOW), undefined);
    assert.equal(reconcileTaints(node(undefined), NOW), undefined, 'never reported: no taints yet');
  });

  it('derives NoSchedule taints from pressure conditions and unschedulable, as Kubernetes does', () => {
    const pressure: NodeCondition[] = [
      { type: 'MemoryPressure', status: 'True' },
      { type: 'DiskPressure', status: 'False' },
      { type: 'PIDPressure', status: 'True' },
      { type: 'NetworkUnavailable', status: 'True' },
    ];
    assert.deepEqual(
      reconcileTaints(node('True', [], pressure, true), NOW)?.map((t) => `${t.key}:${t.effect}`),
      [
        'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule',
        'node.kubernetes.io/network-unavailable:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ],
    );
    // A pressure taint with another effect is not ours.
    const foreign: Taint = { key: 'node.kubernetes.io/memory-pressure', effect: 'NoExecute' };
    assert.equal(reconcileTaints(node('True', [foreign]), NOW), undefined);
  });
});

describe('lifecycleNoExecuteTaint', () => {
  it('finds the unreachable or not-ready NoExecute taint only', () => {
    const t: Taint = { key: NOT_READY, effect: 'NoExecute', timeAdded: EARLIER };
    assert.equal(
      lifecycleNoExecuteTaint(node('False', [{ key: NOT_READY, effect: 'NoSchedule' }, t])),
      t,
    );
    assert.equal(
      lifecycleNoExecuteTaint(node('False', [{ key: 'x', effect: 'NoExecute' }])),
      undefined,
    );
  });
});

describe('matchingToleration', () => {
  const taint: Taint = { key: UNREACHABLE, effect: 'NoExecute' };

  it('decides by the first matching toleration', () => {
    const forever: Toleration = { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' };
    const brief: Toleration = { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
    assert.equal(
      matchingToleration([{ key: 'other', operator: 'Exists' }, forever, brief], taint),
      forever,
    );
    assert.equal(matchingToleration([brief, forever], taint), brief);
    assert.equal(matchingToleration(undefined, taint), undefined);
  });
});

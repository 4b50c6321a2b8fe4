import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodCondition } from '../../api/types/core.ts';
import { clone } from '../../util/objects.ts';
import { markPodNotReady, withDisruptionTarget } from './pods.ts';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:05:00Z';
const pod = (conditions?: PodCondition[]): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [] },
  status: { phase: 'Running', ...(conditions ? { conditions } : {}) },
});

describe('markPodNotReady', () => {
  it('sets Ready to False with a new transition time, and nothing else', () => {
    const input = pod([
      { type: 'ContainersReady', status: 'True', lastTransitionTime: T1 },
      { type: 'Ready', status: 'True', reason: 'R', lastTransitionTime: T1 },
    ]);
    const before = clone(input);
    const out = markPodNotReady(input, T2)!;
    assert.deepEqual(input, before, 'input not mutated');
    assert.deepEqual(out.status?.conditions, [
      { type: 'ContainersReady', status: 'True', lastTransitionTime: T1 },
      { type: 'Ready', status: 'False', reason: 'R', lastTransitionTime: T2 },
    ]);
  });

  it('leaves pods without Ready, or already not ready', () => {
    assert.equal(markPodNotReady(pod(), T2), undefined);
    assert.equal(markPodNotReady(pod([{ type: 'Ready', status: 'False' }]), T2), undefined);
  });
});

describe('withDisruptionTarget', () => {
  it("adds Kubernetes' taint-manager condition once", () => {
    const out = withDisruptionTarget(pod([{ type: 'Ready', status: 'False' }]), T2)!;
    assert.deepEqual(out.status?.conditions?.[1], {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: T2,
    });
    assert.equal(withDisruptionTarget(out, T2), undefined);
  });

  it('replaces a different DisruptionTarget condition in place', () => {
    const out = withDisruptionTarget(
      pod([{ type: 'DisruptionTarget', status: 'True', reason: 'Other', lastTransitionTime: T1 }]),
      T2,
    )!;
    assert.deepEqual(
      out.status?.conditions?.map((c) => [c.type, c.reason, c.lastTransitionTime]),
      [['DisruptionTarget', 'DeletionByTaintManager', T1]],
    );
  });
});

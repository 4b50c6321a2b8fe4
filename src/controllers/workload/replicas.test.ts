import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ForbiddenError } from '../../util/errors.ts';
import type { Pod } from '../../api/types/core.ts';
import type { ReplicaSet } from '../../api/types/apps.ts';
import { REPLICA_SET_KIND, newControllerRef } from './controller-ref.ts';
import { podFromTemplate, replicaSetStatus, replicaSetStatusEqual } from './replicas.ts';
import { rfc3339 as iso } from '../time.ts';

const T0 = Date.UTC(2026, 0, 1);

function rs(replicas: number, extra: Partial<NonNullable<ReplicaSet['spec']>> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-abc', namespace: 'ns', uid: 'rs-uid', generation: 4 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'fe' }, annotations: { note: 'x' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      ...extra,
    },
  };
}

function pod(name: string, labels: Record<string, string>, readySince?: number): Pod {
  const p: Pod = { metadata: { name, labels }, status: { phase: 'Running' } };
  if (readySince !== undefined) {
    p.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: iso(readySince) }];
  }
  return p;
}

describe('podFromTemplate', () => {
  it('copies labels, annotations and spec, names by generateName, and sets the controller', () => {
    const r = rs(1);
    const p = podFromTemplate(r, newControllerRef(r, REPLICA_SET_KIND));
    assert.deepEqual(p, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'web-abc-',
        namespace: 'ns',
        labels: { app: 'web', tier: 'fe' },
        annotations: { note: 'x' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-abc',
            uid: 'rs-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    // The pod is a copy: changing it leaves the template alone.
    p.spec!.containers[0].image = 'changed';
    p.metadata.labels!.app = 'changed';
    assert.equal(r.spec!.template!.spec!.containers[0].image, 'nginx');
    assert.equal(r.spec!.template!.metadata!.labels!.app, 'web');
  });
});

describe('replicaSetStatus', () => {
  it('counts replicas, fully labeled, ready and available pods', () => {
    const pods = [
      pod('a', { app: 'web', tier: 'fe' }, T0 - 60_000),
      pod('b', { app: 'web', tier: 'fe' }, T0 - 5_000),
      pod('c', { app: 'web' }),
    ];
    const { status, recheckAfterMs } = replicaSetStatus(
      rs(3, { minReadySeconds: 10 }),
      pods,
      undefined,
      T0,
    );
    assert.deepEqual(status, {
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 4,
    });
    // b became ready 5 s ago: available in just over 5 s.
    assert.equal(recheckAfterMs, 5_001);
  });

  it('adds ReplicaFailure on a failed round, keeps it while failing, drops it after success', () => {
    const err = new ForbiddenError('pods "web-abc-" is forbidden: exceeded quota: q');
    const first = replicaSetStatus(rs(3), [], err, T0).status;
    assert.deepEqual(first.conditions, [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: iso(T0),
        reason: 'FailedCreate',
        message: 'pods "web-abc-" is forbidden: exceeded quota: q',
      },
    ]);
    const failing = { ...rs(3), status: first };
    const again = replicaSetStatus(failing, [], new Error('other'), T0 + 60_000).status;
    assert.deepEqual(again.conditions, first.conditions);
    assert.equal(replicaSetStatus(failing, [], undefined, T0).status.conditions, undefined);
    const tooMany = replicaSetStatus(rs(0), [pod('a', { app: 'web' })], err, T0).status;
    assert.equal(tooMany.conditions?.[0].reason, 'FailedDelete');
  });

  it('treats zero and absent counts as equal', () => {
    assert.equal(replicaSetStatusEqual({ replicas: 0, readyReplicas: 0 }, { replicas: 0 }), true);
    assert.equal(replicaSetStatusEqual(undefined, { replicas: 0 }), true);
    assert.equal(
      replicaSetStatusEqual({ replicas: 1 }, { replicas: 1, observedGeneration: 2 }),
      false,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod, Taint, Toleration } from '../../api/types/core.ts';
import { isInvalid } from '../../util/errors.ts';
import {
  EVICTION_ANNOTATION,
  evictionsPaused,
  evictionTime,
  TokenBucket,
  untoleratedEvictionAfter,
} from './eviction.ts';

const annotated = (value?: string): Node => ({
  metadata: {
    name: 'n',
    ...(value === undefined ? {} : { annotations: { [EVICTION_ANNOTATION]: value } }),
  },
});

describe('untoleratedEvictionAfter', () => {
  it('reads a duration, and never for never or nothing', () => {
    assert.equal(untoleratedEvictionAfter(annotated()), undefined);
    assert.equal(untoleratedEvictionAfter(annotated('never')), undefined);
    assert.equal(untoleratedEvictionAfter(annotated('')), undefined);
    assert.equal(untoleratedEvictionAfter(annotated('5m')), 300_000);
    assert.equal(untoleratedEvictionAfter(annotated(' 1h30m ')), 5_400_000);
    assert.equal(untoleratedEvictionAfter(annotated('0s')), 0);
  });

  it('refuses anything else', () => {
    assert.throws(
      () => untoleratedEvictionAfter(annotated('soon')),
      (err) => isInvalid(err),
    );
    assert.throws(
      () => untoleratedEvictionAfter(annotated('5')),
      (err) => isInvalid(err),
    );
  });
});

describe('evictionTime', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const pod = (tolerations?: Toleration[]): Pod => ({
    metadata: { name: 'p' },
    spec: { containers: [], ...(tolerations ? { tolerations } : {}) },
  });
  const since = 1_000_000;

  it('counts tolerationSeconds from the taint', () => {
    assert.equal(
      evictionTime(
        pod([{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]),
        taint,
        since,
        undefined,
      ),
      since + 60_000,
    );
    assert.equal(
      evictionTime(pod([{ operator: 'Exists', tolerationSeconds: 0 }]), taint, since, undefined),
      since,
    );
    assert.equal(
      evictionTime(pod([{ operator: 'Exists', tolerationSeconds: -5 }]), taint, since, undefined),
      since,
    );
  });

  it('keeps a pod tolerating forever, whatever the node says', () => {
    assert.equal(
      evictionTime(pod([{ key: taint.key, operator: 'Exists' }]), taint, since, 0),
      undefined,
    );
  });

  it('keeps a pod without a matching toleration unless the node opted in', () => {
    assert.equal(evictionTime(pod(), taint, since, undefined), undefined);
    assert.equal(
      evictionTime(
        pod([{ key: 'other', operator: 'Exists', tolerationSeconds: 1 }]),
        taint,
        since,
        undefined,
      ),
      undefined,
    );
    assert.equal(evictionTime(pod(), taint, since, 120_000), since + 120_000);
  });
});

describe('evictionsPaused', () => {
  const nodes = (unhealthy: number, healthy: number): Node[] => [
    ...Array.from({ length: unhealthy }, (_, i): Node => ({
      metadata: { name: `u${i}` },
      status: { conditions: [{ type: 'Ready', status: i % 2 ? 'False' : 'Unknown' }] },
    })),
    ...Array.from({ length: healthy }, (_, i): Node => ({
      metadata: { name: `h${i}` },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    })),
  ];
  it('pauses only with more than two unhealthy nodes making up the threshold', () => {
    assert.equal(evictionsPaused(nodes(1, 0), 0.55), false, 'one node alone');
    assert.equal(evictionsPaused(nodes(2, 0), 0.55), false);
    assert.equal(evictionsPaused(nodes(3, 0), 0.55), true);
    assert.equal(evictionsPaused(nodes(3, 3), 0.55), false, '50%');
    assert.equal(evictionsPaused(nodes(3, 2), 0.55), true, '60%');
    assert.equal(
      evictionsPaused([...nodes(2, 1), { metadata: { name: 'new' } }], 0.55),
      true,
      'no Ready counts as unhealthy',
    );
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the rate', () => {
    const b = new TokenBucket(2, 3, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0)], [0, 0, 0]);
    assert.equal(b.take(0), 500);
    assert.equal(b.take(250), 250);
    assert.equal(b.take(500), 0);
    assert.equal(b.take(10_000), 0, 'refilled');
    assert.equal(b.take(10_000), 0);
    assert.equal(b.take(10_000), 0);
    assert.equal(b.take(10_000), 500, 'never more than the burst');
  });

  it('waits forever at rate zero once the burst is spent', () => {
    const b = new TokenBucket(0, 1, 0);
    assert.equal(b.take(0), 0);
    assert.equal(b.take(1_000_000), Infinity);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Taint, Toleration } from '../api/types/core.ts';
import {
  firstUntoleratedTaint,
  TAINT_NOT_READY as NOT_READY,
  TAINT_UNREACHABLE as UNREACHABLE,
  toleratesTaint,
  tolerated,
} from './taints.ts';

describe('toleratesTaint', () => {
  const taint: Taint = { key: UNREACHABLE, effect: 'NoExecute' };
  const cases: [Toleration, boolean][] = [
    [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }, true],
    [{ key: UNREACHABLE, operator: 'Exists' }, true],
    [{ key: UNREACHABLE, effect: 'NoExecute' }, true], // Equal with empty values
    [{ key: UNREACHABLE, value: 'x', effect: 'NoExecute' }, false],
    [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoSchedule' }, false],
    [{ operator: 'Exists' }, true],
    [{ key: NOT_READY, operator: 'Exists' }, false],
  ];
  for (const [toleration, want] of cases) {
    it(`${JSON.stringify(toleration)} -> ${want}`, () => {
      assert.equal(toleratesTaint(toleration, taint), want);
    });
  }

  it('matches by key, operator, value and effect', () => {
    const t: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.equal(toleratesTaint({ operator: 'Exists' }, t), true);
    assert.equal(toleratesTaint({ key: 'k', operator: 'Exists' }, t), true);
    assert.equal(toleratesTaint({ key: 'k' }, t), false);
    assert.equal(toleratesTaint({ key: 'k', value: 'v' }, t), true);
    assert.equal(toleratesTaint({ key: 'k', value: 'v', effect: 'NoExecute' }, t), false);
    assert.equal(toleratesTaint({ key: 'other', operator: 'Exists' }, t), false);
    assert.equal(toleratesTaint({ key: 'k' }, { key: 'k', effect: 'NoSchedule' }), true);
  });

  it('reads an empty operator as Equal, as Kubernetes does', () => {
    const t: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
    assert.equal(toleratesTaint({ key: 'k', operator: '' as 'Equal', value: 'v' }, t), true);
    assert.equal(toleratesTaint({ key: 'k', operator: '' as 'Equal', value: 'w' }, t), false);
  });

  it('refuses an unknown operator', () => {
    const t: Taint = { key: 'k', effect: 'NoSchedule' };
    assert.equal(toleratesTaint({ key: 'k', operator: 'Bogus' as 'Equal' }, t), false);
  });
});

describe('firstUntoleratedTaint', () => {
  const taints: Taint[] = [
    { key: 'soft', effect: 'PreferNoSchedule' },
    { key: 'a', effect: 'NoSchedule' },
    { key: 'b', effect: 'NoExecute' },
  ];

  it('returns the first taint with one of the effects that nothing tolerates', () => {
    assert.equal(firstUntoleratedTaint(taints, [], ['NoSchedule', 'NoExecute']), taints[1]);
    assert.equal(firstUntoleratedTaint(taints, undefined, ['NoExecute']), taints[2]);
    assert.equal(
      firstUntoleratedTaint(
        taints,
        [{ key: 'a', operator: 'Exists' }],
        ['NoSchedule', 'NoExecute'],
      ),
      taints[2],
    );
  });

  it('is undefined when every taint with those effects is tolerated', () => {
    assert.equal(
      firstUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], ['NoSchedule']),
      undefined,
    );
    assert.equal(firstUntoleratedTaint(undefined, undefined, ['NoSchedule']), undefined);
  });

  it('tolerated: any toleration will do', () => {
    assert.equal(
      tolerated(
        [
          { key: 'x', operator: 'Exists' },
          { key: 'a', operator: 'Exists' },
        ],
        taints[1]!,
      ),
      true,
    );
    assert.equal(tolerated(undefined, taints[1]!), false);
  });
});

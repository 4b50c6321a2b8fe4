import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, InvalidError, NotFoundError } from '../../util/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import {
  REPLICA_SET_KIND,
  adoptPatch,
  claimDecision,
  claimObjects,
  newControllerRef,
  refersToKind,
  releasePatch,
} from './controller-ref.ts';

const owner: KubeObject = { metadata: { name: 'rs', namespace: 'ns', uid: 'owner-uid' } };
const ref = (uid: string): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: 'x',
  uid,
  controller: true,
});

function obj(name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...extra } };
}

describe('claimDecision', () => {
  const deleting: KubeObject = {
    metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
  };
  const cases: [string, KubeObject, KubeObject, boolean, string][] = [
    ['owned and selected', owner, obj('a', { ownerReferences: [ref('owner-uid')] }), true, 'owned'],
    [
      'owned, no longer selected',
      owner,
      obj('a', { ownerReferences: [ref('owner-uid')] }),
      false,
      'release',
    ],
    [
      'owned, unselected, owner going',
      deleting,
      obj('a', { ownerReferences: [ref('owner-uid')] }),
      false,
      'ignore',
    ],
    [
      'owned, selected, owner going',
      deleting,
      obj('a', { ownerReferences: [ref('owner-uid')] }),
      true,
      'owned',
    ],
    ['another controller', owner, obj('a', { ownerReferences: [ref('other')] }), true, 'ignore'],
    ['orphan, selected', owner, obj('a'), true, 'adopt'],
    [
      'orphan with a non-controller owner',
      owner,
      obj('a', { ownerReferences: [{ ...ref('x'), controller: false }] }),
      true,
      'adopt',
    ],
    ['orphan, not selected', owner, obj('a'), false, 'ignore'],
    [
      'orphan being deleted',
      owner,
      obj('a', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
      true,
      'ignore',
    ],
    ['orphan, owner going', deleting, obj('a'), true, 'ignore'],
    ['orphan in another namespace', owner, obj('a', { namespace: 'other' }), true, 'ignore'],
  ];
  for (const [name, o, candidate, matches, want] of cases) {
    it(name, () => assert.equal(claimDecision(o, candidate, matches), want));
  }
});

describe('controller references', () => {
  it('marks the owner as controller and blocks its deletion', () => {
    assert.deepEqual(newControllerRef(owner, REPLICA_SET_KIND), {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'rs',
      uid: 'owner-uid',
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it('matches a kind in any version of its group', () => {
    assert.equal(refersToKind({ ...ref('u'), apiVersion: 'apps/v1beta2' }, REPLICA_SET_KIND), true);
    assert.equal(
      refersToKind({ ...ref('u'), apiVersion: 'extensions/v1beta1' }, REPLICA_SET_KIND),
      false,
    );
    assert.equal(refersToKind({ ...ref('u'), kind: 'Deployment' }, REPLICA_SET_KIND), false);
  });

  it('patches carry the object uid as a precondition', () => {
    assert.deepEqual(adoptPatch(ref('o'), 'p'), {
      metadata: { ownerReferences: [ref('o')], uid: 'p' },
    });
    assert.deepEqual(releasePatch('o', 'p'), {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: 'o' }], uid: 'p' },
    });
  });
});

describe('claimObjects', () => {
  it('adopts, releases, keeps, and rechecks the owner once before adopting', async () => {
    const patched: [string, unknown][] = [];
    let rechecks = 0;
    const claimed = await claimObjects({
      owner,
      candidates: [
        obj('mine', { ownerReferences: [ref('owner-uid')], labels: { app: 'a' } }),
        obj('stray', { ownerReferences: [ref('owner-uid')], labels: { app: 'b' } }),
        obj('orphan1', { labels: { app: 'a' } }),
        obj('orphan2', { labels: { app: 'a' } }),
        obj('theirs', { ownerReferences: [ref('other')], labels: { app: 'a' } }),
      ],
      matches: (o) => o.metadata.labels?.app === 'a',
      canAdopt: async () => void rechecks++,
      patch: async (o, body) => {
        patched.push([o.metadata.name!, body]);
        return { ...o, metadata: { ...o.metadata, ownerReferences: [ref('owner-uid')] } };
      },
      kind: REPLICA_SET_KIND,
    });
    assert.deepEqual(
      claimed.map((o) => o.metadata.name),
      ['mine', 'orphan1', 'orphan2'],
    );
    assert.deepEqual(
      patched.map(([n]) => n),
      ['stray', 'orphan1', 'orphan2'],
    );
    assert.deepEqual(patched[0][1], releasePatch('owner-uid', 'uid-stray'));
    assert.deepEqual(
      patched[1][1],
      adoptPatch(newControllerRef(owner, REPLICA_SET_KIND), 'uid-orphan1'),
    );
    assert.equal(rechecks, 1);
  });

  it('skips objects that vanished, and releases already undone; other errors fail after the rest', async () => {
    const tried: string[] = [];
    await assert.rejects(
      claimObjects({
        owner,
        candidates: [
          obj('gone'),
          obj('conflict'),
          obj('ok'),
          obj('released', { ownerReferences: [ref('owner-uid')] }),
        ],
        matches: (o) => o.metadata.name !== 'released',
        canAdopt: async () => {},
        patch: async (o) => {
          tried.push(o.metadata.name!);
          if (o.metadata.name === 'gone') throw new NotFoundError('gone');
          if (o.metadata.name === 'conflict') throw new ConflictError('someone else adopted it');
          if (o.metadata.name === 'released') throw new InvalidError('uid mismatch');
          return o;
        },
        kind: REPLICA_SET_KIND,
      }),
      /someone else adopted it/,
    );
    assert.deepEqual(tried, ['gone', 'conflict', 'ok', 'released']);
  });

  it('adopts nothing when the owner recheck fails', async () => {
    await assert.rejects(
      claimObjects({
        owner,
        candidates: [obj('orphan')],
        matches: () => true,
        canAdopt: async () => {
          throw new ConflictError('ns/rs has just been deleted');
        },
        patch: async () => assert.fail('must not patch'),
        kind: REPLICA_SET_KIND,
      }),
      /has just been deleted/,
    );
  });
});

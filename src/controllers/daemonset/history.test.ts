import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, DaemonSet } from '../../api/types/apps.ts';
import {
  canonicalJson,
  fnv1a32,
  newRevision,
  revisionMatches,
  revisionsToPrune,
  revisionToKeep,
  safeEncode,
  splitHistory,
  templateHash,
  templatePatch,
} from './history.ts';

function ds(image: string, annotations?: Record<string, string>): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'ns', uid: 'ds-uid', annotations },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'c', image }], restartPolicy: 'Always' },
      },
    },
  };
}

function rev(
  name: string,
  revision: number,
  data: unknown,
  hash = name.split('-').pop()!,
): ControllerRevision {
  return {
    metadata: { name, namespace: 'ns', labels: { 'controller-revision-hash': hash } },
    data: data as Record<string, unknown>,
    revision,
  };
}

describe('DaemonSet history', () => {
  it("safe-encodes with Kubernetes' alphabet", () => {
    assert.equal(safeEncode('0123456789'), '456789bcdf');
    assert.equal(safeEncode(''), '');
  });

  it('hashes with FNV-1a 32', () => {
    // Reference values of the FNV-1a 32-bit function.
    assert.equal(fnv1a32(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv1a32(new TextEncoder().encode('a')), 0xe40c292c);
    assert.equal(fnv1a32(new TextEncoder().encode('foobar')), 0xbf9cf968);
  });

  it('hashes a template independently of key order, and differently per template and collision count', () => {
    const a = ds('v1').spec!.template;
    const reordered = {
      spec: { restartPolicy: 'Always' as const, containers: [{ image: 'v1', name: 'c' }] },
      metadata: { labels: { app: 'agent' } },
    };
    assert.equal(templateHash(a), templateHash(reordered));
    assert.match(templateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(templateHash(a), templateHash(ds('v2').spec!.template));
    assert.notEqual(templateHash(a), templateHash(a, 0));
    assert.notEqual(templateHash(a, 0), templateHash(a, 1));
    assert.equal(templateHash(a, 1), templateHash(reordered, 1));
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('stores the template as a strategic merge patch that replaces spec.template, keys sorted', () => {
    const d = ds('v1');
    const patch = templatePatch(d);
    assert.equal(
      JSON.stringify(patch),
      '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"image":"v1","name":"c"}],"restartPolicy":"Always"}}}}',
    );
    assert.equal(d.spec!.template.metadata!.labels!.app, 'agent');
    assert.equal('$patch' in d.spec!.template, false, 'the DaemonSet is not touched');
  });

  it('builds a revision named <ds>-<hash>, labelled, owned, carrying the annotations', () => {
    const d = ds('v1', { 'kubernetes.io/change-cause': 'image v1' });
    const r = newRevision(d, 'abc', 3);
    assert.deepEqual(r, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: 'agent-abc',
        namespace: 'ns',
        labels: { app: 'agent', 'controller-revision-hash': 'abc' },
        annotations: { 'kubernetes.io/change-cause': 'image v1' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'agent',
            uid: 'ds-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      data: templatePatch(d),
      revision: 3,
    });
    assert.equal(revisionMatches(d, r), true);
    assert.equal(revisionMatches(ds('v2'), r), false);
  });

  it('splits history into current and old, and numbers the current one above every old one', () => {
    const v1 = rev('agent-a', 1, templatePatch(ds('v1')));
    const v2 = rev('agent-b', 2, templatePatch(ds('v2')));
    const back = splitHistory(ds('v1'), [v1, v2]);
    assert.deepEqual(back.current, [v1]);
    assert.deepEqual(back.old, [v2]);
    assert.equal(back.nextRevision, 3);
    const fresh = splitHistory(ds('v3'), [v1, v2]);
    assert.deepEqual(fresh.current, []);
    assert.equal(fresh.nextRevision, 3);
    assert.equal(splitHistory(ds('v1'), []).nextRevision, 1);
    assert.equal(
      revisionToKeep([rev('x-1', 4, {}), rev('x-2', 7, {}), rev('x-3', 5, {})]).metadata.name,
      'x-2',
    );
  });

  it('prunes the oldest revisions beyond the limit, sparing those live pods still use', () => {
    const old = [
      rev('d-e', 5, {}),
      rev('d-a', 1, {}),
      rev('d-c', 3, {}),
      rev('d-b', 2, {}),
      rev('d-d', 4, {}),
    ];
    const names = (rs: ControllerRevision[]) => rs.map((r) => r.metadata.name);
    assert.deepEqual(names(revisionsToPrune(old, 2, new Set())), ['d-a', 'd-b', 'd-c']);
    assert.deepEqual(names(revisionsToPrune(old, 2, new Set(['a', 'c']))), ['d-b', 'd-d', 'd-e']);
    assert.deepEqual(names(revisionsToPrune(old, 5, new Set())), []);
    assert.deepEqual(names(revisionsToPrune(old, 0, new Set(['a', 'b', 'c', 'd', 'e']))), []);
  });
});

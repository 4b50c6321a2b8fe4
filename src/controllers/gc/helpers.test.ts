import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServedResource } from '../../api/client.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import {
  mergeNamespaceConditions,
  namespaceDeletionConditions,
  podTerminationEstimate,
  remainingContentDelayMs,
  withoutNamespaceFinalizer,
} from './namespace-deletion.ts';
import {
  deletionPolicyFor,
  deletionStartsWith,
  referencesDiff,
  unblockReferences,
  unblockedOwnerUids,
  withoutOwners,
} from './owner-refs.ts';
import { KindResolver, gcMonitoredResources, namespacedDeletableResources } from './resources.ts';

const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function served(
  group: string,
  version: string,
  resource: string,
  kind: string,
  options: Partial<ServedResource> = {},
): ServedResource {
  return {
    group,
    version,
    resource,
    kind,
    namespaced: true,
    verbs: ALL,
    preferred: true,
    ...options,
  };
}

const ref = (uid: string, block?: boolean): OwnerReference => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: uid,
  uid,
  ...(block === undefined ? {} : { blockOwnerDeletion: block }),
});

describe('owner reference helpers', () => {
  it('referencesDiff matches by uid', () => {
    const d = referencesDiff([ref('a', true), ref('b')], [ref('a', false), ref('c')]);
    assert.deepEqual(
      d.added.map((r) => r.uid),
      ['c'],
    );
    assert.deepEqual(
      d.removed.map((r) => r.uid),
      ['b'],
    );
    assert.deepEqual(
      d.changed.map((c) => c.now.uid),
      ['a'],
    );
    assert.deepEqual(unblockedOwnerUids(d), ['a']);
    assert.deepEqual(unblockedOwnerUids(referencesDiff([ref('x', true)], [])), ['x']);
    assert.deepEqual(unblockedOwnerUids(referencesDiff([ref('x')], [])), []);
  });

  it('withoutOwners and unblockReferences return new lists', () => {
    const refs = [ref('a', true), ref('b')];
    assert.deepEqual(withoutOwners(refs, new Set(['a'])), [ref('b')]);
    assert.deepEqual(unblockReferences(refs), [ref('a', false), ref('b')]);
    assert.deepEqual(refs, [ref('a', true), ref('b')]);
  });

  it('deletionPolicyFor honours a finalizer already there', () => {
    const o = (finalizers?: string[]): KubeObject => ({ metadata: { finalizers } });
    assert.equal(deletionPolicyFor(o(['orphan'])), 'Orphan');
    assert.equal(deletionPolicyFor(o(['foregroundDeletion'])), 'Foreground');
    assert.equal(deletionPolicyFor(o()), 'Background');
  });

  it('deletionStartsWith is a transition', () => {
    const alive: KubeObject = { metadata: {} };
    const deleting: KubeObject = {
      metadata: { deletionTimestamp: 't', finalizers: ['orphan'] },
    };
    assert.equal(deletionStartsWith(undefined, deleting, 'orphan'), true);
    assert.equal(deletionStartsWith(alive, deleting, 'orphan'), true);
    assert.equal(deletionStartsWith(deleting, deleting, 'orphan'), false);
    assert.equal(deletionStartsWith(alive, deleting, 'foregroundDeletion'), false);
  });
});

describe('resource selection', () => {
  const resources = [
    served('apps', 'v1', 'replicasets', 'ReplicaSet'),
    served('', 'v1', 'events', 'Event'),
    served('events.k8s.io', 'v1', 'events', 'Event'),
    served('', 'v1', 'bindings', 'Binding', { verbs: ['create'] }),
    served('', 'v1', 'namespaces', 'Namespace', { namespaced: false }),
    served('example.com', 'v1beta1', 'gadgets', 'Gadget', { preferred: false }),
    served('example.com', 'v1', 'gadgets', 'Gadget', { preferred: true }),
    served('example.com', 'v2alpha1', 'gadgets', 'Gadget', { preferred: false }),
    served('example.com', 'v1alpha1', 'olds', 'Old', { preferred: false }),
    served('example.com', 'v1beta1', 'olds', 'Old', { preferred: false }),
  ];

  it('the collector watches deletable, listable, watchable resources, one version each, no events', () => {
    const m = gcMonitoredResources(resources);
    assert.deepEqual([...m.values()].map((r) => `${r.group}/${r.version}/${r.resource}`).sort(), [
      '/v1/namespaces',
      'apps/v1/replicasets',
      'example.com/v1/gadgets',
      'example.com/v1beta1/olds',
    ]);
  });

  it('the namespace controller empties every namespaced deletable resource', () => {
    assert.deepEqual(
      namespacedDeletableResources(resources).map((r) => `${r.group}/${r.version}/${r.resource}`),
      [
        '/v1/events',
        'apps/v1/replicasets',
        'events.k8s.io/v1/events',
        'example.com/v1/gadgets',
        'example.com/v1beta1/olds',
      ],
    );
  });

  it('KindResolver needs the exact version to be served', () => {
    const r = new KindResolver(resources);
    assert.equal(r.resolve('example.com/v1beta1', 'Gadget')?.version, 'v1beta1');
    assert.equal(r.resolve('example.com/v3', 'Gadget'), undefined);
    assert.equal(r.resolve('v1', 'Namespace')?.resource, 'namespaces');
    assert.equal(r.resolve('apps/v1', 'Deployment'), undefined);
  });
});

describe('namespace deletion helpers', () => {
  it('all is well: every condition False with its reason', () => {
    const c = namespaceDeletionConditions({
      contentErrors: [],
      remainingByResource: new Map(),
      remainingByFinalizer: new Map(),
    });
    assert.deepEqual(
      c.map((x) => `${x.type}=${x.status}/${x.reason}`),
      [
        'NamespaceDeletionDiscoveryFailure=False/ResourcesDiscovered',
        'NamespaceDeletionGroupVersionParsingFailure=False/ParsedGroupVersions',
        'NamespaceDeletionContentFailure=False/ContentDeleted',
        'NamespaceContentRemaining=False/ContentRemoved',
        'NamespaceFinalizersRemaining=False/ContentHasNoFinalizers',
      ],
    );
  });

  it('failures, sorted for stable messages', () => {
    const c = namespaceDeletionConditions({
      discoveryError: 'discovery down',
      contentErrors: ['zeta failed', 'alpha failed'],
      remainingByResource: new Map([
        ['widgets.example.com', 2],
        ['pods.', 1],
        ['none.', 0],
      ]),
      remainingByFinalizer: new Map([
        ['z.io/f', 1],
        ['a.io/f', 3],
      ]),
    });
    assert.deepEqual(
      c.filter((x) => x.status === 'True').map((x) => `${x.reason}: ${x.message}`),
      [
        'DiscoveryFailed: discovery down',
        'ContentDeletionFailed: Failed to delete all resource types, 2 remaining: alpha failed, zeta failed',
        'SomeResourcesRemain: Some resources are remaining: pods. has 1 resource instances, widgets.example.com has 2 resource instances',
        'SomeFinalizersRemain: Some content in the namespace has finalizers remaining: a.io/f in 3 resource instances, z.io/f in 1 resource instances',
      ],
    );
  });

  it('mergeNamespaceConditions moves lastTransitionTime only on a status change', () => {
    const existing = [
      { type: 'A', status: 'True' as const, reason: 'r', message: 'm', lastTransitionTime: 't0' },
      { type: 'Other', status: 'True' as const, lastTransitionTime: 't0' },
    ];
    const same = mergeNamespaceConditions(
      existing,
      [{ type: 'A', status: 'True', reason: 'r', message: 'm' }],
      't1',
    );
    assert.equal(same.changed, false);
    const reworded = mergeNamespaceConditions(
      existing,
      [{ type: 'A', status: 'True', reason: 'r', message: 'm2' }],
      't1',
    );
    assert.equal(reworded.changed, true);
    assert.equal(reworded.conditions[0].lastTransitionTime, 't0');
    const flipped = mergeNamespaceConditions(
      existing,
      [
        { type: 'A', status: 'False', reason: 'ok', message: 'fine' },
        { type: 'B', status: 'False' },
      ],
      't1',
    );
    assert.deepEqual(flipped.conditions, [
      { type: 'A', status: 'False', reason: 'ok', message: 'fine', lastTransitionTime: 't1' },
      { type: 'Other', status: 'True', lastTransitionTime: 't0' },
      { type: 'B', status: 'False', lastTransitionTime: 't1' },
    ]);
    assert.equal(existing[0].status, 'True', 'input untouched');
  });

  it('podTerminationEstimate: the longest grace of live pods, until it has passed', () => {
    const pods = [
      {
        metadata: {},
        spec: { containers: [], terminationGracePeriodSeconds: 30 },
        status: { phase: 'Running' as const },
      },
      {
        metadata: {},
        spec: { containers: [], terminationGracePeriodSeconds: 90 },
        status: { phase: 'Succeeded' as const },
      },
    ];
    const deleted = '2026-01-01T00:00:00Z';
    assert.equal(podTerminationEstimate(pods, deleted, Date.parse(deleted) + 10_000), 30);
    assert.equal(podTerminationEstimate(pods, deleted, Date.parse(deleted) + 30_000), 0);
    assert.equal(remainingContentDelayMs(30), 16_000);
    assert.equal(remainingContentDelayMs(15), 8_000);
  });

  it('withoutNamespaceFinalizer keeps the others, sorted, without touching the input', () => {
    const ns = {
      metadata: { name: 'x' },
      spec: { finalizers: ['z.io/f', 'kubernetes', 'a.io/f'] },
    };
    assert.deepEqual(withoutNamespaceFinalizer(ns).spec?.finalizers, ['a.io/f', 'z.io/f']);
    assert.deepEqual(ns.spec.finalizers, ['z.io/f', 'kubernetes', 'a.io/f']);
  });
});

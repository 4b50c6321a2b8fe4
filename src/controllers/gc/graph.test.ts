import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import { AbsentOwnerCache, DependencyGraph } from './graph.ts';

const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

function obj(
  uid: string,
  options: {
    namespace?: string;
    owners?: OwnerReference[];
    deleting?: boolean;
    finalizers?: string[];
  } = {},
): KubeObject {
  return {
    metadata: {
      name: uid,
      uid,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : { namespace: 'ns' }),
      ...(options.owners ? { ownerReferences: options.owners } : {}),
      ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      ...(options.finalizers ? { finalizers: options.finalizers } : {}),
    },
  };
}

function rsRef(uid: string, block = false): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, blockOwnerDeletion: block };
}

describe('DependencyGraph', () => {
  it('indexes dependents by owner uid, whichever is seen first', () => {
    const g = new DependencyGraph();
    // Dependent first: the owner is unknown, so the dependent is to be checked.
    assert.deepEqual(
      g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs')] }), undefined).attemptToDelete,
      ['p1'],
    );
    assert.deepEqual(g.observe(RS, 'ReplicaSet', obj('rs'), undefined).attemptToDelete, []);
    assert.deepEqual(
      g.observe(PODS, 'Pod', obj('p2', { owners: [rsRef('rs')] }), undefined).attemptToDelete,
      [],
    );
    assert.deepEqual(
      g
        .dependents('rs')
        .map((n) => n.identity.uid)
        .sort(),
      ['p1', 'p2'],
    );
    assert.equal(g.ownersLookSolid(g.node('p1')!), true);
  });

  it('on an owner deletion: its dependents are to be checked and it is known absent', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs'), undefined);
    g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs')] }), undefined);
    const e = g.forget(obj('rs'));
    assert.deepEqual(e.attemptToDelete, ['p1']);
    assert.deepEqual(
      e.absent.map((a) => `${a.apiVersion}/${a.kind} ${a.namespace}/${a.name}`),
      ['apps/v1/ReplicaSet ns/rs'],
    );
    assert.equal(g.node('rs'), undefined);
    // The index survives the owner: a dependent still names it.
    assert.deepEqual(
      g.dependents('rs').map((n) => n.identity.uid),
      ['p1'],
    );
    assert.equal(g.ownersLookSolid(g.node('p1')!), false);
  });

  it('foreground: the owner and its dependents are queued once deletion starts', () => {
    const g = new DependencyGraph();
    const rs = obj('rs');
    g.observe(RS, 'ReplicaSet', rs, undefined);
    g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs', true)] }), undefined);
    g.observe(PODS, 'Pod', obj('p2', { owners: [rsRef('rs', false)] }), undefined);
    const deleting = obj('rs', { deleting: true, finalizers: ['foregroundDeletion'] });
    const e = g.observe(RS, 'ReplicaSet', deleting, rs);
    assert.deepEqual(e.attemptToDelete.sort(), ['p1', 'p2', 'rs']);
    assert.equal(g.node('rs')!.deletingDependents, true);
    assert.deepEqual(
      g.blockingDependents('rs').map((n) => n.identity.uid),
      ['p1'],
    );
    // Seen again in the same state: not a transition.
    assert.deepEqual(g.observe(RS, 'ReplicaSet', deleting, deleting).attemptToDelete, []);
    // A blocking dependent going wakes the owner.
    assert.deepEqual(g.forget(obj('p1')).attemptToDelete, ['rs']);
    assert.deepEqual(g.blockingDependents('rs'), []);
  });

  it('a dependent dropping its blocking reference wakes the owner', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs'), undefined);
    const p = obj('p1', { owners: [rsRef('rs', true)] });
    g.observe(PODS, 'Pod', p, undefined);
    const e = g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs', false)] }), p);
    assert.ok(e.attemptToDelete.includes('rs'));
  });

  it('orphan: queued for orphaning once deletion with the finalizer starts', () => {
    const g = new DependencyGraph();
    const rs = obj('rs');
    g.observe(RS, 'ReplicaSet', rs, undefined);
    const e = g.observe(
      RS,
      'ReplicaSet',
      obj('rs', { deleting: true, finalizers: ['orphan'] }),
      rs,
    );
    assert.deepEqual(e.attemptToOrphan, ['rs']);
    assert.deepEqual(e.attemptToDelete, []);
  });

  it('a self-reference never blocks its owner', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs', { owners: [rsRef('rs', true)] }), undefined);
    assert.deepEqual(
      g.dependents('rs').map((n) => n.identity.uid),
      ['rs'],
    );
    assert.deepEqual(g.blockingDependents('rs'), []);
  });

  it('reports a namespaced owner referenced from another namespace, in either order', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs', { namespace: 'a' }), undefined);
    const e = g.observe(
      PODS,
      'Pod',
      obj('p1', { namespace: 'b', owners: [rsRef('rs')] }),
      undefined,
    );
    assert.deepEqual(e.attemptToDelete, ['p1']);
    assert.deepEqual(
      e.invalidNamespace.map(
        (i) => `${i.dependent.namespace}/${i.dependent.name} -> ${i.owner.name}`,
      ),
      ['b/p1 -> rs'],
    );

    const g2 = new DependencyGraph();
    g2.observe(PODS, 'Pod', obj('p1', { namespace: 'b', owners: [rsRef('rs')] }), undefined);
    const e2 = g2.observe(RS, 'ReplicaSet', obj('rs', { namespace: 'a' }), undefined);
    assert.deepEqual(e2.attemptToDelete, ['p1']);
    assert.equal(e2.invalidNamespace.length, 1);
    // A cluster-scoped owner may be named from anywhere.
    const g3 = new DependencyGraph();
    g3.observe(NODES, 'Node', obj('n', { namespace: '' }), undefined);
    const nodeRef = { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n' };
    const e3 = g3.observe(PODS, 'Pod', obj('p', { owners: [nodeRef] }), undefined);
    assert.deepEqual(e3.invalidNamespace, []);
    assert.deepEqual(e3.attemptToDelete, []);
  });

  it('a reference whose coordinates do not match the observed owner is checked', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs'), undefined);
    const wrong = { ...rsRef('rs'), name: 'other-name' };
    assert.deepEqual(
      g.observe(PODS, 'Pod', obj('p', { owners: [wrong] }), undefined).attemptToDelete,
      ['p'],
    );
    assert.equal(g.ownersLookSolid(g.node('p')!), false);
  });

  it('an object replaced under the same name is forgotten, then seen anew', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs'), undefined);
    g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs')] }), undefined);
    const replaced = { metadata: { ...obj('rs2').metadata, name: 'rs' } };
    const e = g.observe(RS, 'ReplicaSet', replaced, obj('rs'));
    assert.deepEqual(e.attemptToDelete, ['p1']);
    assert.equal(g.node('rs'), undefined);
    assert.ok(g.node('rs2'));
  });

  it('forgetting a resource forgets its objects without calling them absent', () => {
    const g = new DependencyGraph();
    g.observe(RS, 'ReplicaSet', obj('rs'), undefined);
    g.observe(PODS, 'Pod', obj('p1', { owners: [rsRef('rs')] }), undefined);
    const e = g.forgetResource(RS);
    assert.deepEqual(e.attemptToDelete, ['p1']);
    assert.deepEqual(e.absent, []);
    assert.equal(g.size, 1);
  });
});

describe('AbsentOwnerCache', () => {
  it('remembers by coordinates and uid, across versions, evicting the oldest', () => {
    const c = new AbsentOwnerCache(2);
    c.add(rsRef('a'), 'ns');
    assert.equal(c.has(rsRef('a'), 'ns'), true);
    assert.equal(c.has({ ...rsRef('a'), apiVersion: 'apps/v1beta2' }, 'ns'), true);
    assert.equal(c.has(rsRef('a'), 'other'), false);
    assert.equal(c.has({ ...rsRef('a'), uid: 'new' }, 'ns'), false);
    c.add(rsRef('b'), 'ns');
    c.add(rsRef('c'), 'ns');
    assert.equal(c.has(rsRef('a'), 'ns'), false);
    assert.equal(c.has(rsRef('c'), 'ns'), true);
  });
});

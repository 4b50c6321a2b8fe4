/**
 * NodeRestriction through the real REST layer over the memory store: writes
 * made as a node user, the way the HTTPS front end makes them once the node
 * authorizer let them through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../api/builtin-resources.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { MemoryStore } from '../store/memory/memory-store.ts';
import { isForbidden } from '../util/errors.ts';
import {
  namespaceLifecycle,
  serviceAccountDefault,
  SYSTEM_NAMESPACES,
} from './admission-plugins.ts';
import { systemContext, type RequestContext } from './context.ts';
import { nodeMaySetLabel, nodeRestriction } from './node-restriction.ts';
import { ResourceStorage } from './rest.ts';

const asNode = (name: string): RequestContext => ({
  user: { name: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] },
  warnings: [],
});

async function setup() {
  const store = new MemoryStore({ compaction: { intervalMs: 0 } });
  const registry = builtinRegistry();
  const storage = new ResourceStorage({
    store,
    admission: [
      namespaceLifecycle(registry),
      nodeRestriction({ registry }),
      serviceAccountDefault(),
    ],
  });
  const t = (group: string, version: string, resource: string) =>
    registry.get(group, version, resource)!;
  const types = {
    nodes: t('', 'v1', 'nodes'),
    pods: t('', 'v1', 'pods'),
    events: t('', 'v1', 'events'),
    newEvents: t('events.k8s.io', 'v1', 'events'),
    leases: t('coordination.k8s.io', 'v1', 'leases'),
    namespaces: t('', 'v1', 'namespaces'),
  };
  for (const name of SYSTEM_NAMESPACES) {
    await storage.create(systemContext(), types.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    });
  }
  return { store, storage, types };
}

/** Resolves to the Forbidden message, failing if `p` did not fail with Forbidden. */
async function forbidden(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(isForbidden(err), `expected Forbidden, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected Forbidden, but the write was admitted');
}

const node = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  ...extra,
});

const pod = (name: string, nodeName: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
});

describe('NodeRestriction', () => {
  it('labels a node may set on itself', () => {
    for (const ok of [
      'app',
      'example.com/role',
      'kubernetes.io/hostname',
      'kubernetes.io/arch',
      'beta.kubernetes.io/os',
      'failure-domain.beta.kubernetes.io/zone',
      'topology.kubernetes.io/zone',
      'node.kubernetes.io/instance-type',
      'node.kubernetes.io/anything',
      'kubelet.kubernetes.io/anything',
      'x.kubelet.kubernetes.io/y',
    ]) {
      assert.ok(nodeMaySetLabel(ok), ok);
    }
    for (const bad of [
      'node-restriction.kubernetes.io/tier',
      'x.node-restriction.kubernetes.io/tier',
      'kubernetes.io/role',
      'node-role.kubernetes.io/control-plane',
      'k8s.io/x',
      'foo.k8s.io/x',
    ]) {
      assert.ok(!nodeMaySetLabel(bad), bad);
    }
  });

  it('Node: only its own; labels, taints, providerID and podCIDR rules', async () => {
    const { store, storage, types } = await setup();
    const a = asNode('a');
    const msg = await forbidden(storage.create(a, types.nodes, undefined, node('b')));
    assert.equal(msg, 'nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
    assert.match(
      await forbidden(
        storage.create(
          a,
          types.nodes,
          undefined,
          node('a', {
            metadata: {
              name: 'a',
              labels: { 'node-restriction.kubernetes.io/tier': 'gold', 'kubernetes.io/role': 'x' },
            },
          }),
        ),
      ),
      /not allowed to set the following labels: kubernetes.io\/role, node-restriction.kubernetes.io\/tier$/,
    );
    // Registration may carry taints and kubelet labels.
    await storage.create(
      a,
      types.nodes,
      undefined,
      node('a', {
        metadata: { name: 'a', labels: { 'kubernetes.io/hostname': 'a' } },
        spec: {
          providerID: 'verge://a',
          podCIDR: '10.42.1.0/24',
          taints: [{ key: 'edge', effect: 'NoSchedule' }],
        },
      }),
    );
    // The admin labels it as restricted; the node may not touch that label.
    await storage.patch(systemContext(), types.nodes, undefined, 'a', 'merge', {
      metadata: { labels: { 'node-restriction.kubernetes.io/tier': 'gold' } },
    });
    assert.match(
      await forbidden(
        storage.patch(a, types.nodes, undefined, 'a', 'merge', {
          metadata: { labels: { 'node-restriction.kubernetes.io/tier': null } },
        }),
      ),
      /node "a" is not allowed to modify labels: node-restriction.kubernetes.io\/tier/,
    );
    await storage.patch(a, types.nodes, undefined, 'a', 'merge', {
      metadata: { labels: { 'topology.kubernetes.io/zone': 'z1', app: 'x' } },
    });
    assert.match(
      await forbidden(
        storage.patch(a, types.nodes, undefined, 'a', 'merge', { spec: { taints: null } }),
      ),
      /not allowed to modify taints/,
    );
    // Node validation refuses these first; the plugin refuses them on its own too.
    const current = await storage.get(systemContext(), types.nodes, undefined, 'a');
    const plugin = nodeRestriction({ registry: builtinRegistry() });
    for (const [field, value] of [
      ['providerID', 'verge://other'],
      ['podCIDR', '10.42.2.0/24'],
    ] as const) {
      const changed = { ...current, spec: { ...(current.spec as object), [field]: value } };
      assert.match(
        await forbidden(
          Promise.resolve(
            plugin.validate!({
              ctx: a,
              operation: 'UPDATE',
              type: types.nodes,
              object: changed,
              oldObject: current,
              dryRun: false,
              storage,
            }),
          ),
        ),
        new RegExp(`not allowed to change spec.${field} once it is set`),
      );
    }
    assert.match(
      await forbidden(
        storage.patch(a, types.nodes, undefined, 'a', 'merge', {
          metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'x', uid: 'u' }] },
        }),
      ),
      /ownerReferences/,
    );
    // Its status, yes; someone else's Node, no.
    await storage.patch(
      a,
      types.nodes,
      undefined,
      'a',
      'merge',
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { subresource: 'status' },
    );
    await storage.create(systemContext(), types.nodes, undefined, node('b'));
    await forbidden(
      storage.patch(
        a,
        types.nodes,
        undefined,
        'b',
        'merge',
        { status: { conditions: [] } },
        { subresource: 'status' },
      ),
    );
    await store.close();
  });

  it('Pod: status of its own pods only; no creates; deletes of its own pods', async () => {
    const { store, storage, types } = await setup();
    const a = asNode('a');
    await storage.create(systemContext(), types.pods, 'default', pod('pa', 'a'));
    await storage.create(systemContext(), types.pods, 'default', pod('pb', 'b'));
    assert.match(
      await forbidden(storage.create(a, types.pods, 'default', pod('mine', 'a'))),
      /^pods "mine" is forbidden: node "a" is not allowed to create pods: Verge has no static \(mirror\) pods$/,
    );
    const status = { status: { phase: 'Running' } };
    await storage.patch(a, types.pods, 'default', 'pa', 'merge', status, {
      subresource: 'status',
    });
    assert.match(
      await forbidden(
        storage.patch(a, types.pods, 'default', 'pb', 'merge', status, { subresource: 'status' }),
      ),
      /can only update pod status for pods with spec.nodeName set to itself/,
    );
    await forbidden(
      storage.patch(a, types.pods, 'default', 'pa', 'merge', {
        metadata: { labels: { x: 'y' } },
      }),
    );
    await forbidden(storage.delete(a, types.pods, 'default', 'pb', { gracePeriodSeconds: 0 }));
    await storage.delete(a, types.pods, 'default', 'pa', { gracePeriodSeconds: 0 });
    await store.close();
  });

  it('events: only about its own Node or its pods, in both event APIs', async () => {
    const { store, storage, types } = await setup();
    const a = asNode('a');
    await storage.create(systemContext(), types.pods, 'default', pod('pa', 'a'));
    await storage.create(systemContext(), types.pods, 'default', pod('pb', 'b'));
    const event = (name: string, involvedObject: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      involvedObject,
      reason: 'Test',
      message: 'test',
      type: 'Normal',
    });
    await storage.create(a, types.events, 'default', event('e1', { kind: 'Node', name: 'a' }));
    await storage.create(
      a,
      types.events,
      'default',
      event('e2', { kind: 'Pod', namespace: 'default', name: 'pa' }),
    );
    assert.match(
      await forbidden(
        storage.create(a, types.events, 'default', event('e3', { kind: 'Node', name: 'b' })),
      ),
      /^events "e3" is forbidden: node "a" can only write events whose involvedObject is its own Node or a pod bound to it; it is about node "b"$/,
    );
    assert.match(
      await forbidden(
        storage.create(
          a,
          types.events,
          'default',
          event('e4', { kind: 'Pod', namespace: 'default', name: 'pb' }),
        ),
      ),
      /pod default\/pb is not bound to node "a"/,
    );
    await forbidden(
      storage.create(a, types.events, 'default', event('e5', { kind: 'Secret', name: 's' })),
    );
    // Taking over another node's event by pointing it at itself.
    await storage.create(
      systemContext(),
      types.events,
      'default',
      event('eb', { kind: 'Node', name: 'b' }),
    );
    await forbidden(
      storage.patch(a, types.events, 'default', 'eb', 'merge', {
        involvedObject: { name: 'a' },
      }),
    );
    const newEvent = (name: string, regarding: Record<string, string>): KubeObject => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: 'default' },
      eventTime: '2024-01-01T00:00:00.000000Z',
      reportingController: 'verge.io/edge',
      reportingInstance: 'a',
      action: 'Test',
      reason: 'Test',
      type: 'Normal',
      regarding,
    });
    await storage.create(
      a,
      types.newEvents,
      'default',
      newEvent('n1', { kind: 'Node', name: 'a' }),
    );
    assert.match(
      await forbidden(
        storage.create(
          a,
          types.newEvents,
          'default',
          newEvent('n2', { kind: 'Pod', namespace: 'default', name: 'pb' }),
        ),
      ),
      /^events.events.k8s.io "n2" is forbidden: node "a" can only write events whose regarding is/,
    );
    await store.close();
  });

  it('leases: only its own in kube-node-lease', async () => {
    const { store, storage, types } = await setup();
    const a = asNode('a');
    const lease = (name: string, namespace = 'kube-node-lease'): KubeObject => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace },
      spec: { holderIdentity: name, leaseDurationSeconds: 40 },
    });
    await storage.create(a, types.leases, 'kube-node-lease', lease('a'));
    await storage.patch(a, types.leases, 'kube-node-lease', 'a', 'merge', {
      spec: { renewTime: '2024-01-01T00:00:00.000000Z' },
    });
    assert.match(
      await forbidden(storage.create(a, types.leases, 'kube-node-lease', lease('b'))),
      /node "a" can only access its own Lease \(kube-node-lease\/a\)/,
    );
    await forbidden(storage.create(a, types.leases, 'default', lease('a', 'default')));
    await store.close();
  });

  it('leaves other users alone', async () => {
    const { store, storage, types } = await setup();
    await storage.create(systemContext(), types.nodes, undefined, node('b'));
    await storage.create(systemContext(), types.pods, 'default', pod('pb', 'b'));
    await store.close();
  });
});

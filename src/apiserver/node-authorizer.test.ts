/**
 * The node authorizer's graph and decisions, over fake pods; the store
 * re-check and the graph's watch over the memory store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinRegistry } from '../api/builtin-resources.ts';
import type { Pod } from '../api/types/core.ts';
import { MemoryStore } from '../store/memory/memory-store.ts';
import { silentLogger } from '../util/log.ts';
import { forbiddenMessage, type Attributes } from './auth.ts';
import { systemContext, type UserInfo } from './context.ts';
import { NodeAuthorizer, NodeGraph, nodeIdentity, selectsField } from './node-authorizer.ts';
import { ResourceStorage } from './rest.ts';

function pod(
  name: string,
  nodeName: string | undefined,
  refs: { secrets?: string[]; configMaps?: string[]; claims?: string[]; sa?: string } = {},
  namespace = 'default',
): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      nodeName,
      serviceAccountName: refs.sa,
      containers: [
        {
          name: 'c',
          image: 'busybox',
          env: (refs.secrets ?? []).map((s) => ({
            name: `S_${s}`,
            valueFrom: { secretKeyRef: { name: s, key: 'k' } },
          })),
        },
      ],
      volumes: [
        ...(refs.configMaps ?? []).map((c) => ({ name: `cm-${c}`, configMap: { name: c } })),
        ...(refs.claims ?? []).map((c) => ({
          name: `pvc-${c}`,
          persistentVolumeClaim: { claimName: c },
        })),
      ],
    },
  };
  return JSON.parse(JSON.stringify(p)) as Pod; // no undefined members, as JSON would carry
}

const nodeUser = (name: string): UserInfo => ({
  name: `system:node:${name}`,
  groups: ['system:nodes', 'system:authenticated'],
});

function attrs(
  node: string,
  verb: string,
  resource: string,
  more: Partial<Attributes> = {},
): Attributes {
  return {
    user: nodeUser(node),
    verb,
    isResourceRequest: true,
    path: '',
    group: '',
    version: 'v1',
    resource,
    subresource: '',
    namespace: '',
    name: '',
    fieldSelector: '',
    ...more,
  };
}

function setup(): {
  graph: NodeGraph;
  storage: ResourceStorage;
  store: MemoryStore;
  authz: NodeAuthorizer;
  registry: ReturnType<typeof builtinRegistry>;
} {
  const store = new MemoryStore({ compaction: { intervalMs: 0 } });
  const registry = builtinRegistry();
  const storage = new ResourceStorage({ store });
  const graph = new NodeGraph();
  const authz = new NodeAuthorizer({
    graph,
    storage,
    podType: registry.get('', 'v1', 'pods')!,
    log: silentLogger(),
  });
  return { graph, storage, store, authz, registry };
}

async function decide(authz: NodeAuthorizer, a: Attributes): Promise<string> {
  return (await authz.authorize(a)).decision;
}

describe('NodeGraph', () => {
  it('counts references per node so the last pod going removes the edge', () => {
    const g = new NodeGraph();
    g.setPod(pod('p1', 'a', { secrets: ['s'], configMaps: ['c'] }));
    g.setPod(pod('p2', 'a', { secrets: ['s'] }));
    g.setPod(pod('p3', 'b', { secrets: ['t'] }));
    assert.ok(g.references('a', 'secrets', 'default', 's'));
    assert.ok(!g.references('a', 'secrets', 'default', 't'));
    assert.ok(g.references('b', 'secrets', 'default', 't'));
    g.deletePod('default', 'p1');
    assert.ok(g.references('a', 'secrets', 'default', 's'), 'p2 still references s');
    assert.ok(!g.references('a', 'configmaps', 'default', 'c'), 'only p1 referenced c');
    g.deletePod('default', 'p2');
    assert.ok(!g.references('a', 'secrets', 'default', 's'));
    assert.equal(g.podCount('a'), 0);
    assert.equal(g.nodeOf('default', 'p3'), 'b');
  });

  it('follows a pod that changes what it references, and ignores unbound pods', () => {
    const g = new NodeGraph();
    g.setPod(pod('p', undefined, { secrets: ['s'] }));
    assert.equal(g.nodeOf('default', 'p'), undefined);
    g.setPod(pod('p', 'a', { secrets: ['s'], claims: ['data'], sa: 'runner' }));
    g.setPod(pod('p', 'a', { secrets: ['s'], claims: ['data'], sa: 'runner' })); // idempotent
    assert.ok(g.references('a', 'persistentvolumeclaims', 'default', 'data'));
    assert.ok(g.references('a', 'serviceaccounts', 'default', 'runner'));
    g.setPod(pod('p', 'a', { secrets: ['s2'] }));
    assert.ok(!g.references('a', 'secrets', 'default', 's'));
    assert.ok(g.references('a', 'secrets', 'default', 's2'));
    g.deletePod('default', 'p');
    g.deletePod('default', 'p'); // no-op
    assert.equal(g.podCount('a'), 0);
  });

  it('keeps namespaces apart', () => {
    const g = new NodeGraph();
    g.setPod(pod('p', 'a', { secrets: ['s'] }, 'team1'));
    assert.ok(g.references('a', 'secrets', 'team1', 's'));
    assert.ok(!g.references('a', 'secrets', 'default', 's'));
  });

  it('follows the store: list, then watch, until aborted', async () => {
    const { storage, store, registry } = setup();
    const podType = registry.get('', 'v1', 'pods')!;
    const ctx = systemContext();
    await storage.create(ctx, podType, 'default', pod('before', 'a', { secrets: ['s1'] }));
    const g = new NodeGraph();
    const stop = new AbortController();
    const done = g.start({ storage, podType, log: silentLogger() }, stop.signal);
    const until = async (what: string, check: () => boolean): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!check()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    await until('the initial list', () => g.synced && g.nodeOf('default', 'before') === 'a');
    await storage.create(ctx, podType, 'default', pod('after', 'b', { secrets: ['s2'] }));
    await until('the watched create', () => g.references('b', 'secrets', 'default', 's2'));
    await storage.delete(ctx, podType, 'default', 'after', { gracePeriodSeconds: 0 });
    await until('the watched delete', () => !g.references('b', 'secrets', 'default', 's2'));
    stop.abort();
    await done;
    await store.close();
  });
});

describe('NodeAuthorizer', () => {
  it('has no opinion on users that are not nodes, non-resource paths and self reviews', async () => {
    const { authz } = setup();
    const admin: UserInfo = { name: 'bob', groups: ['system:authenticated'] };
    assert.equal(
      await decide(authz, { ...attrs('a', 'get', 'secrets'), user: admin }),
      'no-opinion',
    );
    assert.equal(
      await decide(authz, { ...attrs('a', 'get', ''), isResourceRequest: false, path: '/api' }),
      'no-opinion',
    );
    assert.equal(
      await decide(
        authz,
        attrs('a', 'create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' }),
      ),
      'no-opinion',
    );
    assert.equal(nodeIdentity({ name: 'system:node:x', groups: [] }), undefined);
    assert.equal(nodeIdentity({ name: 'mallory', groups: ['system:nodes'] }), '');
    assert.equal(
      await decide(authz, {
        ...attrs('a', 'get', 'nodes'),
        user: { name: 'x', groups: ['system:nodes'] },
      }),
      'deny',
    );
  });

  it('nodes: only its own', async () => {
    const { authz } = setup();
    const cases: [Partial<Attributes> & { verb: string }, string][] = [
      [{ verb: 'get', name: 'a' }, 'allow'],
      [{ verb: 'get', name: 'b' }, 'deny'],
      [{ verb: 'create' }, 'allow'],
      [{ verb: 'update', name: 'a' }, 'allow'],
      [{ verb: 'patch', name: 'a', subresource: 'status' }, 'allow'],
      [{ verb: 'patch', name: 'b', subresource: 'status' }, 'deny'],
      [{ verb: 'delete', name: 'a' }, 'deny'],
      [{ verb: 'list' }, 'deny'],
      [{ verb: 'list', fieldSelector: 'metadata.name=a' }, 'allow'],
      [{ verb: 'watch', fieldSelector: 'metadata.name==a' }, 'allow'],
      [{ verb: 'watch', fieldSelector: 'metadata.name=b' }, 'deny'],
      [{ verb: 'watch', fieldSelector: 'metadata.name!=b' }, 'deny'],
      // A named watch serves the whole collection: the name alone is not enough.
      [{ verb: 'watch', name: 'a' }, 'deny'],
      [{ verb: 'deletecollection' }, 'deny'],
    ];
    for (const [more, want] of cases) {
      assert.equal(
        await decide(authz, attrs('a', more.verb, 'nodes', more)),
        want,
        JSON.stringify(more),
      );
    }
  });

  it('pods: those bound to it, listed by spec.nodeName; no creates', async () => {
    const { authz, graph } = setup();
    graph.setPod(pod('pa', 'a'));
    graph.setPod(pod('pb', 'b'));
    const ns = { namespace: 'default' };
    const cases: [Partial<Attributes> & { verb: string }, string][] = [
      [{ verb: 'get', name: 'pa', ...ns }, 'allow'],
      [{ verb: 'get', name: 'pb', ...ns }, 'deny'],
      [{ verb: 'get', name: 'missing', ...ns }, 'deny'],
      [{ verb: 'list' }, 'deny'],
      [{ verb: 'list', fieldSelector: 'spec.nodeName=a' }, 'allow'],
      [{ verb: 'watch', fieldSelector: 'spec.nodeName=a,status.phase!=Failed' }, 'allow'],
      [{ verb: 'list', fieldSelector: 'spec.nodeName=b' }, 'deny'],
      [{ verb: 'list', fieldSelector: 'spec.nodeName=a,,bad' }, 'deny'],
      [{ verb: 'update', name: 'pa', subresource: 'status', ...ns }, 'allow'],
      [{ verb: 'patch', name: 'pb', subresource: 'status', ...ns }, 'deny'],
      [{ verb: 'update', name: 'pa', ...ns }, 'deny'],
      [{ verb: 'delete', name: 'pa', ...ns }, 'allow'],
      [{ verb: 'delete', name: 'pb', ...ns }, 'deny'],
      [{ verb: 'create', ...ns }, 'deny'],
      [{ verb: 'create', name: 'pa', subresource: 'eviction', ...ns }, 'deny'],
      [{ verb: 'get', name: 'pa', subresource: 'log', ...ns }, 'deny'],
      [{ verb: 'deletecollection', ...ns }, 'deny'],
    ];
    for (const [more, want] of cases) {
      assert.equal(
        await decide(authz, attrs('a', more.verb, 'pods', more)),
        want,
        JSON.stringify(more),
      );
    }
  });

  it('configmaps, secrets, claims and service accounts: only those its pods reference', async () => {
    const { authz, graph } = setup();
    graph.setPod(
      pod('pa', 'a', { secrets: ['sa'], configMaps: ['ca'], claims: ['da'], sa: 'runner' }),
    );
    graph.setPod(pod('pb', 'b', { secrets: ['sb'] }));
    const ns = { namespace: 'default' };
    const cases: [string, Partial<Attributes> & { verb: string }, string][] = [
      ['secrets', { verb: 'get', name: 'sa', ...ns }, 'allow'],
      ['secrets', { verb: 'get', name: 'sb', ...ns }, 'deny'],
      ['secrets', { verb: 'get', name: 'sa', namespace: 'other' }, 'deny'],
      ['secrets', { verb: 'list', ...ns }, 'deny'],
      ['secrets', { verb: 'list' }, 'deny'],
      ['secrets', { verb: 'watch', fieldSelector: 'metadata.name=sa', ...ns }, 'allow'],
      ['secrets', { verb: 'watch', fieldSelector: 'metadata.name=sb', ...ns }, 'deny'],
      ['secrets', { verb: 'list', fieldSelector: 'metadata.name=sa' }, 'deny'],
      ['secrets', { verb: 'update', name: 'sa', ...ns }, 'deny'],
      ['secrets', { verb: 'delete', name: 'sa', ...ns }, 'deny'],
      ['configmaps', { verb: 'get', name: 'ca', ...ns }, 'allow'],
      ['configmaps', { verb: 'get', name: 'sa', ...ns }, 'deny'],
      ['persistentvolumeclaims', { verb: 'get', name: 'da', ...ns }, 'allow'],
      ['serviceaccounts', { verb: 'get', name: 'runner', ...ns }, 'allow'],
      ['serviceaccounts', { verb: 'get', name: 'default', ...ns }, 'deny'],
      ['serviceaccounts', { verb: 'create', name: 'runner', subresource: 'token', ...ns }, 'deny'],
    ];
    for (const [resource, more, want] of cases) {
      assert.equal(
        await decide(authz, attrs('a', more.verb, resource, more)),
        want,
        `${resource} ${JSON.stringify(more)}`,
      );
    }
  });

  it('leases: its own in kube-node-lease; events: writes only; the rest: denied', async () => {
    const { authz } = setup();
    const lease = { group: 'coordination.k8s.io', namespace: 'kube-node-lease' };
    const cases: [string, Partial<Attributes> & { verb: string }, string][] = [
      ['leases', { verb: 'get', name: 'a', ...lease }, 'allow'],
      ['leases', { verb: 'create', ...lease }, 'allow'],
      ['leases', { verb: 'update', name: 'a', ...lease }, 'allow'],
      ['leases', { verb: 'delete', name: 'a', ...lease }, 'allow'],
      ['leases', { verb: 'watch', fieldSelector: 'metadata.name=a', ...lease }, 'allow'],
      ['leases', { verb: 'list', ...lease }, 'deny'],
      ['leases', { verb: 'update', name: 'b', ...lease }, 'deny'],
      [
        'leases',
        { verb: 'get', name: 'a', group: 'coordination.k8s.io', namespace: 'default' },
        'deny',
      ],
      ['events', { verb: 'create', namespace: 'default' }, 'allow'],
      ['events', { verb: 'patch', name: 'e', namespace: 'default' }, 'allow'],
      ['events', { verb: 'create', namespace: 'x', group: 'events.k8s.io' }, 'allow'],
      ['events', { verb: 'list', namespace: 'default' }, 'deny'],
      ['events', { verb: 'delete', name: 'e', namespace: 'default' }, 'deny'],
      ['deployments', { verb: 'create', namespace: 'default', group: 'apps' }, 'deny'],
      ['namespaces', { verb: 'get', name: 'default' }, 'deny'],
      [
        'devices',
        { verb: 'get', name: 'd', group: 'devices.kubeedge.io', namespace: 'default' },
        'deny',
      ],
    ];
    for (const [resource, more, want] of cases) {
      assert.equal(
        await decide(authz, attrs('a', more.verb, resource, more)),
        want,
        `${resource} ${JSON.stringify(more)}`,
      );
    }
  });

  it('re-checks a miss against the store before it denies', async () => {
    const { authz, storage, registry, store } = setup();
    const podType = registry.get('', 'v1', 'pods')!;
    // Stored, but the graph (never started) has not seen it.
    await storage.create(systemContext(), podType, 'default', pod('pa', 'a', { secrets: ['s'] }));
    await storage.create(systemContext(), podType, 'default', pod('pb', 'b', { secrets: ['t'] }));
    const ns = { namespace: 'default' };
    assert.equal(await decide(authz, attrs('a', 'get', 'secrets', { name: 's', ...ns })), 'allow');
    assert.equal(await decide(authz, attrs('a', 'get', 'secrets', { name: 't', ...ns })), 'deny');
    assert.equal(await decide(authz, attrs('a', 'get', 'pods', { name: 'pa', ...ns })), 'allow');
    assert.equal(await decide(authz, attrs('a', 'get', 'pods', { name: 'pb', ...ns })), 'deny');
    // Concurrent misses share one read.
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        decide(authz, attrs('a', 'get', 'secrets', { name: 's', ...ns })),
      ),
    );
    assert.deepEqual(new Set(many), new Set(['allow']));
    await store.close();
  });

  it('words a denial the Kubernetes way, with the reason', async () => {
    const { authz, graph } = setup();
    graph.setPod(pod('pb', 'b', { secrets: ['s'] }));
    const a = attrs('a', 'get', 'secrets', { name: 's', namespace: 'default' });
    const d = await authz.authorize(a);
    assert.equal(d.decision, 'deny');
    assert.equal(
      forbiddenMessage(a, d.decision === 'deny' ? d.reason : undefined),
      'secrets "s" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": ' +
        'node "a" cannot get secret default/s: no pod bound to node "a" references it',
    );
    const n = attrs('a', 'get', 'nodes', { name: 'b' });
    const dn = await authz.authorize(n);
    assert.equal(
      dn.decision === 'deny' ? dn.reason : '',
      'node "a" cannot get node b: a node may only access its own Node object ("a")',
    );
  });

  it('reads field selectors as the REST layer does', () => {
    assert.ok(selectsField('spec.nodeName=a', 'spec.nodeName', 'a'));
    assert.ok(selectsField('status.phase=Running,spec.nodeName==a', 'spec.nodeName', 'a'));
    assert.ok(!selectsField('spec.nodeName!=a', 'spec.nodeName', 'a'));
    assert.ok(!selectsField('spec.nodeName=ab', 'spec.nodeName', 'a'));
    assert.ok(!selectsField('', 'spec.nodeName', 'a'));
    assert.ok(selectsField('metadata.name=a\\,b', 'metadata.name', 'a,b'));
  });
});

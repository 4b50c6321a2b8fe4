import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import type { Change, ViewKind } from '../protocol.ts';
import type { ViewIndex } from './view.ts';
import { NodeView, onlyStatusChanged } from './view.ts';

/**
 * A ViewIndex whose informers are fed by hand: `set`/`remove` update the
 * caches and route the events, as the informers would.
 */
class FakeIndex {
  readonly objects = new Map<string, { kind: ViewKind; obj: KubeObject }>();
  readonly refs = new Map<string, Set<NodeView>>();
  readonly views = new Map<string, NodeView>();

  get(kind: ViewKind, ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`${kind}/${ns}/${name}`)?.obj;
  }
  podsOn(node: string): Pod[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === 'Pod' && (o.obj as Pod).spec?.nodeName === node)
      .map((o) => o.obj as Pod);
  }
  ref(key: string, view: NodeView): void {
    if (!this.refs.has(key)) this.refs.set(key, new Set());
    this.refs.get(key)!.add(view);
  }
  unref(key: string, view: NodeView): void {
    this.refs.get(key)?.delete(view);
    if (this.refs.get(key)?.size === 0) this.refs.delete(key);
  }
  set(kind: ViewKind, obj: KubeObject): void {
    const key = `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const old = this.objects.get(key)?.obj;
    this.objects.set(key, { kind, obj });
    this.#route(kind, obj, old, false);
  }
  remove(kind: ViewKind, ns: string, name: string): void {
    const key = `${kind}/${ns}/${name}`;
    const obj = this.objects.get(key)?.obj;
    if (!obj) return;
    this.objects.delete(key);
    this.#route(kind, obj, undefined, true);
  }
  #route(kind: ViewKind, obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void {
    const key = `${kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const targets = new Set<NodeView>();
    if (kind === 'Node') {
      const v = this.views.get(obj.metadata.name!);
      if (v) targets.add(v);
    } else if (kind === 'Pod') {
      for (const p of [old as Pod | undefined, obj as Pod]) {
        const v = p?.spec?.nodeName ? this.views.get(p.spec.nodeName) : undefined;
        if (v) targets.add(v);
      }
    } else {
      for (const v of this.refs.get(key) ?? []) targets.add(v);
    }
    for (const v of targets) v.onObject(kind, obj, old, deleted);
  }
}

let rv = 0;
const meta = (name: string, namespace?: string): KubeObject['metadata'] => ({
  name,
  ...(namespace ? { namespace } : {}),
  resourceVersion: String(++rv),
  uid: `uid-${name}`,
});
const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: meta(name),
});
const cm = (name: string, data = 'x'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, 'default'), data }) as KubeObject;
const secret = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: meta(name, 'default'),
});
const pod = (name: string, nodeName: string, cms: string[], secrets: string[] = []): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: meta(name, 'default'),
  spec: {
    nodeName,
    containers: [
      {
        name: 'c',
        image: 'i',
        env: secrets.map((s) => ({ name: s, valueFrom: { secretKeyRef: { name: s, key: 'k' } } })),
      },
    ],
    volumes: cms.map((c) => ({ name: c, configMap: { name: c } })),
  },
});

function setup(name = 'n1'): { index: FakeIndex; view: NodeView; out: Change[] } {
  const index = new FakeIndex();
  const out: Change[] = [];
  const view = new NodeView(name, index as unknown as ViewIndex, (c) => out.push(...c));
  index.views.set(name, view);
  return { index, view, out };
}

const keys = (changes: Change[]): string[] =>
  changes.map((c) =>
    c.op === 'put'
      ? `put ${c.kind}/${c.object.metadata.namespace ?? ''}/${c.object.metadata.name}`
      : `delete ${c.kind}/${c.namespace}/${c.name}`,
  );

describe('NodeView', () => {
  it('sends exactly the difference to the inventory: missing, changed and stale objects', () => {
    const { index, view } = setup();
    index.set('Node', node('n1'));
    index.set('ConfigMap', cm('a'));
    index.set('ConfigMap', cm('b'));
    index.set('ConfigMap', cm('unrelated'));
    index.set('Secret', secret('s'));
    const p = pod('p', 'n1', ['a', 'b'], ['s']);
    index.set('Pod', p);
    index.set('Pod', pod('elsewhere', 'n2', ['unrelated']));
    const a = index.get('ConfigMap', 'default', 'a')!;
    const diff = view.start([
      ['ConfigMap', 'default', 'a', a.metadata.resourceVersion!], // up to date
      ['ConfigMap', 'default', 'b', '1'], // stale
      ['Pod', 'default', 'gone', '3'], // no longer in the view
      ['Secret', 'default', 'unrelated', '2'], // never was
    ]);
    assert.deepEqual(keys(diff).sort(), [
      'delete Pod/default/gone',
      'delete Secret/default/unrelated',
      'put ConfigMap/default/b',
      'put Node//n1',
      'put Pod/default/p',
      'put Secret/default/s',
    ]);
    assert.equal(view.size, 5);
  });

  it('a referenced object joins the view with the first pod and leaves with the last', () => {
    const { index, view, out } = setup();
    index.set('ConfigMap', cm('shared'));
    view.start([]);
    index.set('Pod', pod('p1', 'n1', ['shared']));
    assert.deepEqual(keys(out), ['put Pod/default/p1', 'put ConfigMap/default/shared']);
    out.length = 0;
    index.set('Pod', pod('p2', 'n1', ['shared']));
    assert.deepEqual(keys(out), ['put Pod/default/p2'], 'no second copy of the ConfigMap');
    out.length = 0;
    index.remove('Pod', 'default', 'p1');
    assert.deepEqual(keys(out), ['delete Pod/default/p1'], 'still referenced by p2');
    out.length = 0;
    index.remove('Pod', 'default', 'p2');
    assert.deepEqual(keys(out), ['delete Pod/default/p2', 'delete ConfigMap/default/shared']);
    assert.equal(index.refs.size, 0, 'no reference left behind');
    out.length = 0;
    index.set('ConfigMap', cm('shared', 'changed'));
    assert.deepEqual(out, [], 'changes to an object no longer in the view are not sent');
  });

  it('a ConfigMap created after the pod that references it is sent when it appears', () => {
    const { index, view, out } = setup();
    view.start([]);
    index.set('Pod', pod('p', 'n1', ['later']));
    assert.deepEqual(keys(out), ['put Pod/default/p']);
    out.length = 0;
    index.set('ConfigMap', cm('later'));
    assert.deepEqual(keys(out), ['put ConfigMap/default/later']);
    out.length = 0;
    index.remove('ConfigMap', 'default', 'later');
    assert.deepEqual(keys(out), ['delete ConfigMap/default/later']);
  });

  it('a pod that changes what it references swaps the referenced objects', () => {
    const { index, view, out } = setup();
    index.set('ConfigMap', cm('old'));
    index.set('ConfigMap', cm('new'));
    index.set('Pod', pod('p', 'n1', ['old']));
    view.start([]);
    index.set('Pod', pod('p', 'n1', ['new']));
    assert.deepEqual(keys(out), [
      'put Pod/default/p',
      'put ConfigMap/default/new',
      'delete ConfigMap/default/old',
    ]);
  });

  it("other nodes' pods and their objects never reach this view", () => {
    const { index, view, out } = setup();
    view.start([]);
    index.set('Secret', secret('theirs'));
    index.set('Pod', pod('p', 'n2', [], ['theirs']));
    index.set('Node', node('n2'));
    assert.deepEqual(out, []);
  });

  it('status-only updates of the Node and pods are not echoed down', () => {
    const { index, view, out } = setup();
    const n = node('n1');
    index.set('Node', n);
    view.start([]);
    index.set('Node', {
      ...n,
      metadata: { ...n.metadata, resourceVersion: '999' },
      status: { phase: 'x' },
    } as KubeObject);
    assert.deepEqual(out, []);
    index.set('Node', {
      ...n,
      metadata: { ...n.metadata, labels: { a: 'b' }, resourceVersion: '1000' },
    });
    assert.deepEqual(keys(out), ['put Node//n1']);
  });

  it('managedFields are not sent', () => {
    const { index, view } = setup();
    const n = node('n1');
    n.metadata.managedFields = [{ manager: 'm' }];
    index.set('Node', n);
    const [change] = view.start([]);
    assert.equal(change?.op, 'put');
    assert.equal((change as { object: KubeObject }).object.metadata.managedFields, undefined);
    assert.deepEqual(
      n.metadata.managedFields,
      [{ manager: 'm' }],
      'the cached object is untouched',
    );
  });
});

describe('onlyStatusChanged', () => {
  it('ignores status, resourceVersion and managedFields only', () => {
    const a = { metadata: { name: 'x', resourceVersion: '1' }, spec: { a: 1 }, status: { s: 1 } };
    assert.ok(
      onlyStatusChanged(a, {
        ...a,
        metadata: { name: 'x', resourceVersion: '2' },
        status: { s: 2 },
      }),
    );
    assert.ok(!onlyStatusChanged(a, { ...a, spec: { a: 2 } }));
    assert.ok(
      !onlyStatusChanged(a, { ...a, metadata: { ...a.metadata, deletionTimestamp: 'now' } }),
    );
  });
});

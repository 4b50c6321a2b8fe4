/**
 * Node views on the cloud side: which objects each connected node should hold,
 * worked out from shared informers, and the exact changes to send it.
 *
 * A node's view is its Node, the pods bound to it (`spec.nodeName`), and the
 * ConfigMaps and Secrets those pods reference (src/api/pod-references.ts). A
 * ConfigMap joins the view when the first pod that references it arrives and
 * leaves when the last one goes, whether or not the ConfigMap exists yet: a pod
 * may be created before its ConfigMap, and the ConfigMap is sent when it is.
 *
 * Everything here is synchronous against the informer caches. Because
 * informer handlers run on the one JavaScript thread, a diff computed from the
 * caches at one moment plus every event delivered after it is exact: nothing
 * can slip between them.
 */
import { GVR, type Client } from '../../api/client.ts';
import { podReferences } from '../../api/pod-references.ts';
import type { Pod } from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { Informer } from '../../controllers/informer.ts';
import type { Logger } from '../../util/log.ts';
import { deepEqual } from '../../util/objects.ts';
import type { Change, InventoryItem, ViewKind, WireObject } from '../protocol.ts';

/** `Kind/namespace/name` ('' namespace for cluster-scoped objects). */
export function viewKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function keyOf(kind: ViewKind, obj: KubeObject): string {
  return viewKey(kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
}

type RefKind = 'ConfigMap' | 'Secret';

/** Listener for object changes relevant to views (called synchronously). */
export interface ViewEventSink {
  onObject(kind: ViewKind, obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void;
}

/**
 * Shared informers over nodes, pods, ConfigMaps and Secrets, and the routing of
 * their events to the sessions that care: by node name for Nodes and pods, and
 * by reference for ConfigMaps and Secrets.
 */
export class ViewIndex {
  readonly nodes: Informer;
  readonly pods: Informer<Pod>;
  readonly configMaps: Informer;
  readonly secrets: Informer;
  /** Sessions by node name. */
  readonly #byNode = new Map<string, NodeView>();
  /** Views holding a reference to a ConfigMap/Secret, by view key. */
  readonly #byRef = new Map<string, Set<NodeView>>();

  constructor(client: Client, log: Logger) {
    this.nodes = new Informer(client, GVR.nodes, log);
    this.pods = new Informer<Pod>(client, GVR.pods, log);
    this.configMaps = new Informer(client, GVR.configmaps, log);
    this.secrets = new Informer(client, GVR.secrets, log);
    this.pods.addIndex('node', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.#route(this.nodes, 'Node');
    this.#route(this.pods as unknown as Informer, 'Pod');
    this.#route(this.configMaps, 'ConfigMap');
    this.#route(this.secrets, 'Secret');
  }

  /** Runs the informers until `signal` aborts; resolves once all have synced. */
  async start(signal: AbortSignal): Promise<void> {
    for (const inf of [this.nodes, this.pods, this.configMaps, this.secrets]) {
      void inf.run(signal);
    }
    await Promise.all(
      [this.nodes, this.pods, this.configMaps, this.secrets].map((i) => i.synced()),
    );
  }

  get(kind: ViewKind, namespace: string, name: string): KubeObject | undefined {
    const ns = namespace || undefined;
    switch (kind) {
      case 'Node':
        return this.nodes.get(undefined, name);
      case 'Pod':
        return this.pods.get(ns, name);
      case 'ConfigMap':
        return this.configMaps.get(ns, name);
      case 'Secret':
        return this.secrets.get(ns, name);
    }
  }

  podsOn(node: string): Pod[] {
    return this.pods.byIndex('node', node);
  }

  /** Registers the view of a newly connected node (replacing an older session's). */
  attach(view: NodeView): void {
    const old = this.#byNode.get(view.node);
    if (old && old !== view) this.detach(old);
    this.#byNode.set(view.node, view);
  }

  /** Forgets a view (idempotent); a newer view for the same node stays attached. */
  detach(view: NodeView): void {
    if (this.#byNode.get(view.node) === view) this.#byNode.delete(view.node);
    for (const key of view.referenced()) this.unref(key, view);
    view.stop();
  }

  ref(key: string, view: NodeView): void {
    let set = this.#byRef.get(key);
    if (!set) this.#byRef.set(key, (set = new Set()));
    set.add(view);
  }

  unref(key: string, view: NodeView): void {
    const set = this.#byRef.get(key);
    if (!set) return;
    set.delete(view);
    if (set.size === 0) this.#byRef.delete(key);
  }

  #route(informer: Informer, kind: ViewKind): void {
    informer.on({
      add: (obj) => this.#dispatch(kind, obj, undefined, false),
      update: (old, obj) => this.#dispatch(kind, obj, old, false),
      delete: (obj) => this.#dispatch(kind, obj, undefined, true),
    });
  }

  #dispatch(kind: ViewKind, obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void {
    const targets = new Set<NodeView>();
    if (kind === 'Node') {
      const v = this.#byNode.get(obj.metadata.name ?? '');
      if (v) targets.add(v);
    } else if (kind === 'Pod') {
      for (const p of [old as Pod | undefined, obj as Pod]) {
        const node = p?.spec?.nodeName;
        const v = node ? this.#byNode.get(node) : undefined;
        if (v) targets.add(v);
      }
    } else {
      for (const v of this.#byRef.get(keyOf(kind, obj)) ?? []) targets.add(v);
    }
    for (const v of targets) v.onObject(kind, obj, old, deleted);
  }
}

/**
 * One node's view and what the edge has been sent. Changes come out through
 * `emit`, in the order they must be applied.
 */
export class NodeView implements ViewEventSink {
  readonly node: string;
  readonly #index: ViewIndex;
  readonly #emit: (changes: Change[]) => void;
  /** What the edge holds (or has been sent): view key -> resourceVersion. */
  readonly #held = new Map<string, string>();
  /** Pods in the view -> the reference keys they contribute. */
  readonly #podRefs = new Map<string, string[]>();
  /** Reference key -> number of pods referencing it. */
  readonly #refCount = new Map<string, number>();
  #started = false;

  constructor(node: string, index: ViewIndex, emit: (changes: Change[]) => void) {
    this.node = node;
    this.#index = index;
    this.#emit = emit;
  }

  /** Stops emitting (the session is gone). */
  stop(): void {
    this.#started = false;
  }

  /** Reference keys this view holds (for detaching). */
  referenced(): string[] {
    return [...this.#refCount.keys()];
  }

  /** Objects in the view now. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Computes the view from the caches and returns exactly what turns the edge's
   * `inventory` into it: puts for objects it lacks or holds at another
   * resourceVersion, deletes for objects it holds that are not in the view.
   * From then on, changes to the view are emitted as they happen.
   */
  start(inventory: InventoryItem[]): Change[] {
    const changes: Change[] = [];
    const have = new Map<string, string>();
    for (const [kind, ns, name, rv] of inventory) have.set(viewKey(kind, ns, name), rv);
    const want = new Map<string, { kind: ViewKind; obj: KubeObject }>();
    const node = this.#index.get('Node', '', this.node);
    if (node) want.set(keyOf('Node', node), { kind: 'Node', obj: node });
    for (const pod of this.#index.podsOn(this.node)) {
      want.set(keyOf('Pod', pod), { kind: 'Pod', obj: pod });
      for (const ref of this.#addPod(pod)) {
        const [kind, ns, name] = splitKey(ref);
        const obj = this.#index.get(kind, ns, name);
        if (obj) want.set(ref, { kind, obj });
      }
    }
    for (const [key, { kind, obj }] of want) {
      const rv = obj.metadata.resourceVersion ?? '';
      if (have.get(key) !== rv) changes.push({ op: 'put', kind, object: wire(obj) });
      this.#held.set(key, rv);
    }
    for (const [kind, ns, name] of inventory) {
      const key = viewKey(kind, ns, name);
      if (!want.has(key) && isKnownKind(kind)) {
        changes.push({ op: 'delete', kind, namespace: ns, name });
      }
    }
    this.#started = true;
    return changes;
  }

  onObject(kind: ViewKind, obj: KubeObject, old: KubeObject | undefined, deleted: boolean): void {
    if (!this.#started) return;
    // The edge writes Node and pod status itself: echoing each of its status
    // updates back down would cost a full object per report. The edge's copy
    // keeps the older resourceVersion, so the next reconnect's diff still
    // brings it up to date.
    if ((kind === 'Node' || kind === 'Pod') && old && !deleted && onlyStatusChanged(old, obj)) {
      return;
    }
    const changes: Change[] = [];
    if (kind === 'Node') {
      if (deleted) this.#drop('Node', obj, changes);
      else this.#put('Node', obj, changes);
    } else if (kind === 'Pod') {
      const pod = obj as Pod;
      const mine = !deleted && pod.spec?.nodeName === this.node;
      const key = keyOf('Pod', pod);
      const before = this.#podRefs.get(key) ?? [];
      if (mine) {
        this.#put('Pod', pod, changes);
        const after = this.#addPod(pod, before);
        for (const ref of after) {
          if (!before.includes(ref)) this.#putRef(ref, changes);
        }
        this.#release(
          before.filter((r) => !after.includes(r)),
          changes,
        );
      } else if (this.#podRefs.has(key)) {
        this.#podRefs.delete(key);
        this.#drop('Pod', pod, changes);
        this.#release(before, changes);
      }
    } else if ((this.#refCount.get(keyOf(kind, obj)) ?? 0) > 0) {
      if (deleted) this.#drop(kind, obj, changes);
      else this.#put(kind, obj, changes);
    }
    if (changes.length > 0) this.#emit(changes);
  }

  /** Records `pod`'s references (replacing `previous`); returns them. */
  #addPod(pod: Pod, previous: string[] = []): string[] {
    const refs = podReferences(pod);
    const keys: string[] = [];
    const ns = pod.metadata.namespace ?? '';
    for (const name of refs.configMaps) keys.push(viewKey('ConfigMap', ns, name));
    for (const name of refs.secrets) keys.push(viewKey('Secret', ns, name));
    this.#podRefs.set(keyOf('Pod', pod), keys);
    for (const key of keys) {
      if (previous.includes(key)) continue;
      const n = this.#refCount.get(key) ?? 0;
      this.#refCount.set(key, n + 1);
      if (n === 0) this.#index.ref(key, this);
    }
    return keys;
  }

  #release(keys: string[], changes: Change[]): void {
    for (const key of keys) {
      const n = (this.#refCount.get(key) ?? 0) - 1;
      if (n > 0) {
        this.#refCount.set(key, n);
        continue;
      }
      this.#refCount.delete(key);
      this.#index.unref(key, this);
      if (this.#held.has(key)) {
        const [kind, ns, name] = splitKey(key);
        this.#held.delete(key);
        changes.push({ op: 'delete', kind, namespace: ns, name });
      }
    }
  }

  #putRef(key: string, changes: Change[]): void {
    const [kind, ns, name] = splitKey(key);
    const obj = this.#index.get(kind, ns, name);
    if (obj) this.#put(kind, obj, changes);
  }

  #put(kind: ViewKind, obj: KubeObject, changes: Change[]): void {
    const key = keyOf(kind, obj);
    const rv = obj.metadata.resourceVersion ?? '';
    if (this.#held.get(key) === rv) return;
    this.#held.set(key, rv);
    changes.push({ op: 'put', kind, object: wire(obj) });
  }

  #drop(kind: ViewKind, obj: KubeObject, changes: Change[]): void {
    const key = keyOf(kind, obj);
    if (!this.#held.delete(key)) return;
    changes.push({
      op: 'delete',
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
    });
  }
}

/** The object as sent: without managedFields, which the edge never reads. */
function wire(obj: KubeObject): WireObject {
  if (!obj.metadata.managedFields) return obj as WireObject;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata } as WireObject;
}

/** True if `a` and `b` differ at most in status, resourceVersion and managedFields. */
export function onlyStatusChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const { status: _s, metadata, ...rest } = o as KubeObject & { status?: unknown };
    const { resourceVersion: _r, managedFields: _m, ...meta } = metadata;
    return { ...rest, metadata: meta };
  };
  return deepEqual(strip(a), strip(b));
}

function isKnownKind(kind: string): kind is ViewKind {
  return kind === 'Node' || kind === 'Pod' || kind === 'ConfigMap' || kind === 'Secret';
}

function splitKey(key: string): [RefKind & ViewKind, string, string] {
  const [kind, ns, ...rest] = key.split('/');
  return [kind as RefKind, ns!, rest.join('/')];
}

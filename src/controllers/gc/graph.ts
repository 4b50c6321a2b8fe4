/**
 * The garbage collector's dependency graph: every object the collector watches,
 * by uid, with its ownerReferences, and the reverse index from an owner's uid to
 * the uids of its dependents. Informer events update it synchronously; each
 * update returns what the collector should look at (`GraphEffects`), the way
 * Kubernetes' graph builder feeds its attemptToDelete and attemptToOrphan queues.
 *
 * Differences from Kubernetes' graph, on purpose:
 * - There are no "virtual" owner nodes. The reverse index is kept by owner uid
 *   whether or not the owner has been seen, so an owner observed late finds its
 *   dependents at once. A dependent whose owner has not been observed is queued
 *   itself; the collector then checks the owner against the API.
 * - A self-reference never blocks its own foreground deletion.
 *
 * The graph is a cache: decisions that write are always verified against the
 * API by the collector first.
 */
import type { GroupVersionResource } from '../../api/client.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import {
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  beingDeleted,
  blocksOwnerDeletion,
  deletionStartsWith,
  groupOf,
  hasFinalizer,
  referencesDiff,
  refMatchesIdentity,
  unblockedOwnerUids,
  type ObjectIdentity,
} from './owner-refs.ts';

export interface GraphNode {
  readonly identity: ObjectIdentity;
  /** The resource the object was observed through (for reads and writes of it). */
  readonly gvr: GroupVersionResource;
  readonly owners: readonly OwnerReference[];
  readonly beingDeleted: boolean;
  /** Being deleted in the foreground: waits for its blocking dependents. */
  readonly deletingDependents: boolean;
}

/** A dependent whose ownerReference names an owner observed in another namespace. */
export interface InvalidOwnerReference {
  dependent: ObjectIdentity;
  owner: OwnerReference;
}

/** What the collector should look at after a graph change. Uids may repeat. */
export interface GraphEffects {
  attemptToDelete: string[];
  attemptToOrphan: string[];
  invalidNamespace: InvalidOwnerReference[];
  /** Owners known to be gone, with dependents still pointing at them. */
  absent: ObjectIdentity[];
}

export function noEffects(): GraphEffects {
  return { attemptToDelete: [], attemptToOrphan: [], invalidNamespace: [], absent: [] };
}

function resourceKey(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.resource}`;
}

export class DependencyGraph {
  readonly #nodes = new Map<string, GraphNode>();
  /** owner uid -> dependent uids, whether or not the owner has been observed. */
  readonly #dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.#nodes.size;
  }

  node(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** The observed dependents of `uid` (objects whose ownerReferences name it). */
  dependents(uid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.#dependents.get(uid) ?? []) {
      const n = this.#nodes.get(d);
      if (n) out.push(n);
    }
    return out;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion, the owner itself excepted. */
  blockingDependents(uid: string): GraphNode[] {
    return this.dependents(uid).filter(
      (d) =>
        d.identity.uid !== uid && d.owners.some((r) => r.uid === uid && blocksOwnerDeletion(r)),
    );
  }

  /**
   * True when every owner of `node` is observed under the coordinates the
   * reference gives, in a namespace it may be referenced from, and none is
   * waiting for its dependents: nothing for the collector to do.
   */
  ownersLookSolid(node: GraphNode): boolean {
    return node.owners.every((ref) => {
      const owner = this.#nodes.get(ref.uid);
      if (!owner || !refMatchesIdentity(ref, owner.identity)) return false;
      if (owner.identity.namespace && owner.identity.namespace !== node.identity.namespace)
        return false;
      return !owner.deletingDependents;
    });
  }

  /**
   * Records an added or updated object seen through `gvr` (kind `kind`).
   * `old` is the previous state the informer had, if any.
   */
  observe(
    gvr: GroupVersionResource,
    kind: string,
    obj: KubeObject,
    old: KubeObject | undefined,
  ): GraphEffects {
    const effects = noEffects();
    const uid = obj.metadata.uid;
    if (!uid) return effects;
    if (old && old.metadata.uid !== uid) {
      // Replaced under the same name while we were not looking.
      merge(effects, this.forget(old));
      old = undefined;
    }
    const identity: ObjectIdentity = {
      apiVersion: gvr.group ? `${gvr.group}/${gvr.version}` : gvr.version,
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      uid,
    };
    const owners = obj.metadata.ownerReferences ?? [];
    const deleting = beingDeleted(obj);
    const existing = this.#nodes.get(uid);
    const node: GraphNode = {
      identity,
      gvr,
      owners,
      beingDeleted: deleting,
      deletingDependents: deleting && hasFinalizer(obj, FINALIZER_FOREGROUND),
    };
    this.#nodes.set(uid, node);
    if (!existing) {
      // Dependents may have been seen before their owner: check they may name it.
      if (identity.namespace) {
        for (const dep of this.dependents(uid)) {
          if (dep.identity.namespace === identity.namespace) continue;
          const ref = dep.owners.find((r) => r.uid === uid);
          if (ref) effects.invalidNamespace.push({ dependent: dep.identity, owner: ref });
          effects.attemptToDelete.push(dep.identity.uid);
        }
      }
      this.#link(node, owners, effects);
    } else {
      const diff = referencesDiff(existing.owners, owners);
      for (const owner of unblockedOwnerUids(diff)) {
        if (this.#nodes.has(owner)) effects.attemptToDelete.push(owner);
      }
      this.#unlink(uid, diff.removed);
      this.#link(node, diff.added, effects);
      // A reference whose coordinates changed must be checked again.
      if (diff.changed.length > 0) effects.attemptToDelete.push(uid);
    }
    if (deletionStartsWith(old, obj, FINALIZER_ORPHAN)) {
      effects.attemptToOrphan.push(uid);
    } else if (deletionStartsWith(old, obj, FINALIZER_FOREGROUND)) {
      for (const dep of this.dependents(uid)) effects.attemptToDelete.push(dep.identity.uid);
      effects.attemptToDelete.push(uid);
    }
    return effects;
  }

  /** Records that the object is gone (deleted, or found missing by the collector). */
  forget(obj: { metadata: { uid?: string } }): GraphEffects {
    return this.forgetUid(obj.metadata.uid ?? '');
  }

  forgetUid(uid: string): GraphEffects {
    const effects = noEffects();
    const node = this.#nodes.get(uid);
    if (!node) return effects;
    this.#nodes.delete(uid);
    this.#unlink(uid, node.owners);
    const dependents = this.dependents(uid);
    if (dependents.length > 0) effects.absent.push(node.identity);
    for (const dep of dependents) effects.attemptToDelete.push(dep.identity.uid);
    // Owners waiting in the foreground may have just lost their last blocker.
    for (const ref of node.owners) {
      if (this.#nodes.get(ref.uid)?.deletingDependents) effects.attemptToDelete.push(ref.uid);
    }
    return effects;
  }

  /** Forgets every object observed through `gvr`'s group/resource (its monitor stopped). */
  forgetResource(gvr: GroupVersionResource): GraphEffects {
    const effects = noEffects();
    const key = resourceKey(gvr);
    for (const [uid, node] of [...this.#nodes]) {
      if (resourceKey(node.gvr) === key) merge(effects, this.forgetUid(uid));
    }
    // Not known to be deleted: only unreachable.
    effects.absent = [];
    return effects;
  }

  #link(node: GraphNode, refs: readonly OwnerReference[], effects: GraphEffects): void {
    const uid = node.identity.uid;
    let check = false;
    for (const ref of refs) {
      let set = this.#dependents.get(ref.uid);
      if (!set) this.#dependents.set(ref.uid, (set = new Set()));
      set.add(uid);
      const owner = this.#nodes.get(ref.uid);
      if (!owner) {
        // Unknown owner: the collector asks the API whether it exists.
        check = true;
      } else if (owner.identity.namespace && owner.identity.namespace !== node.identity.namespace) {
        effects.invalidNamespace.push({ dependent: node.identity, owner: ref });
        check = true;
      } else if (!refMatchesIdentity(ref, owner.identity)) {
        check = true;
      }
    }
    if (check) effects.attemptToDelete.push(uid);
  }

  #unlink(uid: string, refs: readonly OwnerReference[]): void {
    for (const ref of refs) {
      const set = this.#dependents.get(ref.uid);
      if (!set) continue;
      set.delete(uid);
      if (set.size === 0) this.#dependents.delete(ref.uid);
    }
  }
}

function merge(into: GraphEffects, from: GraphEffects): void {
  into.attemptToDelete.push(...from.attemptToDelete);
  into.attemptToOrphan.push(...from.attemptToOrphan);
  into.invalidNamespace.push(...from.invalidNamespace);
  into.absent.push(...from.absent);
}

/**
 * Owners verified absent, by coordinates (including uid, so a later object of
 * the same name is not affected), bounded: the oldest entries go first.
 */
export class AbsentOwnerCache {
  readonly #entries = new Set<string>();
  readonly #max: number;

  constructor(max = 1024) {
    this.#max = max;
  }

  static key(ref: OwnerReference, namespace: string): string {
    return [groupOf(ref.apiVersion), ref.kind, namespace, ref.name, ref.uid].join('\u0000');
  }

  has(ref: OwnerReference, namespace: string): boolean {
    return this.#entries.has(AbsentOwnerCache.key(ref, namespace));
  }

  add(ref: OwnerReference, namespace: string): void {
    const key = AbsentOwnerCache.key(ref, namespace);
    this.#entries.delete(key);
    this.#entries.add(key);
    if (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.values().next().value!);
    }
  }
}

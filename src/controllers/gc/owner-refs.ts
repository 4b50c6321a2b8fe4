/**
 * Pure helpers about ownerReferences and the garbage collector's finalizers,
 * shared by the dependency graph and the garbage collector. Nothing here talks
 * to the API; nothing mutates its inputs.
 */
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';

/** Finalizers with meaning to the garbage collector (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** Where an object lives and what it is: its ownerReference coordinates plus its namespace ('' when cluster scoped). */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

export function beingDeleted(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp;
}

/**
 * True when `obj` is being deleted with `finalizer` and `old` was not (or there
 * is no `old`: the first sight of the object). The graph reacts to these
 * transitions only, as Kubernetes' graph builder does.
 */
export function deletionStartsWith(
  old: KubeObject | undefined,
  obj: KubeObject,
  finalizer: string,
): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, finalizer);
}

export function blocksOwnerDeletion(ref: OwnerReference): boolean {
  return ref.blockOwnerDeletion === true;
}

/** The group of an apiVersion: `apps/v1` -> `apps`, `v1` -> ''. */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/**
 * Whether `ref` names the object `identity` describes. The version is not
 * compared: every served version of a group/kind is the same object.
 */
export function refMatchesIdentity(ref: OwnerReference, identity: ObjectIdentity): boolean {
  return (
    ref.uid === identity.uid &&
    ref.name === identity.name &&
    ref.kind === identity.kind &&
    groupOf(ref.apiVersion) === groupOf(identity.apiVersion)
  );
}

export interface ReferenceDiff {
  added: OwnerReference[];
  removed: OwnerReference[];
  changed: { old: OwnerReference; now: OwnerReference }[];
}

function sameRef(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    (a.controller ?? false) === (b.controller ?? false) &&
    (a.blockOwnerDeletion ?? false) === (b.blockOwnerDeletion ?? false)
  );
}

/** What changed between two ownerReference lists, matched by owner uid. */
export function referencesDiff(
  old: readonly OwnerReference[],
  now: readonly OwnerReference[],
): ReferenceDiff {
  const before = new Map(old.map((r) => [r.uid, r]));
  const diff: ReferenceDiff = { added: [], removed: [], changed: [] };
  for (const r of now) {
    const was = before.get(r.uid);
    if (!was) diff.added.push(r);
    else {
      if (!sameRef(was, r)) diff.changed.push({ old: was, now: r });
      before.delete(r.uid);
    }
  }
  diff.removed.push(...before.values());
  return diff;
}

/**
 * Owners whose wait may have ended because a dependent stopped blocking them:
 * a blocking reference was removed, or turned non-blocking.
 */
export function unblockedOwnerUids(diff: ReferenceDiff): string[] {
  const uids = diff.removed.filter(blocksOwnerDeletion).map((r) => r.uid);
  for (const c of diff.changed) {
    if (blocksOwnerDeletion(c.old) && !blocksOwnerDeletion(c.now)) uids.push(c.now.uid);
  }
  return uids;
}

/** `refs` without the references to any of `uids` (a new array). */
export function withoutOwners(
  refs: readonly OwnerReference[],
  uids: ReadonlySet<string>,
): OwnerReference[] {
  return refs.filter((r) => !uids.has(r.uid));
}

/** `refs` with every blockOwnerDeletion turned off (a new array); used to break foreground cycles. */
export function unblockReferences(refs: readonly OwnerReference[]): OwnerReference[] {
  return refs.map((r) => (blocksOwnerDeletion(r) ? { ...r, blockOwnerDeletion: false } : r));
}

/**
 * The propagation policy for collecting an object that has no live owner:
 * an orphan or foreground finalizer already on it is honoured, else background.
 */
export function deletionPolicyFor(obj: KubeObject): PropagationPolicy {
  if (hasFinalizer(obj, FINALIZER_ORPHAN)) return 'Orphan';
  if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return 'Foreground';
  return 'Background';
}

/** `[apps/v1/ReplicaSet, namespace: ns, name: x, uid: u]`: Kubernetes' objectReference text. */
export function formatReference(ref: OwnerReference, namespace: string): string {
  return `[${ref.apiVersion}/${ref.kind}, namespace: ${namespace}, name: ${ref.name}, uid: ${ref.uid}]`;
}

/**
 * Controller references and the claim protocol of Kubernetes' ControllerRefManager:
 * a controller owns the objects whose ownerReference with `controller: true`
 * names its uid. On every sync it
 *
 * - keeps what it owns and still selects;
 * - releases what it owns but no longer selects (removes its reference), unless
 *   it is itself being deleted;
 * - adopts orphans it selects (adds its reference), unless it or the orphan is
 *   being deleted, after re-reading itself from the API to be sure it is not
 *   being deleted (a cache may lag);
 * - never touches objects another controller owns.
 *
 * Both writes are strategic merge patches that carry the object's uid, so a
 * patch can never land on a same-named successor of the object.
 */
import { isInvalid, isNotFound } from '../../util/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';

/** Who a controller is, as its ownerReferences name it. */
export interface ControllerKind {
  apiVersion: string;
  kind: string;
}

export const REPLICA_SET_KIND: ControllerKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
export const DEPLOYMENT_KIND: ControllerKind = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** The ownerReference marked `controller: true`, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to `owner`, blocking the owner's foreground deletion. */
export function newControllerRef(owner: KubeObject, kind: ControllerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** True if `ref` points at a controller of `kind` (any version of its group). */
export function refersToKind(ref: OwnerReference, kind: ControllerKind): boolean {
  const group = (v: string): string => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '');
  return ref.kind === kind.kind && group(ref.apiVersion) === group(kind.apiVersion);
}

export type ClaimDecision = 'owned' | 'adopt' | 'release' | 'ignore';

/**
 * What a controller should do with one candidate object. Pure. `matches` says
 * whether the controller's selector selects the object.
 */
export function claimDecision(owner: KubeObject, obj: KubeObject, matches: boolean): ClaimDecision {
  const ref = controllerRefOf(obj);
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    if (matches) return 'owned';
    return ownerDeleting ? 'ignore' : 'release';
  }
  if (ownerDeleting || !matches) return 'ignore';
  if (obj.metadata.deletionTimestamp) return 'ignore';
  if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace)
    return 'ignore';
  return 'adopt';
}

/** The strategic merge patch that adds `ref` to the object with `uid`. */
export function adoptPatch(ref: OwnerReference, uid: string | undefined): unknown {
  return { metadata: { ownerReferences: [ref], uid } };
}

/** The strategic merge patch that removes the reference to `ownerUid` from the object with `uid`. */
export function releasePatch(ownerUid: string, uid: string | undefined): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid } };
}

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  candidates: readonly T[];
  matches: (obj: T) => boolean;
  /**
   * Re-reads the owner from the API; throws if it is gone or being deleted.
   * Called at most once, before the first adoption.
   */
  canAdopt: () => Promise<void>;
  /** Patches the object (a strategic merge patch from adoptPatch/releasePatch). */
  patch: (obj: T, body: unknown) => Promise<T>;
  kind: ControllerKind;
}

/**
 * Runs the claim protocol over `candidates` and returns what the owner owns
 * afterwards (adopted objects as the API returned them). Adoptions and
 * releases of objects that vanished meanwhile are skipped; any other failure
 * is thrown after every candidate has been tried, so one stuck object cannot
 * block the rest, and the caller's sync fails and is retried with backoff.
 */
export async function claimObjects<T extends KubeObject>(options: ClaimOptions<T>): Promise<T[]> {
  const { owner, candidates, matches, patch, kind } = options;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of candidates) {
    const decision = claimDecision(owner, obj, matches(obj));
    try {
      if (decision === 'owned') claimed.push(obj);
      else if (decision === 'adopt') {
        adoptable ??= options.canAdopt();
        await adoptable;
        claimed.push(await patch(obj, adoptPatch(newControllerRef(owner, kind), obj.metadata.uid)));
      } else if (decision === 'release') {
        await patch(obj, releasePatch(owner.metadata.uid ?? '', obj.metadata.uid));
      }
    } catch (err) {
      if (isNotFound(err)) continue;
      // A release that finds no reference (or another uid) has nothing left to do.
      if (decision === 'release' && isInvalid(err)) continue;
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}

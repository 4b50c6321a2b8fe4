/**
 * DaemonSet history as Kubernetes keeps it: one ControllerRevision per distinct
 * pod template, named `<ds>-<hash>`, labelled `controller-revision-hash`, owned
 * (controller) by the DaemonSet, whose `data` is a strategic merge patch that
 * puts the template back (`{"spec":{"template":{"$patch":"replace",...}}}`) and
 * whose `revision` numbers increase. `kubectl rollout history|undo daemonset`
 * read exactly these: undo sends `data` as a strategic merge patch.
 *
 * Everything here is pure; inputs are never mutated.
 */
import type { ControllerRevision, DaemonSet } from '../../api/types/apps.ts';
import type { PodTemplateSpec } from '../../api/types/core.ts';
import type { OwnerReference } from '../../api/types/meta.ts';
import { deepEqual, isObject } from '../../util/objects.ts';

/** Label on revisions and pods: the hash of the template they were made from. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** Legacy pod label (extensions/v1beta1 templateGeneration), honoured when the annotation below is set. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** Where apps/v1 DaemonSets carry the legacy templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** Kubernetes' SafeEncodeString alphabet: no vowels (no words), no look-alikes (0/o, 1/l, 3/e). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Maps each character to the alphabet by its code, as Kubernetes' rand.SafeEncodeString does. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level (Go's encoding of a map), so equal values give equal text. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

/** 32-bit FNV-1a over `bytes`, continuing from `hash`. */
export function fnv1a32(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The template hash, Kubernetes' scheme with our serialization: FNV-1a 32 over
 * the template (canonical JSON here, Go's object dump there), then the
 * collision count as 8 little-endian bytes when set, printed in decimal and
 * safe-encoded. Independent of key order; changes with any template change and
 * with the collision count.
 */
export function templateHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(bytes, h);
  }
  return safeEncode(String(h));
}

/**
 * The revision data for `ds`: its pod template as a strategic merge patch that
 * replaces `spec.template` wholesale, keys sorted as Kubernetes' encoding of
 * the same patch sorts them.
 */
export function templatePatch(ds: DaemonSet): Record<string, unknown> {
  const template = { ...(ds.spec?.template ?? {}), $patch: 'replace' };
  return sortKeys({ spec: { template } }) as Record<string, unknown>;
}

/** Whether `rev` records `ds`'s current template. */
export function revisionMatches(ds: DaemonSet, rev: ControllerRevision): boolean {
  return deepEqual(templatePatch(ds), rev.data);
}

/** The controller reference a DaemonSet puts on what it owns. */
export function controllerRef(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    name: ds.metadata.name ?? '',
    uid: ds.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * A new revision of `ds`'s current template: labels are the template's plus the
 * hash, annotations the DaemonSet's (so `kubernetes.io/change-cause` shows in
 * `kubectl rollout history`).
 */
export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  const meta: ControllerRevision['metadata'] = {
    name: `${ds.metadata.name}-${hash}`,
    namespace: ds.metadata.namespace,
    labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
    ownerReferences: [controllerRef(ds)],
  };
  if (ds.metadata.annotations) meta.annotations = { ...ds.metadata.annotations };
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: meta,
    data: templatePatch(ds),
    revision,
  };
}

export function maxRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

export interface HistorySplit {
  /** Revisions recording the current template (normally one; more only after a race). */
  current: ControllerRevision[];
  old: ControllerRevision[];
  /** The number the current revision must carry: one above every old one. */
  nextRevision: number;
}

export function splitHistory(
  ds: DaemonSet,
  revisions: readonly ControllerRevision[],
): HistorySplit {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const r of revisions) (revisionMatches(ds, r) ? current : old).push(r);
  return { current, old, nextRevision: maxRevision(old) + 1 };
}

/** Of duplicate current revisions, the one to keep: the highest revision number (the last such on ties). */
export function revisionToKeep(current: readonly ControllerRevision[]): ControllerRevision {
  let keep = current[0];
  for (const r of current) if ((r.revision ?? 0) >= (keep.revision ?? 0)) keep = r;
  return keep;
}

/**
 * Old revisions to delete so that at most `limit` remain, oldest first,
 * skipping any whose hash a live pod still carries (those are still needed).
 */
export function revisionsToPrune(
  old: readonly ControllerRevision[],
  limit: number,
  liveHashes: ReadonlySet<string>,
): ControllerRevision[] {
  let toKill = old.length - limit;
  if (toKill <= 0) return [];
  const out: ControllerRevision[] = [];
  const sorted = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const r of sorted) {
    if (toKill <= 0) break;
    if (liveHashes.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? '')) continue;
    out.push(r);
    toKill--;
  }
  return out;
}

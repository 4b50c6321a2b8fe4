/**
 * Pod-level facts the DaemonSet controller decides with (readiness,
 * availability, age order, which node a pod is for), the pod it creates for a
 * node, and how it claims pods and revisions by controller reference. Pure:
 * inputs are never mutated, results belong to the caller.
 */
import type { DaemonSet } from '../../api/types/apps.ts';
import type { Pod } from '../../api/types/core.ts';
import type { KubeObject, OwnerReference } from '../../api/types/meta.ts';
import { matchesLabels, type Requirement } from '../../api/validation/selectors.ts';
import { clone } from '../../util/objects.ts';
import { pinToNode, targetNodeName, withDaemonTolerations } from './eligibility.ts';
import {
  controllerRef,
  REVISION_HASH_LABEL,
  TEMPLATE_GENERATION_ANNOTATION,
  TEMPLATE_GENERATION_LABEL,
} from './history.ts';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready for longer than `minReadySeconds` at `now` (ms); with 0, ready is enough. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 < now;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** Kubernetes' podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function comparePods(a: Pod, b: Pod): number {
  const aBound = Boolean(a.spec?.nodeName);
  const bBound = Boolean(b.spec?.nodeName);
  if (aBound !== bBound) return aBound ? -1 : 1;
  const at = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const bt = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (at !== bt) return at - bt;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** The DaemonSet's legacy template generation, when its annotation holds an integer. */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const v = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return v !== undefined && /^[+-]?[0-9]+$/.test(v) ? String(BigInt(v)) : undefined;
}

/**
 * Whether `pod` was made from the current template, by its hash label. (The
 * legacy generation label is written but, as in Kubernetes, not compared.)
 */
export function isPodUpdated(pod: Pod, hash: string): boolean {
  return hash !== '' && pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
}

/**
 * The pod `ds` runs on `nodeName`: the template with the DaemonSet tolerations,
 * required node affinity pinned to the node (the scheduler binds it), labels
 * plus the revision hash, `generateName: <ds>-`, and a controller reference.
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const template = ds.spec?.template ?? {};
  const spec = withDaemonTolerations(clone(template.spec ?? { containers: [] }));
  spec.affinity = pinToNode(spec.affinity, nodeName);
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  const metadata: Pod['metadata'] = {
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels,
    ownerReferences: [controllerRef(ds)],
  };
  if (template.metadata?.annotations) metadata.annotations = { ...template.metadata.annotations };
  if (template.metadata?.finalizers) metadata.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/**
 * Groups pods by the node they are for. Pods naming no node are left out, and
 * so (unless `includeDeletedTerminal`) are finished pods already being deleted:
 * nothing remains to do with those. Each group is sorted with `comparePods`.
 */
export function groupByNode(
  pods: readonly Pod[],
  includeDeletedTerminal: boolean,
): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isPodTerminal(pod) && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod.spec);
    if (node === undefined) continue;
    let list = out.get(node);
    if (!list) out.set(node, (list = []));
    list.push(pod);
  }
  for (const list of out.values()) list.sort(comparePods);
  return out;
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

/**
 * What `ds` does with `obj` (a pod or a revision) in its namespace, as
 * Kubernetes' ControllerRefManager decides: keep what it controls and still
 * selects; release what it controls but no longer selects (not while being
 * deleted itself); adopt orphans it selects (not while either is being
 * deleted); leave everything else alone.
 */
export function claimDecision(
  ds: DaemonSet,
  obj: KubeObject,
  selector: Requirement[],
): ClaimDecision {
  const ref = controllerOf(obj);
  const matches = matchesLabels(selector, obj.metadata.labels);
  const dsDeleting = Boolean(ds.metadata.deletionTimestamp);
  if (ref) {
    if (ref.uid !== ds.metadata.uid) return 'ignore';
    if (matches) return 'own';
    return dsDeleting ? 'ignore' : 'release';
  }
  if (dsDeleting || !matches || obj.metadata.deletionTimestamp) return 'ignore';
  if (obj.metadata.namespace !== ds.metadata.namespace) return 'ignore';
  return 'adopt';
}

/** The strategic merge patch that makes `ds` the controller of the object with `uid`. */
export function adoptPatch(ds: DaemonSet, uid: string): Record<string, unknown> {
  return { metadata: { ownerReferences: [controllerRef(ds)], uid } };
}

/** The strategic merge patch that drops `ds`'s reference from the object with `uid`. */
export function releasePatch(ds: DaemonSet, uid: string): Record<string, unknown> {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata.uid }], uid } };
}

/**
 * What workload controllers need to know about a pod: is it active (counts
 * toward replicas), ready, available (ready for at least minReadySeconds), and
 * which pods to delete first when scaling down (Kubernetes' ActivePodsWithRanks
 * order, with pod-deletion-cost and logarithmic scale-down, both on by default
 * in 1.33). All functions are pure and never modify their arguments.
 */
import type { Pod, PodCondition } from '../../api/types/core.ts';
import { parseTime } from '../time.ts';

/** The annotation that lets a user say which pods of a ReplicaSet to delete first (lower first). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** Counts toward a controller's replicas: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * How long until a ready pod counts as available: 0 if it already does,
 * undefined if it is not ready (it will not become available by waiting).
 * Available means Ready and, with minReadySeconds > 0, Ready since strictly
 * more than minReadySeconds ago (as Kubernetes compares).
 */
export function msUntilAvailable(
  pod: Pod,
  minReadySeconds: number | undefined,
  nowMs: number,
): number | undefined {
  if (!isPodReady(pod)) return undefined;
  const min = (minReadySeconds ?? 0) * 1000;
  if (min <= 0) return 0;
  const since = parseTime(podReadyCondition(pod)?.lastTransitionTime);
  // A Ready condition without a transition time never becomes available by waiting.
  if (since === undefined) return undefined;
  const availableAfter = since + min;
  return nowMs > availableAfter ? 0 : availableAfter - nowMs + 1;
}

export function isPodAvailable(
  pod: Pod,
  minReadySeconds: number | undefined,
  nowMs: number,
): boolean {
  return msUntilAvailable(pod, minReadySeconds, nowMs) === 0;
}

/** Pending < Unknown < Running; other phases count as Pending, as Kubernetes' map defaults. */
function phaseOrdinal(pod: Pod): number {
  switch (pod.status?.phase) {
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    default:
      return 0;
  }
}

/** The deletion cost annotation as an int32; 0 when absent or not a valid int32. */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : 0;
}

/** Highest restart count among regular containers, and among restartable init containers (sidecars). */
function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  let regular = 0;
  let sidecar = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount);
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  for (const s of pod.status?.initContainerStatuses ?? []) {
    if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount);
  }
  return { regular, sidecar };
}

/** When the pod became ready, if it is ready. */
function readySince(pod: Pod): number | undefined {
  return isPodReady(pod) ? parseTime(podReadyCondition(pod)?.lastTransitionTime) : undefined;
}

/** t1 is after t2, a missing time being "after" everything (Kubernetes' afterOrZero). */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** floor(log2(age in nanoseconds)), or -1 for a time not in the past. */
function logRank(t: number, nowMs: number): number {
  const ageNs = (nowMs - t) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

/** Younger first by logarithmic age bucket, then by uid; undefined when it cannot decide. */
function compareTimes(
  ti: number | undefined,
  tj: number | undefined,
  pi: Pod,
  pj: Pod,
  nowMs: number,
): boolean {
  if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
  const diff = logRank(ti, nowMs) - logRank(tj, nowMs);
  if (diff === 0) return (pi.metadata.uid ?? '') < (pj.metadata.uid ?? '');
  return diff < 0;
}

interface Ranked {
  pod: Pod;
  /** Active related pods on the same node (more = delete first). */
  rank: number;
}

/** Kubernetes' ActivePodsWithRanks "less": true if `a` should be deleted before `b`. */
function deleteBefore(a: Ranked, b: Ranked, nowMs: number): boolean {
  const pi = a.pod;
  const pj = b.pod;
  const ni = pi.spec?.nodeName ?? '';
  const nj = pj.spec?.nodeName ?? '';
  // 1. Unscheduled before scheduled.
  if (ni !== nj && (ni === '' || nj === '')) return ni === '';
  // 2. Pending < Unknown < Running.
  if (phaseOrdinal(pi) !== phaseOrdinal(pj)) return phaseOrdinal(pi) < phaseOrdinal(pj);
  // 3. Not ready before ready.
  if (isPodReady(pi) !== isPodReady(pj)) return !isPodReady(pi);
  // 4. Lower deletion cost first.
  const ci = podDeletionCost(pi);
  const cj = podDeletionCost(pj);
  if (ci !== cj) return ci < cj;
  // 5. Doubled up (more related pods on the same node) first.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for less time first.
  if (isPodReady(pi) && isPodReady(pj)) {
    const ri = readySince(pi);
    const rj = readySince(pj);
    if (ri !== rj) return compareTimes(ri, rj, pi, pj, nowMs);
  }
  // 7. More restarts first (regular containers, then sidecars).
  const ri = maxRestarts(pi);
  const rj = maxRestarts(pj);
  if (ri.regular !== rj.regular) return ri.regular > rj.regular;
  if (ri.sidecar !== rj.sidecar) return ri.sidecar > rj.sidecar;
  // 8. Newer first.
  const ti = parseTime(pi.metadata.creationTimestamp);
  const tj = parseTime(pj.metadata.creationTimestamp);
  if (ti !== tj) return compareTimes(ti, tj, pi, pj, nowMs);
  return false;
}

/**
 * The `count` pods of `pods` to delete first when scaling down. `related` are
 * the pods of every ReplicaSet under the same controller (a Deployment's
 * siblings); a pod sharing its node with more of them goes first, spreading
 * what remains. Returns a new array; `pods` is not reordered.
 */
export function podsToDelete(
  pods: readonly Pod[],
  related: readonly Pod[],
  count: number,
  nowMs: number,
): Pod[] {
  if (count >= pods.length) return pods.slice();
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked: Ranked[] = pods.map((pod) => ({
    pod,
    rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0,
  }));
  ranked.sort((a, b) => (deleteBefore(a, b, nowMs) ? -1 : deleteBefore(b, a, nowMs) ? 1 : 0));
  return ranked.slice(0, count).map((r) => r.pod);
}

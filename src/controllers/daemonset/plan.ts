/**
 * The DaemonSet controller's decisions, as pure functions of cached objects:
 * which nodes need a pod and which pods must go (`planManage`), which old pods
 * a rolling update replaces now (`planRollingUpdate`), and the status counts
 * (`computeStatus`). They follow Kubernetes' pkg/controller/daemon; the
 * controller only carries them out. Nodes are visited in name order so that
 * every decision is deterministic. Inputs are never mutated.
 */
import { InvalidError } from '../../util/errors.ts';
import type { DaemonSet, DaemonSetStatus } from '../../api/types/apps.ts';
import type { Node, Pod } from '../../api/types/core.ts';
import { nodeShouldRunDaemonPod } from './eligibility.ts';
import { REVISION_HASH_LABEL } from './history.ts';
import { comparePods, isPodAvailable, isPodReady, isPodUpdated } from './pods.ts';

/** Pods grouped by the node they are for (see `groupByNode`). */
export type PodsByNode = ReadonlyMap<string, readonly Pod[]>;

/**
 * An int or a percentage of `total` (rounded up or down), as Kubernetes'
 * GetScaledValueFromIntOrPercent. Unset counts as 0. Throws InvalidError for a
 * string that is not `<int>%`.
 */
export function scaledValue(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?[0-9]+)%$/.exec(value);
  if (!m) {
    throw new InvalidError(
      `invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(value)}`,
    );
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

function rollingUpdate(
  ds: DaemonSet,
): { maxUnavailable?: number | string; maxSurge?: number | string } | undefined {
  const s = ds.spec?.updateStrategy;
  return (s?.type ?? 'RollingUpdate') === 'RollingUpdate'
    ? (s?.rollingUpdate ?? undefined)
    : undefined;
}

/** How many surge pods a rolling update may add, of `desired`; 0 for OnDelete. */
export function surgeCount(ds: DaemonSet, desired: number): number {
  return scaledValue(rollingUpdate(ds)?.maxSurge, desired, true);
}

/** How many pods a rolling update may leave unavailable, of `desired`; 0 for OnDelete. */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  return scaledValue(rollingUpdate(ds)?.maxUnavailable, desired, true);
}

export function allowsSurge(ds: DaemonSet): boolean {
  return surgeCount(ds, 1) > 0;
}

/** Code-point order (not locale order), so plans do not depend on the host. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName(nodes: readonly Node[]): Node[] {
  return [...nodes].sort((a, b) => compareNames(a.metadata.name ?? '', b.metadata.name ?? ''));
}

export interface FinishedPod {
  pod: Pod;
  node: string;
}

export interface ManagePlan {
  /** Nodes that need a pod created. */
  create: string[];
  /** Pods to delete (normally). */
  delete: string[];
  /**
   * Failed pods on nodes that keep their daemon: deleted (and so recreated)
   * only when the node's failure backoff allows; the controller decides.
   */
  failed: FinishedPod[];
  /** Succeeded pods on nodes that keep their daemon: deleted so a new one starts. */
  succeeded: FinishedPod[];
}

/**
 * What to create and delete so that every eligible node runs exactly one pod
 * (with surge allowed, at most one old and one new) and no other node runs any.
 */
export function planManage(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: PodsByNode,
  hash: string,
  now: number,
): ManagePlan {
  const plan: ManagePlan = { create: [], delete: [], failed: [], succeeded: [] };
  const surge = allowsSurge(ds);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const node of byName(nodes)) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name);
    if (shouldRun && !pods) {
      plan.create.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') plan.failed.push({ pod, node: name });
        else if (pod.status?.phase === 'Succeeded') plan.succeeded.push({ pod, node: name });
        else running.push(pod);
      }
      running.sort(comparePods);
      if (!surge) {
        // Keep the oldest; any other is extra.
        for (const extra of running.slice(1)) plan.delete.push(extra.metadata.name!);
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) plan.create.push(name);
        continue;
      }
      // Surging: at most the oldest new pod and the oldest old pod stay, and the
      // old one only while it is ready and the new one is not yet available.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running) {
        const isNew = pod.metadata.labels?.[REVISION_HASH_LABEL] === hash;
        if (isNew && !oldestNew) oldestNew = pod;
        else if (!isNew && !oldestOld) oldestOld = pod;
        else plan.delete.push(pod.metadata.name!);
      }
      if (
        oldestNew &&
        oldestOld &&
        (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))
      ) {
        plan.delete.push(oldestOld.metadata.name!);
      }
    } else if (pods) {
      for (const pod of pods)
        if (!pod.metadata.deletionTimestamp) plan.delete.push(pod.metadata.name!);
    }
  }
  // Pods pinned to nodes that no longer exist and never bound can never be
  // scheduled; bound ones are left to the pod garbage collector, as in Kubernetes.
  const existing = new Set(nodes.map((n) => n.metadata.name));
  for (const [name, pods] of [...byNode].sort(([a], [b]) => compareNames(a, b))) {
    if (existing.has(name)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) plan.delete.push(pod.metadata.name!);
  }
  return plan;
}

export interface DesiredCounts {
  maxSurge: number;
  maxUnavailable: number;
  desired: number;
}

/**
 * Surge and unavailability budgets of a rolling update over `desired` eligible
 * nodes; when both come out 0, one unavailable pod is allowed (as Kubernetes
 * does, so that an update can always progress).
 */
export function desiredCounts(ds: DaemonSet, nodes: readonly Node[]): DesiredCounts {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desired };
}

/**
 * The live (not being deleted) new and old pod of a node; undefined when there
 * are several of either, which the manage step cleans up first.
 */
function updatedAndOld(
  pods: readonly Pod[],
  hash: string,
): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export interface RollingPlan {
  delete: string[];
  create: string[];
}

/**
 * The next step of a RollingUpdate. Without surge: delete old pods (one per
 * node) while fewer than maxUnavailable eligible nodes lack an available pod;
 * an old pod that is not available anyway is replaced at once; the manage step
 * then creates the new pod once the old one is gone. With surge: create new
 * pods beside available old ones (at most maxSurge not yet available at a
 * time) and delete each old pod once its replacement is available.
 */
export function planRollingUpdate(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: PodsByNode,
  hash: string,
  now: number,
): RollingPlan {
  const { maxSurge, maxUnavailable, desired } = desiredCounts(ds, nodes);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  // Every node with pods, and every eligible node (with no pods: an empty list).
  const all = new Map<string, readonly Pod[]>(byNode);
  for (const n of nodes) {
    if (nodeShouldRunDaemonPod(n, ds).shouldRun && !all.has(n.metadata.name ?? '')) {
      all.set(n.metadata.name ?? '', []);
    }
  }
  const entries = [...all].sort(([a], [b]) => compareNames(a, b));
  const available = (pod: Pod): boolean => isPodAvailable(pod, minReady, now);
  const shouldRun = (nodeName: string): boolean => {
    const node = nodeByName.get(nodeName);
    return node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
  };

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: string[] = [];
    const candidates: string[] = [];
    for (const [, pods] of entries) {
      const found = updatedAndOld(pods, hash);
      if (!found) {
        numUnavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replacements.push(oldPod.metadata.name!);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) {
          candidates.push(oldPod.metadata.name!);
        }
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { delete: [...replacements, ...candidates.slice(0, room)], create: [] };
  }

  const toDelete: string[] = [];
  const shouldNotRun: string[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of entries) {
    const found = updatedAndOld(pods, hash);
    if (!found) {
      numSurge++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod && available(newPod)) {
      numAvailable++;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(nodeName)) {
          toDelete.push(oldPod.metadata.name!);
          continue;
        }
        allowedNodes.push(nodeName);
      } else {
        if (!shouldRun(nodeName)) {
          shouldNotRun.push(oldPod.metadata.name!);
          continue;
        }
        if (numSurge >= maxSurge) continue;
        candidateNodes.push(nodeName);
      }
    } else if (!available(newPod)) {
      numSurge++;
    } else {
      toDelete.push(oldPod.metadata.name!);
    }
  }
  // Pods on nodes that no longer want them go only while enough others are
  // available, so that surge keeps the promise of full availability.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  toDelete.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return { delete: toDelete, create: [...allowedNodes, ...candidateNodes.slice(0, room)] };
}

export interface StatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/**
 * The status counts: per eligible node, whether it has a pod, and whether its
 * oldest pod is ready, available and of the current template; per other node,
 * whether it has a pod anyway (misscheduled).
 */
export function computeStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  byNode: PodsByNode,
  hash: string,
  now: number,
): StatusCounts {
  const c: StatusCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  for (const node of nodes) {
    const pods = byNode.get(node.metadata.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(comparePods)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/**
 * Whether the stored status differs from `counts` (or, when the controller has
 * processed the current generation, from that generation).
 */
export function statusNeedsUpdate(
  ds: DaemonSet,
  counts: StatusCounts,
  observeGeneration: boolean,
): boolean {
  const s: Partial<DaemonSetStatus> = ds.status ?? {};
  for (const k of Object.keys(counts) as (keyof StatusCounts)[]) {
    if ((s[k] ?? 0) !== counts[k]) return true;
  }
  return observeGeneration && (s.observedGeneration ?? 0) < (ds.metadata.generation ?? 0);
}

/**
 * The status to write: `counts` over the stored status (collisionCount and
 * conditions kept); the fields Kubernetes omits when zero are left out then.
 */
export function nextStatus(
  current: DaemonSetStatus | undefined,
  counts: StatusCounts,
  observedGeneration: number | undefined,
): DaemonSetStatus {
  const out: DaemonSetStatus = { ...(current ?? ({} as DaemonSetStatus)), ...counts };
  if (observedGeneration !== undefined) out.observedGeneration = observedGeneration;
  for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) {
    if (!out[k]) delete out[k];
  }
  if (!out.observedGeneration) delete out.observedGeneration;
  return out;
}

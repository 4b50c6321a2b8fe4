/**
 * The taints the node lifecycle controller owns, derived from a node's
 * conditions as Kubernetes' controller derives them (TaintNodesByCondition and
 * the NoExecute tainting pass), and which toleration decides an eviction.
 */
import type { Node, Taint, Toleration } from '../../api/types/core.ts';
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  toleratesTaint,
} from '../taints.ts';
import { nodeCondition } from './conditions.ts';

/** Condition type -> (status -> NoSchedule taint key), as in Kubernetes. */
const CONDITION_TAINTS: Record<string, Partial<Record<string, string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
};

const NO_SCHEDULE_KEYS = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_PID_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_UNSCHEDULABLE,
]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

/** Whether this controller owns `taint` (adds it and removes it). */
export function isManagedTaint(taint: Taint): boolean {
  return taint.effect === 'NoSchedule'
    ? NO_SCHEDULE_KEYS.has(taint.key)
    : taint.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(taint.key);
}

/** The managed taints `node` should carry now (key and effect; no timeAdded). */
export function desiredTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  // Ready=False and Ready=Unknown exclude each other, so at most one NoExecute taint.
  const ready = nodeCondition(node, 'Ready')?.status;
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  return out;
}

const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/**
 * The node's taint list with the managed taints brought in line with its
 * conditions: managed taints no longer called for go, missing ones are
 * appended with `timeAdded: now`, and taints that stay are kept exactly as they
 * are (their timeAdded is the start of any eviction countdown, so it must
 * survive every later pass and controller restart). Taints this controller does
 * not own are never touched. Returns undefined when the list is already right.
 * Pure; does not mutate `node`.
 */
export function reconcileTaints(node: Node, now: string): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const want = desiredTaints(node);
  const kept = current.filter((t) => !isManagedTaint(t) || want.some((w) => same(w, t)));
  const added = want
    .filter((w) => !current.some((t) => same(w, t)))
    .map((w) => ({ ...w, timeAdded: now }));
  if (kept.length === current.length && added.length === 0) return undefined;
  return [...kept, ...added];
}

/** The node's NoExecute unreachable or not-ready taint, if it has one. */
export function lifecycleNoExecuteTaint(node: Node): Taint | undefined {
  return node.spec?.taints?.find((t) => t.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key));
}

/**
 * The toleration that decides how long `taint` is tolerated: the first one
 * that matches, as in Kubernetes' taint manager (a later, shorter toleration
 * does not override an earlier match).
 */
export function matchingToleration(
  tolerations: readonly Toleration[] | undefined,
  taint: Taint,
): Toleration | undefined {
  return tolerations?.find((t) => toleratesTaint(t, taint));
}

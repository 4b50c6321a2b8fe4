/**
 * Taints and tolerations as every controller here reads them: the well-known
 * taint keys Kubernetes puts on nodes (k8s.io/api/core/v1), and toleration
 * matching as `Toleration.ToleratesTaint` does it. The scheduler, the DaemonSet
 * controller and the node lifecycle controller all decide by these.
 */
import type { Taint, TaintEffect, Toleration } from '../api/types/core.ts';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/**
 * Kubernetes' `Toleration.ToleratesTaint`: effect and key must match when set
 * (an empty key with Exists tolerates everything), then the operator decides;
 * an empty operator means Equal.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of `tolerations` tolerates `taint`. */
export function tolerated(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint with one of `effects` that no toleration matches; undefined when all are tolerated. */
export function firstUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  effects: readonly TaintEffect[],
): Taint | undefined {
  return taints?.find((taint) => effects.includes(taint.effect) && !tolerated(tolerations, taint));
}

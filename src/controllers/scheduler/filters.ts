/**
 * The filters: may this pod run on this node? One pure function per Kubernetes
 * filter plugin, run in kube-scheduler's default order; the first that rejects
 * a node gives its reasons, worded as kube-scheduler words them (the reasons
 * feed the `0/N nodes are available: ...` message).
 *
 * Status codes follow the scheduling framework: `Unschedulable` means removing
 * pods from the node could help (preemption might), `UnschedulableAndUnresolvable`
 * means nothing on the node can change the answer.
 */
import type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Taint,
  TaintEffect,
} from '../../api/types/core.ts';
import { firstUntoleratedTaint, TAINT_UNSCHEDULABLE, tolerated } from '../taints.ts';
import type { NodeState } from './node-cache.ts';
import type { PodInfo } from './pod-info.ts';
import type { InterPodState } from './interpod.ts';
import { spreadFilter, type SpreadFilterState, type SpreadHelpers } from './topology-spread.ts';
import {
  satisfiesExistingAntiAffinity,
  satisfiesPodAffinity,
  satisfiesPodAntiAffinity,
} from './interpod.ts';

export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterStatus {
  code: StatusCode;
  reasons: string[];
}

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY =
  "node(s) didn't satisfy existing pods anti-affinity rules";

export function untoleratedTaintReason(t: Taint): string {
  return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
}

// ------------------------------------------------------------ taints

/** The effects the TaintToleration filter enforces (PreferNoSchedule only scores). */
const HARD_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'NoExecute'];

// ------------------------------------------------------------ node affinity

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

/** One node selector requirement against a set of values (labels, or `metadata.name`). */
export function requirementMatches(
  r: NodeSelectorRequirement,
  get: (key: string) => string | undefined,
): boolean {
  const v = get(r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || values.length !== 1) return false;
      const have = parseInt64(v);
      const want = parseInt64(values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/**
 * A node selector term: its matchExpressions (on labels) and matchFields (on
 * `metadata.name`) all hold. An empty term matches no node.
 */
export function termMatchesNode(term: NodeSelectorTerm, node: NodeState): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.labels;
  const label = (k: string): string | undefined =>
    Object.hasOwn(labels, k) ? labels[k] : undefined;
  for (const r of exprs) if (!requirementMatches(r, label)) return false;
  const field = (k: string): string | undefined => (k === 'metadata.name' ? node.name : undefined);
  for (const r of fields) if (!requirementMatches(r, field)) return false;
  return true;
}

/** nodeSelector (every label equal) and required node affinity (any term) both hold. */
export function matchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeState): boolean {
  if (pod.nodeSelector) {
    for (const k of Object.keys(pod.nodeSelector)) {
      if (!Object.hasOwn(node.labels, k) || node.labels[k] !== pod.nodeSelector[k]) return false;
    }
  }
  const terms = pod.requiredNodeAffinity;
  if (terms === undefined) return true;
  for (const t of terms) if (termMatchesNode(t, node)) return true;
  return false;
}

/**
 * NodeAffinity's PreFilter: the node names a pod is pinned to by
 * `matchFields: metadata.name In [...]` in every required term (DaemonSet pods
 * are pinned so), or undefined when any node may do. An empty set means the
 * terms contradict each other.
 */
export function pinnedNodeNames(pod: PodInfo): Set<string> | undefined {
  const terms = pod.requiredNodeAffinity;
  if (!terms || terms.length === 0) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    // A term without a name pin admits every node: the terms are ORed.
    if (!termNames) return undefined;
    names = names ? new Set([...names, ...termNames]) : termNames;
  }
  return names;
}

// ------------------------------------------------------------ resources

function insufficient(name: string): string {
  return `Insufficient ${name}`;
}

/**
 * NodeResourcesFit: the pod's requests fit in what the node has left. A
 * request larger than the node's whole allocatable is unresolvable.
 */
export function fitsResources(pod: PodInfo, node: NodeState): FilterStatus | undefined {
  const r = pod.requests;
  // The common case, a fit, allocates nothing.
  if (
    node.podCount + 1 <= node.allocPods &&
    (r.milliCpu <= 0 || r.milliCpu <= node.allocMilliCpu - node.reqMilliCpu) &&
    (r.memory <= 0 || r.memory <= node.allocMemory - node.reqMemory) &&
    (r.ephemeralStorage <= 0 ||
      r.ephemeralStorage <= node.allocEphemeralStorage - node.reqEphemeralStorage) &&
    !r.scalar
  ) {
    return undefined;
  }
  const reasons: string[] = [];
  let unresolvable = false;
  if (node.podCount + 1 > node.allocPods) reasons.push(REASON_TOO_MANY_PODS);
  const check = (name: string, want: number, have: number, inUse: number): void => {
    if (want > 0 && want > have - inUse) {
      reasons.push(insufficient(name));
      if (want > have) unresolvable = true;
    }
  };
  check('cpu', r.milliCpu, node.allocMilliCpu, node.reqMilliCpu);
  check('memory', r.memory, node.allocMemory, node.reqMemory);
  check(
    'ephemeral-storage',
    r.ephemeralStorage,
    node.allocEphemeralStorage,
    node.reqEphemeralStorage,
  );
  if (r.scalar) {
    for (const name of Object.keys(r.scalar)) {
      check(
        name,
        r.scalar[name],
        node.allocatable.scalar?.[name] ?? 0,
        node.reqScalar?.[name] ?? 0,
      );
    }
  }
  if (reasons.length === 0) return undefined;
  return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons };
}

// ------------------------------------------------------------ all filters

/** What the filters need beyond the pod and the node, computed once per attempt. */
export interface FilterContext {
  /** Topology spread counts; undefined when the pod has no DoNotSchedule constraint. */
  spread?: SpreadFilterState;
  /** Inter-pod affinity counts; undefined when neither the pod nor any placed pod has such terms. */
  interPod?: InterPodState;
}

/** What topology spreading needs from the node filters. */
export const spreadHelpers: SpreadHelpers = {
  matchesNodeAffinity: matchesNodeSelectorAndAffinity,
  toleratesNodeTaints: (pod, node) =>
    !node.hasHardTaints || !firstUntoleratedTaint(node.taints, pod.tolerations, HARD_EFFECTS),
};

/**
 * Runs the filters in kube-scheduler's default order (NodeUnschedulable,
 * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
 * PodTopologySpread, InterPodAffinity)
 * and returns the first rejection, or undefined if the node fits.
 */
export function filterNode(
  pod: PodInfo,
  node: NodeState,
  ctx: FilterContext,
): FilterStatus | undefined {
  if (
    node.unschedulable &&
    !tolerated(pod.tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' })
  ) {
    return { code: 'UnschedulableAndUnresolvable', reasons: [REASON_UNSCHEDULABLE] };
  }
  const taint = node.hasHardTaints
    ? firstUntoleratedTaint(node.taints, pod.tolerations, HARD_EFFECTS)
    : undefined;
  if (taint) {
    return { code: 'UnschedulableAndUnresolvable', reasons: [untoleratedTaintReason(taint)] };
  }
  if (!matchesNodeSelectorAndAffinity(pod, node)) {
    return { code: 'UnschedulableAndUnresolvable', reasons: [REASON_NODE_AFFINITY] };
  }
  for (const p of pod.hostPorts) {
    if (node.portInUse(p)) return { code: 'Unschedulable', reasons: [REASON_PORTS] };
  }
  const fit = fitsResources(pod, node);
  if (fit) return fit;
  if (ctx.spread) {
    const spread = spreadFilter(ctx.spread, pod, node);
    if (spread) return spread;
  }
  const ip = ctx.interPod;
  if (ip) {
    if (!satisfiesPodAffinity(ip, pod, node)) {
      return { code: 'UnschedulableAndUnresolvable', reasons: [REASON_POD_AFFINITY] };
    }
    if (!satisfiesPodAntiAffinity(ip, pod, node)) {
      return { code: 'Unschedulable', reasons: [REASON_POD_ANTI_AFFINITY] };
    }
    if (!satisfiesExistingAntiAffinity(ip, node)) {
      return { code: 'Unschedulable', reasons: [REASON_EXISTING_ANTI_AFFINITY] };
    }
  }
  return undefined;
}

/**
 * Explicit `spec.topologySpreadConstraints` (kube-scheduler's PodTopologySpread
 * plugin for pods that state constraints; pods that state none get the system
 * default spreading in ./scoring.ts instead).
 *
 * Filter (whenUnsatisfiable: DoNotSchedule): per constraint, count the pods the
 * selector matches (same namespace, not terminating) in each domain of the
 * topology key, over the nodes that are eligible (they carry every constraint
 * key and, by default, pass the pod's node selector and affinity); a node is
 * rejected if placing the pod there would make its domain exceed the least
 * populated domain by more than maxSkew.
 *
 * Score (whenUnsatisfiable: ScheduleAnyway): fewer matching pods in the node's
 * domains score higher; nodes missing a constraint key score 0.
 *
 * Cost: a pod with constraints scans every placed pod once per attempt.
 */
import { matchesLabels } from '../../api/validation/selectors.ts';
import type { FilterStatus } from './filters.ts';
import { LABEL_HOSTNAME, type NodeState, type SchedulerCache } from './node-cache.ts';
import type { PodInfo, SpreadConstraint } from './pod-info.ts';

export const REASON_SPREAD_MISSING_LABEL =
  "node(s) didn't match pod topology spread constraints (missing required label)";
export const REASON_SPREAD_SKEW = "node(s) didn't match pod topology spread constraints";

/** Dependencies the counting needs from the filters (passed in to avoid an import cycle). */
export interface SpreadHelpers {
  matchesNodeAffinity(pod: PodInfo, node: NodeState): boolean;
  toleratesNodeTaints(pod: PodInfo, node: NodeState): boolean;
}

function countOnNode(c: SpreadConstraint, pod: PodInfo, node: NodeState): number {
  if (!c.selector) return 0;
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.namespace !== pod.namespace || p.terminating) continue;
    if (matchesLabels(c.selector, p.labels)) n++;
  }
  return n;
}

/** The node carries every constraint's topology key. */
function hasAllKeys(constraints: SpreadConstraint[], node: NodeState): boolean {
  for (const c of constraints) if (node.label(c.topologyKey) === undefined) return false;
  return true;
}

/** The node counts for `c` under its node inclusion policies. */
function included(c: SpreadConstraint, pod: PodInfo, node: NodeState, h: SpreadHelpers): boolean {
  if (c.honorNodeAffinity && !h.matchesNodeAffinity(pod, node)) return false;
  if (c.honorTaints && !h.toleratesNodeTaints(pod, node)) return false;
  return true;
}

export interface SpreadFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: domain value -> matching pods. */
  counts: Map<string, number>[];
  /** Per constraint: the smallest count over eligible domains (0 below minDomains). */
  min: number[];
}

/** PreFilter: counts for the pod's DoNotSchedule constraints; undefined when it has none. */
export function spreadPreFilter(
  pod: PodInfo,
  cache: SchedulerCache,
  h: SpreadHelpers,
): SpreadFilterState | undefined {
  const constraints = pod.spreadConstraints.filter((c) => c.hard);
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of cache.nodes()) {
    if (!hasAllKeys(constraints, node)) continue;
    constraints.forEach((c, i) => {
      if (!included(c, pod, node, h)) return;
      const v = node.label(c.topologyKey)!;
      counts[i].set(v, (counts[i].get(v) ?? 0) + countOnNode(c, pod, node));
    });
  }
  const min = constraints.map((c, i) => {
    if (counts[i].size < c.minDomains) return 0;
    let m = Infinity;
    for (const n of counts[i].values()) if (n < m) m = n;
    return m === Infinity ? 0 : m;
  });
  return { constraints, counts, min };
}

/** Filter: the node carries every key and placing the pod keeps each skew within maxSkew. */
export function spreadFilter(
  state: SpreadFilterState,
  pod: PodInfo,
  node: NodeState,
): FilterStatus | undefined {
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i];
    const v = node.label(c.topologyKey);
    if (v === undefined) {
      return { code: 'UnschedulableAndUnresolvable', reasons: [REASON_SPREAD_MISSING_LABEL] };
    }
    const self = c.selector && matchesLabels(c.selector, pod.labels) ? 1 : 0;
    const skew = (state.counts[i].get(v) ?? 0) + self - state.min[i];
    if (skew > c.maxSkew) return { code: 'Unschedulable', reasons: [REASON_SPREAD_SKEW] };
  }
  return undefined;
}

/**
 * Raw scores of `nodes` for the pod's ScheduleAnyway constraints, with
 * `ignored` marking nodes that lack a key; undefined when there are none.
 */
export function explicitSpreadRawScores(
  pod: PodInfo,
  nodes: readonly NodeState[],
  cache: SchedulerCache,
  h: SpreadHelpers,
): { raw: number[]; ignored: boolean[] } | undefined {
  const constraints = pod.spreadConstraints.filter((c) => !c.hard);
  if (constraints.length === 0) return undefined;
  const ignored = nodes.map((n) => constraints.some((c) => n.label(c.topologyKey) === undefined));
  const weights = constraints.map((c) => {
    if (c.topologyKey === LABEL_HOSTNAME) return Math.log(ignored.filter((x) => !x).length + 2);
    const domains = new Set<string>();
    nodes.forEach((n, i) => {
      if (!ignored[i]) domains.add(n.label(c.topologyKey)!);
    });
    return Math.log(domains.size + 2);
  });
  // Domain counts over every eligible node, for keys other than hostname.
  const counts = constraints.map(() => new Map<string, number>());
  const needDomains = constraints.some((c) => c.topologyKey !== LABEL_HOSTNAME);
  if (needDomains) {
    // Only domains of candidate nodes matter.
    const domains = constraints.map((c) => {
      const set = new Set<string>();
      nodes.forEach((n, i) => {
        if (!ignored[i]) set.add(n.label(c.topologyKey)!);
      });
      return set;
    });
    for (const node of cache.nodes()) {
      if (!hasAllKeys(constraints, node)) continue;
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME || !included(c, pod, node, h)) return;
        const v = node.label(c.topologyKey)!;
        if (!domains[i].has(v)) return;
        counts[i].set(v, (counts[i].get(v) ?? 0) + countOnNode(c, pod, node));
      });
    }
  }
  const raw = nodes.map((n, ni) => {
    if (ignored[ni]) return 0;
    let score = 0;
    constraints.forEach((c, i) => {
      const v = n.label(c.topologyKey)!;
      const count =
        c.topologyKey === LABEL_HOSTNAME ? countOnNode(c, pod, n) : (counts[i].get(v) ?? 0);
      score += count * weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  });
  return { raw, ignored };
}

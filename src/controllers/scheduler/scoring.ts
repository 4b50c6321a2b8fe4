/**
 * The scores: which feasible node is best? kube-scheduler's default score
 * plugins, each giving 0..100 per node after its own normalization, summed with
 * the default weights:
 *
 * | plugin                          | weight | prefers                                   |
 * |---------------------------------|--------|-------------------------------------------|
 * | TaintToleration                 | 3      | fewer untolerated PreferNoSchedule taints |
 * | NodeAffinity                    | 2      | more preferred-term weight matched        |
 * | PodTopologySpread (system default) | 2   | fewer pods of the same spread key         |
 * | InterPodAffinity                | 2      | preferred pod (anti-)affinity             |
 * | NodeResourcesFit (LeastAllocated) | 1    | more free cpu and memory                  |
 * | NodeResourcesBalancedAllocation | 1      | cpu and memory used in the same proportion|
 *
 * Spreading follows PodTopologySpread's system defaults (hostname with maxSkew
 * 3, zone with maxSkew 5, ScheduleAnyway), with "the same spread key" (same
 * controller, or for bare pods the same labels) standing in for the selector
 * Kubernetes derives from Services and controllers. ImageLocality is not
 * scored (nodes report no images here).
 *
 * All functions are pure; integer arithmetic mirrors Kubernetes' int64 math.
 */
import { tolerated } from '../taints.ts';
import { termMatchesNode, matchesNodeSelectorAndAffinity, spreadHelpers } from './filters.ts';
import { explicitSpreadRawScores } from './topology-spread.ts';
import { interPodNodeScore, interPodScores, type NamespaceLabels } from './interpod.ts';
import { LABEL_HOSTNAME, LABEL_ZONE, type NodeState, type SchedulerCache } from './node-cache.ts';
import type { PodInfo } from './pod-info.ts';

export const MAX_NODE_SCORE = 100;

export const WEIGHTS = {
  taintToleration: 3,
  nodeAffinity: 2,
  podTopologySpread: 2,
  interPodAffinity: 2,
  leastAllocated: 1,
  balancedAllocation: 1,
} as const;

/**
 * Kubernetes' DefaultNormalizeScore: scales to 0..max by the highest raw
 * score (integer division), reversed if asked. All zero: 0, or max reversed.
 */
export function defaultNormalize(raw: number[], reverse: boolean): number[] {
  let max = 0;
  for (const s of raw) if (s > max) max = s;
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((s) => {
    const v = Math.trunc((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - v : v;
  });
}

/** PreferNoSchedule taints of the node the pod does not tolerate (tolerations with no effect count). */
export function intolerablePreferNoSchedule(pod: PodInfo, node: NodeState): number {
  let n = 0;
  let tols: typeof pod.tolerations | undefined;
  for (const t of node.taints) {
    if (t.effect !== 'PreferNoSchedule') continue;
    tols ??= pod.tolerations.filter((x) => !x.effect || x.effect === 'PreferNoSchedule');
    if (!tolerated(tols, t)) n++;
  }
  return n;
}

/** Sum of the weights of the pod's preferred node affinity terms the node matches. */
export function preferredNodeAffinity(pod: PodInfo, node: NodeState): number {
  let sum = 0;
  for (const p of pod.preferredNodeAffinity) {
    if (p.weight !== 0 && termMatchesNode(p.preference, node)) sum += p.weight;
  }
  return sum;
}

function leastAllocatedPart(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** LeastAllocated: free share of cpu and memory after placing the pod (non-zero requests), 0..100. */
export function leastAllocated(pod: PodInfo, node: NodeState): number {
  const cpu = leastAllocatedPart(
    node.nonZeroMilliCpu + pod.nonZeroRequests.milliCpu,
    node.allocMilliCpu,
  );
  const mem = leastAllocatedPart(node.nonZeroMemory + pod.nonZeroRequests.memory, node.allocMemory);
  return Math.trunc((cpu + mem) / 2);
}

/** BalancedAllocation: 100 x (1 - the spread of cpu and memory fractions after placing the pod). */
export function balancedAllocation(pod: PodInfo, node: NodeState): number {
  const cpuAlloc = node.allocMilliCpu;
  const memAlloc = node.allocMemory;
  // With one resource (or none) allocatable there is nothing to balance.
  if (cpuAlloc === 0 || memAlloc === 0) return MAX_NODE_SCORE;
  const cpu = Math.min(1, (node.reqMilliCpu + pod.requests.milliCpu) / cpuAlloc);
  const mem = Math.min(1, (node.reqMemory + pod.requests.memory) / memAlloc);
  const std = Math.abs((cpu - mem) / 2);
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

// ------------------------------------------------------------ spreading

interface SpreadConstraint {
  key: string;
  maxSkew: number;
}

const DEFAULT_SPREAD: SpreadConstraint[] = [
  { key: LABEL_HOSTNAME, maxSkew: 3 },
  { key: LABEL_ZONE, maxSkew: 5 },
];

/**
 * Raw PodTopologySpread scores (before normalization) of `nodes` for `pod`, or
 * undefined when the pod does not spread. Per constraint whose key the node
 * has: count x log(domains + 2) + (maxSkew - 1), rounded; counts on the node
 * itself for hostname, over every node of the zone (that passes the pod's node
 * selector and affinity) for zone.
 */
export function spreadRawScores(
  pod: PodInfo,
  nodes: readonly NodeState[],
  all: readonly NodeState[],
): number[] | undefined {
  const key = pod.spreadKey;
  if (key === undefined) return undefined;
  const weights: number[] = [];
  const zoneCounts = new Map<string, number>();
  for (const c of DEFAULT_SPREAD) {
    if (c.key === LABEL_HOSTNAME) {
      weights.push(Math.log(nodes.length + 2));
      continue;
    }
    // Kubernetes counts unlabeled candidates as one more (empty) domain here.
    const domains = new Set<string>();
    let labeled = false;
    for (const n of nodes) {
      const v = n.label(c.key);
      domains.add(v ?? '');
      if (v !== undefined) labeled = true;
    }
    weights.push(Math.log(domains.size + 2));
    if (!labeled) continue;
    for (const n of all) {
      const v = n.label(c.key);
      if (v === undefined || !domains.has(v)) continue;
      if (!matchesNodeSelectorAndAffinity(pod, n)) continue;
      zoneCounts.set(v, (zoneCounts.get(v) ?? 0) + (n.spread.get(key) ?? 0));
    }
  }
  return nodes.map((n) => {
    let score = 0;
    DEFAULT_SPREAD.forEach((c, i) => {
      const v = n.label(c.key);
      if (v === undefined) return;
      const count = c.key === LABEL_HOSTNAME ? (n.spread.get(key) ?? 0) : (zoneCounts.get(v) ?? 0);
      score += count * weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  });
}

/** PodTopologySpread's NormalizeScore: fewer matching pods score higher; ignored nodes score 0. */
export function normalizeSpread(raw: number[], ignored?: readonly boolean[]): number[] {
  let min = Infinity;
  let max = 0;
  raw.forEach((s, i) => {
    if (ignored?.[i]) return;
    if (s < min) min = s;
    if (s > max) max = s;
  });
  return raw.map((s, i) => {
    if (ignored?.[i]) return 0;
    return max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
  });
}

/** InterPodAffinity's NormalizeScore: min-max scaling to 0..100 (0 when all equal). */
export function normalizeMinMax(raw: number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const s of raw) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  return raw.map((s) => (diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s - min)) / diff) : 0));
}

// ------------------------------------------------------------ totals

export interface ScoreContext {
  cache: SchedulerCache;
  namespaceLabels: NamespaceLabels;
}

/**
 * The weighted total score of each of `nodes` (feasible nodes) for `pod`, in
 * the same order.
 */
export function scoreNodes(pod: PodInfo, nodes: readonly NodeState[], ctx: ScoreContext): number[] {
  const n = nodes.length;
  const total = new Array<number>(n).fill(0);
  const addAll = (scores: number[], weight: number): void => {
    for (let i = 0; i < n; i++) total[i] += scores[i] * weight;
  };

  const anyPreferNoSchedule = nodes.some((x) => x.hasPreferNoSchedule);
  if (anyPreferNoSchedule) {
    addAll(
      defaultNormalize(
        nodes.map((x) => intolerablePreferNoSchedule(pod, x)),
        true,
      ),
      WEIGHTS.taintToleration,
    );
  } else {
    for (let i = 0; i < n; i++) total[i] += MAX_NODE_SCORE * WEIGHTS.taintToleration;
  }

  if (pod.preferredNodeAffinity.length) {
    addAll(
      defaultNormalize(
        nodes.map((x) => preferredNodeAffinity(pod, x)),
        false,
      ),
      WEIGHTS.nodeAffinity,
    );
  }

  if (pod.spreadConstraints.length) {
    const explicit = explicitSpreadRawScores(pod, nodes, ctx.cache, spreadHelpers);
    if (explicit)
      addAll(normalizeSpread(explicit.raw, explicit.ignored), WEIGHTS.podTopologySpread);
  } else {
    const spread = spreadRawScores(pod, nodes, ctx.cache.nodes());
    if (spread) addAll(normalizeSpread(spread), WEIGHTS.podTopologySpread);
  }

  const interPod = interPodScores(pod, ctx.cache, ctx.namespaceLabels);
  if (interPod) {
    addAll(
      normalizeMinMax(nodes.map((x) => interPodNodeScore(interPod, x))),
      WEIGHTS.interPodAffinity,
    );
  }

  for (let i = 0; i < n; i++) {
    total[i] +=
      leastAllocated(pod, nodes[i]) * WEIGHTS.leastAllocated +
      balancedAllocation(pod, nodes[i]) * WEIGHTS.balancedAllocation;
  }
  return total;
}

/**
 * The index of the highest score; ties are broken uniformly at random
 * (reservoir sampling), so equal nodes share the load. `random` returns [0, 1).
 */
export function selectHost(scores: readonly number[], random: () => number): number {
  let best = -1;
  let bestScore = -Infinity;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s > bestScore) {
      best = i;
      bestScore = s;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return best;
}

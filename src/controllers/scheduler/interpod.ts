/**
 * Inter-pod affinity (kube-scheduler's InterPodAffinity plugin): counts of
 * matching pods per topology domain (a node label key and value), worked out
 * once per scheduling attempt, then checked per node.
 *
 * Cost: a pod with required (anti-)affinity terms scans every placed pod once
 * per attempt; every attempt scans the placed pods that have required
 * anti-affinity terms (usually few). Pods without such terms pay nothing.
 */
import type { NodeState, SchedulerCache } from './node-cache.ts';
import { termMatches, type AffinityTerm, type PodInfo } from './pod-info.ts';

export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** Topology domain -> count; keys are `key\0value`. */
type Counts = Map<string, number>;

function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

export interface InterPodState {
  /** Pods matching all of the incoming pod's required affinity terms, per domain. */
  affinity: Counts;
  /** Pods matching each required anti-affinity term of the incoming pod, per domain. */
  antiAffinity: Counts;
  /** Placed pods whose required anti-affinity terms select the incoming pod, per domain. */
  existingAntiAffinity: { key: string; value: string }[];
  /** True if the incoming pod matches all of its own required affinity terms. */
  matchesOwnAffinity: boolean;
}

function bump(counts: Counts, node: NodeState, key: string): void {
  const v = node.label(key);
  if (v === undefined) return;
  const k = pairKey(key, v);
  counts.set(k, (counts.get(k) ?? 0) + 1);
}

function matchesAll(terms: AffinityTerm[], pod: PodInfo, ns: NamespaceLabels): boolean {
  for (const t of terms) if (!termMatches(t, pod, ns)) return false;
  return true;
}

/**
 * The counts for `pod` against what `cache` holds (PreFilter). Undefined when
 * there is nothing to check: the pod has no required terms and no placed pod's
 * required anti-affinity selects it.
 */
export function interPodPreFilter(
  pod: PodInfo,
  cache: SchedulerCache,
  ns: NamespaceLabels,
): InterPodState | undefined {
  const existing = new Map<string, { key: string; value: string }>();
  for (const { info, node } of cache.podsWithRequiredAntiAffinity()) {
    if (info.key === pod.key || !node.node) continue;
    for (const t of info.requiredAntiAffinity) {
      if (!termMatches(t, pod, ns)) continue;
      const v = node.label(t.topologyKey);
      if (v !== undefined)
        existing.set(pairKey(t.topologyKey, v), { key: t.topologyKey, value: v });
    }
  }
  const hasRequired = pod.requiredAffinity.length > 0 || pod.requiredAntiAffinity.length > 0;
  if (!hasRequired && existing.size === 0) return undefined;
  const affinity: Counts = new Map();
  const antiAffinity: Counts = new Map();
  if (hasRequired) {
    for (const { info, node } of cache.pods()) {
      if (info.key === pod.key || !node.node) continue;
      if (pod.requiredAffinity.length && matchesAll(pod.requiredAffinity, info, ns)) {
        for (const t of pod.requiredAffinity) bump(affinity, node, t.topologyKey);
      }
      for (const t of pod.requiredAntiAffinity) {
        if (termMatches(t, info, ns)) bump(antiAffinity, node, t.topologyKey);
      }
    }
  }
  return {
    affinity,
    antiAffinity,
    existingAntiAffinity: [...existing.values()],
    matchesOwnAffinity: matchesAll(pod.requiredAffinity, pod, ns),
  };
}

/**
 * Every required affinity term has a matching pod in the node's domain. The
 * first pod of a group that selects itself may go anywhere its topology keys
 * exist, as long as no pod in the cluster matches yet.
 */
export function satisfiesPodAffinity(state: InterPodState, pod: PodInfo, node: NodeState): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinity) {
    const v = node.label(t.topologyKey);
    if (v === undefined) return false;
    if ((state.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return state.affinity.size === 0 && state.matchesOwnAffinity;
}

/** No required anti-affinity term of the pod has a matching pod in the node's domain. */
export function satisfiesPodAntiAffinity(
  state: InterPodState,
  pod: PodInfo,
  node: NodeState,
): boolean {
  for (const t of pod.requiredAntiAffinity) {
    const v = node.label(t.topologyKey);
    if (v !== undefined && (state.antiAffinity.get(pairKey(t.topologyKey, v)) ?? 0) > 0)
      return false;
  }
  return true;
}

/** No placed pod's required anti-affinity rejects the incoming pod in the node's domain. */
export function satisfiesExistingAntiAffinity(state: InterPodState, node: NodeState): boolean {
  for (const { key, value } of state.existingAntiAffinity) {
    if (node.label(key) === value) return false;
  }
  return true;
}

// ------------------------------------------------------------ scoring

/**
 * Preferred inter-pod affinity (Score): per domain, + weight for each placed
 * pod a preferred affinity term of the incoming pod selects, - weight for
 * anti-affinity; symmetrically, placed pods' preferred terms (and required
 * affinity terms, weight 1) that select the incoming pod count too. Returns
 * undefined when nothing applies (the plugin is skipped).
 */
export function interPodScores(
  pod: PodInfo,
  cache: SchedulerCache,
  ns: NamespaceLabels,
): Map<string, number> | undefined {
  const own = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
  const scores = new Map<string, number>();
  let any = false;
  const add = (node: NodeState, key: string, delta: number): void => {
    const v = node.label(key);
    if (v === undefined) return;
    const k = pairKey(key, v);
    scores.set(k, (scores.get(k) ?? 0) + delta);
  };
  const visit = (info: PodInfo, node: NodeState): void => {
    if (info.key === pod.key || !node.node) return;
    for (const t of pod.preferredAffinity)
      if (termMatches(t, info, ns)) add(node, t.topologyKey, t.weight);
    for (const t of pod.preferredAntiAffinity)
      if (termMatches(t, info, ns)) add(node, t.topologyKey, -t.weight);
    for (const t of info.requiredAffinity) if (termMatches(t, pod, ns)) add(node, t.topologyKey, 1);
    for (const t of info.preferredAffinity)
      if (termMatches(t, pod, ns)) add(node, t.topologyKey, t.weight);
    for (const t of info.preferredAntiAffinity)
      if (termMatches(t, pod, ns)) add(node, t.topologyKey, -t.weight);
  };
  if (own) {
    any = true;
    for (const { info, node } of cache.pods()) visit(info, node);
  } else {
    for (const { info, node } of cache.podsWithAffinity()) {
      any = true;
      visit(info, node);
    }
  }
  return any ? scores : undefined;
}

/** A node's raw inter-pod score: the sum over the domains it belongs to. */
export function interPodNodeScore(scores: Map<string, number>, node: NodeState): number {
  let total = 0;
  for (const [k, v] of scores) {
    const i = k.indexOf('\u0000');
    if (node.label(k.slice(0, i)) === k.slice(i + 1)) total += v;
  }
  return total;
}

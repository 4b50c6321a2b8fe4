/**
 * One scheduling decision, as kube-scheduler's `schedulePod` makes it:
 * PreFilter (node-name pins, inter-pod affinity counts), Filter over the nodes
 * starting where the previous decision stopped, until enough feasible nodes are
 * found (`percentageOfNodesToScore`), Score the feasible ones, pick the best.
 * When no node fits, the diagnosis says why, per node, and becomes the
 * `FailedScheduling` message.
 *
 * Synchronous and free of I/O: it reads the cache and returns a decision; the
 * controller assumes, binds and reports.
 */
import { filterNode, pinnedNodeNames, spreadHelpers, type FilterStatus } from './filters.ts';
import { spreadPreFilter } from './topology-spread.ts';
import { interPodPreFilter, type NamespaceLabels } from './interpod.ts';
import type { NodeState, SchedulerCache } from './node-cache.ts';
import type { PodInfo } from './pod-info.ts';
import { scoreNodes, selectHost } from './scoring.ts';

/** Below this many nodes, every node is scored. */
const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';
export const REASON_PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
export const AFFINITY_TERMS_CONFLICT = 'pod affinity terms conflict';

/**
 * How many feasible nodes to look for before scoring: all of them below 100
 * nodes; else `percentage` of them (adaptive when 0: 50% minus 1% per 125
 * nodes, at least 5%), but at least 100. Kubernetes' `numFeasibleNodesToFind`.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE) pct = MIN_FEASIBLE_NODES_PERCENTAGE;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Why a pod fits no node. */
export interface Diagnosis {
  numAllNodes: number;
  /** Set when PreFilter rejected the pod outright (then every node has `absent`). */
  preFilterMessage?: string;
  /** The rejection of each node the filters ran on. */
  statuses: Map<string, FilterStatus>;
  /** The status of nodes not in `statuses` (not evaluated), if any. */
  absent?: FilterStatus;
}

export type ScheduleResult =
  | { node: string; evaluated: number; feasible: number }
  | { node?: undefined; diagnosis: Diagnosis };

function histogram(counts: Map<string, number>): string[] {
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
}

function countReasons(
  d: Diagnosis,
  statusOf: (s: FilterStatus) => readonly string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of d.statuses.values())
    for (const r of statusOf(s)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const absentCount = d.numAllNodes - d.statuses.size;
  if (d.absent && absentCount > 0) {
    for (const r of statusOf(d.absent)) counts.set(r, (counts.get(r) ?? 0) + absentCount);
  }
  return counts;
}

/**
 * kube-scheduler's FitError text without the preemption part:
 * `0/N nodes are available: <n reason>, <n reason>.`, reasons counted per node
 * and sorted as strings.
 */
export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMessage) return `${msg} ${d.preFilterMessage}.`;
  const reasons = histogram(countReasons(d, (s) => s.reasons));
  if (reasons.length) msg += ` ${reasons.join(', ')}.`;
  return msg;
}

/**
 * What DefaultPreemption reports when it cannot help. Verge does not preempt,
 * and every pod here has the same standing as any other, so this is what
 * Kubernetes says when no lower-priority victims exist: nodes rejected for
 * reasons removing pods could fix have no victims; the rest are not helped.
 */
export function preemptionMessage(pod: PodInfo, d: Diagnosis): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never')
    return 'not eligible due to preemptionPolicy=Never.';
  const counts = countReasons(d, (s) =>
    s.code === 'Unschedulable' ? [REASON_NO_VICTIMS] : [REASON_PREEMPTION_NOT_HELPFUL],
  );
  if (d.preFilterMessage) {
    counts.clear();
    counts.set(REASON_PREEMPTION_NOT_HELPFUL, d.numAllNodes);
  }
  return `0/${d.numAllNodes} nodes are available: ${histogram(counts).join(', ')}.`;
}

/** The full PodScheduled / FailedScheduling message for a pod that fits nowhere. */
export function unschedulableMessage(pod: PodInfo, d: Diagnosis): string {
  if (d.numAllNodes === 0) return NO_NODES_MESSAGE;
  return `${fitErrorMessage(d)} preemption: ${preemptionMessage(pod, d)}`;
}

export interface SchedulerOptions {
  /** Share of nodes to score once that many fit; 0 (default) is Kubernetes' adaptive rule. */
  percentageOfNodesToScore?: number;
  /** [0, 1) random source for tie-breaking. Default Math.random. */
  random?: () => number;
}

/**
 * Makes decisions against a cache. Keeps one piece of state, where the next
 * search starts, so successive pods look at different nodes first.
 */
export class PodScheduler {
  readonly #cache: SchedulerCache;
  readonly #namespaceLabels: NamespaceLabels;
  readonly #percentage: number;
  readonly #random: () => number;
  #nextStart = 0;

  constructor(
    cache: SchedulerCache,
    namespaceLabels: NamespaceLabels,
    options: SchedulerOptions = {},
  ) {
    this.#cache = cache;
    this.#namespaceLabels = namespaceLabels;
    this.#percentage = options.percentageOfNodesToScore ?? 0;
    this.#random = options.random ?? Math.random;
  }

  /** Picks a node for `pod`, or explains why none fits. Does not change the cache. */
  schedule(pod: PodInfo): ScheduleResult {
    const all = this.#cache.nodes();
    const diagnosis: Diagnosis = { numAllNodes: all.length, statuses: new Map() };
    if (all.length === 0) return { diagnosis };

    // PreFilter: NodeAffinity's node-name pins.
    let candidates: readonly NodeState[] = all;
    let pinnedList = false;
    const pinned = pinnedNodeNames(pod);
    if (pinned) {
      if (pinned.size === 0) {
        diagnosis.preFilterMessage = AFFINITY_TERMS_CONFLICT;
        diagnosis.absent = {
          code: 'UnschedulableAndUnresolvable',
          reasons: [AFFINITY_TERMS_CONFLICT],
        };
        return { diagnosis };
      }
      const list: NodeState[] = [];
      for (const name of pinned) {
        const n = this.#cache.node(name);
        if (n) list.push(n);
      }
      candidates = list;
      pinnedList = true;
      diagnosis.absent = {
        code: 'UnschedulableAndUnresolvable',
        reasons: ["node(s) didn't satisfy plugin(s) [NodeAffinity]"],
      };
    }
    // PreFilter: PodTopologySpread, InterPodAffinity.
    const spread = spreadPreFilter(pod, this.#cache, spreadHelpers);
    const interPod = interPodPreFilter(pod, this.#cache, this.#namespaceLabels);

    // Filter, round robin from where the last search stopped.
    const want = pinnedList
      ? candidates.length
      : numFeasibleNodesToFind(candidates.length, this.#percentage);
    const feasible: NodeState[] = [];
    const count = candidates.length;
    const start = pinnedList || count === 0 ? 0 : this.#nextStart % count;
    let processed = 0;
    const ctx = { spread, interPod };
    for (let i = 0; i < count && feasible.length < want; i++) {
      const node = candidates[(start + i) % count];
      processed++;
      const status = filterNode(pod, node, ctx);
      if (status) diagnosis.statuses.set(node.name, status);
      else feasible.push(node);
    }
    if (!pinnedList && count > 0) this.#nextStart = (start + processed) % count;
    if (feasible.length === 0) return { diagnosis };
    if (feasible.length === 1) return { node: feasible[0].name, evaluated: processed, feasible: 1 };

    const scores = scoreNodes(pod, feasible, {
      cache: this.#cache,
      namespaceLabels: this.#namespaceLabels,
    });
    const best = selectHost(scores, this.#random);
    return { node: feasible[best].name, evaluated: processed, feasible: feasible.length };
  }
}

/**
 * The scheduler's view of the cluster: one NodeState per node with running
 * totals (requested resources, pod count, host ports in use, pods per spread
 * key), kept up to date incrementally from informer events, so a scheduling
 * decision reads aggregates instead of rescanning pods.
 *
 * Pods are counted against a node from the moment the scheduler *assumes* them
 * there (before the binding is even written), so a burst of decisions never
 * overcommits a node; when the informer reports the pod bound, the assumption
 * becomes a confirmed entry, and a failed binding forgets it.
 *
 * Not safe for concurrent mutation, which JavaScript never does: every method
 * runs to completion.
 */
import type { Node, NodeCondition, Pod, Taint } from '../../api/types/core.ts';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../taints.ts';
import { hasPodAffinity, podInfo, type HostPort, type PodInfo } from './pod-info.ts';
import { emptyResources, nodeAllocatable, type Allocatable, type Resources } from './resources.ts';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/**
 * The taints the scheduler applies: the node's own, plus the one Kubernetes'
 * node lifecycle controller would add (`not-ready` when Ready is False or
 * missing, `unreachable` when Unknown, effect NoSchedule) if the node is not
 * Ready and does not carry it yet. So a node that is not Ready repels every pod
 * that does not tolerate that taint, whoever maintains the node's taints.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = node.spec?.taints ?? [];
  const ready = readyCondition(node);
  if (ready?.status === 'True') return taints;
  const key = ready?.status === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
  const has = taints.some(
    (t) => (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE) && t.effect === 'NoSchedule',
  );
  return has ? taints : [{ key, effect: 'NoSchedule' }, ...taints];
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Aggregates of one node. Read-only outside this module. */
export class NodeState {
  readonly name: string;
  /** Undefined for a placeholder: pods are bound to a node the cache has not seen (yet). */
  node: Node | undefined;
  labels: Record<string, string> = {};
  allocatable: Allocatable = { ...emptyResources(), pods: 0 };
  taints: Taint[] = [];
  /** Some taint is NoSchedule or NoExecute (the taint filter has work to do). */
  hasHardTaints = false;
  /** Some taint is PreferNoSchedule (the taint score has work to do). */
  hasPreferNoSchedule = false;
  unschedulable = false;
  // The numbers every decision reads, flat on this object: a decision visits
  // hundreds of nodes, and one object per node keeps that cache-friendly.
  allocMilliCpu = 0;
  allocMemory = 0;
  allocEphemeralStorage = 0;
  allocPods = 0;
  reqMilliCpu = 0;
  reqMemory = 0;
  reqEphemeralStorage = 0;
  reqScalar: Record<string, number> | undefined = undefined;
  /** Requests with the 100m / 200Mi scoring defaults for request-less containers. */
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  podCount = 0;
  /** `protocol/port` -> host IP -> number of pods using it. */
  readonly ports = new Map<string, Map<string, number>>();
  /** Spread key -> number of pods (not terminating) with it. */
  readonly spread = new Map<string, number>();
  /** Pods counted here, by key. */
  readonly pods = new Map<string, PodInfo>();

  constructor(name: string) {
    this.name = name;
  }

  setNode(node: Node | undefined): void {
    this.node = node;
    if (!node) return;
    this.labels = node.metadata.labels ?? {};
    const a = (this.allocatable = nodeAllocatable(node));
    this.allocMilliCpu = a.milliCpu;
    this.allocMemory = a.memory;
    this.allocEphemeralStorage = a.ephemeralStorage;
    this.allocPods = a.pods;
    this.taints = effectiveTaints(node);
    this.hasHardTaints = this.taints.some(
      (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute',
    );
    this.hasPreferNoSchedule = this.taints.some((t) => t.effect === 'PreferNoSchedule');
    this.unschedulable = node.spec?.unschedulable === true;
  }

  /** The requests of the pods counted here (a copy). */
  get requested(): Resources {
    const r: Resources = {
      milliCpu: this.reqMilliCpu,
      memory: this.reqMemory,
      ephemeralStorage: this.reqEphemeralStorage,
    };
    if (this.reqScalar) r.scalar = { ...this.reqScalar };
    return r;
  }

  /** A label of the node; `kubernetes.io/hostname` falls back to the node name. */
  label(key: string): string | undefined {
    const v = this.labels[key];
    if (v !== undefined || key !== LABEL_HOSTNAME) return v;
    return this.name;
  }

  add(info: PodInfo): void {
    this.#apply(info, 1);
    this.pods.set(info.key, info);
  }

  remove(info: PodInfo): void {
    if (!this.pods.delete(info.key)) return;
    this.#apply(info, -1);
  }

  #apply(info: PodInfo, sign: 1 | -1): void {
    const r = info.requests;
    this.reqMilliCpu += sign * r.milliCpu;
    this.reqMemory += sign * r.memory;
    this.reqEphemeralStorage += sign * r.ephemeralStorage;
    if (r.scalar) {
      const s = (this.reqScalar ??= {});
      for (const k of Object.keys(r.scalar)) s[k] = (s[k] ?? 0) + sign * r.scalar[k];
    }
    this.nonZeroMilliCpu += sign * info.nonZeroRequests.milliCpu;
    this.nonZeroMemory += sign * info.nonZeroRequests.memory;
    this.podCount += sign;
    for (const p of info.hostPorts) this.#port(p, sign);
    if (info.spreadKey !== undefined && !info.terminating) {
      const n = (this.spread.get(info.spreadKey) ?? 0) + sign;
      if (n > 0) this.spread.set(info.spreadKey, n);
      else this.spread.delete(info.spreadKey);
    }
  }

  #port(p: HostPort, sign: 1 | -1): void {
    const key = `${p.protocol}/${p.port}`;
    let ips = this.ports.get(key);
    if (!ips) this.ports.set(key, (ips = new Map()));
    const n = (ips.get(p.ip) ?? 0) + sign;
    if (n > 0) ips.set(p.ip, n);
    else ips.delete(p.ip);
    if (ips.size === 0) this.ports.delete(key);
  }

  /**
   * True if `p` clashes with a port in use: same protocol and port, and the
   * same address or either side on every address (0.0.0.0).
   */
  portInUse(p: HostPort): boolean {
    const ips = this.ports.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.ip === '0.0.0.0') return true;
    return ips.has(p.ip) || ips.has('0.0.0.0');
  }
}

interface PodEntry {
  info: PodInfo;
  node: string;
  assumed: boolean;
}

/** True if `pod` occupies its node: bound and not finished. */
export function occupiesNode(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
}

export class SchedulerCache {
  readonly #nodes = new Map<string, NodeState>();
  /** Schedulable candidates (nodes the API has), in a stable order. */
  #list: NodeState[] = [];
  #listDirty = false;
  readonly #pods = new Map<string, PodEntry>();
  /** Pods (bound or assumed) with any pod affinity term: scanned by inter-pod affinity. */
  readonly #withAffinity = new Map<string, PodEntry>();
  /** The subset with required anti-affinity terms. */
  readonly #withRequiredAnti = new Map<string, PodEntry>();

  /** Nodes known to the API (no placeholders). The array is shared: do not mutate. */
  nodes(): readonly NodeState[] {
    if (this.#listDirty) {
      this.#list = [...this.#nodes.values()].filter((n) => n.node !== undefined);
      this.#listDirty = false;
    }
    return this.#list;
  }

  node(name: string): NodeState | undefined {
    const n = this.#nodes.get(name);
    return n?.node ? n : undefined;
  }

  get podCount(): number {
    return this.#pods.size;
  }

  /** Adds or replaces a node. */
  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    let state = this.#nodes.get(name);
    if (!state) this.#nodes.set(name, (state = new NodeState(name)));
    if (!state.node) this.#listDirty = true;
    state.setNode(node);
  }

  /** Removes a node; pods still bound to it stay counted on a placeholder. */
  removeNode(name: string): void {
    const state = this.#nodes.get(name);
    if (!state) return;
    state.setNode(undefined);
    this.#listDirty = true;
    if (state.podCount === 0) this.#nodes.delete(name);
  }

  #state(name: string): NodeState {
    let state = this.#nodes.get(name);
    if (!state) this.#nodes.set(name, (state = new NodeState(name)));
    return state;
  }

  #put(info: PodInfo, node: string, assumed: boolean): void {
    this.#drop(info.key);
    const entry = { info, node, assumed };
    this.#pods.set(info.key, entry);
    this.#state(node).add(info);
    if (hasPodAffinity(info)) this.#withAffinity.set(info.key, entry);
    if (info.requiredAntiAffinity.length) this.#withRequiredAnti.set(info.key, entry);
  }

  #drop(key: string): void {
    const old = this.#pods.get(key);
    if (!old) return;
    this.#pods.delete(key);
    this.#withAffinity.delete(key);
    this.#withRequiredAnti.delete(key);
    const state = this.#nodes.get(old.node);
    if (!state) return;
    state.remove(old.info);
    if (!state.node && state.podCount === 0) this.#nodes.delete(old.node);
  }

  /**
   * Applies a pod as the informer reports it: counted on its node while bound
   * and not finished, dropped otherwise. A report of a pod the scheduler
   * assumed confirms the assumption (or moves it, if bound elsewhere).
   */
  updatePod(pod: Pod): void {
    const info = podInfo(pod);
    if (occupiesNode(pod)) {
      this.#put(info, pod.spec!.nodeName!, false);
      return;
    }
    // Not bound (yet): keep an assumption standing until the binding settles.
    const old = this.#pods.get(info.key);
    if (old?.assumed && !pod.spec?.nodeName && !pod.metadata.deletionTimestamp) return;
    this.#drop(info.key);
  }

  removePod(pod: Pod): void {
    this.#drop(podInfo(pod).key);
  }

  /** Counts `info` on `node` before the API confirms it. */
  assume(info: PodInfo, node: string): void {
    this.#put(info, node, true);
  }

  /** Undoes an assumption (a failed binding). A confirmed entry is left alone. */
  forget(key: string): void {
    if (this.#pods.get(key)?.assumed) this.#drop(key);
  }

  isAssumed(key: string): boolean {
    return this.#pods.get(key)?.assumed === true;
  }

  /** The node a pod is counted on. */
  nodeOf(key: string): string | undefined {
    return this.#pods.get(key)?.node;
  }

  /** Every counted pod with its node. */
  *pods(): IterableIterator<{ info: PodInfo; node: NodeState }> {
    for (const e of this.#pods.values()) yield { info: e.info, node: this.#nodes.get(e.node)! };
  }

  /** Counted pods with any pod affinity term. */
  *podsWithAffinity(): IterableIterator<{ info: PodInfo; node: NodeState }> {
    for (const e of this.#withAffinity.values())
      yield { info: e.info, node: this.#nodes.get(e.node)! };
  }

  /** Counted pods with required anti-affinity terms. */
  *podsWithRequiredAntiAffinity(): IterableIterator<{ info: PodInfo; node: NodeState }> {
    for (const e of this.#withRequiredAnti.values())
      yield { info: e.info, node: this.#nodes.get(e.node)! };
  }
}

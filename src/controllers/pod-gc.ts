/**
 * The pod garbage collector, after Kubernetes' podgc controller. Every period
 * (20 s) it force-deletes (gracePeriodSeconds 0):
 * - the oldest terminated pods (Succeeded or Failed; evicted ones first) beyond
 *   a threshold (default 12,500; 0 turns this off);
 * - terminating pods on a node that is not Ready and carries the
 *   `node.kubernetes.io/out-of-service` taint;
 * - orphaned pods: bound to a node that no longer exists. A node counts as gone
 *   only after it has been missing for a quarantine (40 s) and a live read
 *   confirms it, so a pod bound just before its Node appears in the cache
 *   survives. Such a pod is first marked Failed with a DisruptionTarget
 *   condition (no agent is left to do it);
 * - terminating pods that were never scheduled.
 * Any pod not yet terminal is marked Failed before it is deleted, as Kubernetes
 * does, so its owner sees why it went.
 */
import { isConflict, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { sleep, type Clock } from '../util/clock.ts';
import { clone } from '../util/objects.ts';
import { GVR, type Client } from '../api/client.ts';
import type { Node, Pod, PodCondition } from '../api/types/core.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { rfc3339 } from './time.ts';

export const POD_GC_CONTROLLER_NAME = 'pod-garbage-collector';

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface PodGcOptions {
  /** Terminated pods kept before the oldest are deleted; 0 keeps them all. Default 12,500. */
  terminatedPodThreshold?: number;
  /** Time between passes. Default 20 s. */
  periodMs?: number;
  /** How long a node must be missing before its pods are deleted. Default 40 s. */
  quarantineMs?: number;
}

export function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function isEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === 'Evicted';
}

function created(pod: Pod): number {
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

/** Evicted first, then oldest first, then by name. */
function byEvictionAndAge(a: Pod, b: Pod): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** The terminated pods to delete so that at most `threshold` remain. */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return terminated.sort(byEvictionAndAge).slice(0, excess);
}

function nodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Terminating pods stuck on a node declared out of service (not Ready, tainted). */
export function outOfServiceTerminatingPods(
  pods: readonly Pod[],
  nodes: ReadonlyMap<string, Node>,
): Pod[] {
  return pods
    .filter((pod) => {
      if (!pod.metadata.deletionTimestamp || isTerminated(pod)) return false;
      const node = nodes.get(pod.spec?.nodeName ?? '');
      if (!node || nodeReady(node)) return false;
      return node.spec?.taints?.some((t) => t.key === OUT_OF_SERVICE_TAINT) ?? false;
    })
    .sort((a, b) => created(a) - created(b));
}

/** Pods being deleted that were never bound to a node: no agent will finish them. */
export function unscheduledTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((pod) => pod.metadata.deletionTimestamp && !pod.spec?.nodeName);
}

/** Node names that pods are bound to and the node list lacks. */
export function missingNodeNames(pods: readonly Pod[], nodes: ReadonlySet<string>): Set<string> {
  const missing = new Set<string>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    if (name && !nodes.has(name)) missing.add(name);
  }
  return missing;
}

/** `status` with `condition` set (its transition time kept when its status did not change). */
export function withPodCondition(
  conditions: readonly PodCondition[] | undefined,
  condition: PodCondition,
): PodCondition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((c) => c.type === condition.type);
  if (i < 0) out.push(condition);
  else {
    const old = out[i];
    out[i] = {
      ...condition,
      lastTransitionTime:
        old.status === condition.status ? old.lastTransitionTime : condition.lastTransitionTime,
    };
  }
  return out;
}

class PodGcController implements Controller {
  readonly name = POD_GC_CONTROLLER_NAME;
  readonly #client: Client;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #threshold: number;
  readonly #periodMs: number;
  readonly #quarantineMs: number;
  /** Node name -> when pods were first seen bound to it while it was missing. */
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext, options: PodGcOptions) {
    this.#client = ctx.client;
    this.#log = ctx.log.child({ controller: POD_GC_CONTROLLER_NAME });
    this.#clock = ctx.clock;
    this.#pods = ctx.informer<Pod>(GVR.pods);
    this.#nodes = ctx.informer<Node>(GVR.nodes);
    this.#threshold = options.terminatedPodThreshold ?? 12_500;
    this.#periodMs = options.periodMs ?? 20_000;
    this.#quarantineMs = options.quarantineMs ?? 40_000;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#gc();
      } catch (err) {
        this.#log.warn({ err }, 'pod garbage collection pass failed');
      }
      await sleep(this.#clock, this.#periodMs, signal);
    }
  }

  async #gc(): Promise<void> {
    const pods = this.#pods.list();
    const nodes = new Map(this.#nodes.list().map((n) => [n.metadata.name!, n]));
    await this.#deleteAll(terminatedPodsToDelete(pods, this.#threshold), undefined);
    await this.#deleteAll(outOfServiceTerminatingPods(pods, nodes), undefined);
    const gone = await this.#deletedNodes(pods, new Set(nodes.keys()));
    if (gone.size > 0) {
      const orphans = pods.filter((p) => gone.has(p.spec?.nodeName ?? ''));
      await this.#deleteAll(orphans, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      });
    }
    await this.#deleteAll(unscheduledTerminatingPods(pods), undefined);
  }

  /** Nodes missing for the whole quarantine and confirmed gone by a live read. */
  async #deletedNodes(pods: readonly Pod[], existing: ReadonlySet<string>): Promise<Set<string>> {
    const now = this.#clock.now();
    const missing = missingNodeNames(pods, existing);
    for (const name of [...this.#missingSince.keys()]) {
      if (!missing.has(name)) this.#missingSince.delete(name);
    }
    const gone = new Set<string>();
    for (const name of missing) {
      const since = this.#missingSince.get(name);
      if (since === undefined) {
        this.#missingSince.set(name, now);
        continue;
      }
      if (now - since < this.#quarantineMs) continue;
      try {
        await this.#client.get(GVR.nodes, undefined, name);
        // It exists after all (the cache lags): start over if it goes missing again.
        this.#missingSince.delete(name);
      } catch (err) {
        if (!isNotFound(err)) {
          this.#log.warn({ err, node: name }, 'could not check whether the node exists');
          continue;
        }
        this.#missingSince.delete(name);
        gone.add(name);
      }
    }
    return gone;
  }

  async #deleteAll(
    pods: readonly Pod[],
    condition: Omit<PodCondition, 'lastTransitionTime'> | undefined,
  ): Promise<void> {
    // Bounded parallelism: the API is in process, but a remote one may not like thousands at once.
    for (let i = 0; i < pods.length; i += 32) {
      await Promise.all(pods.slice(i, i + 32).map((p) => this.#markFailedAndDelete(p, condition)));
    }
  }

  async #markFailedAndDelete(
    pod: Pod,
    condition: Omit<PodCondition, 'lastTransitionTime'> | undefined,
  ): Promise<void> {
    const namespace = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    this.#log.info(
      { pod: `${namespace}/${name}`, reason: condition?.reason },
      'force deleting pod',
    );
    try {
      if (!isTerminated(pod)) {
        const next = clone(pod);
        next.status = { ...next.status, phase: 'Failed' };
        if (condition) {
          next.status.conditions = withPodCondition(next.status.conditions, {
            ...condition,
            lastTransitionTime: rfc3339(this.#clock.now()),
          });
        }
        await this.#client.update(GVR.pods, namespace, next, {
          subresource: 'status',
          fieldManager: POD_GC_CONTROLLER_NAME,
        });
      }
      await this.#client.delete(GVR.pods, namespace, name, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      // Gone already, or changed under us: the next pass looks again.
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        this.#log.debug({ err, pod: `${namespace}/${name}` }, 'pod changed; retrying next pass');
        return;
      }
      this.#log.warn({ err, pod: `${namespace}/${name}` }, 'failed to delete pod');
    }
  }
}

export function podGcControllerWith(options: PodGcOptions = {}): ControllerFactory {
  return (ctx) => new PodGcController(ctx, options);
}

export const podGcController: ControllerFactory = podGcControllerWith();

/**
 * The scheduler: binds pending pods to nodes with kube-scheduler's default
 * filters and scores (see ./scheduler/). It schedules pods whose
 * `spec.schedulerName` is unset, `default-scheduler` or `verge-scheduler`, that
 * have no node, are not being deleted and have no scheduling gates.
 *
 * Flow: informer events keep a cache of per-node aggregates (./scheduler/
 * node-cache.ts) and feed a scheduling queue (./scheduler/queue.ts). One loop
 * takes the next pod, decides synchronously, counts the pod against the chosen
 * node at once ("assumes" it) and sends the binding in the background, so the
 * next decision already sees the node's new load; a failed binding undoes the
 * assumption and the pod is retried with backoff. A pod that fits nowhere gets
 * `PodScheduled=False` (reason `Unschedulable`, written only when the message
 * changes) and a `FailedScheduling` event, and waits until a node or pod change
 * might let it fit, or 60 s at the latest.
 *
 * Unlike other controllers, the informer handlers here do more than enqueue:
 * they update the cache, because the cache *is* the scheduler's state and must
 * move in step with the events (as kube-scheduler's does).
 */
import { GVR } from '../api/client.ts';
import { wakeOrAbort } from '../util/clock.ts';
import type { Namespace, Node, Pod, PodCondition } from '../api/types/core.ts';
import { errorMessage, isConflict, isNotFound } from '../util/errors.ts';
import { clone, deepEqual } from '../util/objects.ts';
import type { Logger } from '../util/log.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import type { EventRecorder } from './events.ts';
import type { Informer } from './informer.ts';
import { readyCondition, SchedulerCache, occupiesNode } from './scheduler/node-cache.ts';
import { podInfo } from './scheduler/pod-info.ts';
import { PodScheduler, unschedulableMessage } from './scheduler/schedule.ts';
import { SchedulingQueue } from './scheduler/queue.ts';
import { rfc3339 } from './time.ts';

/** `spec.schedulerName` values this scheduler serves (unset counts as the default). */
export const SCHEDULER_NAMES: ReadonlySet<string> = new Set([
  'default-scheduler',
  'verge-scheduler',
]);

/** The event source, as kubectl shows it ("From"). */
export const SCHEDULER_COMPONENT = 'default-scheduler';
const FIELD_MANAGER = 'scheduler';
/** Kubernetes' event message limit; longer FailedScheduling messages end in " ...". */
const EVENT_MESSAGE_LIMIT = 1024;

export interface SchedulerControllerOptions {
  /** Share of nodes to score once that many fit; 0 (default) is Kubernetes' adaptive rule. */
  percentageOfNodesToScore?: number;
  /** Bindings sent but not yet answered, at most. Default 64. */
  maxInFlightBindings?: number;
  /** Concurrent PodScheduled status writes, at most. Default 8. */
  maxStatusWrites?: number;
  /** [0, 1) random source for tie-breaking (tests make it deterministic). Default Math.random. */
  random?: () => number;
  /** Emit a `Scheduled` event per bound pod, as Kubernetes does. Default true. */
  scheduledEvents?: boolean;
}

/** True if this scheduler should place `pod` now. */
export function isSchedulable(pod: Pod): boolean {
  const spec = pod.spec;
  if (!spec || spec.nodeName || pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (spec.schedulingGates?.length) return false;
  return !spec.schedulerName || SCHEDULER_NAMES.has(spec.schedulerName);
}

/** Kubernetes' `truncateMessage` for event notes. */
export function truncateMessage(message: string, limit = EVENT_MESSAGE_LIMIT): string {
  if (message.length <= limit) return message;
  const suffix = ' ...';
  return message.slice(0, limit - suffix.length) + suffix;
}

/** A change to a node that may let a waiting pod fit (heartbeats are not). */
export function nodeChangeMatters(oldNode: Node, newNode: Node): boolean {
  return (
    !deepEqual(oldNode.metadata.labels ?? {}, newNode.metadata.labels ?? {}) ||
    !deepEqual(oldNode.spec?.taints ?? [], newNode.spec?.taints ?? []) ||
    (oldNode.spec?.unschedulable ?? false) !== (newNode.spec?.unschedulable ?? false) ||
    !deepEqual(oldNode.status?.allocatable ?? {}, newNode.status?.allocatable ?? {}) ||
    readyCondition(oldNode)?.status !== readyCondition(newNode)?.status
  );
}

/** A change to a pending pod that may change where it fits (status-only writes are not). */
function pendingPodChanged(oldPod: Pod, newPod: Pod): boolean {
  return (
    !deepEqual(oldPod.metadata.labels ?? {}, newPod.metadata.labels ?? {}) ||
    !deepEqual(oldPod.spec, newPod.spec)
  );
}

/** Writes PodScheduled=False conditions in the background, latest message per pod wins. */
class ConditionWriter {
  readonly #pods: Informer<Pod>;
  readonly #ctx: ControllerContext;
  readonly #log: Logger;
  readonly #max: number;
  readonly #pending = new Map<string, string>();
  /** The last message written per pod, so a stale cache never causes a rewrite. */
  readonly #written = new Map<string, string>();
  #running = 0;

  constructor(pods: Informer<Pod>, ctx: ControllerContext, log: Logger, max: number) {
    this.#pods = pods;
    this.#ctx = ctx;
    this.#log = log;
    this.#max = max;
  }

  set(key: string, message: string): void {
    if (this.#written.get(key) === message) return;
    this.#pending.set(key, message);
    this.#pump();
  }

  /** The pod was bound or deleted: nothing more to write for it. */
  forget(key: string): void {
    this.#pending.delete(key);
    this.#written.delete(key);
  }

  #pump(): void {
    while (this.#running < this.#max && this.#pending.size > 0) {
      const [key, message] = this.#pending.entries().next().value!;
      this.#pending.delete(key);
      this.#running++;
      void this.#write(key, message)
        .catch((err: unknown) =>
          this.#log.debug({ err, pod: key }, 'PodScheduled condition not written'),
        )
        .finally(() => {
          this.#running--;
          this.#pump();
        });
    }
  }

  async #write(key: string, message: string): Promise<void> {
    let pod = this.#pods.getByKey(key);
    for (let attempt = 0; pod && attempt < 3; attempt++) {
      if (!isSchedulable(pod)) return;
      const conditions = pod.status?.conditions ?? [];
      const cur = conditions.find((c) => c.type === 'PodScheduled');
      if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) {
        this.#written.set(key, message);
        return;
      }
      const next = clone(pod);
      const condition: PodCondition = {
        type: 'PodScheduled',
        status: 'False',
        lastTransitionTime:
          cur?.status === 'False' && cur.lastTransitionTime
            ? cur.lastTransitionTime
            : rfc3339(this.#ctx.clock.now()),
        reason: 'Unschedulable',
        message,
      };
      next.status = {
        ...next.status,
        conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition],
      };
      try {
        await this.#ctx.client.update(GVR.pods, pod.metadata.namespace, next, {
          subresource: 'status',
          fieldManager: FIELD_MANAGER,
        });
        // A newer decision may have replaced the message meanwhile; it is queued.
        if (!this.#pending.has(key)) this.#written.set(key, message);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        pod = await this.#ctx.client.get<Pod>(GVR.pods, pod.metadata.namespace, pod.metadata.name!);
      }
    }
  }
}

/** Running totals, for benchmarks and debugging. */
export interface SchedulerStats {
  /** Scheduling attempts (decisions made). */
  attempts: number;
  /** Bindings the API accepted. */
  bound: number;
  /** Attempts that found no node. */
  unschedulable: number;
  /** Bindings the API refused or failed. */
  bindErrors: number;
  /** Wall time spent deciding (filter and score), in ms. */
  decideMs: number;
}

export class SchedulerController implements Controller {
  readonly name = 'scheduler';
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly stats: SchedulerStats = {
    attempts: 0,
    bound: 0,
    unschedulable: 0,
    bindErrors: 0,
    decideMs: 0,
  };
  readonly #ctx: ControllerContext;
  readonly #log: Logger;
  readonly #pods: Informer<Pod>;
  readonly #namespaces: Informer<Namespace>;
  readonly #recorder: EventRecorder;
  readonly #scheduler: PodScheduler;
  readonly #conditions: ConditionWriter;
  readonly #maxInFlight: number;
  readonly #scheduledEvents: boolean;
  #inFlight = 0;
  readonly #bindings = new Set<Promise<void>>();
  #slotWaiters: (() => void)[] = [];
  readonly #moves = new Set<'all' | 'freed' | 'placed'>();
  /** Unschedulable pods that some node rejected for a reason removing pods could fix. */
  readonly #freeingHelps = new Set<string>();

  constructor(ctx: ControllerContext, options: SchedulerControllerOptions = {}) {
    this.#ctx = ctx;
    this.#log = ctx.log.child({ controller: 'scheduler' });
    this.#maxInFlight = Math.max(1, options.maxInFlightBindings ?? 64);
    this.#scheduledEvents = options.scheduledEvents ?? true;
    this.queue = new SchedulingQueue({ clock: ctx.clock });
    this.#pods = ctx.informer<Pod>(GVR.pods);
    const nodes = ctx.informer<Node>(GVR.nodes);
    this.#namespaces = ctx.informer<Namespace>(GVR.namespaces);
    this.#recorder = ctx.recorder(SCHEDULER_COMPONENT);
    this.#scheduler = new PodScheduler(
      this.cache,
      (ns) => this.#namespaces.get(undefined, ns)?.metadata.labels,
      { percentageOfNodesToScore: options.percentageOfNodesToScore, random: options.random },
    );
    this.#conditions = new ConditionWriter(
      this.#pods,
      ctx,
      this.#log,
      Math.max(1, options.maxStatusWrites ?? 8),
    );

    nodes.on({
      add: (node) => {
        this.cache.setNode(node);
        this.#requestMove('all');
      },
      update: (oldNode, newNode) => {
        this.cache.setNode(newNode);
        if (nodeChangeMatters(oldNode, newNode)) this.#requestMove('all');
      },
      delete: (node) => this.cache.removeNode(node.metadata.name ?? ''),
    });
    this.#pods.on({
      add: (pod) => this.#podAdded(pod),
      update: (oldPod, newPod) => this.#podUpdated(oldPod, newPod),
      delete: (pod) => this.#podDeleted(pod),
    });
  }

  #podAdded(pod: Pod): void {
    if (occupiesNode(pod)) {
      this.cache.updatePod(pod);
      // A newly placed pod may be what a pod with required affinity waits for.
      this.#requestMove('placed');
      return;
    }
    if (isSchedulable(pod)) this.#enqueue(pod);
  }

  #podUpdated(oldPod: Pod, newPod: Pod): void {
    const info = podInfo(newPod);
    const wasPlaced = occupiesNode(oldPod);
    this.cache.updatePod(newPod);
    if (newPod.spec?.nodeName) {
      this.queue.delete(info.key);
      this.#conditions.forget(info.key);
      this.#freeingHelps.delete(info.key);
      if (wasPlaced && !occupiesNode(newPod))
        this.#requestMove('freed'); // finished: room freed
      else if (!wasPlaced) this.#requestMove('placed');
      else if (!deepEqual(oldPod.metadata.labels ?? {}, newPod.metadata.labels ?? {})) {
        // New labels may match an affinity term, or stop matching an anti-affinity one.
        this.#requestMove('placed');
        this.#requestMove('freed');
      }
      return;
    }
    if (!isSchedulable(newPod)) {
      this.queue.delete(info.key);
      this.#freeingHelps.delete(info.key);
      return;
    }
    if (!isSchedulable(oldPod) || pendingPodChanged(oldPod, newPod)) this.#enqueue(newPod);
  }

  #podDeleted(pod: Pod): void {
    const info = podInfo(pod);
    const placed = this.cache.nodeOf(info.key) !== undefined;
    this.cache.removePod(pod);
    this.queue.delete(info.key);
    this.#conditions.forget(info.key);
    this.#freeingHelps.delete(info.key);
    if (placed || occupiesNode(pod)) this.#requestMove('freed');
  }

  #enqueue(pod: Pod): void {
    const info = podInfo(pod);
    // Assumed and being bound: the informer has not caught up yet.
    if (this.cache.isAssumed(info.key)) return;
    this.queue.add(info.key, info.priority);
  }

  /**
   * Asks to retry unschedulable pods; bursts of events in one turn of the event
   * loop coalesce into one move (a cheap form of kube-scheduler's queueing
   * hints, so churn does not retry pods it cannot help):
   * - `all`: a node appeared or changed; any pod may fit now;
   * - `freed`: a placed pod went away; only pods that some node rejected for
   *   reasons removing pods can fix (resources, ports, anti-affinity, spread);
   * - `placed`: a pod was placed or relabelled; only pods with required pod
   *   affinity or hard topology spread constraints.
   */
  #requestMove(kind: 'all' | 'freed' | 'placed'): void {
    if (this.queue.unschedulableLength === 0) return;
    const first = this.#moves.size === 0;
    this.#moves.add(kind);
    if (!first) return;
    setImmediate(() => {
      const moves = new Set(this.#moves);
      this.#moves.clear();
      if (moves.has('all')) {
        this.queue.moveAll();
        return;
      }
      this.queue.moveAll((key) => {
        if (moves.has('freed') && this.#freeingHelps.has(key)) return true;
        if (!moves.has('placed')) return false;
        const pod = this.#pods.getByKey(key);
        if (!pod) return false;
        const info = podInfo(pod);
        return info.requiredAffinity.length > 0 || info.spreadConstraints.some((c) => c.hard);
      });
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    let sinceYield = 0;
    while (!signal.aborted) {
      while (this.#inFlight >= this.#maxInFlight && !signal.aborted) {
        await wakeOrAbort(signal, (wake) => this.#slotWaiters.push(wake));
      }
      const key = await this.queue.pop(signal);
      if (key === undefined) break;
      try {
        this.#scheduleOne(key);
      } catch (err) {
        this.#log.error({ err, pod: key }, 'scheduling attempt failed');
        this.queue.failed(key);
      }
      // Decisions are synchronous; let informer events and bindings through now and then.
      if (++sinceYield >= 32) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    await Promise.allSettled([...this.#bindings]);
  }

  #scheduleOne(key: string): void {
    const pod = this.#pods.getByKey(key);
    if (!pod || !isSchedulable(pod) || this.cache.nodeOf(key) !== undefined) {
      this.queue.delete(key);
      return;
    }
    const info = podInfo(pod);
    const started = performance.now();
    const result = this.#scheduler.schedule(info);
    this.stats.decideMs += performance.now() - started;
    this.stats.attempts++;
    if (result.node !== undefined) {
      this.cache.assume(info, result.node);
      this.#startBinding(pod, result.node);
      return;
    }
    this.stats.unschedulable++;
    const d = result.diagnosis;
    let freeingHelps = d.absent?.code === 'Unschedulable' && d.statuses.size < d.numAllNodes;
    for (const st of d.statuses.values()) if (st.code === 'Unschedulable') freeingHelps = true;
    if (freeingHelps) this.#freeingHelps.add(key);
    else this.#freeingHelps.delete(key);
    const message = unschedulableMessage(info, d);
    this.queue.unschedulable(key);
    this.#recorder.event(pod, 'Warning', 'FailedScheduling', truncateMessage(message));
    this.#conditions.set(key, message);
  }

  #startBinding(pod: Pod, node: string): void {
    this.#inFlight++;
    const p = this.#bind(pod, node).finally(() => {
      this.#inFlight--;
      this.#bindings.delete(p);
      this.#slotWaiters.shift()?.();
    });
    this.#bindings.add(p);
  }

  async #bind(pod: Pod, node: string): Promise<void> {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    try {
      await this.#ctx.client.createSubresource(GVR.pods, namespace, name, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    } catch (err) {
      this.stats.bindErrors++;
      this.cache.forget(key);
      if (isNotFound(err) || isConflict(err)) {
        // Deleted, being deleted, or bound by someone else: the informer will say.
        this.#log.debug({ err, pod: key, node }, 'binding refused');
        this.queue.delete(key);
        return;
      }
      this.#log.warn({ err, pod: key, node }, 'binding failed; retrying with backoff');
      this.queue.failed(key);
      this.#recorder.event(
        pod,
        'Warning',
        'FailedScheduling',
        truncateMessage(`Binding rejected: ${errorMessage(err)}`),
      );
      return;
    }
    this.stats.bound++;
    this.#freeingHelps.delete(key);
    this.queue.done(key);
    this.#conditions.forget(key);
    if (this.#scheduledEvents) {
      this.#recorder.event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${node}`,
      );
    }
  }
}

/** A scheduler factory with options (tests and benchmarks). */
export function createSchedulerController(
  options: SchedulerControllerOptions = {},
): ControllerFactory {
  return (ctx) => new SchedulerController(ctx, options);
}

export const schedulerController: ControllerFactory = createSchedulerController();

/**
 * The node lifecycle controller: notices nodes that stop reporting, says so in
 * their conditions and taints, and evicts the pods that asked to be evicted.
 * It follows Kubernetes 1.33's node lifecycle controller and taint manager for
 * every fact a client can see (condition reasons and messages, taint keys,
 * events), and departs from them on purpose where a lost link is not a lost
 * node, which at the edge is the common case.
 *
 * Heartbeats. A node is alive while it showed a heartbeat (a new `renewTime` on
 * its Lease `kube-node-lease/<node>`, or a new `lastHeartbeatTime` on its Ready
 * condition) within the grace period (default 40 s; 60 s for a node that never
 * reported Ready). "Within" is measured on the controller's clock from when it
 * saw the heartbeat, not from the timestamp the node wrote, so edge clock drift
 * cannot fail a node, and every node gets a fresh grace period when the
 * controller starts (see nodelifecycle/heartbeat.ts). Checked on Lease and Node
 * events, at each node's exact deadline, and every 5 s.
 *
 * A silent node. Its Ready, MemoryPressure, DiskPressure and PIDPressure
 * conditions become Unknown (`NodeStatusUnknown`, "Kubelet stopped posting node
 * status."; lastHeartbeatTime kept), it gets the taints
 * `node.kubernetes.io/unreachable` NoSchedule and NoExecute (with timeAdded),
 * an event `NodeNotReady` ("Node <name> status is now: NodeNotReady") if it was
 * Ready, and the Ready condition of each of its pods is set to False through
 * the status subresource, with a Warning `NodeNotReady` event on the pod ("Node
 * is not ready"), as Kubernetes' MarkPodsNotReady does. A node that reports
 * Ready=False itself gets `node.kubernetes.io/not-ready` NoSchedule and
 * NoExecute instead. When the node reports Ready=True again, these taints go;
 * pod readiness is then the node agent's to report. Pressure conditions and
 * `spec.unschedulable` get their NoSchedule taints too (Kubernetes'
 * TaintNodesByCondition).
 *
 * Eviction: WHERE VERGE DIFFERS FROM KUBERNETES. Kubernetes' admission gives
 * every pod a default 300 s toleration of the unreachable and not-ready taints,
 * and its taint manager deletes pods that do not tolerate a NoExecute taint at
 * once, so a node cut off for five minutes loses all its pods. An edge node cut
 * off from the cloud usually keeps running its pods (the agent restarts them
 * from its local store), and deleting them in the cloud only makes work for
 * when the link returns. So Verge adds no default toleration, and for these two
 * taints:
 *   - a pod whose first matching toleration has `tolerationSeconds: N` is
 *     evicted N seconds after the taint's timeAdded;
 *   - a pod that tolerates the taint without tolerationSeconds stays forever
 *     (as in Kubernetes);
 *   - a pod with no matching toleration STAYS, unless the node opts in with the
 *     annotation below.
 * The taint's timeAdded is the clock, so a controller restart neither restarts
 * countdowns nor evicts a pod twice (a pod already being deleted is skipped).
 * Eviction deletes the pod gracefully (its own grace period) after setting its
 * DisruptionTarget condition, and records `TaintManagerEviction` "Marking for
 * deletion Pod <namespace>/<name>", as Kubernetes' taint manager does. Other
 * NoExecute taints (ones users add) are not acted on by this controller.
 *
 * Annotation on a Node, `node.verge.io/unreachable-eviction`:
 *   - a duration (`5m`, `90s`, `1h30m`; `0s` for at once): pods WITHOUT a
 *     matching toleration are evicted that long after the node was tainted
 *     unreachable or not-ready: Kubernetes' behaviour, opted into per node
 *     (e.g. `5m` is what Kubernetes' default toleration gives);
 *   - `never`, or no annotation: the edge default, such pods stay.
 * An unreadable value counts as `never` and is reported as a Warning event
 * `InvalidAnnotation` on the node. Pods with their own toleration follow it
 * whatever the annotation says.
 *
 * Bounds. Evictions are rate-limited cluster-wide by a token bucket (default 1
 * pod/s, bursts of 10), and pause entirely while more than two nodes and at
 * least 55% of all nodes are unhealthy: then the cloud's own link is the likely
 * cause, and Kubernetes likewise stops evicting (it limits the rate of
 * NoExecute tainting to 0.1 node/s and to 0 in a mostly-unhealthy small
 * cluster; Verge taints at once and limits the deletions instead). Conditions
 * and taints are still written during a pause; they are true either way.
 */
import { GVR, objectKey, type Client } from '../api/client.ts';
import type { Lease } from '../api/types/coordination.ts';
import type { Node, Pod, Taint } from '../api/types/core.ts';
import type { Clock, Timer } from '../util/clock.ts';
import { errorMessage, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { clone, deepEqual } from '../util/objects.ts';
import type { EventRecorder } from './events.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';
import { markNodeStatusUnknown, nodeCondition, readyStatus } from './nodelifecycle/conditions.ts';
import {
  evictionTime,
  evictionsPaused,
  TokenBucket,
  untoleratedEvictionAfter,
} from './nodelifecycle/eviction.ts';
import { HeartbeatTracker } from './nodelifecycle/heartbeat.ts';
import { markPodNotReady, withDisruptionTarget } from './nodelifecycle/pods.ts';
import { lifecycleNoExecuteTaint, reconcileTaints } from './nodelifecycle/taints.ts';
import { parseTime, rfc3339 } from './time.ts';

export { EVICTION_ANNOTATION } from './nodelifecycle/eviction.ts';

export interface NodeLifecycleOptions {
  /** How long a node may go without a heartbeat before its conditions turn Unknown. Default 40 s. */
  gracePeriodMs?: number;
  /** The same for a node that has never reported a Ready condition. Default 60 s. */
  startupGracePeriodMs?: number;
  /** How often every node is checked, besides Lease and Node events. Default 5 s. */
  monitorPeriodMs?: number;
  /** Pod evictions per second, cluster-wide. Default 1. */
  evictionsPerSecond?: number;
  /** Evictions allowed at once before the rate applies. Default 10. */
  evictionBurst?: number;
  /** Evictions pause while more than two nodes, and at least this fraction of all nodes, are not Ready. Default 0.55. */
  unhealthyThreshold?: number;
}

/** The controller with `options` (defaults as documented on NodeLifecycleOptions). */
export function nodeLifecycleControllerWith(options: NodeLifecycleOptions = {}): ControllerFactory {
  return (ctx) => new NodeLifecycleController(ctx, options);
}

/** The controller with default options. */
export const nodeLifecycleController: ControllerFactory = nodeLifecycleControllerWith();

const CONTROLLER_NAME = 'node-lifecycle-controller';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** Prefixed: indexes live on shared informers, where another controller's same-named index would replace ours. */
const NODE_NAME_INDEX = `${CONTROLLER_NAME}/spec.nodeName`;
const WORKERS = 4;

/**
 * A Node as the subject of an event. The recorder copies metadata.namespace
 * into involvedObject.namespace, and an undefined there is refused by the API
 * as a null string; an empty namespace is what Kubernetes sends for
 * cluster-scoped objects anyway (omitted from JSON).
 */
function eventSubject(node: Node): Node {
  return { ...node, metadata: { ...node.metadata, namespace: '' } };
}

class NodeLifecycleController implements Controller {
  readonly name = CONTROLLER_NAME;
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #nodes: Informer<Node>;
  readonly #pods: Informer<Pod>;
  readonly #leases: Informer<Lease>;
  /** Keys are node names: each sync looks at one node and its pods. */
  readonly #queue: WorkQueue;
  /** Kubernetes reports node status changes as `node-controller`, evictions as `taint-eviction-controller`. */
  readonly #nodeEvents: EventRecorder;
  readonly #evictionEvents: EventRecorder;
  readonly #heartbeats = new HeartbeatTracker();
  /** Nodes this controller turned Unknown whose pods are not all marked not ready yet. */
  readonly #markAll = new Set<string>();
  /** Pods newly bound to a node (by node), to mark not ready if the node is not Ready. */
  readonly #markNew = new Map<string, Set<string>>();
  /** For a NoExecute taint without a readable timeAdded: when this controller first saw it. */
  readonly #taintSeen = new Map<string, { key: string; at: number }>();
  readonly #bucket: TokenBucket;
  readonly #grace: number;
  readonly #startupGrace: number;
  readonly #period: number;
  readonly #threshold: number;
  #paused = false;

  constructor(ctx: ControllerContext, options: NodeLifecycleOptions) {
    this.#client = ctx.client;
    this.#clock = ctx.clock;
    this.#log = ctx.log.child({ controller: CONTROLLER_NAME });
    this.#grace = options.gracePeriodMs ?? 40_000;
    this.#startupGrace = options.startupGracePeriodMs ?? 60_000;
    this.#period = options.monitorPeriodMs ?? 5_000;
    this.#threshold = options.unhealthyThreshold ?? 0.55;
    this.#bucket = new TokenBucket(
      options.evictionsPerSecond ?? 1,
      options.evictionBurst ?? 10,
      this.#clock.now(),
    );
    this.#queue = new WorkQueue({ clock: this.#clock });
    this.#nodeEvents = ctx.recorder('node-controller');
    this.#evictionEvents = ctx.recorder('taint-eviction-controller');

    this.#nodes = ctx.informer<Node>(GVR.nodes);
    this.#pods = ctx.informer<Pod>(GVR.pods);
    this.#leases = ctx.informer<Lease>(GVR.leases);
    this.#pods.addIndex(NODE_NAME_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));

    const nodeChanged = (n: Node): void => this.#queue.add(n.metadata.name!);
    this.#nodes.on({ add: nodeChanged, update: (_, n) => nodeChanged(n), delete: nodeChanged });
    const leaseChanged = (l: Lease): void => {
      if (l.metadata.namespace === NODE_LEASE_NAMESPACE) this.#queue.add(l.metadata.name!);
    };
    this.#leases.on({ add: leaseChanged, update: (_, l) => leaseChanged(l) });
    this.#pods.on({
      add: (p) => this.#podBound(p),
      update: (old, p) => {
        if (p.spec?.nodeName !== old.spec?.nodeName) this.#podBound(p);
        else if (p.spec?.nodeName && !deepEqual(p.spec.tolerations, old.spec?.tolerations)) {
          this.#queue.add(p.spec.nodeName);
        }
      },
    });
  }

  /** A pod appeared on a node (created bound, bound, or listed at start). */
  #podBound(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    let set = this.#markNew.get(node);
    if (!set) this.#markNew.set(node, (set = new Set()));
    set.add(objectKey(pod));
    this.#queue.add(node);
  }

  async run(signal: AbortSignal): Promise<void> {
    // Every node, every period: the backstop for deadlines and paused evictions.
    let timer: Timer | undefined;
    const tick = (): void => {
      if (signal.aborted) return;
      for (const n of this.#nodes.list()) this.#queue.add(n.metadata.name!);
      timer = this.#clock.after(this.#period, tick);
    };
    tick();
    const stop = (): void => timer?.cancel();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await this.#queue.run((name) => this.#sync(name), WORKERS, signal, this.#log);
    } finally {
      stop();
      signal.removeEventListener('abort', stop);
    }
  }

  async #sync(name: string): Promise<void> {
    const node = this.#nodes.get(undefined, name);
    if (!node) {
      this.#heartbeats.forget(name);
      this.#markAll.delete(name);
      this.#markNew.delete(name);
      this.#taintSeen.delete(name);
      return;
    }
    const now = this.#clock.now();
    let current = await this.#checkHeartbeat(node, now);
    current = await this.#reconcileTaints(current, now);
    await this.#markPodsNotReady(current, now);
    await this.#evict(current, now);
  }

  /** Turns a silent node's conditions Unknown; otherwise schedules the next look at its deadline. */
  async #checkHeartbeat(node: Node, now: number): Promise<Node> {
    const name = node.metadata.name!;
    const ready = nodeCondition(node, 'Ready');
    const lease = this.#leases.get(NODE_LEASE_NAMESPACE, name);
    const last = this.#heartbeats.observe(
      name,
      lease?.spec?.renewTime,
      ready?.lastHeartbeatTime,
      now,
    );
    const grace = ready ? this.#grace : this.#startupGrace;
    if (now - last <= grace) {
      this.#queue.addAfter(name, last + grace - now + 1);
      return node;
    }
    const updated = markNodeStatusUnknown(node, rfc3339(now));
    if (!updated) return node;
    const written = await this.#client.update<Node>(GVR.nodes, undefined, updated, {
      subresource: 'status',
      fieldManager: CONTROLLER_NAME,
    });
    this.#heartbeats.acknowledge(name, nodeCondition(written, 'Ready')?.lastHeartbeatTime);
    this.#log.info(
      { node: name, silentForMs: now - last, was: ready?.status ?? 'none' },
      'node stopped reporting; conditions set to Unknown',
    );
    if (ready?.status === 'True') {
      this.#nodeEvents.event(
        eventSubject(written),
        'Normal',
        'NodeNotReady',
        `Node ${name} status is now: NodeNotReady`,
      );
    }
    if (ready?.status !== 'Unknown') this.#markAll.add(name);
    return written;
  }

  /** Brings the node's managed taints in line with its conditions; returns the node as written. */
  async #reconcileTaints(node: Node, now: number): Promise<Node> {
    const taints = reconcileTaints(node, rfc3339(now));
    if (!taints) return node;
    const next = clone(node);
    next.spec = { ...next.spec };
    if (taints.length > 0) next.spec.taints = taints;
    else delete next.spec.taints;
    const written = await this.#client.update<Node>(GVR.nodes, undefined, next, {
      fieldManager: CONTROLLER_NAME,
    });
    this.#log.info(
      { node: node.metadata.name, taints: taints.map((t) => `${t.key}:${t.effect}`) },
      'node taints updated',
    );
    return written;
  }

  /**
   * Sets Ready=False on the node's pods when the node is not Ready: all of them
   * right after this controller turned the node Unknown, and pods that newly
   * appear on a node that is not Ready (as Kubernetes does on pod add, which
   * includes every pod after a restart). Failures are retried: the node stays
   * marked until every pod was done.
   */
  async #markPodsNotReady(node: Node, now: number): Promise<void> {
    const name = node.metadata.name!;
    const status = readyStatus(node);
    const all = this.#markAll.has(name);
    const fresh = this.#markNew.get(name);
    this.#markNew.delete(name);
    if (status !== 'False' && status !== 'Unknown') {
      this.#markAll.delete(name);
      return;
    }
    if (!all && !fresh) return;
    const pods = all
      ? this.#podsOn(name)
      : [...fresh!]
          .map((key) => this.#pods.getByKey(key))
          .filter((p): p is Pod => p?.spec?.nodeName === name);
    const nowText = rfc3339(now);
    const failed: string[] = [];
    let firstError: unknown;
    for (const pod of pods) {
      const updated = markPodNotReady(pod, nowText);
      if (!updated) continue;
      try {
        await this.#client.update<Pod>(GVR.pods, pod.metadata.namespace, updated, {
          subresource: 'status',
          fieldManager: CONTROLLER_NAME,
        });
        this.#nodeEvents.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (isNotFound(err)) continue;
        failed.push(objectKey(pod));
        firstError ??= err;
      }
    }
    if (failed.length > 0) {
      if (!all) {
        let set = this.#markNew.get(name);
        if (!set) this.#markNew.set(name, (set = new Set()));
        for (const key of failed) set.add(key);
      }
      throw firstError;
    }
    this.#markAll.delete(name);
  }

  /** Evicts the pods whose time on the tainted node is up; schedules a look at the next deadline. */
  async #evict(node: Node, now: number): Promise<void> {
    const name = node.metadata.name!;
    const taint = lifecycleNoExecuteTaint(node);
    if (!taint) {
      this.#taintSeen.delete(name);
      return;
    }
    const since = this.#taintSince(name, taint, now);
    let untoleratedAfter: number | undefined;
    try {
      untoleratedAfter = untoleratedEvictionAfter(node);
    } catch (err) {
      this.#log.warn({ node: name, err }, 'ignoring unreadable eviction annotation');
      this.#nodeEvents.event(
        eventSubject(node),
        'Warning',
        'InvalidAnnotation',
        `${errorMessage(err)}; pods without a toleration stay on the node`,
      );
    }
    const due: { pod: Pod; at: number }[] = [];
    let next = Infinity;
    for (const pod of this.#podsOn(name)) {
      if (pod.metadata.deletionTimestamp) continue;
      const at = evictionTime(pod, taint, since, untoleratedAfter);
      if (at === undefined) continue;
      if (at > now) next = Math.min(next, at);
      else due.push({ pod, at });
    }
    if (next < Infinity) this.#queue.addAfter(name, next - now);
    if (due.length === 0) return;
    if (this.#evictionsPaused()) {
      this.#queue.addAfter(name, this.#period);
      return;
    }
    due.sort((a, b) => a.at - b.at || objectKey(a.pod).localeCompare(objectKey(b.pod)));
    let firstError: unknown;
    for (const { pod } of due) {
      const wait = this.#bucket.take(this.#clock.now());
      if (wait > 0) {
        if (Number.isFinite(wait)) this.#queue.addAfter(name, wait);
        break;
      }
      try {
        await this.#evictPod(pod, name);
      } catch (err) {
        firstError ??= err;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  async #evictPod(pod: Pod, nodeName: string): Promise<void> {
    const namespace = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const marked = withDisruptionTarget(pod, rfc3339(this.#clock.now()));
    try {
      if (marked) {
        await this.#client.update<Pod>(GVR.pods, namespace, marked, {
          subresource: 'status',
          fieldManager: CONTROLLER_NAME,
        });
      }
      await this.#client.delete(GVR.pods, namespace, name, {
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.#log.info({ pod: `${namespace}/${name}`, node: nodeName }, 'evicted pod');
    this.#evictionEvents.event(
      pod,
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${namespace}/${name}`,
    );
  }

  /** When the countdown for `taint` started: its timeAdded, else when this controller first saw it. */
  #taintSince(node: string, taint: Taint, now: number): number {
    const added = parseTime(taint.timeAdded);
    if (added !== undefined) {
      this.#taintSeen.delete(node);
      return added;
    }
    const seen = this.#taintSeen.get(node);
    if (seen?.key === taint.key) return seen.at;
    this.#taintSeen.set(node, { key: taint.key, at: now });
    return now;
  }

  #evictionsPaused(): boolean {
    const nodes = this.#nodes.list();
    const paused = evictionsPaused(nodes, this.#threshold);
    if (paused !== this.#paused) {
      this.#paused = paused;
      if (paused) {
        this.#log.warn(
          { nodes: nodes.length },
          'most nodes are unhealthy; pausing evictions until some recover',
        );
      } else {
        this.#log.info('enough nodes are healthy again; evictions resume');
      }
    }
    return paused;
  }

  #podsOn(node: string): Pod[] {
    return this.#pods.byIndex(NODE_NAME_INDEX, node);
  }
}

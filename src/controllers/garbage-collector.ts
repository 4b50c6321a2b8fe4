/**
 * The garbage collector: follows ownerReferences across every served resource,
 * custom resources included, the way Kubernetes' garbagecollector controller
 * does.
 *
 * - Background: an object whose owners are all gone is deleted (with the
 *   propagation its own orphan/foreground finalizer asks for, else background).
 *   An object that still has a live owner only loses its dangling references.
 * - Foreground: an owner with a deletionTimestamp and the `foregroundDeletion`
 *   finalizer gets its dependents deleted (in the foreground too when they have
 *   dependents of their own); its finalizer goes once no dependent with
 *   `blockOwnerDeletion: true` remains.
 * - Orphan: an owner with a deletionTimestamp and the `orphan` finalizer has the
 *   references to it removed from every dependent, then loses the finalizer.
 *
 * What exists is learned from informers (one per deletable, listable, watchable
 * resource: the shared informers for built-in kinds, informers of its own for
 * the rest, started and stopped as discovery changes) into a dependency graph
 * (./gc/graph.ts). The graph only says where to look: before any write, the
 * object and its owners are read from the API and compared by uid.
 *
 * Loops and bad references cannot spin: every failure retries through the work
 * queue's per-key backoff, an owner that exists but is not watched is polled with
 * a growing delay, and a foreground deletion through an ownership cycle ends
 * because a dependent that is itself waiting for its own dependents has its
 * references made non-blocking before it is deleted in the foreground (as
 * Kubernetes does), so no owner waits on a cycle.
 */
import { ConflictError, UnavailableError, isConflict, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import type { Clock, Timer } from '../util/clock.ts';
import { deepEqual } from '../util/objects.ts';
import { builtinRegistry } from '../api/builtin-resources.ts';
import { servedResource } from '../api/registry.ts';
import type { Client, GroupVersionResource, ServedResource } from '../api/client.ts';
import type { KubeObject, OwnerReference } from '../api/types/meta.ts';
import type { EventRecorder } from './events.ts';
import { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';
import {
  AbsentOwnerCache,
  DependencyGraph,
  type GraphEffects,
  type GraphNode,
} from './gc/graph.ts';
import {
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  beingDeleted,
  deletionPolicyFor,
  formatReference,
  hasFinalizer,
  unblockReferences,
  withoutOwners,
  type PropagationPolicy,
} from './gc/owner-refs.ts';
import {
  GC_IGNORED_RESOURCES,
  KindResolver,
  gcMonitoredResources,
  groupResource,
  gvrOf,
} from './gc/resources.ts';

export const GARBAGE_COLLECTOR_NAME = 'garbage-collector-controller';

const CRD_GVR: GroupVersionResource = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
};

const DISCOVER = 'discover';
/** Writes that lost a race are retried this many times on a fresh read before the queue backs off. */
const CONFLICT_RETRIES = 4;
/** An unresolvable owner kind asks for discovery again, at most this often. */
const REDISCOVER_MIN_MS = 1_000;
/** Polling of owners that exist but are not watched: 5 ms doubling, at most this. */
const MAX_POLL_MS = 1_000_000;

export interface GarbageCollectorOptions {
  /** How often discovery is read again (custom resources come and go). Default 30 s. */
  resyncPeriodMs?: number;
  /** Concurrent workers deleting dependents; half as many orphan. Default 8. */
  workers?: number;
  /** group/resource keys (`apps/replicasets`, `/events`) not watched. Default: events. */
  ignoredResources?: ReadonlySet<string>;
  /**
   * Resources watched through the manager's shared informers, which exist
   * before the collector runs. Default: Verge's built-in resources.
   */
  builtins?: readonly ServedResource[];
}

interface Monitor {
  resource: ServedResource;
  informer: Informer;
  /** The manager's informer (never stopped by us). */
  shared: boolean;
  stopped: boolean;
  abort?: AbortController;
  done?: Promise<void>;
  /** When discovery first stopped listing this resource (own monitors linger one resync period). */
  missingSince?: number;
}

/** Every built-in resource as discovery would describe it. */
export function builtinServedResources(): ServedResource[] {
  return builtinRegistry().all().map(servedResource);
}

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

class GarbageCollector implements Controller {
  readonly name = GARBAGE_COLLECTOR_NAME;
  readonly #client: Client;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly #resyncPeriodMs: number;
  readonly #workers: number;
  readonly #ignored: ReadonlySet<string>;
  readonly #graph = new DependencyGraph();
  readonly #absent = new AbsentOwnerCache();
  readonly #deleteQueue: WorkQueue;
  readonly #orphanQueue: WorkQueue;
  readonly #discoveryQueue: WorkQueue;
  readonly #monitors = new Map<string, Monitor>();
  readonly #polls = new Map<string, number>();
  /** Informers of ours already told to stop, still winding down. */
  readonly #stopped = new Set<Promise<void>>();
  #resolver = new KindResolver();
  #lastDiscovery = -Infinity;
  #signal: AbortSignal | undefined;
  #discovered!: () => void;
  readonly #firstDiscovery = new Promise<void>((resolve) => (this.#discovered = resolve));

  constructor(ctx: ControllerContext, options: GarbageCollectorOptions) {
    this.#client = ctx.client;
    this.#log = ctx.log.child({ controller: GARBAGE_COLLECTOR_NAME });
    this.#clock = ctx.clock;
    this.#recorder = ctx.recorder(GARBAGE_COLLECTOR_NAME);
    this.#resyncPeriodMs = options.resyncPeriodMs ?? 30_000;
    this.#workers = Math.max(1, options.workers ?? 8);
    this.#ignored = options.ignoredResources ?? GC_IGNORED_RESOURCES;
    const clock = { clock: ctx.clock };
    this.#deleteQueue = new WorkQueue(clock);
    this.#orphanQueue = new WorkQueue(clock);
    this.#discoveryQueue = new WorkQueue(clock);
    const builtins = options.builtins ?? builtinServedResources();
    for (const [key, r] of gcMonitoredResources(builtins, this.#ignored)) {
      const informer = ctx.informer(gvrOf(r));
      const monitor: Monitor = { resource: r, informer, shared: true, stopped: false };
      this.#follow(monitor);
      this.#monitors.set(key, monitor);
    }
    if (builtins.some((r) => groupResource(r) === groupResource(CRD_GVR))) {
      // A CRD that comes, goes or changes its versions changes what is served.
      const rediscover = (): void => this.#discoveryQueue.add(DISCOVER);
      ctx.informer(CRD_GVR).on({ add: rediscover, update: rediscover, delete: rediscover });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    let timer: Timer | undefined;
    const tick = (): void => {
      this.#discoveryQueue.add(DISCOVER);
      timer = this.#clock.after(this.#resyncPeriodMs, tick);
    };
    tick();
    signal.addEventListener('abort', () => timer?.cancel(), { once: true });
    const discovery = this.#discoveryQueue.run(() => this.#resync(), 1, signal, this.#log);
    // Owner kinds cannot be resolved before the first discovery.
    await Promise.race([
      this.#firstDiscovery,
      new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
    ]);
    await Promise.all([
      discovery,
      this.#deleteQueue.run((uid) => this.#attemptToDelete(uid), this.#workers, signal, this.#log),
      this.#orphanQueue.run(
        (uid) => this.#attemptToOrphan(uid),
        Math.max(1, this.#workers >> 1),
        signal,
        this.#log,
      ),
    ]);
    const own = [...this.#monitors.values()].filter((m) => !m.shared);
    for (const m of own) m.abort?.abort();
    await Promise.all([...own.map((m) => m.done ?? Promise.resolve()), ...this.#stopped]);
  }

  // ---- monitors ---------------------------------------------------------------

  #follow(monitor: Monitor): void {
    const gvr = gvrOf(monitor.resource);
    const kind = monitor.resource.kind;
    monitor.informer.on({
      add: (obj) => {
        if (!monitor.stopped) this.#apply(this.#graph.observe(gvr, kind, obj, undefined));
      },
      update: (old, obj) => {
        if (!monitor.stopped) this.#apply(this.#graph.observe(gvr, kind, obj, old));
      },
      delete: (obj) => {
        if (!monitor.stopped) this.#apply(this.#graph.forget(obj));
      },
    });
  }

  /** Starts and stops our own informers so that every monitored resource has one. */
  async #resync(): Promise<void> {
    const resources = await this.#client.discover();
    this.#lastDiscovery = this.#clock.now();
    this.#resolver = new KindResolver(resources);
    const wanted = gcMonitoredResources(resources, this.#ignored);
    const now = this.#clock.now();
    for (const [key, m] of [...this.#monitors]) {
      if (m.shared) continue;
      // Still monitorable, at the version we watch.
      const served =
        wanted.has(key) &&
        resources.some(
          (r) =>
            r.group === m.resource.group &&
            r.version === m.resource.version &&
            r.resource === m.resource.resource,
        );
      if (served) {
        m.missingSince = undefined;
        continue;
      }
      // Keep watching a while: the objects of a deleted CRD are being deleted
      // now, and their deletions are what lets their dependents go.
      m.missingSince ??= now;
      if (now - m.missingSince >= this.#resyncPeriodMs) this.#stopMonitor(key, m);
    }
    for (const [key, r] of wanted) {
      if (!this.#monitors.has(key)) this.#startMonitor(key, r);
    }
    this.#discovered();
  }

  #startMonitor(key: string, resource: ServedResource): void {
    const abort = new AbortController();
    const signal = this.#signal ? AbortSignal.any([this.#signal, abort.signal]) : abort.signal;
    const informer = new Informer(this.#client, gvrOf(resource), this.#log, { clock: this.#clock });
    const monitor: Monitor = { resource, informer, shared: false, stopped: false, abort };
    this.#follow(monitor);
    monitor.done = informer.run(signal);
    this.#monitors.set(key, monitor);
    this.#log.info({ resource: key, version: resource.version }, 'watching for owner references');
  }

  #stopMonitor(key: string, monitor: Monitor): void {
    monitor.stopped = true;
    monitor.abort?.abort();
    if (monitor.done) {
      const done = monitor.done;
      this.#stopped.add(done);
      void done.then(() => this.#stopped.delete(done));
    }
    this.#monitors.delete(key);
    this.#apply(this.#graph.forgetResource(gvrOf(monitor.resource)));
    this.#log.info({ resource: key }, 'stopped watching: no longer served');
  }

  /** Whether every watched resource has been listed once (the graph is complete). */
  #synced(): boolean {
    for (const m of this.#monitors.values()) if (!m.informer.hasSynced) return false;
    return true;
  }

  #apply(effects: GraphEffects): void {
    for (const a of effects.absent) this.#absent.add(a, a.namespace);
    for (const uid of effects.attemptToDelete) this.#deleteQueue.add(uid);
    for (const uid of effects.attemptToOrphan) this.#orphanQueue.add(uid);
    for (const { dependent, owner } of effects.invalidNamespace) {
      this.#recorder.event(
        {
          apiVersion: dependent.apiVersion,
          kind: dependent.kind,
          metadata: {
            name: dependent.name,
            namespace: dependent.namespace || undefined,
            uid: dependent.uid,
          },
        },
        'Warning',
        'OwnerRefInvalidNamespace',
        `ownerRef ${formatReference(owner, dependent.namespace)} does not exist in namespace "${dependent.namespace}"`,
      );
    }
  }

  // ---- attemptToDelete ----------------------------------------------------------

  /**
   * Looks at one object: collects it when none of its owners is alive, trims
   * dangling references when some are, and drives a foreground deletion it is
   * the owner in. Throws to be retried with backoff.
   */
  async #attemptToDelete(uid: string): Promise<void> {
    const node = this.#graph.node(uid);
    if (!node) {
      this.#polls.delete(uid);
      return;
    }
    // Being deleted otherwise: wait for it to go, then its dependents are looked at.
    if (node.beingDeleted && !node.deletingDependents) return;
    // The graph says every owner is there: nothing to verify.
    if (!node.deletingDependents && this.#graph.ownersLookSolid(node)) {
      this.#polls.delete(uid);
      return;
    }
    const latest = await this.#latest(node);
    if (!latest) return;
    if (node.deletingDependents) return this.#processDeletingDependents(node, latest);
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const c = await this.#classify(node, refs);
    if (!c) return;
    if (c.solid.length > 0) {
      const drop = new Set([...c.dangling, ...c.waiting].map((r) => r.uid));
      if (drop.size > 0) {
        this.#log.info(
          { object: describe(node), owners: [...drop] },
          'removing references to owners that are gone or being deleted',
        );
        await this.#patchLatest(node, (obj) => {
          const now = obj.metadata.ownerReferences ?? [];
          const kept = withoutOwners(now, drop);
          return kept.length === now.length ? undefined : { ownerReferences: orNull(kept) };
        });
      }
      // An owner that exists but is not watched: its deletion will not be
      // seen, so look again later, ever less often.
      if (c.solid.some((r) => !this.#graph.node(r.uid))) this.#poll(uid);
      else this.#polls.delete(uid);
      return;
    }
    this.#polls.delete(uid);
    const dependents = this.#graph.dependents(uid);
    if (c.waiting.length > 0 && dependents.length > 0) {
      // An owner waits for us and we have dependents: go in the foreground, so
      // the owner waits for the whole tree. A dependent that already waits for
      // its own dependents may be our owner in a cycle: stop blocking first.
      let current = latest;
      if (dependents.some((d) => d.deletingDependents)) {
        const unblocked = await this.#patchLatest(node, (obj) => {
          const now = obj.metadata.ownerReferences ?? [];
          const next = unblockReferences(now);
          return deepEqual(now, next) ? undefined : { ownerReferences: next };
        });
        if (!unblocked) return;
        current = unblocked;
      }
      await this.#delete(node, current, 'Foreground');
      return;
    }
    await this.#delete(node, latest, deletionPolicyFor(latest));
  }

  /** The object as the API has it now, or undefined (and forgotten) when it is gone. */
  async #latest(node: GraphNode): Promise<KubeObject | undefined> {
    try {
      const obj = await this.#client.get(node.gvr, ns(node), node.identity.name);
      if (obj.metadata.uid === node.identity.uid) return obj;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.#apply(this.#graph.forgetUid(node.identity.uid));
    return undefined;
  }

  /**
   * Sorts `refs` by what their owners are now, asking the API. Undefined when
   * the object may never be collected (a cluster-scoped object naming a
   * namespaced owner kind).
   */
  async #classify(
    node: GraphNode,
    refs: readonly OwnerReference[],
  ): Promise<Classified | undefined> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    const namespace = node.identity.namespace;
    for (const ref of refs) {
      if (this.#absent.has(ref, '') || this.#absent.has(ref, namespace)) {
        out.dangling.push(ref);
        continue;
      }
      const r = this.#resolver.resolve(ref.apiVersion, ref.kind);
      if (!r) {
        if (this.#clock.now() - this.#lastDiscovery >= REDISCOVER_MIN_MS) {
          this.#discoveryQueue.add(DISCOVER);
        }
        throw new UnavailableError(
          `unable to resolve ownerReference ${ref.apiVersion}/${ref.kind} of ${describe(node)}: not served`,
        );
      }
      if (r.namespaced && !namespace) {
        this.#recorder.event(
          eventTarget(node),
          'Warning',
          'OwnerRefInvalidNamespace',
          `ownerRef ${formatReference(ref, '')} does not exist in namespace ""`,
        );
        return undefined;
      }
      const ownerNamespace = r.namespaced ? namespace : '';
      let owner: KubeObject | undefined;
      try {
        owner = await this.#client.get(gvrOf(r), ownerNamespace || undefined, ref.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (!owner || owner.metadata.uid !== ref.uid) {
        this.#absent.add(ref, ownerNamespace);
        out.dangling.push(ref);
      } else if (beingDeleted(owner) && hasFinalizer(owner, FINALIZER_FOREGROUND)) {
        out.waiting.push(ref);
      } else {
        out.solid.push(ref);
      }
    }
    return out;
  }

  /** A foreground owner: done once nothing blocks it; else its blockers are looked at. */
  async #processDeletingDependents(node: GraphNode, latest: KubeObject): Promise<void> {
    const uid = node.identity.uid;
    if (!this.#synced()) {
      throw new UnavailableError('waiting for the informers to list every resource');
    }
    const blocking = this.#graph.blockingDependents(uid);
    if (blocking.length === 0) {
      if (!hasFinalizer(latest, FINALIZER_FOREGROUND)) return;
      this.#log.info({ object: describe(node) }, 'dependents gone; removing foregroundDeletion');
      await this.#patchLatest(node, (obj) => dropFinalizer(obj, FINALIZER_FOREGROUND));
      return;
    }
    for (const dep of blocking) {
      if (!dep.deletingDependents) this.#deleteQueue.add(dep.identity.uid);
    }
  }

  /**
   * Deletes with preconditions on uid and resourceVersion, so the decision
   * holds for what is deleted; when only the resourceVersion moved and the
   * ownerReferences are unchanged, the decision still holds and the delete is
   * repeated on uid alone.
   */
  async #delete(node: GraphNode, latest: KubeObject, policy: PropagationPolicy): Promise<void> {
    const uid = node.identity.uid;
    this.#log.info({ object: describe(node), propagationPolicy: policy }, 'deleting');
    try {
      await this.#client.delete(node.gvr, ns(node), node.identity.name, {
        propagationPolicy: policy,
        preconditions: { uid, resourceVersion: latest.metadata.resourceVersion },
      });
      return;
    } catch (err) {
      if (isNotFound(err)) {
        this.#apply(this.#graph.forgetUid(uid));
        return;
      }
      if (!isConflict(err)) throw err;
    }
    const live = await this.#latest(node);
    if (!live) return;
    if (!deepEqual(live.metadata.ownerReferences ?? [], latest.metadata.ownerReferences ?? [])) {
      throw new ConflictError(`the owner references of ${describe(node)} changed; looking again`);
    }
    try {
      await this.#client.delete(node.gvr, ns(node), node.identity.name, {
        propagationPolicy: policy,
        preconditions: { uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Reads the object, asks `change` for the metadata fields to merge (undefined:
   * nothing to do), and writes them conditionally on the version read, reading
   * again on a conflict. Returns the written object, the unchanged one, or
   * undefined when the object is gone.
   */
  async #patchLatest(
    node: GraphNode,
    change: (obj: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<KubeObject | undefined> {
    for (let attempt = 0; ; attempt++) {
      const obj = await this.#latest(node);
      if (!obj) return undefined;
      const fields = change(obj);
      if (!fields) return obj;
      try {
        return await this.#client.patch(
          node.gvr,
          ns(node),
          node.identity.name,
          'merge',
          { metadata: { ...fields, resourceVersion: obj.metadata.resourceVersion } },
          { fieldManager: GARBAGE_COLLECTOR_NAME },
        );
      } catch (err) {
        if (isNotFound(err)) {
          this.#apply(this.#graph.forgetUid(node.identity.uid));
          return undefined;
        }
        if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }

  #poll(uid: string): void {
    const n = this.#polls.get(uid) ?? 0;
    this.#polls.set(uid, n + 1);
    this.#deleteQueue.addAfter(uid, Math.min(MAX_POLL_MS, 5 * 2 ** n));
  }

  // ---- attemptToOrphan ----------------------------------------------------------

  /** Removes the references to an orphaning owner from its dependents, then its finalizer. */
  async #attemptToOrphan(uid: string): Promise<void> {
    const owner = this.#graph.node(uid);
    if (!owner) return;
    if (!this.#synced()) {
      throw new UnavailableError('waiting for the informers to list every resource');
    }
    const failures: string[] = [];
    const drop = new Set([uid]);
    for (const dep of this.#graph.dependents(uid)) {
      try {
        await this.#patchLatest(dep, (obj) => {
          const now = obj.metadata.ownerReferences ?? [];
          const kept = withoutOwners(now, drop);
          return kept.length === now.length ? undefined : { ownerReferences: orNull(kept) };
        });
      } catch (err) {
        failures.push(`${describe(dep)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (failures.length > 0) {
      throw new UnavailableError(
        `failed to orphan dependents of ${describe(owner)}: ${failures.join('; ')}`,
      );
    }
    await this.#patchLatest(owner, (obj) => dropFinalizer(obj, FINALIZER_ORPHAN));
  }
}

function ns(node: GraphNode): string | undefined {
  return node.identity.namespace || undefined;
}

function describe(node: GraphNode): string {
  const { apiVersion, kind, namespace, name } = node.identity;
  return `${apiVersion}/${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function eventTarget(node: GraphNode): KubeObject {
  const { apiVersion, kind, namespace, name, uid } = node.identity;
  return { apiVersion, kind, metadata: { name, namespace: namespace || undefined, uid } };
}

/** A list for a merge patch: `null` removes the field when the list is empty. */
function orNull<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}

function dropFinalizer(obj: KubeObject, finalizer: string): Record<string, unknown> | undefined {
  const now = obj.metadata.finalizers ?? [];
  if (!now.includes(finalizer)) return undefined;
  return { finalizers: orNull(now.filter((f) => f !== finalizer)) };
}

/** The garbage collector with options (tests: a shorter resync period). */
export function garbageCollectorControllerWith(
  options: GarbageCollectorOptions = {},
): ControllerFactory {
  return (ctx) => new GarbageCollector(ctx, options);
}

export const garbageCollectorController: ControllerFactory = garbageCollectorControllerWith();

/**
 * The DaemonSet controller: one pod of each DaemonSet on every node that should
 * run it, as Kubernetes 1.33's (pkg/controller/daemon) does it.
 *
 * - Placement: a node is eligible when the template's nodeSelector and required
 *   node affinity match it and its NoSchedule/NoExecute taints are tolerated
 *   (./daemonset/eligibility.ts). Pods are created pinned to their node through
 *   required node affinity (`matchFields` on `metadata.name`) and bound by the
 *   scheduler. Pods on nodes that stop being eligible, extra pods on a node
 *   (the oldest stays) and finished pods are deleted; failed pods are replaced
 *   with a per-node backoff (1 s doubling to 15 min) so a crashing daemon
 *   cannot loop hot.
 * - History: one ControllerRevision per template (./daemonset/history.ts),
 *   reused with a higher revision number when a template comes back (this is
 *   what `kubectl rollout undo daemonset` relies on), pruned to
 *   revisionHistoryLimit, never while a live pod still carries its hash.
 * - Updates: RollingUpdate replaces old pods while at most maxUnavailable
 *   eligible nodes lack an available pod (or surges up to maxSurge new pods);
 *   OnDelete leaves old pods until someone deletes them
 *   (./daemonset/plan.ts).
 * - Status: the counts `kubectl get ds` and `kubectl rollout status` read,
 *   written through the status subresource only when they change.
 *
 * Decisions are pure functions of the informer caches; this file does the I/O.
 * Writes the cache cannot show yet are tracked (./daemonset/expectations.ts)
 * and the controller does not create or delete for a DaemonSet again until they
 * show, so a slow watch never yields two pods on one node.
 */
import { GVR, objectKey, splitKey, type GroupVersionResource } from '../api/client.ts';
import type { ControllerRevision, DaemonSet } from '../api/types/apps.ts';
import type { Node, Pod } from '../api/types/core.ts';
import type { KubeObject, OwnerReference } from '../api/types/meta.ts';
import {
  labelSelectorFromObject,
  matchesLabels,
  type Requirement,
} from '../api/validation/selectors.ts';
import type { Clock, Timer } from '../util/clock.ts';
import {
  ConflictError,
  errorMessage,
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
} from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { deepEqual } from '../util/objects.ts';
import { Backoff } from './daemonset/backoff.ts';
import { nodeShouldRunDaemonPod } from './daemonset/eligibility.ts';
import { Expectations } from './daemonset/expectations.ts';
import {
  newRevision,
  REVISION_HASH_LABEL,
  revisionMatches,
  revisionsToPrune,
  revisionToKeep,
  splitHistory,
  templateHash,
} from './daemonset/history.ts';
import {
  computeStatus,
  nextStatus,
  planManage,
  planRollingUpdate,
  statusNeedsUpdate,
  type StatusCounts,
} from './daemonset/plan.ts';
import {
  adoptPatch,
  claimDecision,
  controllerOf,
  groupByNode,
  isPodReady,
  newDaemonPod,
  releasePatch,
} from './daemonset/pods.ts';
import type { EventRecorder, EventType } from './events.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';

/** The controller's name: also its field manager and its events' source component. */
export const DAEMONSET_CONTROLLER = 'daemonset-controller';

/** Kubernetes' defaults: 2 workers, at most 250 creates or deletes per sync. */
const WORKERS = 2;
const BURST_REPLICAS = 250;
const FAILED_POD_BACKOFF_MS = 1_000;
const FAILED_POD_BACKOFF_MAX_MS = 15 * 60_000;
const BACKOFF_GC_INTERVAL_MS = 60_000;
const NAMESPACE_INDEX = `${DAEMONSET_CONTROLLER}/namespace`;

export const daemonSetController: ControllerFactory = (ctx) => new DaemonSetController(ctx);

/** Numeric resourceVersion order; false when either is not a plain integer. */
function revisionAtLeast(have: string, want: string): boolean {
  if (!/^[0-9]+$/.test(have) || !/^[0-9]+$/.test(want)) return false;
  return BigInt(have) >= BigInt(want);
}

function byNamespace(o: KubeObject): string[] {
  return [o.metadata.namespace ?? ''];
}

/** What one sync learns once and reuses: the selector and the objects it adopted or released. */
class SyncState {
  readonly ds: DaemonSet;
  readonly selector: Requirement[];
  /** Objects changed by this sync (adopted or released), by uid, newer than the cache. */
  readonly changed = new Map<string, KubeObject>();
  #canAdopt: Promise<void> | undefined;
  readonly #recheck: () => Promise<void>;

  constructor(ds: DaemonSet, selector: Requirement[], recheck: () => Promise<void>) {
    this.ds = ds;
    this.selector = selector;
    this.#recheck = recheck;
  }

  /** Resolves if the DaemonSet may adopt (checked against the API once per sync). */
  canAdopt(): Promise<void> {
    return (this.#canAdopt ??= this.#recheck());
  }
}

export class DaemonSetController implements Controller {
  readonly name = DAEMONSET_CONTROLLER;
  readonly #client: ControllerContext['client'];
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly #daemonSets: Informer<DaemonSet>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #queue: WorkQueue;
  readonly #failedPodsBackoff = new Backoff(FAILED_POD_BACKOFF_MS, FAILED_POD_BACKOFF_MAX_MS);
  readonly #expectations: Expectations;

  constructor(ctx: ControllerContext) {
    this.#client = ctx.client;
    this.#log = ctx.log.child({ controller: DAEMONSET_CONTROLLER });
    this.#clock = ctx.clock;
    this.#recorder = ctx.recorder(DAEMONSET_CONTROLLER);
    this.#queue = new WorkQueue({ clock: ctx.clock });
    this.#daemonSets = ctx.informer<DaemonSet>(GVR.daemonsets);
    this.#pods = ctx.informer<Pod>(GVR.pods);
    this.#nodes = ctx.informer<Node>(GVR.nodes);
    this.#revisions = ctx.informer<ControllerRevision>(GVR.controllerrevisions);
    this.#pods.addIndex(NAMESPACE_INDEX, byNamespace);
    this.#revisions.addIndex(NAMESPACE_INDEX, byNamespace);
    this.#expectations = new Expectations({
      createObserved: (p) =>
        this.#pods.get(p.namespace, p.name) !== undefined ||
        revisionAtLeast(this.#pods.revision, p.resourceVersion),
      deleteObserved: (p) => {
        const pod = this.#pods.get(p.namespace, p.name);
        return !pod || pod.metadata.uid !== p.uid || Boolean(pod.metadata.deletionTimestamp);
      },
    });

    this.#daemonSets.on({
      add: (ds) => this.#enqueue(ds),
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.#expectations.delete(objectKey(old));
        this.#enqueue(cur);
      },
      delete: (ds) => {
        this.#expectations.delete(objectKey(ds));
        this.#enqueue(ds);
      },
    });
    this.#pods.on({
      add: (pod) => this.#objectAdded(pod),
      update: (old, cur) => this.#podUpdated(old, cur),
      delete: (pod) => this.#objectDeleted(pod),
    });
    this.#revisions.on({
      add: (rev) => {
        if (rev.metadata.deletionTimestamp) return this.#objectDeleted(rev);
        // A controlled revision is the controller's own doing: nothing to react to.
        if (!controllerOf(rev)) for (const ds of this.#selecting(rev)) this.#enqueue(ds);
      },
      update: (old, cur) => this.#ownedUpdated(old, cur),
      delete: (rev) => this.#objectDeleted(rev),
    });
    this.#nodes.on({
      add: (node) => {
        for (const ds of this.#daemonSets.list()) {
          if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.#enqueue(ds);
        }
      },
      update: (old, cur) => {
        for (const ds of this.#daemonSets.list()) {
          const a = nodeShouldRunDaemonPod(old, ds);
          const b = nodeShouldRunDaemonPod(cur, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) {
            this.#enqueue(ds);
          }
        }
      },
      // Its pods must go and the counts change; node deletions are rare enough to look at every DaemonSet.
      delete: () => {
        for (const ds of this.#daemonSets.list()) this.#enqueue(ds);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    let timer: Timer | undefined;
    const gc = (): void => {
      this.#failedPodsBackoff.gc(this.#clock.now());
      if (!signal.aborted) timer = this.#clock.after(BACKOFF_GC_INTERVAL_MS, gc);
    };
    timer = this.#clock.after(BACKOFF_GC_INTERVAL_MS, gc);
    try {
      await this.#queue.run((key) => this.#sync(key), WORKERS, signal, this.#log);
    } finally {
      timer.cancel();
    }
  }

  // ------------------------------------------------------------ event handlers

  #enqueue(ds: DaemonSet): void {
    this.#queue.add(objectKey(ds));
  }

  /** The DaemonSet a controller reference points to, if it exists with that uid. */
  #resolve(namespace: string | undefined, ref: OwnerReference): DaemonSet | undefined {
    if (ref.kind !== 'DaemonSet') return undefined;
    const ds = this.#daemonSets.get(namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** DaemonSets in the object's namespace whose (non-empty) selector matches it. */
  #selecting(obj: KubeObject): DaemonSet[] {
    return this.#daemonSets.list(obj.metadata.namespace ?? '').filter((ds) => {
      try {
        const sel = labelSelectorFromObject(ds.spec?.selector ?? {});
        return sel.length > 0 && matchesLabels(sel, obj.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  #objectAdded(obj: KubeObject): void {
    if (obj.metadata.deletionTimestamp) return this.#objectDeleted(obj);
    const ref = controllerOf(obj);
    if (ref) {
      const ds = this.#resolve(obj.metadata.namespace, ref);
      if (ds) this.#enqueue(ds);
      return;
    }
    for (const ds of this.#selecting(obj)) this.#enqueue(ds);
  }

  #objectDeleted(obj: KubeObject): void {
    const ref = controllerOf(obj);
    const ds = ref && this.#resolve(obj.metadata.namespace, ref);
    if (ds) this.#enqueue(ds);
  }

  /** Wakes the old and new controller of an updated pod or revision (or, for orphans, whoever selects it). */
  #ownedUpdated(old: KubeObject, cur: KubeObject): DaemonSet | undefined {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return undefined;
    if (cur.metadata.deletionTimestamp) {
      this.#objectDeleted(cur);
      return undefined;
    }
    const oldRef = controllerOf(old);
    const curRef = controllerOf(cur);
    const refChanged = !deepEqual(oldRef, curRef);
    if (refChanged && oldRef) {
      const prev = this.#resolve(old.metadata.namespace, oldRef);
      if (prev) this.#enqueue(prev);
    }
    if (curRef) {
      const ds = this.#resolve(cur.metadata.namespace, curRef);
      if (ds) this.#enqueue(ds);
      return ds;
    }
    if (refChanged || !deepEqual(old.metadata.labels, cur.metadata.labels)) {
      for (const ds of this.#selecting(cur)) this.#enqueue(ds);
    }
    return undefined;
  }

  #podUpdated(old: Pod, cur: Pod): void {
    const ds = this.#ownedUpdated(old, cur);
    const minReady = ds?.spec?.minReadySeconds ?? 0;
    // Becomes available minReadySeconds after turning ready: look again then.
    if (ds && minReady > 0 && !isPodReady(old) && isPodReady(cur)) {
      this.#queue.addAfter(objectKey(ds), (minReady + 1) * 1000);
    }
  }

  // ------------------------------------------------------------ sync

  #event(ds: DaemonSet, type: EventType, reason: string, message: string): void {
    this.#recorder.event(
      { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' },
      type,
      reason,
      message,
    );
  }

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.#daemonSets.get(namespace, name);
    if (!ds) {
      this.#expectations.delete(key);
      return;
    }
    const nodes = this.#nodes.list();
    const selector = labelSelectorFromObject(ds.spec?.selector ?? {});
    if (selector.length === 0) {
      this.#event(
        ds,
        'Warning',
        'SelectingAll',
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    // Whether its revisions still exist is unknowable while it is being
    // deleted, so neither pods nor status are touched then (as in Kubernetes).
    if (ds.metadata.deletionTimestamp) return;

    const state = new SyncState(ds, selector, () => this.#recheckNotDeleted(ds));
    const { cur, old } = await this.#constructHistory(state);
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';

    if (!this.#expectations.satisfied(key, this.#clock.now())) {
      // Earlier writes are not in the cache yet: only refresh the counts, and
      // leave observedGeneration, since this generation was not acted on.
      await this.#updateStatus(state, nodes, hash, false);
      return;
    }
    let failure: unknown;
    try {
      await this.#manage(state, nodes, hash);
      const strategy = ds.spec?.updateStrategy?.type ?? 'RollingUpdate';
      if (strategy === 'RollingUpdate' && this.#expectations.satisfied(key, this.#clock.now())) {
        await this.#rollingUpdate(state, nodes, hash);
      }
      await this.#cleanupHistory(state, old);
    } catch (err) {
      failure = err;
    }
    try {
      await this.#updateStatus(state, nodes, hash, true);
    } catch (err) {
      if (failure === undefined) failure = err;
      else this.#log.warn({ err, daemonSet: key }, 'status update failed');
    }
    if (failure !== undefined) throw failure;
  }

  /** Adoption is allowed only if the DaemonSet, read fresh, is the same one and not being deleted. */
  async #recheckNotDeleted(ds: DaemonSet): Promise<void> {
    const fresh = await this.#client.get<DaemonSet>(
      GVR.daemonsets,
      ds.metadata.namespace,
      ds.metadata.name!,
    );
    if (fresh.metadata.uid !== ds.metadata.uid) {
      throw new ConflictError(
        `original DaemonSet ${ds.metadata.namespace}/${ds.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`,
      );
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new ConflictError(
        `DaemonSet ${ds.metadata.namespace}/${ds.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
      );
    }
  }

  /**
   * The objects of one kind in the DaemonSet's namespace that it controls,
   * adopting orphans it selects and releasing what it no longer selects.
   */
  async #claim<T extends KubeObject>(
    state: SyncState,
    informer: Informer<T>,
    gvr: GroupVersionResource,
  ): Promise<T[]> {
    const { ds } = state;
    const out: T[] = [];
    for (const cached of informer.byIndex(NAMESPACE_INDEX, ds.metadata.namespace ?? '')) {
      const obj = (state.changed.get(cached.metadata.uid ?? '') as T | undefined) ?? cached;
      const uid = obj.metadata.uid ?? '';
      switch (claimDecision(ds, obj, state.selector)) {
        case 'own':
          out.push(obj);
          break;
        case 'adopt': {
          await state.canAdopt();
          try {
            const adopted = await this.#client.patch<T>(
              gvr,
              ds.metadata.namespace,
              obj.metadata.name!,
              'strategic',
              adoptPatch(ds, uid),
              { fieldManager: DAEMONSET_CONTROLLER },
            );
            state.changed.set(uid, adopted);
            out.push(adopted);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
          break;
        }
        case 'release':
          try {
            const released = await this.#client.patch<T>(
              gvr,
              ds.metadata.namespace,
              obj.metadata.name!,
              'strategic',
              releasePatch(ds, uid),
              { fieldManager: DAEMONSET_CONTROLLER },
            );
            state.changed.set(uid, released);
          } catch (err) {
            // Gone, or replaced by another object of the same name: nothing to release.
            if (!isNotFound(err) && !isInvalid(err)) throw err;
          }
          break;
      }
    }
    return out;
  }

  #claimPods(state: SyncState): Promise<Pod[]> {
    return this.#claim(state, this.#pods, GVR.pods);
  }

  // ------------------------------------------------------------ history

  async #constructHistory(
    state: SyncState,
  ): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const { ds } = state;
    const ns = ds.metadata.namespace;
    const claimed = await this.#claim(state, this.#revisions, GVR.controllerrevisions);
    const revisions: ControllerRevision[] = [];
    for (const rev of claimed) {
      if (rev.metadata.labels?.[REVISION_HASH_LABEL] !== undefined) {
        revisions.push(rev);
        continue;
      }
      // A revision from before hashes were labelled: its name stands in for the hash.
      revisions.push(
        await this.#client.patch<ControllerRevision>(
          GVR.controllerrevisions,
          ns,
          rev.metadata.name!,
          'merge',
          { metadata: { labels: { [REVISION_HASH_LABEL]: rev.metadata.name } } },
          { fieldManager: DAEMONSET_CONTROLLER },
        ),
      );
    }
    const { current, old, nextRevision } = splitHistory(ds, revisions);
    let cur: ControllerRevision;
    if (current.length === 0) {
      cur = await this.#snapshot(ds, nextRevision);
    } else {
      cur = await this.#dedupCurrent(state, current);
      if ((cur.revision ?? 0) < nextRevision) {
        // The template came back (e.g. `kubectl rollout undo`): its revision becomes the newest.
        cur = await this.#client.patch<ControllerRevision>(
          GVR.controllerrevisions,
          ns,
          cur.metadata.name!,
          'merge',
          { revision: nextRevision },
          { fieldManager: DAEMONSET_CONTROLLER },
        );
      }
    }
    return { cur, old };
  }

  /** Creates the revision of the current template; on a name clash with another template, bumps collisionCount. */
  async #snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const ns = ds.metadata.namespace;
    const hash = templateHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
    const rev = newRevision(ds, hash, revision);
    try {
      return await this.#client.create(GVR.controllerrevisions, ns, rev, {
        fieldManager: DAEMONSET_CONTROLLER,
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.#client.get<ControllerRevision>(
        GVR.controllerrevisions,
        ns,
        rev.metadata.name!,
      );
      if (revisionMatches(ds, existing)) return existing;
      const fresh = await this.#client.get<DaemonSet>(GVR.daemonsets, ns, ds.metadata.name!);
      if (fresh.status?.collisionCount !== ds.status?.collisionCount) {
        throw new ConflictError(
          `found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet ${JSON.stringify(ds.metadata.name)} while processing; will retry until it is updated`,
        );
      }
      const collisionCount = (fresh.status?.collisionCount ?? 0) + 1;
      await this.#client.update(
        GVR.daemonsets,
        ns,
        { ...fresh, status: { ...fresh.status!, collisionCount } },
        { subresource: 'status', fieldManager: DAEMONSET_CONTROLLER },
      );
      this.#log.info(
        { daemonSet: objectKey(ds), collisionCount },
        'hash collision; bumped collisionCount',
      );
      throw err;
    }
  }

  /** Keeps one of several revisions of the current template, relabelling pods to its hash first. */
  async #dedupCurrent(
    state: SyncState,
    current: ControllerRevision[],
  ): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    const { ds } = state;
    const ns = ds.metadata.namespace;
    const keep = revisionToKeep(current);
    const hash = keep.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    for (const pod of await this.#claimPods(state)) {
      if (pod.metadata.labels?.[REVISION_HASH_LABEL] === hash) continue;
      await this.#client.patch(
        GVR.pods,
        ns,
        pod.metadata.name!,
        'merge',
        { metadata: { labels: { [REVISION_HASH_LABEL]: hash } } },
        { fieldManager: DAEMONSET_CONTROLLER },
      );
    }
    for (const rev of current) {
      if (rev.metadata.name === keep.metadata.name) continue;
      await this.#deleteIgnoringNotFound(GVR.controllerrevisions, ns, rev.metadata.name!);
    }
    return keep;
  }

  async #cleanupHistory(state: SyncState, old: ControllerRevision[]): Promise<void> {
    const { ds } = state;
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const pods of groupByNode(await this.#claimPods(state), true).values()) {
      for (const pod of pods) {
        const hash = pod.metadata.labels?.[REVISION_HASH_LABEL];
        if (hash) live.add(hash);
      }
    }
    for (const rev of revisionsToPrune(old, limit, live)) {
      await this.#deleteIgnoringNotFound(
        GVR.controllerrevisions,
        ds.metadata.namespace,
        rev.metadata.name!,
      );
    }
  }

  async #deleteIgnoringNotFound(
    gvr: GroupVersionResource,
    ns: string | undefined,
    name: string,
  ): Promise<void> {
    try {
      await this.#client.delete(gvr, ns, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ------------------------------------------------------------ pods

  async #manage(state: SyncState, nodes: Node[], hash: string): Promise<void> {
    const { ds } = state;
    const now = this.#clock.now();
    const byNode = groupByNode(await this.#claimPods(state), false);
    const plan = planManage(ds, nodes, byNode, hash, now);
    const toDelete = [...plan.delete];
    for (const { pod, node } of plan.failed) {
      // Kubernetes' key: the DaemonSet, the generation it last acted on, the node.
      const key = `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${node}`;
      if (this.#failedPodsBackoff.inBackoff(key, now)) {
        this.#queue.addAfter(objectKey(ds), this.#failedPodsBackoff.delay(key));
        continue;
      }
      this.#failedPodsBackoff.next(key, now);
      this.#event(
        ds,
        'Warning',
        'FailedDaemonPod',
        `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`,
      );
      toDelete.push(pod.metadata.name!);
    }
    for (const { pod, node } of plan.succeeded) {
      this.#event(
        ds,
        'Normal',
        'SucceededDaemonPod',
        `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to delete it`,
      );
      toDelete.push(pod.metadata.name!);
    }
    await this.#syncNodes(ds, toDelete, plan.create, hash);
  }

  async #rollingUpdate(state: SyncState, nodes: Node[], hash: string): Promise<void> {
    const byNode = groupByNode(await this.#claimPods(state), false);
    const plan = planRollingUpdate(state.ds, nodes, byNode, hash, this.#clock.now());
    await this.#syncNodes(state.ds, plan.delete, plan.create, hash);
  }

  /**
   * Creates pods for `nodeNames` (in batches of 1, 2, 4, ... that stop at the
   * first failure, so a broken template costs one failed request, not one per
   * node) and deletes `podNames`; at most 250 of each per sync. Throws the
   * first failure after all were tried.
   */
  async #syncNodes(
    ds: DaemonSet,
    podNames: string[],
    nodeNames: string[],
    hash: string,
  ): Promise<void> {
    const creates = nodeNames.slice(0, BURST_REPLICAS);
    const deletes = podNames.slice(0, BURST_REPLICAS);
    const errors: unknown[] = [];
    let pos = 0;
    let batch = Math.min(creates.length, 1);
    while (pos < creates.length) {
      const results = await Promise.allSettled(
        creates.slice(pos, pos + batch).map((node) => this.#createPod(ds, node, hash)),
      );
      pos += batch;
      const failed = results.filter((r) => r.status === 'rejected');
      errors.push(...failed.map((r) => r.reason as unknown));
      if (failed.length > 0) break;
      batch = Math.min(2 * batch, creates.length - pos);
    }
    const results = await Promise.allSettled(deletes.map((name) => this.#deletePod(ds, name)));
    for (const r of results) if (r.status === 'rejected') errors.push(r.reason);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) {
      throw new AggregateError(
        errors,
        `${errors.length} pod writes for DaemonSet ${objectKey(ds)} failed: ${errors.map(errorMessage).join('; ')}`,
      );
    }
  }

  async #createPod(ds: DaemonSet, nodeName: string, hash: string): Promise<void> {
    const ns = ds.metadata.namespace ?? '';
    try {
      const created = await this.#client.create(GVR.pods, ns, newDaemonPod(ds, nodeName, hash), {
        fieldManager: DAEMONSET_CONTROLLER,
      });
      this.#expectations.expectCreate(
        objectKey(ds),
        {
          namespace: ns,
          name: created.metadata.name!,
          resourceVersion: created.metadata.resourceVersion ?? '',
        },
        this.#clock.now(),
      );
      this.#event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      this.#event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }

  /** Deletes a pod with its default grace period (a bound pod terminates on its node first). */
  async #deletePod(ds: DaemonSet, name: string): Promise<void> {
    const ns = ds.metadata.namespace ?? '';
    const key = objectKey(ds);
    const uid = this.#pods.get(ns, name)?.metadata.uid ?? '';
    this.#expectations.expectDelete(key, { namespace: ns, name, uid }, this.#clock.now());
    try {
      await this.#client.delete(GVR.pods, ns, name);
      this.#event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      this.#expectations.cancelDelete(key, name);
      if (isNotFound(err)) return;
      this.#event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      throw err;
    }
  }

  // ------------------------------------------------------------ status

  async #updateStatus(
    state: SyncState,
    nodes: Node[],
    hash: string,
    observeGeneration: boolean,
  ): Promise<void> {
    const { ds } = state;
    const now = this.#clock.now();
    const byNode = groupByNode(await this.#claimPods(state), false);
    const counts = computeStatus(ds, nodes, byNode, hash, now);
    if (statusNeedsUpdate(ds, counts, observeGeneration))
      await this.#writeStatus(ds, counts, observeGeneration);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    // Ready pods turn available later with nothing else changing: come back then.
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) {
      this.#queue.addAfter(objectKey(ds), minReady * 1000);
    }
  }

  /** Writes the counts through the status subresource; on a conflict, once more over a fresh read. */
  async #writeStatus(
    ds: DaemonSet,
    counts: StatusCounts,
    observeGeneration: boolean,
  ): Promise<void> {
    let target = ds;
    for (let attempt = 0; ; attempt++) {
      const observed = observeGeneration
        ? ds.metadata.generation
        : target.status?.observedGeneration;
      const next: DaemonSet = { ...target, status: nextStatus(target.status, counts, observed) };
      try {
        await this.#client.update(GVR.daemonsets, ds.metadata.namespace, next, {
          subresource: 'status',
          fieldManager: DAEMONSET_CONTROLLER,
        });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        target = await this.#client.get<DaemonSet>(
          GVR.daemonsets,
          ds.metadata.namespace,
          ds.metadata.name!,
        );
        if (target.metadata.uid !== ds.metadata.uid) return;
      }
    }
  }
}

/**
 * The ReplicaSet controller (Kubernetes 1.33's pkg/controller/replicaset): keeps
 * `spec.replicas` active pods that match a ReplicaSet's selector and carry its
 * controller reference, adopting matching orphans and releasing owned pods
 * that stopped matching; reports replicas, fullyLabeledReplicas,
 * readyReplicas, availableReplicas and the ReplicaFailure condition.
 *
 * - Creates go in slow-start batches (1, 2, 4, ...), at most BURST_REPLICAS per
 *   sync; deletes pick the least valuable pods first (unscheduled, pending,
 *   not ready, ... see workload/pods.ts).
 * - Expectations remember writes the informer has not shown yet, so a sync
 *   that runs before the cache catches up neither creates nor deletes again.
 * - A failed create or delete fails the sync, which the queue retries with
 *   exponential backoff: a template that cannot be created costs one attempt
 *   per backoff step, never a hot loop.
 * - Pods that are ready but not yet available (minReadySeconds) are counted by
 *   a sync scheduled for the moment they become available.
 */
import {
  ConflictError,
  InvalidError,
  errorMessage,
  isConflict,
  isForbidden,
  isNotFound,
} from '../util/errors.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { deepEqual } from '../util/objects.ts';
import { GVR, objectKey, splitKey, type Client } from '../api/client.ts';
import type { Namespace, Pod } from '../api/types/core.ts';
import type { ReplicaSet, ReplicaSetStatus } from '../api/types/apps.ts';
import type { KubeObject, OwnerReference } from '../api/types/meta.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/validation/selectors.ts';
import type { EventRecorder } from './events.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';
import {
  REPLICA_SET_KIND,
  claimObjects,
  controllerRefOf,
  newControllerRef,
  refersToKind,
} from './workload/controller-ref.ts';
import { Expectations } from './workload/expectations.ts';
import {
  BY_CONTROLLER_UID,
  BY_NAMESPACE,
  addWorkloadIndexes,
  adoptionSelector,
} from './workload/indexes.ts';
import { isPodActive, podsToDelete } from './workload/pods.ts';
import {
  BURST_REPLICAS,
  podFromTemplate,
  replicaSetStatus,
  replicaSetStatusEqual,
  specReplicas,
} from './workload/replicas.ts';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from './workload/slow-start.ts';

const NAME = 'replicaset-controller';

export interface ReplicaSetControllerOptions {
  /** Concurrent syncs (of different ReplicaSets). Default 5, as Kubernetes. */
  workers?: number;
  /** Most pods created or deleted per sync. Default 500, as Kubernetes. */
  burstReplicas?: number;
}

function podKey(pod: Pod): string {
  return objectKey(pod);
}

export class ReplicaSetController implements Controller {
  readonly name = NAME;
  /** Outstanding creates/deletes per ReplicaSet key (exposed for tests). */
  readonly expectations: Expectations;
  readonly #client: Client;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #recorder: EventRecorder;
  readonly #replicaSets: Informer<ReplicaSet>;
  readonly #pods: Informer<Pod>;
  readonly #queue: WorkQueue;
  readonly #workers: number;
  readonly #burst: number;

  constructor(ctx: ControllerContext, options: ReplicaSetControllerOptions = {}) {
    this.#client = ctx.client;
    this.#clock = ctx.clock;
    this.#log = ctx.log.child({ controller: NAME });
    this.#recorder = ctx.recorder(NAME);
    this.#workers = options.workers ?? 5;
    this.#burst = options.burstReplicas ?? BURST_REPLICAS;
    this.expectations = new Expectations(ctx.clock);
    this.#queue = new WorkQueue({ clock: ctx.clock });
    this.#replicaSets = ctx.informer<ReplicaSet>(GVR.replicasets);
    this.#pods = ctx.informer<Pod>(GVR.pods);
    addWorkloadIndexes(this.#replicaSets as Informer<KubeObject>);
    addWorkloadIndexes(this.#pods as Informer<KubeObject>);

    this.#replicaSets.on({
      add: (rs) => this.#enqueue(rs),
      update: (_old, rs) => this.#enqueue(rs),
      delete: (rs) => {
        this.expectations.delete(objectKey(rs));
        this.#enqueue(rs);
      },
    });
    this.#pods.on({
      add: (pod) => this.#podAdded(pod),
      update: (old, pod) => this.#podUpdated(old, pod),
      delete: (pod) => this.#podDeleted(pod),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#queue.run((key) => this.#sync(key), this.#workers, signal, this.#log);
  }

  #enqueue(rs: ReplicaSet): void {
    this.#queue.add(objectKey(rs));
  }

  /** The ReplicaSet a controller reference names, if it exists with that uid. */
  #resolve(namespace: string | undefined, ref: OwnerReference): ReplicaSet | undefined {
    if (!refersToKind(ref, REPLICA_SET_KIND)) return undefined;
    const rs = this.#replicaSets.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose (non-empty) selector matches an orphan pod: candidates to adopt it. */
  #replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    return this.#replicaSets.byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '').filter((rs) => {
      const sel = adoptionSelector(rs.spec?.selector);
      return sel !== undefined && matchesLabels(sel, pod.metadata.labels);
    });
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen for the first time already going (e.g. after a relist).
      this.#podDeleted(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.#enqueue(rs);
      return;
    }
    for (const rs of this.#replicaSetsSelecting(pod)) this.#enqueue(rs);
  }

  #podUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const labelsChanged = !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      // A graceful delete: the pod no longer counts, so replace it now rather
      // than when the node agent finally removes it.
      this.#podDeleted(pod);
      if (labelsChanged) this.#podDeleted(old);
      return;
    }
    const ref = controllerRefOf(pod);
    const oldRef = controllerRefOf(old);
    const refChanged = !deepEqual(ref, oldRef);
    if (refChanged && oldRef) {
      const rs = this.#resolve(old.metadata.namespace, oldRef);
      if (rs) this.#enqueue(rs);
    }
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace, ref);
      if (rs) this.#enqueue(rs);
      return;
    }
    if (labelsChanged || refChanged) {
      for (const rs of this.#replicaSetsSelecting(pod)) this.#enqueue(rs);
    }
  }

  #podDeleted(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref) return;
    const rs = this.#resolve(pod.metadata.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.#queue.add(key);
  }

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.#replicaSets.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector;
    try {
      selector = labelSelectorFromObject(rs.spec?.selector ?? {});
    } catch (err) {
      // Validation keeps these out; retrying cannot help.
      this.#log.warn({ err, key }, 'ReplicaSet has an invalid selector');
      return;
    }
    // Every pod of the namespace, so owned pods that stopped matching are released.
    const active = this.#pods.byIndex(BY_NAMESPACE, namespace ?? '').filter(isPodActive);
    const owned = await claimObjects<Pod>({
      owner: rs,
      candidates: active,
      matches: (pod) => matchesLabels(selector, pod.metadata.labels),
      canAdopt: () => this.#recheckOwner(rs),
      patch: (pod, body) =>
        this.#client.patch<Pod>(
          GVR.pods,
          pod.metadata.namespace,
          pod.metadata.name!,
          'strategic',
          body,
          {
            fieldManager: NAME,
          },
        ),
      kind: REPLICA_SET_KIND,
    });

    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.#manageReplicas(key, rs, owned);
      } catch (err) {
        manageError = err;
      }
    }
    const { status, recheckAfterMs } = replicaSetStatus(rs, owned, manageError, this.#clock.now());
    await this.#writeStatus(rs, status);
    if (manageError !== undefined) throw manageError;
    if (recheckAfterMs !== undefined) this.#queue.addAfter(key, recheckAfterMs);
  }

  /** Before adopting: the ReplicaSet must still exist as this uid and not be going. */
  async #recheckOwner(rs: ReplicaSet): Promise<void> {
    const { namespace, name, uid } = rs.metadata;
    const fresh = await this.#client.get<ReplicaSet>(GVR.replicasets, namespace, name!);
    if (fresh.metadata.uid !== uid) {
      throw new ConflictError(
        `original ReplicaSet ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`,
      );
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new ConflictError(
        `${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
      );
    }
  }

  async #manageReplicas(key: string, rs: ReplicaSet, owned: Pod[]): Promise<void> {
    const diff = owned.length - specReplicas(rs);
    if (diff < 0) {
      const count = Math.min(-diff, this.#burst);
      this.expectations.expectCreations(key, count);
      const ref = newControllerRef(rs, REPLICA_SET_KIND);
      let terminating: Promise<boolean> | undefined;
      const result = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, async () => {
        try {
          await this.#createPod(rs, ref);
        } catch (err) {
          // Creates into a namespace being deleted are expected to fail: not an
          // error, no event (Kubernetes' NamespaceTerminatingCause handling).
          if (isForbidden(err)) {
            terminating ??= this.#namespaceTerminating(rs.metadata.namespace);
            if (await terminating) return;
          }
          this.#recorder.event(
            rs,
            'Warning',
            'FailedCreate',
            `Error creating: ${errorMessage(err)}`,
          );
          throw err;
        }
      });
      // Creates that failed or were never tried will not show up in the informer.
      const skipped = count - result.successes;
      if (skipped > 0) this.expectations.creationObserved(key, skipped);
      if (result.error !== undefined) throw result.error;
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, this.#burst);
      const victims = podsToDelete(owned, this.#relatedPods(rs), count, this.#clock.now());
      this.expectations.expectDeletions(key, victims.map(podKey));
      const results = await Promise.allSettled(victims.map((pod) => this.#deletePod(rs, pod)));
      let firstError: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        // The delete will not be observed; do not wait for it.
        this.expectations.deletionObserved(key, podKey(victims[i]));
        if (!isNotFound(r.reason)) firstError ??= r.reason;
      });
      if (firstError !== undefined) throw firstError;
    }
  }

  async #createPod(rs: ReplicaSet, ref: OwnerReference): Promise<void> {
    const pod = podFromTemplate(rs, ref);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) {
      throw new InvalidError('unable to create pods, no labels');
    }
    const created = await this.#client.create<Pod>(GVR.pods, rs.metadata.namespace, pod, {
      fieldManager: NAME,
    });
    this.#recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  async #deletePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    const name = pod.metadata.name!;
    try {
      await this.#client.delete(GVR.pods, pod.metadata.namespace, name);
    } catch (err) {
      if (!isNotFound(err)) {
        this.#recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
      }
      throw err;
    }
    this.#recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  async #namespaceTerminating(namespace: string | undefined): Promise<boolean> {
    if (!namespace) return false;
    try {
      const ns = await this.#client.get<Namespace>(GVR.namespaces, undefined, namespace);
      return !!ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating';
    } catch {
      return false;
    }
  }

  /**
   * Pods of every ReplicaSet under the same controller as `rs` (a
   * Deployment's old and new ReplicaSets), by their selectors: scale-down
   * prefers pods doubled up on a node with these.
   */
  #relatedPods(rs: ReplicaSet): Pod[] {
    const ref = controllerRefOf(rs);
    if (!ref) return [];
    const seen = new Set<string>();
    const out: Pod[] = [];
    const inNamespace = this.#pods.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '');
    for (const sibling of this.#replicaSets.byIndex(BY_CONTROLLER_UID, ref.uid)) {
      let sel;
      try {
        sel = labelSelectorFromObject(sibling.spec?.selector ?? {});
      } catch {
        continue;
      }
      for (const pod of inNamespace) {
        const uid = pod.metadata.uid ?? podKey(pod);
        if (seen.has(uid) || !matchesLabels(sel, pod.metadata.labels)) continue;
        seen.add(uid);
        out.push(pod);
      }
    }
    return out;
  }

  /**
   * Writes the status if it changed. On a conflict (the spec moved meanwhile)
   * it retries once on a fresh read, keeping the observedGeneration it acted
   * on, so the next sync still sees the newer generation as unobserved.
   */
  async #writeStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<void> {
    if (replicaSetStatusEqual(rs.status, status)) return;
    let current = rs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.update<ReplicaSet>(
          GVR.replicasets,
          current.metadata.namespace,
          { ...current, status },
          { subresource: 'status', fieldManager: NAME },
        );
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        current = await this.#client.get<ReplicaSet>(
          GVR.replicasets,
          rs.metadata.namespace,
          rs.metadata.name!,
        );
      }
    }
  }
}

export const replicaSetController: ControllerFactory = (ctx) => new ReplicaSetController(ctx);

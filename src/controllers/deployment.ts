/**
 * The Deployment controller (Kubernetes 1.33's pkg/controller/deployment):
 * rolls a Deployment's pod template out through ReplicaSets named
 * `<deployment>-<pod-template-hash>`.
 *
 * Each sync, in Kubernetes' order: claim the ReplicaSets the selector picks
 * (adopt orphans, release strays); a Deployment being deleted only gets its
 * status; pausing and resuming set Progressing=Unknown; a paused Deployment,
 * or one whose spec.replicas changed, is scaled (proportionally across
 * ReplicaSets mid-rollout) without rolling; otherwise the strategy runs:
 * RollingUpdate (grow the new ReplicaSet within maxSurge, shrink old ones
 * within maxUnavailable) or Recreate (old to zero, wait until their pods are
 * gone, then the new one up). Revisions, desired/max-replica annotations,
 * history cleanup and the status (Available, Progressing with its deadline,
 * ReplicaFailure) follow, with Kubernetes' reasons, messages and events, so
 * `kubectl rollout status|history|undo|pause|resume|restart` work unchanged.
 *
 * The decisions are the pure functions of workload/rollout.ts; this file reads
 * caches, applies their steps in order, and keeps its copies of the objects it
 * writes current, so one sync never conflicts with its own writes.
 */
import {
  ConflictError,
  InvalidError,
  errorMessage,
  isAlreadyExists,
  isForbidden,
  isNotFound,
} from '../util/errors.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import { clone, deepEqual } from '../util/objects.ts';
import { GVR, objectKey, splitKey, type Client } from '../api/client.ts';
import type { Namespace, Pod } from '../api/types/core.ts';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../api/types/apps.ts';
import type { KubeObject, OwnerReference } from '../api/types/meta.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/validation/selectors.ts';
import type { EventRecorder } from './events.ts';
import type { Informer } from './informer.ts';
import type { Controller, ControllerContext, ControllerFactory } from './manager.ts';
import { WorkQueue } from './queue.ts';
import {
  DEPLOYMENT_KIND,
  REPLICA_SET_KIND,
  claimObjects,
  controllerRefOf,
  refersToKind,
} from './workload/controller-ref.ts';
import { BY_NAMESPACE, addWorkloadIndexes, adoptionSelector } from './workload/indexes.ts';
import { specReplicas } from './workload/replicas.ts';
import {
  REVISION_ANNOTATION,
  Reason,
  activeReplicaSets,
  calculateStatus,
  deploymentComplete,
  deploymentStatusEqual,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  hasProgressDeadline,
  isScalingEvent,
  maxRevision,
  maxSurge,
  newCondition,
  newReplicaSetFor,
  newReplicaSetReplicas,
  oldPodsRunning,
  pausedConditionStatus,
  planNewReplicaSetScale,
  planOldReplicaSetsScaleDown,
  planScale,
  progressCheckAfterMs,
  replicaSetsToCleanUp,
  replicasAnnotationsNeedUpdate,
  rolloutStatus,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  type ScaleStep,
} from './workload/rollout.ts';
import { computeTemplateHash, equalIgnoreHash, normalizeJson } from './workload/template-hash.ts';

const NAME = 'deployment-controller';

export interface DeploymentControllerOptions {
  /** Concurrent syncs (of different Deployments). Default 5, as Kubernetes. */
  workers?: number;
}

/** What one sync needs from its controller. */
interface Services {
  client: Client;
  clock: Clock;
  log: Logger;
  recorder: EventRecorder;
  queue: WorkQueue;
  replicaSets: Informer<ReplicaSet>;
  pods: Informer<Pod>;
}

export class DeploymentController implements Controller {
  readonly name = NAME;
  readonly #services: Services;
  readonly #deployments: Informer<Deployment>;
  readonly #workers: number;

  constructor(ctx: ControllerContext, options: DeploymentControllerOptions = {}) {
    this.#workers = options.workers ?? 5;
    this.#deployments = ctx.informer<Deployment>(GVR.deployments);
    const replicaSets = ctx.informer<ReplicaSet>(GVR.replicasets);
    const pods = ctx.informer<Pod>(GVR.pods);
    for (const informer of [this.#deployments, replicaSets, pods]) {
      addWorkloadIndexes(informer as Informer<KubeObject>);
    }
    this.#services = {
      client: ctx.client,
      clock: ctx.clock,
      log: ctx.log.child({ controller: NAME }),
      recorder: ctx.recorder(NAME),
      queue: new WorkQueue({ clock: ctx.clock }),
      replicaSets,
      pods,
    };

    this.#deployments.on({
      add: (d) => this.#enqueue(d),
      update: (_old, d) => this.#enqueue(d),
      delete: (d) => this.#enqueue(d),
    });
    replicaSets.on({
      add: (rs) => this.#replicaSetAdded(rs),
      update: (old, rs) => this.#replicaSetUpdated(old, rs),
      delete: (rs) => this.#replicaSetDeleted(rs),
    });
    pods.on({ delete: (pod) => this.#podDeleted(pod) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const s = this.#services;
    await s.queue.run((key) => this.#sync(key), this.#workers, signal, s.log);
  }

  #enqueue(d: Deployment): void {
    this.#services.queue.add(objectKey(d));
  }

  #resolve(namespace: string | undefined, ref: OwnerReference): Deployment | undefined {
    if (!refersToKind(ref, DEPLOYMENT_KIND)) return undefined;
    const d = this.#deployments.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose (non-empty) selector matches an orphan ReplicaSet. */
  #deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    if (Object.keys(rs.metadata.labels ?? {}).length === 0) return [];
    return this.#deployments.byIndex(BY_NAMESPACE, rs.metadata.namespace ?? '').filter((d) => {
      const sel = adoptionSelector(d.spec?.selector);
      return sel !== undefined && matchesLabels(sel, rs.metadata.labels);
    });
  }

  #replicaSetAdded(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) {
      this.#replicaSetDeleted(rs);
      return;
    }
    const ref = controllerRefOf(rs);
    if (ref) {
      const d = this.#resolve(rs.metadata.namespace, ref);
      if (d) this.#enqueue(d);
      return;
    }
    for (const d of this.#deploymentsSelecting(rs)) this.#enqueue(d);
  }

  #replicaSetUpdated(old: ReplicaSet, rs: ReplicaSet): void {
    if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
    const ref = controllerRefOf(rs);
    const oldRef = controllerRefOf(old);
    const refChanged = !deepEqual(ref, oldRef);
    if (refChanged && oldRef) {
      const d = this.#resolve(old.metadata.namespace, oldRef);
      if (d) this.#enqueue(d);
    }
    if (ref) {
      const d = this.#resolve(rs.metadata.namespace, ref);
      if (d) this.#enqueue(d);
      return;
    }
    const labelsChanged = !deepEqual(old.metadata.labels ?? {}, rs.metadata.labels ?? {});
    if (labelsChanged || refChanged) {
      for (const d of this.#deploymentsSelecting(rs)) this.#enqueue(d);
    }
  }

  #replicaSetDeleted(rs: ReplicaSet): void {
    const ref = controllerRefOf(rs);
    const d = ref && this.#resolve(rs.metadata.namespace, ref);
    if (d) this.#enqueue(d);
  }

  /** A Recreate rollout waits for old pods to be gone: look again when one goes. */
  #podDeleted(pod: Pod): void {
    const podRef = controllerRefOf(pod);
    if (!podRef || !refersToKind(podRef, REPLICA_SET_KIND)) return;
    const rs = this.#services.replicaSets.get(pod.metadata.namespace, podRef.name);
    if (!rs || rs.metadata.uid !== podRef.uid) return;
    const rsRef = controllerRefOf(rs);
    const d = rsRef && this.#resolve(rs.metadata.namespace, rsRef);
    if (d && d.spec?.strategy?.type === 'Recreate') this.#enqueue(d);
  }

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#deployments.get(namespace, name);
    if (!cached) return;
    await new DeploymentSync(this.#services, key, clone(cached)).run();
  }
}

/** The result of one scale write. */
interface Scaled {
  scaled: boolean;
  rs: ReplicaSet;
}

/**
 * One sync of one Deployment. Holds the Deployment and its ReplicaSets as last
 * written, so each write builds on the previous one.
 */
class DeploymentSync {
  readonly #s: Services;
  readonly #key: string;
  #d: Deployment;
  #rsList: ReplicaSet[] = [];

  constructor(services: Services, key: string, d: Deployment) {
    this.#s = services;
    this.#key = key;
    this.#d = d;
  }

  get #ns(): string | undefined {
    return this.#d.metadata.namespace;
  }

  async run(): Promise<void> {
    const d = this.#d;
    if (normalizeJson(d.spec?.selector) === undefined) {
      this.#s.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.#updateStatus({ ...d.status, observedGeneration: d.metadata.generation });
      }
      return;
    }
    this.#rsList = await this.#claimReplicaSets();
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.#replicaSetsAndRevision(false);
      await this.#syncDeploymentStatus([...oldRSs, newRS], newRS);
      return;
    }
    const paused = pausedConditionStatus(this.#d, this.#s.clock.now());
    if (paused) await this.#updateStatus(paused);
    if (this.#d.spec?.paused) return this.#scale();
    // apps/v1 has no rollbackTo: `kubectl rollout undo` patches the template itself.
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(false);
    if (isScalingEvent(this.#d, [...oldRSs, newRS])) return this.#scale();
    if (this.#d.spec?.strategy?.type === 'Recreate') return this.#rolloutRecreate();
    return this.#rolloutRolling();
  }

  // ------------------------------------------------------------ reads

  /** The ReplicaSets this Deployment owns after adopting and releasing by selector. */
  async #claimReplicaSets(): Promise<ReplicaSet[]> {
    const d = this.#d;
    let selector;
    try {
      selector = labelSelectorFromObject(d.spec?.selector ?? {});
    } catch (err) {
      throw new InvalidError(
        `deployment ${d.metadata.namespace}/${d.metadata.name} has invalid label selector: ${errorMessage(err)}`,
      );
    }
    const candidates = this.#s.replicaSets.byIndex(BY_NAMESPACE, this.#ns ?? '');
    const owned = await claimObjects<ReplicaSet>({
      owner: d,
      candidates,
      matches: (rs) => matchesLabels(selector, rs.metadata.labels),
      canAdopt: () => this.#recheckOwner(),
      patch: (rs, body) =>
        this.#s.client.patch<ReplicaSet>(
          GVR.replicasets,
          rs.metadata.namespace,
          rs.metadata.name!,
          'strategic',
          body,
          { fieldManager: NAME },
        ),
      kind: DEPLOYMENT_KIND,
    });
    return owned.map((rs) => clone(rs));
  }

  async #recheckOwner(): Promise<void> {
    const { namespace, name, uid } = this.#d.metadata;
    const fresh = await this.#s.client.get<Deployment>(GVR.deployments, namespace, name!);
    if (fresh.metadata.uid !== uid) {
      throw new ConflictError(
        `original Deployment ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`,
      );
    }
    if (fresh.metadata.deletionTimestamp) {
      throw new ConflictError(
        `${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
      );
    }
  }

  /** Pods the Deployment's selector picks, by the uid of the owned ReplicaSet controlling them. */
  #podsByReplicaSet(): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>(this.#rsList.map((rs) => [rs.metadata.uid ?? '', []]));
    const selector = labelSelectorFromObject(this.#d.spec?.selector ?? {});
    for (const pod of this.#s.pods.byIndex(BY_NAMESPACE, this.#ns ?? '')) {
      if (!matchesLabels(selector, pod.metadata.labels)) continue;
      const ref = controllerRefOf(pod);
      if (ref) out.get(ref.uid)?.push(pod);
    }
    return out;
  }

  /** The current copy of a ReplicaSet this sync knows. */
  #latest(rs: ReplicaSet): ReplicaSet {
    return this.#rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs;
  }

  #latestAll(rss: readonly (ReplicaSet | undefined)[]): (ReplicaSet | undefined)[] {
    return rss.map((rs) => rs && this.#latest(rs));
  }

  // ------------------------------------------------------------ writes

  #remember(rs: ReplicaSet): ReplicaSet {
    const i = this.#rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.#rsList[i] = rs;
    else this.#rsList.push(rs);
    return rs;
  }

  async #updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.#s.client.update<ReplicaSet>(
      GVR.replicasets,
      rs.metadata.namespace,
      rs,
      {
        fieldManager: NAME,
      },
    );
    return this.#remember(updated);
  }

  async #updateStatus(status: DeploymentStatus): Promise<void> {
    this.#d = await this.#s.client.update<Deployment>(
      GVR.deployments,
      this.#ns,
      { ...this.#d, status },
      { subresource: 'status', fieldManager: NAME },
    );
  }

  /**
   * Records the revision on the Deployment. Kubernetes writes it along with
   * the status; here annotations are not part of the status subresource, so
   * it is a patch of the Deployment, conditional on the version this sync
   * read.
   */
  async #setRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.#d.metadata.annotations?.[REVISION_ANNOTATION] === revision)
      return;
    this.#d = await this.#s.client.patch<Deployment>(
      GVR.deployments,
      this.#ns,
      this.#d.metadata.name!,
      'merge',
      {
        metadata: {
          resourceVersion: this.#d.metadata.resourceVersion,
          annotations: { [REVISION_ANNOTATION]: revision },
        },
      },
      { fieldManager: NAME },
    );
  }

  #event(reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    this.#s.recorder.event(this.#d, type, reason, message);
  }

  /** Sets spec.replicas (and the replica annotations) when the count differs. */
  async #scaleAndRecord(rs: ReplicaSet, replicas: number): Promise<Scaled> {
    if (specReplicas(rs) === replicas) return { scaled: false, rs };
    return this.#scaleReplicaSet(rs, replicas);
  }

  /** Sets spec.replicas and the replica annotations when either differs; an event for a new count. */
  async #scaleReplicaSet(rs: ReplicaSet, replicas: number): Promise<Scaled> {
    const desired = specReplicas(this.#d);
    const max = desired + maxSurge(this.#d);
    const before = specReplicas(rs);
    const resize = before !== replicas;
    if (!resize && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = clone(rs);
    copy.spec = { ...copy.spec!, replicas };
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.#updateReplicaSet(copy);
    if (resize) {
      const direction = before < replicas ? 'up' : 'down';
      this.#event(
        'ScalingReplicaSet',
        `Scaled ${direction} replica set ${updated.metadata.name} from ${before} to ${replicas}`,
      );
    }
    return { scaled: resize, rs: updated };
  }

  /** Applies steps in order, each on the latest copy; true if any count changed. */
  async #apply(steps: readonly ScaleStep[]): Promise<boolean> {
    let scaled = false;
    for (const step of steps) {
      const rs = this.#latest(step.rs);
      const r = step.refreshAnnotations
        ? await this.#scaleReplicaSet(rs, step.replicas)
        : await this.#scaleAndRecord(rs, step.replicas);
      scaled ||= r.scaled;
    }
    return scaled;
  }

  // ------------------------------------------------------------ new ReplicaSet and revisions

  /**
   * The new ReplicaSet (created if `create` and missing) and the old ones,
   * with the new one's annotations and the Deployment's revision brought up
   * to date.
   */
  async #replicaSetsAndRevision(
    create: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(this.#d, this.#rsList);
    const newRS = await this.#newReplicaSet(oldRSs, create);
    return { newRS, oldRSs };
  }

  async #newReplicaSet(oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.#d;
    const existing = findNewReplicaSet(d, this.#rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      let rs = clone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (annotationsChanged || (rs.spec?.minReadySeconds ?? 0) !== minReady) {
        rs.spec = { ...rs.spec!, minReadySeconds: minReady };
        if (minReady === 0) delete rs.spec.minReadySeconds;
        rs = await this.#updateReplicaSet(rs);
      }
      await this.#setRevision(rs.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(this.#d) && !getCondition(this.#d.status, 'Progressing')) {
        await this.#setProgressing(
          'True',
          Reason.FoundNewRS,
          `Found new replica set "${rs.metadata.name}"`,
        );
      }
      return rs;
    }
    if (!create) return undefined;

    const hash = computeTemplateHash(d.spec!.template, d.status?.collisionCount);
    const draft = newReplicaSetFor(d, hash, 0, newRevision);
    const replicas = newReplicaSetReplicas(d, [...oldRSs, draft], draft);
    draft.spec!.replicas = replicas;
    const name = draft.metadata.name!;
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.#s.client.create<ReplicaSet>(GVR.replicasets, this.#ns, draft, {
        fieldManager: NAME,
      });
    } catch (err) {
      if (isAlreadyExists(err)) {
        const found =
          this.#s.replicaSets.get(this.#ns, name) ??
          (await this.#s.client.get<ReplicaSet>(GVR.replicasets, this.#ns, name));
        if (
          controllerRefOf(found)?.uid === d.metadata.uid &&
          equalIgnoreHash(d.spec?.template, found.spec?.template)
        ) {
          // Ours, made by an earlier sync the cache has not shown yet.
          created = clone(found);
          alreadyExists = true;
        } else {
          // A different template hashed to the same name: count the collision so
          // the next sync computes another hash.
          const status = clone(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          try {
            await this.#updateStatus(status);
            this.#s.log.info(
              { deployment: this.#key, collisionCount: status.collisionCount },
              'hash collision; bumped collisionCount',
            );
          } catch {
            // The returned error requeues the Deployment either way.
          }
          throw err;
        }
      } else if (isForbidden(err) && (await this.#namespaceTerminating())) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${name}": ${errorMessage(err)}`;
        if (hasProgressDeadline(d)) {
          try {
            await this.#setProgressing('False', Reason.FailedRSCreate, msg);
          } catch {
            // The create error is the one to report.
          }
        }
        this.#event(Reason.FailedRSCreate, msg, 'Warning');
        throw err;
      }
    }
    this.#remember(created);
    if (!alreadyExists && replicas > 0) {
      this.#event('ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
    }
    await this.#setRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(this.#d)) {
      await this.#setProgressing('True', Reason.NewReplicaSet, `Created new replica set "${name}"`);
    }
    return created;
  }

  /** Writes a Progressing condition into the Deployment's status. */
  async #setProgressing(status: 'True' | 'False', reason: string, message: string): Promise<void> {
    const next = clone(this.#d.status ?? {});
    setCondition(next, newCondition('Progressing', status, reason, message, this.#s.clock.now()));
    await this.#updateStatus(next);
  }

  async #namespaceTerminating(): Promise<boolean> {
    try {
      const ns = await this.#s.client.get<Namespace>(GVR.namespaces, undefined, this.#ns ?? '');
      return !!ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating';
    } catch {
      return false;
    }
  }

  // ------------------------------------------------------------ strategies

  /** Scaling event or paused: resize without rolling. */
  async #scale(): Promise<void> {
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(false);
    await this.#apply(planScale(this.#d, newRS, oldRSs));
    if (this.#d.spec?.paused) await this.#cleanup(oldRSs);
    await this.#syncDeploymentStatus(
      this.#latestAll([...oldRSs, newRS]),
      newRS && this.#latest(newRS),
    );
  }

  async #rolloutRolling(): Promise<void> {
    const { newRS, oldRSs } = await this.#replicaSetsAndRevision(true);
    const current = (): { all: (ReplicaSet | undefined)[]; newRS: ReplicaSet } => ({
      all: this.#latestAll([...oldRSs, newRS]),
      newRS: this.#latest(newRS!),
    });
    const up = planNewReplicaSetScale(this.#d, current().all, current().newRS);
    if (up && (await this.#scaleAndRecord(current().newRS, up.replicas)).scaled) {
      return this.#syncRolloutStatus(current().all, current().newRS);
    }
    const activeOld = activeReplicaSets(this.#latestAll(oldRSs));
    const down = planOldReplicaSetsScaleDown(this.#d, current().all, activeOld, current().newRS);
    if (await this.#apply(down)) return this.#syncRolloutStatus(current().all, current().newRS);
    if (deploymentComplete(this.#d, this.#d.status ?? {})) await this.#cleanup(oldRSs);
    await this.#syncRolloutStatus(current().all, current().newRS);
  }

  async #rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.#replicaSetsAndRevision(false);
    const all = (): (ReplicaSet | undefined)[] => this.#latestAll([...oldRSs, newRS]);
    const down = activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
    if (await this.#apply(down)) return this.#syncRolloutStatus(all(), newRS);
    const podMap = this.#podsByReplicaSet();
    if (
      oldPodsRunning(
        newRS,
        oldRSs.map((rs) => this.#latest(rs)),
        podMap,
      )
    ) {
      return this.#syncRolloutStatus(all(), newRS);
    }
    if (!newRS) ({ newRS, oldRSs } = await this.#replicaSetsAndRevision(true));
    await this.#scaleAndRecord(this.#latest(newRS!), specReplicas(this.#d));
    if (deploymentComplete(this.#d, this.#d.status ?? {})) await this.#cleanup(oldRSs);
    await this.#syncRolloutStatus(all(), newRS && this.#latest(newRS));
  }

  // ------------------------------------------------------------ history and status

  async #cleanup(oldRSs: readonly ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(
      this.#d,
      oldRSs.map((x) => this.#latest(x)),
    )) {
      try {
        await this.#s.client.delete(GVR.replicasets, rs.metadata.namespace, rs.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async #syncDeploymentStatus(
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
  ): Promise<void> {
    const status = calculateStatus(allRSs, newRS, this.#d, this.#s.clock.now());
    if (!deploymentStatusEqual(this.#d.status, status)) await this.#updateStatus(status);
  }

  async #syncRolloutStatus(
    allRSs: (ReplicaSet | undefined)[],
    newRS: ReplicaSet | undefined,
  ): Promise<void> {
    const now = this.#s.clock.now();
    const status = rolloutStatus(allRSs, newRS, this.#d, now);
    if (!deploymentStatusEqual(this.#d.status, status)) {
      await this.#updateStatus(status);
      return;
    }
    // Nothing changed: if the rollout is stuck, look again once its deadline passes.
    const after = progressCheckAfterMs(this.#d, status, now);
    if (after !== undefined) this.#s.queue.addAfter(this.#key, after);
  }
}

export const deploymentController: ControllerFactory = (ctx) => new DeploymentController(ctx);

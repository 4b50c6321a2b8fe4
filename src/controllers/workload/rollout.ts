/**
 * The Deployment controller's decisions, as pure functions over a Deployment
 * and its ReplicaSets (from caches): rolling-update arithmetic (maxSurge,
 * maxUnavailable), the scale steps of a rollout, proportional scaling,
 * revisions and the annotations that carry them, history cleanup, status and
 * conditions. They follow Kubernetes 1.33's pkg/controller/deployment, so a
 * Deployment here moves through the same states, with the same numbers, as
 * against Kubernetes.
 *
 * Functions never modify their arguments unless their doc says so; a "plan"
 * is a list of ScaleSteps the controller applies in order.
 */
import { InvalidError } from '../../util/errors.ts';
import { clone } from '../../util/objects.ts';
import type { Pod, PodTemplateSpec } from '../../api/types/core.ts';
import type {
  Deployment,
  DeploymentCondition,
  DeploymentStatus,
  ReplicaSet,
} from '../../api/types/apps.ts';
import type { LabelSelector } from '../../api/types/meta.ts';
import { DEPLOYMENT_KIND, newControllerRef } from './controller-ref.ts';
import { parseTime, rfc3339 } from '../time.ts';
import { REPLICA_FAILURE, specReplicas } from './replicas.ts';
import { POD_TEMPLATE_HASH_LABEL, equalIgnoreHash, semanticEqual } from './template-hash.ts';

// ---------------------------------------------------------------- names

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';

/** Deployment annotations never copied to its ReplicaSets (kubectl's undo skips the same). */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

/** The revision history annotation is capped (about 100 revisions). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Condition reasons, as Kubernetes names them. */
export const Reason = {
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSet: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

const MAX_INT32 = 2 ** 31 - 1;

// ---------------------------------------------------------------- counting

type MaybeRS = ReplicaSet | undefined;

function present(rss: readonly MaybeRS[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined);
}

/** Sum of spec.replicas. */
export function specReplicaSum(rss: readonly MaybeRS[]): number {
  return present(rss).reduce((n, rs) => n + specReplicas(rs), 0);
}

/** Sum of status.replicas (pods that exist and are active). */
export function actualReplicaSum(rss: readonly MaybeRS[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
}

export function readyReplicaSum(rss: readonly MaybeRS[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
}

export function availableReplicaSum(rss: readonly MaybeRS[]): number {
  return present(rss).reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
}

/** ReplicaSets with spec.replicas > 0. */
export function activeReplicaSets(rss: readonly MaybeRS[]): ReplicaSet[] {
  return present(rss).filter((rs) => specReplicas(rs) > 0);
}

// ---------------------------------------------------------------- ordering

/** Older first; equal times by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Larger first; equal sizes older first (scaling down). */
function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Larger first; equal sizes newer first (scaling up). */
function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

// ---------------------------------------------------------------- surge and unavailability

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * An int-or-percent against `total`: an integer as it is; `"N%"` as N% of
 * total, rounded up or down. Throws InvalidError for any other string, as
 * Kubernetes' GetScaledValueFromIntOrPercent fails.
 */
export function scaledValue(
  value: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^([+-]?\d+)%$/.exec(value);
  if (!m) {
    throw new InvalidError(
      `invalid value for IntOrString: invalid type: string is not a percentage`,
    );
  }
  const v = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(v) : Math.floor(v);
}

/**
 * maxSurge (rounded up) and maxUnavailable (rounded down) for `desired`
 * replicas. Both resolving to zero (a small percentage of few replicas) would
 * stall a rollout, so maxUnavailable becomes 1 then.
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, specReplicas(d));
  } catch {
    // Validation keeps bad values out; Kubernetes reads them as zero.
    return { surge: 0, unavailable: 0 };
  }
}

/** How many pods above spec.replicas a rolling update may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

/** How many of spec.replicas may be unavailable during a rolling update (0 for Recreate). */
export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

// ---------------------------------------------------------------- new and old ReplicaSets

/**
 * The ReplicaSet running the Deployment's current template (ignoring the
 * hash label): the oldest if several do.
 */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): MaybeRS {
  return [...rss]
    .sort(byCreation)
    .find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

/** The revision annotation as a number: 0 when absent, undefined when not an integer. */
export function revisionOf(obj: {
  metadata: { annotations?: Record<string, string> };
}): number | undefined {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** The highest revision among `rss` (unparsable ones skipped); 0 for none. */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** Sets desired-replicas and max-replicas on `rs` (mutated). True if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata.annotations ?? {};
  return (
    a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

/**
 * Brings the annotations of the Deployment's new ReplicaSet up to date
 * (mutates `rs`): copies the Deployment's annotations (all but its own
 * bookkeeping, so `kubernetes.io/change-cause` follows), raises the revision
 * to `newRevision` if it is lower, keeping the revisions it had before in
 * revision-history (a rollback to an old template takes a new number), and,
 * for a ReplicaSet about to be created, the replica annotations. Returns true
 * if anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  historyLimitChars: number = MAX_REVISION_HISTORY_CHARS,
): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const hadRevision = REVISION_ANNOTATION in a;
  const oldText = a[REVISION_ANNOTATION] ?? '';
  let oldRevision = 0;
  if (oldText !== '') {
    if (!/^[+-]?\d+$/.test(oldText)) return false;
    oldRevision = Number(oldText);
  }
  if (oldRevision < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (hadRevision) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') a[REVISION_HISTORY_ANNOTATION] = oldText;
      else {
        const entries = history.split(',');
        let total = history.length + oldText.length + 1;
        let start = 0;
        while (total > historyLimitChars && start < entries.length) {
          total -= entries[start].length + 1;
          start++;
        }
        if (total <= historyLimitChars) {
          a[REVISION_HISTORY_ANNOTATION] = [...entries.slice(start), oldText].join(',');
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, specReplicas(d), specReplicas(d) + maxSurge(d))) {
    changed = true;
  }
  return changed;
}

/** A copy of `sel` that also requires `key=value`. */
function selectorWith(sel: LabelSelector, key: string, value: string): LabelSelector {
  const out = clone(sel);
  out.matchLabels = { ...(out.matchLabels ?? {}), [key]: value };
  return out;
}

/**
 * The new ReplicaSet for the Deployment's template: named
 * `<deployment>-<hash>`, owned by the Deployment, with the hash label on
 * itself, its selector and its template, `replicas` replicas and the
 * annotations of revision `revision`.
 */
export function newReplicaSetFor(
  d: Deployment,
  hash: string,
  replicas: number,
  revision: number,
): ReplicaSet {
  const template: PodTemplateSpec = clone(d.spec?.template ?? {});
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [newControllerRef(d, DEPLOYMENT_KIND)],
    },
    spec: {
      replicas,
      selector: selectorWith(d.spec?.selector ?? {}, POD_TEMPLATE_HASH_LABEL, hash),
      template,
    },
  };
  if (d.spec?.minReadySeconds) rs.spec!.minReadySeconds = d.spec.minReadySeconds;
  setNewReplicaSetAnnotations(d, rs, revision, false);
  return rs;
}

// ---------------------------------------------------------------- rolling update

/** One replica-count change, applied in order. */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
  /**
   * Write even if the count is unchanged, to refresh the desired/max replica
   * annotations (proportional scaling does; other steps skip equal counts).
   */
  refreshAnnotations?: boolean;
}

/**
 * The size the new ReplicaSet may grow to now: for RollingUpdate, as far as
 * maxSurge allows over the sum of every ReplicaSet's spec.replicas, never
 * past spec.replicas; for Recreate, spec.replicas. Throws InvalidError for an
 * unusable maxSurge.
 */
export function newReplicaSetReplicas(
  d: Deployment,
  allRSs: readonly MaybeRS[],
  newRS: ReplicaSet,
): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, replicas, true);
  const current = specReplicaSum(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** The step that brings the new ReplicaSet toward spec.replicas, if one is due. */
export function planNewReplicaSetScale(
  d: Deployment,
  allRSs: readonly MaybeRS[],
  newRS: ReplicaSet,
): ScaleStep | undefined {
  const want = specReplicas(d);
  const have = specReplicas(newRS);
  if (have === want) return undefined;
  const target = have > want ? want : newReplicaSetReplicas(d, allRSs, newRS);
  return target === have ? undefined : { rs: newRS, replicas: target };
}

/**
 * The scale-down steps of old ReplicaSets in a rolling update. First, old
 * ReplicaSets' unavailable replicas go (oldest ReplicaSet first): deleting
 * them costs no availability. Then old replicas go as far as the available
 * pods exceed spec.replicas - maxUnavailable. Both are capped so that the new
 * ReplicaSet's own unavailable pods never let availability drop further.
 * `oldRSs` should be the active old ReplicaSets.
 */
export function planOldReplicaSetsScaleDown(
  d: Deployment,
  allRSs: readonly MaybeRS[],
  oldRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
): ScaleStep[] {
  if (specReplicaSum(oldRSs) === 0) return [];
  const allPods = specReplicaSum(allRSs);
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const steps: ScaleStep[] = [];
  const size = new Map<ReplicaSet, number>(oldRSs.map((rs) => [rs, specReplicas(rs)]));
  const sorted = [...oldRSs].sort(byCreation);

  // Unhealthy replicas first.
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const n = size.get(rs)!;
    const available = rs.status?.availableReplicas ?? 0;
    if (n === 0 || n === available) continue;
    const down = Math.min(maxScaledDown - cleaned, n - available);
    // A status that reports more available pods than the spec wants is stale:
    // stop here until it catches up, as Kubernetes does, rather than scale up.
    if (down < 0) return steps;
    size.set(rs, n - down);
    steps.push({ rs, replicas: n - down });
    cleaned += down;
  }

  // Then as far as availability allows.
  const available = availableReplicaSum([...oldRSs, newRS]);
  if (available <= minAvailable) return steps;
  const budget = available - minAvailable;
  let scaled = 0;
  for (const rs of sorted) {
    if (scaled >= budget) break;
    const n = size.get(rs)!;
    if (n === 0) continue;
    const down = Math.min(n, budget - scaled);
    size.set(rs, n - down);
    steps.push({ rs, replicas: n - down });
    scaled += down;
  }
  return steps;
}

// ---------------------------------------------------------------- proportional scaling

/**
 * The only active ReplicaSet, or (none active) the newest; undefined when
 * several are active and must be scaled proportionally.
 */
export function findActiveOrLatest(newRS: MaybeRS, oldRSs: readonly ReplicaSet[]): MaybeRS {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

function parseNonNegativeInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n <= MAX_INT32 ? n : undefined;
}

/** desired-replicas of a ReplicaSet, if it carries a valid one. */
export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return parseNonNegativeInt(rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]);
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** How far `rs` should grow (or shrink) for its share of the Deployment's new size. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const maxNow = specReplicas(d) + maxSurge(d);
  let maxBefore = parseNonNegativeInt(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
  if (maxBefore === undefined || maxBefore === 0) {
    // Not annotated (edited by hand, made by another controller): the Deployment's size.
    maxBefore = d.status?.replicas ?? 0;
    if (maxBefore === 0) return 0;
  }
  return roundHalfAway((specReplicas(rs) * maxNow) / maxBefore) - specReplicas(rs);
}

/** The replicas `rs` gains (or loses, negative) of `toAdd`, given `added` so far. */
export function proportion(rs: MaybeRS, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** True if the new ReplicaSet runs all of spec.replicas, annotated so, all available. */
export function isSaturated(d: Deployment, rs: MaybeRS): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  const replicas = specReplicas(d);
  return (
    desired !== undefined &&
    specReplicas(rs) === replicas &&
    desired === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** True if spec.replicas changed since the active ReplicaSets were annotated. */
export function isScalingEvent(d: Deployment, allRSs: readonly MaybeRS[]): boolean {
  for (const rs of activeReplicaSets(allRSs)) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== specReplicas(d)) return true;
  }
  return false;
}

/**
 * The steps of a scaling event (or of a paused Deployment): one active
 * ReplicaSet takes the whole size; a saturated new ReplicaSet leaves the old
 * ones at zero; otherwise, in a rolling update, the difference between
 * spec.replicas + maxSurge and the current total is shared among the active
 * ReplicaSets in proportion to their sizes (larger first; ties newer first
 * going up, older first going down), the rounding leftover going to the
 * first.
 */
export function planScale(
  d: Deployment,
  newRS: MaybeRS,
  oldRSs: readonly ReplicaSet[],
): ScaleStep[] {
  const replicas = specReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) return specReplicas(single) === replicas ? [] : [{ rs: single, replicas }];
  if (isSaturated(d, newRS)) {
    return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  }
  if (!isRollingUpdate(d)) return [];
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaSum(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return all.map((rs, i) => ({ rs, replicas: sizes[i], refreshAnnotations: true }));
}

// ---------------------------------------------------------------- Recreate

/**
 * True while pods of old ReplicaSets may still run: an old ReplicaSet reports
 * pods, or a pod owned by one is neither Succeeded nor Failed (a terminating
 * pod counts until it is gone). `podsByOwner` maps ReplicaSet uid to its pods.
 */
export function oldPodsRunning(
  newRS: MaybeRS,
  oldRSs: readonly ReplicaSet[],
  podsByOwner: ReadonlyMap<string, readonly Pod[]>,
): boolean {
  if (actualReplicaSum(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByOwner) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------- history

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const limit = d.spec?.revisionHistoryLimit;
  return limit !== undefined && limit !== MAX_INT32;
}

/**
 * Old ReplicaSets to delete so at most revisionHistoryLimit remain: the
 * oldest first, and only those fully scaled down (spec and status at zero,
 * their controller caught up) and not already being deleted.
 */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byCreation);
  const diff = alive.length - d.spec!.revisionHistoryLimit!;
  const out: ReplicaSet[] = [];
  for (let i = 0; i < diff; i++) {
    const rs = alive[i];
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      specReplicas(rs) !== 0 ||
      (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
    ) {
      continue;
    }
    out.push(rs);
  }
  return out;
}

// ---------------------------------------------------------------- conditions

export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  nowMs: number,
): DeploymentCondition {
  const t = rfc3339(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition on `status` (mutated). Unchanged status and reason: no-op.
 * Unchanged status: the transition time is kept. The condition moves last,
 * as Kubernetes appends it.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status)
    next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

/** Removes a condition from `status` (mutated). */
export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== MAX_INT32;
}

// ---------------------------------------------------------------- status

/**
 * The Deployment status its ReplicaSets imply (counts, observedGeneration,
 * the Available condition); other conditions are carried over. Counts that
 * are zero are left out, as Kubernetes serializes them.
 */
export function calculateStatus(
  allRSs: readonly MaybeRS[],
  newRS: MaybeRS,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const available = availableReplicaSum(allRSs);
  const total = specReplicaSum(allRSs);
  const status: DeploymentStatus = {};
  const set = (k: keyof DeploymentStatus, v: number): void => {
    if (v !== 0) (status as Record<string, unknown>)[k] = v;
  };
  set('observedGeneration', d.metadata.generation ?? 0);
  set('replicas', actualReplicaSum(allRSs));
  set('updatedReplicas', actualReplicaSum([newRS]));
  set('readyReplicas', readyReplicaSum(allRSs));
  set('availableReplicas', available);
  set('unavailableReplicas', Math.max(0, total - available));
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        Reason.MinimumReplicasAvailable,
        'Deployment has minimum availability.',
        nowMs,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        Reason.MinimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
        nowMs,
      ),
    );
  }
  return status;
}

/** True when every replica runs the current template, available, and the spec was observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = specReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

/** True if `status` shows progress over the Deployment's current status. */
export function deploymentProgressing(d: Deployment, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** True if no progress was reported for longer than progressDeadlineSeconds. */
export function deploymentTimedOut(
  d: Deployment,
  status: DeploymentStatus,
  nowMs: number,
): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, 'Progressing');
  if (!cond) return false;
  if (cond.reason === Reason.NewRSAvailable) return false;
  if (cond.reason === Reason.TimedOut) return true;
  const from = parseTime(cond.lastUpdateTime);
  if (from === undefined) return false;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < nowMs;
}

/**
 * The status after a rollout step (Kubernetes' syncRolloutStatus): counts and
 * Available, then Progressing (NewReplicaSetAvailable when complete,
 * ReplicaSetUpdated with a fresh lastUpdateTime on progress,
 * ProgressDeadlineExceeded past the deadline; none without a deadline), then
 * the ReplicaFailure of the ReplicaSets (the new one's first).
 */
export function rolloutStatus(
  allRSs: readonly MaybeRS[],
  newRS: MaybeRS,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, nowMs);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) &&
    current?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS
      ? `ReplicaSet "${newRS.metadata.name}"`
      : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          Reason.NewRSAvailable,
          `${subject} has successfully progressed.`,
          nowMs,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition(
        'Progressing',
        'True',
        Reason.ReplicaSetUpdated,
        `${subject} is progressing.`,
        nowMs,
      );
      // Progress refreshes lastUpdateTime even with the same reason; the
      // transition time stays while the status stays True.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, nowMs)) {
      setCondition(
        status,
        newCondition(
          'Progressing',
          'False',
          Reason.TimedOut,
          `${subject} has timed out progressing.`,
          nowMs,
        ),
      );
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, REPLICA_FAILURE);
  return status;
}

/** The ReplicaFailure condition to surface: the new ReplicaSet's, else the first old one's. */
function replicaFailure(
  allRSs: readonly MaybeRS[],
  newRS: MaybeRS,
): DeploymentCondition | undefined {
  const from = (rs: MaybeRS): DeploymentCondition | undefined => {
    const c = rs?.status?.conditions?.find((x) => x.type === REPLICA_FAILURE);
    if (!c) return undefined;
    const out: DeploymentCondition = { type: c.type, status: c.status };
    if (c.lastTransitionTime) {
      out.lastUpdateTime = c.lastTransitionTime;
      out.lastTransitionTime = c.lastTransitionTime;
    }
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  };
  const own = from(newRS);
  if (own) return own;
  for (const rs of allRSs) {
    const c = from(rs);
    if (c) return c;
  }
  return undefined;
}

/**
 * When to look again at a rollout that shows no progress, to notice its
 * deadline passing (ms from now). Undefined when there
 * is no deadline to watch: none set, no Progressing condition yet, complete,
 * or already timed out.
 */
export function progressCheckAfterMs(
  d: Deployment,
  status: DeploymentStatus,
  nowMs: number,
): number | undefined {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reason.TimedOut) return undefined;
  const from = parseTime(current.lastUpdateTime) ?? nowMs;
  const remaining = from + d.spec!.progressDeadlineSeconds! * 1000 - nowMs;
  // A second past the deadline, so the check lands after it (times have
  // second precision).
  return Math.max(0, remaining) + 1000;
}

/**
 * The Progressing condition a pause or resume calls for (Unknown,
 * DeploymentPaused / DeploymentResumed), so time spent paused never counts
 * against the deadline. Returns the new status, or undefined if nothing
 * changes. A timed-out rollout keeps its condition.
 */
export function pausedConditionStatus(d: Deployment, nowMs: number): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reason.TimedOut) return undefined;
  const pausedCond = cond?.reason === Reason.Paused;
  const paused = !!d.spec?.paused;
  if (paused === pausedCond) return undefined;
  const status = clone(d.status ?? {});
  setCondition(
    status,
    paused
      ? newCondition('Progressing', 'Unknown', Reason.Paused, 'Deployment is paused', nowMs)
      : newCondition('Progressing', 'Unknown', Reason.Resumed, 'Deployment is resumed', nowMs),
  );
  return status;
}

/** Zero counts and absent ones are the same (Kubernetes omits zeros). */
function normalizedStatus(s: DeploymentStatus | undefined): unknown {
  const out: Record<string, unknown> = { ...s };
  for (const k of Object.keys(out)) if (out[k] === 0 && k !== 'collisionCount') delete out[k];
  return out;
}

/** True if writing `next` would change nothing. */
export function deploymentStatusEqual(
  current: DeploymentStatus | undefined,
  next: DeploymentStatus,
): boolean {
  return semanticEqual(normalizedStatus(current), normalizedStatus(next));
}

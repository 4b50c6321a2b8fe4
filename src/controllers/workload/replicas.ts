/**
 * The ReplicaSet controller's decisions, as pure functions of what its caches
 * hold: the pod to create from a template, the status to report, and how long
 * until a ready pod turns available. Nothing here writes; nothing here
 * modifies its arguments.
 */
import type { Pod } from '../../api/types/core.ts';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from '../../api/types/apps.ts';
import type { OwnerReference } from '../../api/types/meta.ts';
import { clone } from '../../util/objects.ts';
import { errorMessage } from '../../util/errors.ts';
import { isPodReady, msUntilAvailable } from './pods.ts';
import { semanticEqual } from './template-hash.ts';
import { rfc3339 } from '../time.ts';

/** At most this many pods are created or deleted in one sync (Kubernetes' burstReplicas). */
export const BURST_REPLICAS = 500;

export const REPLICA_FAILURE = 'ReplicaFailure';

/** `spec.replicas`, which the API defaults to 1. */
export function specReplicas(obj: { spec?: { replicas?: number } } | undefined): number {
  return obj?.spec?.replicas ?? 1;
}

/** Pod names are DNS subdomains (253 characters); a name that fits leaves room for the dash. */
function generateNamePrefix(name: string): string {
  return name.length + 1 <= 253 ? `${name}-` : name;
}

/**
 * The pod a ReplicaSet creates: the template's labels, annotations, finalizers
 * and spec, `generateName: <rs>-`, and `ref` as its controller. A new object.
 */
export function podFromTemplate(rs: ReplicaSet, ref: OwnerReference): Pod {
  const template = rs.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const metadata: Pod['metadata'] = {
    generateName: generateNamePrefix(rs.metadata.name ?? ''),
    namespace: rs.metadata.namespace,
  };
  if (meta.labels) metadata.labels = { ...meta.labels };
  if (meta.annotations) metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) metadata.finalizers = [...meta.finalizers];
  metadata.ownerReferences = [{ ...ref }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: clone(template.spec ?? { containers: [] }),
  };
}

/** True if every label of the template is on the pod with the same value. */
function fullyLabeled(pod: Pod, templateLabels: Record<string, string>): boolean {
  const labels = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries(templateLabels)) if (labels[k] !== v) return false;
  return true;
}

export interface ReplicaSetStatusResult {
  status: ReplicaSetStatus;
  /**
   * When a pod that is ready but not yet available for minReadySeconds will
   * become available, in ms from now: the sync to run then to count it.
   */
  recheckAfterMs?: number;
}

/**
 * The status a ReplicaSet should report, given the active pods it owns and
 * the error of this sync's create/delete round (if any). observedGeneration
 * is the generation acted on. A ReplicaFailure condition is added when a
 * round fails (reason FailedCreate or FailedDelete, message the error) and
 * kept, with its first transition time, until a round succeeds.
 */
export function replicaSetStatus(
  rs: ReplicaSet,
  activePods: readonly Pod[],
  manageError: unknown,
  nowMs: number,
): ReplicaSetStatusResult {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let labeled = 0;
  let ready = 0;
  let available = 0;
  let recheck: number | undefined;
  for (const pod of activePods) {
    if (fullyLabeled(pod, templateLabels)) labeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    const wait = msUntilAvailable(pod, minReady, nowMs);
    if (wait === 0) available++;
    else if (wait !== undefined) recheck = recheck === undefined ? wait : Math.min(recheck, wait);
  }
  let conditions: ReplicaSetCondition[] = (rs.status?.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = activePods.length - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: rfc3339(nowMs),
      reason,
      message: errorMessage(manageError),
    });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = { replicas: activePods.length };
  if (labeled) status.fullyLabeledReplicas = labeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
  if (conditions.length) status.conditions = conditions;
  return recheck === undefined ? { status } : { status, recheckAfterMs: recheck };
}

/** Zero counts and absent ones are the same (Kubernetes omits zeros). */
function normalizedStatus(s: ReplicaSetStatus | undefined): unknown {
  const out: Record<string, unknown> = { ...s };
  for (const k of Object.keys(out)) if (out[k] === 0) delete out[k];
  return out;
}

/** True if writing `next` would change nothing. */
export function replicaSetStatusEqual(
  current: ReplicaSetStatus | undefined,
  next: ReplicaSetStatus,
): boolean {
  return semanticEqual(normalizedStatus(current), normalizedStatus(next));
}

/** Pod status changes the node lifecycle controller makes, with Kubernetes' wording. */
import type { Pod, PodCondition } from '../../api/types/core.ts';
import { clone } from '../../util/objects.ts';

export const DISRUPTION_TARGET: Omit<PodCondition, 'lastTransitionTime'> = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

/**
 * The pod with its Ready condition set to False (lastTransitionTime `now`;
 * reason and message kept), as Kubernetes' MarkPodsNotReady does when the pod's
 * node stops reporting. Only Ready changes: ContainersReady and the container
 * statuses stay as the agent last reported them. Returns undefined when the
 * pod has no Ready condition or it is already False. Does not mutate `pod`.
 */
export function markPodNotReady(pod: Pod, now: string): Pod | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const out = clone(pod);
  const c = out.status!.conditions!.find((x) => x.type === 'Ready')!;
  c.status = 'False';
  c.lastTransitionTime = now;
  return out;
}

/**
 * The pod with the DisruptionTarget condition Kubernetes' taint manager sets
 * before it deletes a pod; undefined when the pod already has it. Does not
 * mutate `pod`.
 */
export function withDisruptionTarget(pod: Pod, now: string): Pod | undefined {
  const existing = pod.status?.conditions?.find((c) => c.type === DISRUPTION_TARGET.type);
  if (
    existing &&
    existing.status === DISRUPTION_TARGET.status &&
    existing.reason === DISRUPTION_TARGET.reason &&
    existing.message === DISRUPTION_TARGET.message
  ) {
    return undefined;
  }
  const out = clone(pod);
  out.status ??= {};
  const conditions = (out.status.conditions ??= []);
  const next: PodCondition = {
    ...DISRUPTION_TARGET,
    lastTransitionTime:
      existing && existing.status === DISRUPTION_TARGET.status ? existing.lastTransitionTime : now,
  };
  const i = conditions.findIndex((c) => c.type === DISRUPTION_TARGET.type);
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
  return out;
}

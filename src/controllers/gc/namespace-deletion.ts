/**
 * Pure parts of namespace deletion: the conditions Kubernetes' namespace
 * controller reports on a Terminating namespace, how long to wait for content
 * that is going away, and what the finalize call sends. The controller
 * (../namespace.ts) does the reads and writes.
 */
import type { Client } from '../../api/client.ts';
import { GVR } from '../../api/client.ts';
import type { Namespace, NamespaceCondition, Pod } from '../../api/types/core.ts';
import { isConflict, isNotFound } from '../../util/errors.ts';

/** The token the namespace controller owns in spec.finalizers. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** How long Kubernetes assumes finalizers on remaining content take, in seconds. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** The condition types the namespace controller maintains, in the order it writes them. */
export const NAMESPACE_CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type NamespaceConditionType = (typeof NAMESPACE_CONDITION_TYPES)[number];

const OK: Record<NamespaceConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: {
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  NamespaceDeletionGroupVersionParsingFailure: {
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  NamespaceDeletionContentFailure: {
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  NamespaceContentRemaining: {
    reason: 'ContentRemoved',
    message: 'All content successfully removed',
  },
  NamespaceFinalizersRemaining: {
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
};

/** What one pass over a namespace's content found. */
export interface DeletionFindings {
  /** Discovery failed (so some content may not have been seen). */
  discoveryError?: string;
  /** One message per resource whose content could not be deleted. */
  contentErrors: readonly string[];
  /** `<resource>.<group>` -> objects left (core resources end in a dot, as in Kubernetes). */
  remainingByResource: ReadonlyMap<string, number>;
  /** finalizer -> objects left carrying it. */
  remainingByFinalizer: ReadonlyMap<string, number>;
}

/** The five conditions (without transition times) a pass leads to. */
export function namespaceDeletionConditions(f: DeletionFindings): NamespaceCondition[] {
  const failed = new Map<NamespaceConditionType, { reason: string; message: string }>();
  if (f.discoveryError !== undefined) {
    failed.set('NamespaceDeletionDiscoveryFailure', {
      reason: 'DiscoveryFailed',
      message: f.discoveryError,
    });
  }
  if (f.contentErrors.length > 0) {
    const messages = [...f.contentErrors].sort();
    failed.set('NamespaceDeletionContentFailure', {
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${messages.length} remaining: ${messages.join(', ')}`,
    });
  }
  const resources = counts(f.remainingByResource, (k, n) => `${k} has ${n} resource instances`);
  if (resources.length > 0) {
    failed.set('NamespaceContentRemaining', {
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${resources.join(', ')}`,
    });
  }
  const finalizers = counts(f.remainingByFinalizer, (k, n) => `${k} in ${n} resource instances`);
  if (finalizers.length > 0) {
    failed.set('NamespaceFinalizersRemaining', {
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
    });
  }
  return NAMESPACE_CONDITION_TYPES.map((type) => {
    const bad = failed.get(type);
    return bad ? { type, status: 'True', ...bad } : { type, status: 'False', ...OK[type] };
  });
}

function counts(
  map: ReadonlyMap<string, number>,
  text: (k: string, n: number) => string,
): string[] {
  return [...map]
    .filter(([, n]) => n > 0)
    .map(([k, n]) => text(k, n))
    .sort();
}

/**
 * `existing` with `wanted` merged in, as Kubernetes does: a condition's
 * lastTransitionTime moves only when its status changes; conditions of other
 * types are kept. Returns a new array and whether anything changed.
 */
export function mergeNamespaceConditions(
  existing: readonly NamespaceCondition[] | undefined,
  wanted: readonly NamespaceCondition[],
  now: string,
): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = (existing ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const w of wanted) {
    const old = conditions.find((c) => c.type === w.type);
    if (!old) {
      conditions.push({ ...w, lastTransitionTime: now });
      changed = true;
    } else if (old.status !== w.status || old.reason !== w.reason || old.message !== w.message) {
      if (old.status !== w.status) old.lastTransitionTime = now;
      old.status = w.status;
      old.reason = w.reason;
      old.message = w.message;
      changed = true;
    }
  }
  return { conditions, changed };
}

/**
 * Seconds the pods of a namespace may still take to terminate: the longest
 * grace period of a pod not yet finished, or 0 once that long has passed since
 * the namespace's deletion began.
 */
export function podTerminationEstimate(
  pods: readonly Pod[],
  deletionTimestamp: string,
  nowMs: number,
): number {
  let estimate = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const grace = pod.spec?.terminationGracePeriodSeconds;
    if (typeof grace === 'number' && grace > estimate) estimate = grace;
  }
  const since = nowMs - Date.parse(deletionTimestamp);
  return since >= estimate * 1000 ? 0 : estimate;
}

/** Kubernetes waits half the estimate plus a second before looking again. */
export function remainingContentDelayMs(estimateSeconds: number): number {
  return (Math.floor(estimateSeconds / 2) + 1) * 1000;
}

/** The namespace as the finalize call takes it: `token` gone from spec.finalizers. */
export function withoutNamespaceFinalizer(ns: Namespace, token = NAMESPACE_FINALIZER): Namespace {
  const finalizers = [...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== token))].sort();
  return { ...ns, spec: { ...ns.spec, finalizers } };
}

/**
 * Removes the `kubernetes` token from spec.finalizers through namespaces/finalize,
 * conditionally on `ns`'s resourceVersion; on a conflict it reads the namespace
 * again and retries. Returns the namespace written (which the API server deletes
 * at once when no finalizer of either kind is left), or undefined when the
 * namespace is gone or the token already was. Does not mutate `ns`.
 */
export async function finalizeNamespace(
  client: Client,
  ns: Namespace,
  fieldManager = 'namespace-controller',
): Promise<Namespace | undefined> {
  let current = ns;
  for (let attempt = 0; ; attempt++) {
    if (!(current.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return undefined;
    try {
      return await client.update(GVR.namespaces, undefined, withoutNamespaceFinalizer(current), {
        subresource: 'finalize',
        fieldManager,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err) || attempt >= 4) throw err;
    }
    try {
      const latest = await client.get<Namespace>(GVR.namespaces, undefined, ns.metadata.name!);
      if (latest.metadata.uid !== ns.metadata.uid) return undefined;
      current = latest;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

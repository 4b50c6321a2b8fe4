/**
 * What the scheduler needs to know about a pod, worked out once per version of
 * the pod object: requests, host ports, tolerations, node and pod affinity terms
 * in parsed form, and the key it spreads by. Informer objects are immutable (a
 * change arrives as a new object), so `podInfo` caches by object identity.
 */
import {
  labelSelectorFromObject,
  matchesLabels,
  type Requirement,
} from '../../api/validation/selectors.ts';
import type {
  NodeSelectorTerm,
  Pod,
  PodAffinityTerm,
  PreferredSchedulingTerm,
  Toleration,
  TopologySpreadConstraint,
} from '../../api/types/core.ts';
import type { LabelSelector } from '../../api/types/meta.ts';
import { podRequests, type Resources } from './resources.ts';

export interface HostPort {
  /** `0.0.0.0` when the pod did not name one: every address. */
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term, parsed (Kubernetes' `framework.AffinityTerm`). */
export interface AffinityTerm {
  /** Namespaces named by the term; the pod's own when neither a list nor a selector is given. */
  namespaces: ReadonlySet<string>;
  /** Namespaces selected by their labels; null selects none, [] selects all. */
  namespaceSelector: Requirement[] | null;
  /** Pods selected by their labels; null (no or invalid selector) selects none. */
  selector: Requirement[] | null;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  pod: Pod;
  /** `namespace/name`. */
  key: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resources;
  /** Requests with 100m / 200Mi for containers that ask for no cpu / memory (scoring). */
  nonZeroRequests: Resources;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  nodeSelector: Record<string, string> | undefined;
  /** Required node affinity terms (ORed); undefined when the pod has none. */
  requiredNodeAffinity: NodeSelectorTerm[] | undefined;
  preferredNodeAffinity: PreferredSchedulingTerm[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** Explicit topology spread constraints; when any, they replace the default spreading. */
  spreadConstraints: SpreadConstraint[];
  /** Pods with the same key spread across nodes by default; undefined: no default spreading. */
  spreadKey: string | undefined;
  /** Being deleted: still occupies its node, but no longer counts for spreading. */
  terminating: boolean;
}

/** A label selector as requirements; null when absent or invalid (selects nothing). */
export function selectorOrNull(sel: LabelSelector | undefined): Requirement[] | null {
  if (!sel) return null;
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return null;
  }
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  let selector = selectorOrNull(t.labelSelector);
  // matchLabelKeys / mismatchLabelKeys narrow the selector by this pod's own
  // label values (only together with a labelSelector, as the API requires).
  if (selector) {
    const labels = pod.metadata.labels ?? {};
    const extra: Requirement[] = [];
    for (const key of t.matchLabelKeys ?? [])
      if (Object.hasOwn(labels, key)) extra.push({ key, operator: 'in', values: [labels[key]] });
    for (const key of t.mismatchLabelKeys ?? [])
      if (Object.hasOwn(labels, key)) extra.push({ key, operator: 'notin', values: [labels[key]] });
    if (extra.length) selector = [...selector, ...extra];
  }
  const own = t.namespaces?.length === 0 || t.namespaces === undefined;
  const namespaces =
    own && !t.namespaceSelector
      ? new Set([pod.metadata.namespace ?? 'default'])
      : new Set(t.namespaces ?? []);
  return {
    namespaces,
    namespaceSelector: t.namespaceSelector ? selectorOrNull(t.namespaceSelector) : null,
    selector,
    topologyKey: t.topologyKey,
  };
}

/**
 * True if `term` selects `pod`: the pod's namespace is named or selected, and
 * its labels match. `nsLabels` are the labels of the pod's namespace (only
 * consulted when the term has a namespace selector).
 */
export function termMatches(
  term: AffinityTerm,
  pod: PodInfo,
  nsLabels: (namespace: string) => Record<string, string> | undefined,
): boolean {
  if (!term.selector) return false;
  if (!term.namespaces.has(pod.namespace)) {
    if (!term.namespaceSelector) return false;
    if (
      term.namespaceSelector.length > 0 &&
      !matchesLabels(term.namespaceSelector, nsLabels(pod.namespace))
    )
      return false;
  }
  return matchesLabels(term.selector, pod.labels);
}

/** A parsed constraint. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  hard: boolean;
  /** null selects no pod. */
  selector: Requirement[] | null;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

/** The pod's topology spread constraints, parsed (matchLabelKeys merged into the selector). */
export function parseSpreadConstraints(pod: Pod): SpreadConstraint[] {
  const labels = pod.metadata.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? []).map((c: TopologySpreadConstraint) => {
    let selector = selectorOrNull(c.labelSelector);
    if (selector && c.matchLabelKeys?.length) {
      const extra: Requirement[] = [];
      for (const key of c.matchLabelKeys)
        if (Object.hasOwn(labels, key)) extra.push({ key, operator: 'in', values: [labels[key]] });
      selector = [...selector, ...extra];
    }
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      hard: c.whenUnsatisfiable === 'DoNotSchedule',
      selector,
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

/** The key pods spread by: their controller, else (bare pods) their namespace and exact labels. */
export function spreadKeyOf(pod: Pod): string | undefined {
  const owner = pod.metadata.ownerReferences?.find((r) => r.controller === true);
  if (owner) return `owner:${owner.uid}`;
  const labels = pod.metadata.labels;
  if (!labels || Object.keys(labels).length === 0) return undefined;
  const text = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
  return `labels:${pod.metadata.namespace ?? ''}/${text}`;
}

function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

const cache = new WeakMap<Pod, PodInfo>();

/** The scheduling view of `pod`. Cached per object; never mutate the result. */
export function podInfo(pod: Pod): PodInfo {
  let info = cache.get(pod);
  if (info) return info;
  const spec = pod.spec;
  const affinity = spec?.affinity;
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const terms = (list: PodAffinityTerm[] | undefined): AffinityTerm[] =>
    (list ?? []).map((t) => affinityTerm(pod, t));
  const weighted = (
    list: { weight: number; podAffinityTerm: PodAffinityTerm }[] | undefined,
  ): WeightedAffinityTerm[] =>
    (list ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight }));
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  info = {
    pod,
    key: `${namespace}/${name}`,
    namespace,
    name,
    labels: pod.metadata.labels ?? {},
    priority: spec?.priority ?? 0,
    requests: podRequests(spec),
    nonZeroRequests: podRequests(spec, true),
    hostPorts: hostPorts(pod),
    tolerations: spec?.tolerations ?? [],
    nodeSelector:
      spec?.nodeSelector && Object.keys(spec.nodeSelector).length ? spec.nodeSelector : undefined,
    requiredNodeAffinity: required ? (required.nodeSelectorTerms ?? []) : undefined,
    preferredNodeAffinity:
      affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
    requiredAffinity: terms(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: terms(
      affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAffinity: weighted(
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAntiAffinity: weighted(
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    spreadConstraints: parseSpreadConstraints(pod),
    spreadKey: spreadKeyOf(pod),
    terminating: !!pod.metadata.deletionTimestamp,
  };
  cache.set(pod, info);
  return info;
}

/** True if the pod has any pod affinity or anti-affinity term. */
export function hasPodAffinity(info: PodInfo): boolean {
  return (
    info.requiredAffinity.length > 0 ||
    info.requiredAntiAffinity.length > 0 ||
    info.preferredAffinity.length > 0 ||
    info.preferredAntiAffinity.length > 0
  );
}

/**
 * Which nodes a DaemonSet's pod belongs on, decided as Kubernetes' DaemonSet
 * controller decides it (pkg/controller/daemon, NodeShouldRunDaemonPod): the
 * pod template's `nodeName` (if any), `nodeSelector` and required node affinity
 * must match the node, and every NoSchedule/NoExecute taint of the node must be
 * tolerated by the template's tolerations plus the ones Kubernetes adds to every
 * DaemonSet pod.
 *
 * Every function here is pure: inputs are never mutated (they may be shared
 * informer objects) and results are fresh objects the caller owns.
 */
import type { DaemonSet } from '../../api/types/apps.ts';
import type {
  Affinity,
  Node,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Toleration,
} from '../../api/types/core.ts';
import { matchesLabels, type Requirement } from '../../api/validation/selectors.ts';
import { deepEqual } from '../../util/objects.ts';
import {
  firstUntoleratedTaint,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '../taints.ts';

/** The field a DaemonSet pod's node affinity pins it with. */
export const NODE_NAME_FIELD = 'metadata.name';

/**
 * The tolerations every DaemonSet pod gets, in the order Kubernetes adds them:
 * not-ready and unreachable NoExecute without tolerationSeconds (so node
 * problems never evict a daemon), the node-condition NoSchedule taints and
 * unschedulable (so cordoned or pressured nodes still run their daemons), and
 * network-unavailable for host-network pods (which bring the network up).
 */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const out: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) {
    out.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  }
  return out;
}

/** Same key, operator, value and effect: the identity Kubernetes uses to replace a toleration. */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '')
  );
}

/**
 * `tolerations` with `add` merged in: a toleration with the same identity is
 * replaced in place (so a user's `not-ready` toleration with tolerationSeconds
 * becomes the unbounded one), anything else is appended. Returns a new array.
 */
export function addOrUpdateToleration(tolerations: Toleration[], add: Toleration): Toleration[] {
  const out: Toleration[] = [];
  let replaced = false;
  for (const t of tolerations) {
    if (sameToleration(t, add)) {
      if (deepEqual(t, add)) return tolerations.map((x) => ({ ...x }));
      out.push({ ...add });
      replaced = true;
      continue;
    }
    out.push({ ...t });
  }
  if (!replaced) out.push({ ...add });
  return out;
}

/** A copy of `spec` whose tolerations include the DaemonSet defaults. Does not mutate `spec`. */
export function withDaemonTolerations(spec: PodSpec): PodSpec {
  let tolerations = spec.tolerations ?? [];
  for (const t of daemonTolerations(spec.hostNetwork === true)) {
    tolerations = addOrUpdateToleration(tolerations, t);
  }
  return { ...spec, tolerations };
}

const LABEL_OPERATORS: Record<string, Requirement['operator']> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** The label requirement of a node selector expression; undefined when it cannot be parsed. */
function labelRequirement(expr: NodeSelectorRequirement): Requirement | undefined {
  const operator = LABEL_OPERATORS[expr.operator];
  const values = expr.values ?? [];
  if (!operator || !expr.key) return undefined;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) return undefined;
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) return undefined;
      break;
    default:
      if (values.length !== 1 || !/^[+-]?[0-9]+$/.test(values[0])) return undefined;
  }
  return { key: expr.key, operator, values: [...values] };
}

/**
 * Whether a node satisfies one term, or undefined when the term cannot be
 * parsed (Kubernetes then ignores the term). An empty term matches nothing.
 */
function matchTerm(term: NodeSelectorTerm, node: Node): boolean | undefined {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const reqs: Requirement[] = [];
  for (const e of exprs) {
    const r = labelRequirement(e);
    if (!r) return undefined;
    reqs.push(r);
  }
  const nodeFields: Record<string, string> = { [NODE_NAME_FIELD]: node.metadata.name ?? '' };
  let fieldsMatch = true;
  for (const f of fields) {
    // Only In and NotIn with exactly one value are valid for fields.
    if ((f.operator !== 'In' && f.operator !== 'NotIn') || (f.values ?? []).length !== 1) {
      return undefined;
    }
    const have = nodeFields[f.key] ?? '';
    const equal = have === f.values![0];
    if (f.operator === 'In' ? !equal : equal) fieldsMatch = false;
  }
  return fieldsMatch && matchesLabels(reqs, node.metadata.labels);
}

/** Whether a node matches a NodeSelector: any of its valid terms (OR). */
export function matchesNodeSelector(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some((t) => matchTerm(t, node) === true);
}

/** Whether a node matches a pod spec's `nodeSelector` and required node affinity. */
export function matchesRequiredNodeAffinity(spec: PodSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? matchesNodeSelector(required, node) : true;
}

export interface Eligibility {
  /** A pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** A pod already on the node may stay (untolerated NoSchedule taints alone do not evict). */
  shouldContinueRunning: boolean;
}

/**
 * Whether `node` should run `ds`'s pod. A node whose only untolerated taints
 * are NoSchedule keeps an existing pod (shouldRun false, shouldContinueRunning
 * true); an untolerated NoExecute taint, a selector or affinity mismatch, or a
 * different template `nodeName` rule the node out entirely.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Eligibility {
  const none = { shouldRun: false, shouldContinueRunning: false };
  const spec = ds.spec?.template?.spec;
  if (!spec) return none;
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return none;
  if (!matchesRequiredNodeAffinity(spec, node)) return none;
  const tolerations = withDaemonTolerations(spec).tolerations;
  const taints = node.spec?.taints;
  if (firstUntoleratedTaint(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return {
      shouldRun: false,
      shouldContinueRunning: !firstUntoleratedTaint(taints, tolerations, ['NoExecute']),
    };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * A copy of `affinity` whose required node affinity selects exactly `nodeName`
 * through `matchFields` on `metadata.name`, replacing every required term, as
 * Kubernetes does when it creates a DaemonSet pod (the controller has already
 * checked that the node satisfies the template's own terms). Preferred terms
 * and pod (anti-)affinity are kept. Does not mutate `affinity`.
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const pinned: NodeSelector = {
    nodeSelectorTerms: [
      { matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] },
    ],
  };
  const out: Affinity = structuredClone(affinity ?? {});
  out.nodeAffinity = {
    ...out.nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: pinned,
  };
  return out;
}

/**
 * The node a DaemonSet pod belongs to: its `spec.nodeName` once bound,
 * otherwise the `metadata.name` In term of its required node affinity.
 * Undefined when neither names one node.
 */
export function targetNodeName(spec: PodSpec | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === NODE_NAME_FIELD && f.operator === 'In') {
        return f.values?.length === 1 ? f.values[0] : undefined;
      }
    }
  }
  return undefined;
}

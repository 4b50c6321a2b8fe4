/**
 * NodeRestriction (Kubernetes' admission plugin of that name): what a node may
 * put in the objects the node authorizer lets it write. The authorizer sees
 * only the request line; this plugin sees the objects.
 *
 * - Node: only its own; no labels under node-restriction.kubernetes.io/, no
 *   kubernetes.io / k8s.io labels but those a kubelet sets about itself; taints
 *   only when it registers; no change to providerID or the pod CIDRs once set;
 *   no owner references.
 * - Pod: only the status of pods bound to it (never their spec or metadata),
 *   only deletes of pods bound to it, no creates (Verge has no mirror pods).
 * - Event (core/v1 and events.k8s.io/v1): only about its own Node or a pod
 *   bound to it.
 * - Lease: only `kube-node-lease/<its name>`.
 *
 * Users that are not nodes pass untouched. Refusals are Kubernetes' Forbidden,
 * worded `pods "p" is forbidden: node "a" can only ...`.
 */
import { ForbiddenError, isNotFound } from '../util/errors.ts';
import type { Logger } from '../util/log.ts';
import { deepEqual, isObject } from '../util/objects.ts';
import type { ResourceRegistry, ResourceType } from '../api/registry.ts';
import type { Node, ObjectReference, Pod } from '../api/types/core.ts';
import type { KubeObject } from '../api/types/meta.ts';
import type { AdmissionPlugin, AdmissionRequest } from './admission.ts';
import { systemContext } from './context.ts';
import { NODE_LEASE_NAMESPACE, nodeIdentity } from './node-authorizer.ts';

/** Labels a kubelet sets about its own node (Kubernetes' kubeletapis.IsKubeletLabel, widened as our issue asks). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
/** Label prefixes (namespaces) a kubelet may use freely, subdomains included. */
const KUBELET_LABEL_NAMESPACES = [
  'kubelet.kubernetes.io',
  'node.kubernetes.io',
  'beta.kubernetes.io',
  'failure-domain.beta.kubernetes.io',
];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

function labelNamespace(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

function inNamespace(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith(`.${domain}`);
}

/** Whether a node may add, change or remove the label `key` on itself. */
export function nodeMaySetLabel(key: string): boolean {
  const ns = labelNamespace(key);
  if (inNamespace(ns, NODE_RESTRICTION_NAMESPACE)) return false;
  if (!inNamespace(ns, 'kubernetes.io') && !inNamespace(ns, 'k8s.io')) return true;
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((d) => inNamespace(ns, d));
}

/** Keys added, changed or removed between `before` and `after`. */
function modifiedLabels(
  after: Record<string, string> | undefined,
  before: Record<string, string> | undefined,
): string[] {
  const a = after ?? {};
  const b = before ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

function qualified(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

export interface NodeRestrictionOptions {
  /** To find the pods type (events and pods are checked against stored pods). */
  registry: ResourceRegistry;
  /** Refusals are logged at info when given. */
  log?: Logger;
}

export function nodeRestriction(options: NodeRestrictionOptions): AdmissionPlugin {
  const log = options.log?.child({ component: 'node-restriction' });
  return {
    name: 'NodeRestriction',
    async validate(r: AdmissionRequest) {
      const node = nodeIdentity(r.ctx.user);
      if (node === undefined) return;
      const obj = r.object ?? r.oldObject;
      const name = obj?.metadata.name ?? '';
      const forbid = (why: string): never => {
        log?.info(
          {
            user: r.ctx.user.name,
            operation: r.operation,
            resource: r.subresource ? `${r.type.resource}/${r.subresource}` : r.type.resource,
            group: r.type.group,
            namespace: obj?.metadata.namespace,
            name,
            reason: why,
          },
          'node write refused',
        );
        throw new ForbiddenError(`${qualified(r.type)} "${name}" is forbidden: ${why}`, {
          name,
          group: r.type.group,
          kind: r.type.resource,
        });
      };
      if (node === '') forbid(`unknown node for user "${r.ctx.user.name}"`);
      const key = `${r.type.group}/${r.type.resource}`;
      switch (key) {
        case '/nodes':
          return admitNode(node, r, forbid);
        case '/pods':
          return admitPod(node, r, forbid);
        case '/events':
        case 'events.k8s.io/events':
          return admitEvent(node, r, options.registry, forbid);
        case 'coordination.k8s.io/leases':
          return admitLease(node, r, forbid);
      }
    },
  };
}

type Forbid = (why: string) => never;

function admitNode(node: string, r: AdmissionRequest, forbid: Forbid): void {
  const obj = r.object as Node | undefined;
  const old = r.oldObject as Node | undefined;
  const target = (obj ?? old)?.metadata.name ?? '';
  if (target !== node || (old && old.metadata.name !== node)) {
    forbid(`node "${node}" is not allowed to modify node "${target}"`);
  }
  if (r.operation === 'DELETE' || !obj) return;
  if (r.operation === 'CREATE') {
    const bad = Object.keys(obj.metadata.labels ?? {})
      .filter((k) => !nodeMaySetLabel(k))
      .sort();
    if (bad.length > 0) {
      forbid(`node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if ((obj.metadata.ownerReferences?.length ?? 0) > 0) {
      forbid(`node "${node}" is not allowed to set ownerReferences on its Node`);
    }
    return;
  }
  const bad = modifiedLabels(obj.metadata.labels, old?.metadata.labels).filter(
    (k) => !nodeMaySetLabel(k),
  );
  if (bad.length > 0) forbid(`node "${node}" is not allowed to modify labels: ${bad.join(', ')}`);
  if (!deepEqual(obj.metadata.ownerReferences ?? [], old?.metadata.ownerReferences ?? [])) {
    forbid(`node "${node}" is not allowed to modify ownerReferences`);
  }
  // A node that could drop its own taints could draw in pods meant to stay away.
  if (!deepEqual(obj.spec?.taints ?? [], old?.spec?.taints ?? [])) {
    forbid(`node "${node}" is not allowed to modify taints`);
  }
  for (const field of ['providerID', 'podCIDR', 'podCIDRs'] as const) {
    const was = old?.spec?.[field];
    if (was !== undefined && was !== '' && !deepEqual(obj.spec?.[field], was)) {
      forbid(`node "${node}" is not allowed to change spec.${field} once it is set`);
    }
  }
}

function admitPod(node: string, r: AdmissionRequest, forbid: Forbid): void {
  const obj = r.object as Pod | undefined;
  const old = r.oldObject as Pod | undefined;
  switch (r.operation) {
    case 'CREATE':
      return forbid(
        `node "${node}" is not allowed to create pods: Verge has no static (mirror) pods`,
      );
    case 'DELETE':
      if (old?.spec?.nodeName !== node) {
        forbid(`node "${node}" can only delete pods with spec.nodeName set to itself`);
      }
      return;
    case 'UPDATE':
      if (r.subresource !== 'status') {
        forbid(`node "${node}" can only update the status of pods, not the pods themselves`);
      }
      if (old?.spec?.nodeName !== node) {
        forbid(
          `node "${node}" can only update pod status for pods with spec.nodeName set to itself`,
        );
      }
      if (obj?.spec?.nodeName !== node || !deepEqual(obj.spec, old.spec)) {
        forbid(`node "${node}" is not allowed to change the spec of a pod`);
      }
      for (const field of ['labels', 'annotations', 'ownerReferences'] as const) {
        if (!deepEqual(obj.metadata[field], old.metadata[field])) {
          forbid(`node "${node}" is not allowed to change metadata.${field} of a pod`);
        }
      }
      return;
    default:
      forbid(`node "${node}" is not allowed to ${r.operation.toLowerCase()} pods`);
  }
}

/** What an event is about: `involvedObject` (core/v1) or `regarding` (events.k8s.io). */
function eventSubject(type: ResourceType, event: KubeObject): ObjectReference | undefined {
  const ref = type.group === 'events.k8s.io' ? event.regarding : event.involvedObject;
  return isObject(ref) ? (ref as ObjectReference) : undefined;
}

async function admitEvent(
  node: string,
  r: AdmissionRequest,
  registry: ResourceRegistry,
  forbid: Forbid,
): Promise<void> {
  if (r.operation === 'DELETE') forbid(`node "${node}" is not allowed to delete events`);
  // On update both versions must be about this node: it may not take over
  // another node's event by pointing it at itself.
  for (const event of [r.object, r.oldObject]) {
    if (event) await checkEventSubject(node, r, event, registry, forbid);
  }
}

async function checkEventSubject(
  node: string,
  r: AdmissionRequest,
  event: KubeObject,
  registry: ResourceRegistry,
  forbid: Forbid,
): Promise<void> {
  const type = r.type;
  const field = type.group === 'events.k8s.io' ? 'regarding' : 'involvedObject';
  const only = `node "${node}" can only write events whose ${field} is its own Node or a pod bound to it`;
  const ref = eventSubject(type, event);
  if (!ref) forbid(only);
  const group = (ref.apiVersion ?? 'v1').includes('/') ? ref.apiVersion!.split('/')[0] : '';
  if (group !== '') forbid(only);
  if (ref.kind === 'Node') {
    if (ref.name !== node) forbid(`${only}; it is about node "${ref.name ?? ''}"`);
    return;
  }
  if (ref.kind !== 'Pod' || !ref.name) forbid(only);
  const namespace = ref.namespace || event.metadata.namespace;
  if (namespace !== event.metadata.namespace) {
    forbid(`${only}; an event about a pod belongs in the pod's namespace`);
  }
  const podType = registry.get('', 'v1', 'pods')!;
  let pod: Pod;
  try {
    pod = (await r.storage.get(systemContext(), podType, namespace, ref.name)) as Pod;
  } catch (err) {
    if (isNotFound(err)) return forbid(`${only}; pod ${namespace}/${ref.name} does not exist`);
    throw err;
  }
  if (pod.spec?.nodeName !== node) {
    forbid(`${only}; pod ${namespace}/${ref.name} is not bound to node "${node}"`);
  }
  if (ref.uid && pod.metadata.uid && ref.uid !== pod.metadata.uid) {
    forbid(`${only}; pod ${namespace}/${ref.name} has another uid`);
  }
}

function admitLease(node: string, r: AdmissionRequest, forbid: Forbid): void {
  for (const lease of [r.object, r.oldObject]) {
    if (!lease) continue;
    if (lease.metadata.namespace !== NODE_LEASE_NAMESPACE || lease.metadata.name !== node) {
      forbid(`node "${node}" can only access its own Lease (${NODE_LEASE_NAMESPACE}/${node})`);
    }
  }
}

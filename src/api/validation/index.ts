/**
 * Validation and defaulting of the built-in kinds, as the Kubernetes 1.33 API
 * server does them, worded as Kubernetes words them.
 *
 * The API layer calls, for each write: `applyDefaults` (and its own name
 * generation, cluster IP and node port allocation), then `validateObject`, and
 * turns a non-empty result into `invalidObject(kind, name, causes)`
 * (src/api/field-errors.ts). Custom resources use `validateObjectMeta` with the
 * `pathSegment` name rule; their schemas are checked elsewhere.
 */
import type { FieldCause } from '../../util/errors.ts';
import { FieldPath, uniqueCauses } from '../field-errors.ts';
import type { GroupVersionKind } from '../schema.ts';
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.ts';
import type { Lease } from '../types/coordination.ts';
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  Pod,
  PodTemplate,
  Secret,
  Service,
} from '../types/core.ts';
import type { EventsV1Event } from '../types/events.ts';
import type { KubeObject } from '../types/meta.ts';
import { list, str } from './access.ts';
import { validateDaemonSet, validateDeployment, validateReplicaSet } from './apps.ts';
import {
  validateConfigMap,
  validateEndpoints,
  validateNamespace,
  validateNode,
  validatePodTemplate,
  validateSecret,
  validateService,
} from './core.ts';
import { validateCoreEvent, validateEventsV1Event, validateLease } from './events.ts';
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import type { NameRule } from './names.ts';
import { validatePod, validatePodUpdate } from './pod.ts';

export { applyDefaults, imageTag, podQOSClass } from './defaults.ts';
export { validateObjectMeta, validateObjectMetaUpdate, validateLabelSelector } from './meta.ts';
export type { ObjectMetaOptions } from './meta.ts';
export * from './names.ts';
export * from './quantity.ts';
export * from './selectors.ts';

/** How a built-in kind's objects are named and scoped. */
export interface KindRules {
  namespaced: boolean;
  nameRule: NameRule;
}

type Validator = (obj: KubeObject, old: KubeObject | undefined) => FieldCause[];

interface BuiltinKind extends KindRules {
  validate: Validator;
  /** Kubernetes' own finalizer-name rule applies (all built-ins but core/v1 Event). */
  kubeFinalizers: boolean;
}

const builtin = (
  namespaced: boolean,
  nameRule: NameRule,
  validate: Validator,
  kubeFinalizers = true,
): BuiltinKind => ({
  namespaced,
  nameRule,
  validate,
  kubeFinalizers,
});

const KINDS: Record<string, BuiltinKind> = {
  '/v1/Pod': builtin(true, 'dns1123Subdomain', (o, old) =>
    old ? validatePodUpdate(o as Pod, old as Pod) : validatePod(o as Pod),
  ),
  '/v1/PodTemplate': builtin(true, 'dns1123Subdomain', (o) =>
    validatePodTemplate(o as PodTemplate),
  ),
  '/v1/Service': builtin(true, 'dns1035Label', (o, old) =>
    validateService(o as Service, old as Service | undefined),
  ),
  '/v1/ConfigMap': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateConfigMap(o as ConfigMap, old as ConfigMap | undefined),
  ),
  '/v1/Secret': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateSecret(o as Secret, old as Secret | undefined),
  ),
  '/v1/Namespace': builtin(false, 'dns1123Label', (o) => validateNamespace(o as Namespace)),
  '/v1/Node': builtin(false, 'dns1123Subdomain', (o, old) =>
    validateNode(o as Node, old as Node | undefined),
  ),
  '/v1/Endpoints': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateEndpoints(o as Endpoints, old as Endpoints | undefined),
  ),
  '/v1/ServiceAccount': builtin(true, 'dns1123Subdomain', () => []),
  '/v1/Event': builtin(true, 'pathSegment', (o) => validateCoreEvent(o as Event), false),
  'apps/v1/Deployment': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateDeployment(o as Deployment, old as Deployment | undefined),
  ),
  'apps/v1/ReplicaSet': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateReplicaSet(o as ReplicaSet, old as ReplicaSet | undefined),
  ),
  'apps/v1/DaemonSet': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateDaemonSet(o as DaemonSet, old as DaemonSet | undefined),
  ),
  'coordination.k8s.io/v1/Lease': builtin(true, 'dns1123Subdomain', (o) =>
    validateLease(o as Lease),
  ),
  'events.k8s.io/v1/Event': builtin(true, 'dns1123Subdomain', (o, old) =>
    validateEventsV1Event(o as EventsV1Event, old as EventsV1Event | undefined),
  ),
};

const keyOf = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`;

/** Scope and name rule of a built-in kind this module validates; undefined for any other kind. */
export function kindRules(gvk: GroupVersionKind): KindRules | undefined {
  const k = KINDS[keyOf(gvk)];
  return k ? { namespaced: k.namespaced, nameRule: k.nameRule } : undefined;
}

export interface ValidateOptions {
  /**
   * Include the metadata rules (name, namespace, labels, annotations, owner
   * references, finalizers; on update, immutable metadata). Default true; set
   * false when the caller runs `validateObjectMeta` itself.
   */
  metadata?: boolean;
}

/**
 * Every problem of `obj` (and, on update, of the change from `old`), worded as
 * Kubernetes. Empty when valid. Does not check metadata.namespace matching the
 * URL or resourceVersion: the API layer does. Expects `obj` (and `old`) to be
 * defaulted. Kinds this module does not know get no causes. Pure: neither
 * object is modified.
 */
export function validateObject(
  gvk: GroupVersionKind,
  obj: KubeObject,
  old?: KubeObject,
  options: ValidateOptions = {},
): FieldCause[] {
  const kind = KINDS[keyOf(gvk)];
  if (!kind) return [];
  const out: FieldCause[] = [];
  if (options.metadata !== false) {
    if (old) out.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
    out.push(
      ...validateObjectMeta(obj.metadata, { namespaced: kind.namespaced, nameRule: kind.nameRule }),
    );
  }
  if (kind.kubeFinalizers) {
    list<unknown>(obj.metadata?.finalizers).forEach((f, i) => {
      out.push(
        ...validateKubeFinalizerName(
          str(f),
          FieldPath.root('metadata').child('finalizers').index(i),
        ),
      );
    });
  }
  out.push(...kind.validate(obj, old));
  return uniqueCauses(out);
}

/**
 * The built-in resources Verge serves, in one table: names, scope, verbs,
 * subresources, and per-kind hooks (defaulting and validation from
 * src/api/validation, printers from src/api/tables, schemas from
 * src/api/openapi, selectable fields, status rules, and the events.k8s.io/v1 <->
 * core/v1 Event conversion; both versions live in one storage, as in Kubernetes).
 */
import { getPath, isObject, type JsonObject } from '../util/objects.ts';
import { builtinDefinitions, definitionFor } from './openapi/builtin.ts';
import {
  ALL_VERBS,
  apiVersionOf,
  ResourceRegistry,
  type NameRule,
  type ResourceHooks,
  type ResourceType,
  type ScaleMapping,
  type SubresourceType,
  type Verb,
} from './registry.ts';
import { SchemaResolver, type GroupVersionKind } from './schema.ts';
import { printerFor, defaultPrinter } from './tables/index.ts';
import type { KubeObject } from './types/meta.ts';
import {
  applyDefaults,
  podQOSClass,
  validateObject,
  validateObjectMeta,
} from './validation/index.ts';
import {
  defaultCustomResourceDefinition,
  prepareCustomResourceDefinitionForCreate,
  prepareCustomResourceDefinitionForUpdate,
  validateCustomResourceDefinition,
} from './crd/index.ts';
import { checkRule } from './cel/index.ts';
import type { CustomResourceDefinition } from './types/apiextensions.ts';
import type { FieldCause } from '../util/errors.ts';

/** CRD schemas are self-contained (no $ref), so rules compile against an empty resolver. */
const crdSchemaResolver = new SchemaResolver({});

export const builtinResolver = new SchemaResolver(builtinDefinitions);

interface Spec {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly Verb[];
  subresources?: string[];
  nameRule?: NameRule;
  hasStatus?: boolean;
  scale?: ScaleMapping;
  fields?: (obj: KubeObject) => Record<string, string>;
  prepareForCreate?: (obj: KubeObject) => void;
  prepareForUpdate?: (obj: KubeObject, old: KubeObject) => void;
  /** Replaces the generic defaulting of src/api/validation. */
  defaults?: (obj: KubeObject) => void;
  /** Replaces the generic validation of src/api/validation. */
  validate?: (obj: KubeObject, old: KubeObject | undefined) => FieldCause[];
  storage?: {
    group: string;
    version: string;
    to: (o: KubeObject) => KubeObject;
    from: (o: KubeObject) => KubeObject;
  };
  allowCreateOnUpdate?: boolean;
}

const CREATE_ONLY: readonly Verb[] = ['create'];

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const SUBRESOURCE_KINDS: Record<string, (t: Spec) => GroupVersionKind> = {
  status: (t) => ({ group: t.group, version: t.version, kind: t.kind }),
  scale: () => ({ group: 'autoscaling', version: 'v1', kind: 'Scale' }),
  binding: () => ({ group: '', version: 'v1', kind: 'Binding' }),
  eviction: () => ({ group: 'policy', version: 'v1', kind: 'Eviction' }),
  finalize: (t) => ({ group: t.group, version: t.version, kind: t.kind }),
  log: () => ({ group: '', version: 'v1', kind: 'Pod' }),
  exec: () => ({ group: '', version: 'v1', kind: 'PodExecOptions' }),
  attach: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions' }),
  portforward: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions' }),
};

const SUBRESOURCE_VERBS: Record<string, readonly string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
  eviction: ['create'],
  finalize: ['update'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
};

function eventFields(o: KubeObject): Record<string, string> {
  const inv = getPath(o, 'involvedObject');
  return {
    'involvedObject.kind': str(getPath(inv, 'kind')),
    'involvedObject.namespace': str(getPath(inv, 'namespace')),
    'involvedObject.name': str(getPath(inv, 'name')),
    'involvedObject.uid': str(getPath(inv, 'uid')),
    'involvedObject.apiVersion': str(getPath(inv, 'apiVersion')),
    'involvedObject.resourceVersion': str(getPath(inv, 'resourceVersion')),
    'involvedObject.fieldPath': str(getPath(inv, 'fieldPath')),
    reason: str(o.reason),
    reportingComponent: str(o.reportingComponent),
    source: str(getPath(o, 'source.component')),
    type: str(o.type),
  };
}

/** core/v1 Event (storage) field -> events.k8s.io/v1 Event field; the conversion reads it both ways. */
const EVENT_V1_FIELDS: readonly (readonly [core: string, v1: string])[] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['action', 'action'],
  ['related', 'related'],
  ['reason', 'reason'],
  ['type', 'type'],
];

/** core/v1 Event (storage) -> events.k8s.io/v1 Event. */
function eventToV1(o: KubeObject): KubeObject {
  const out: JsonObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: o.metadata };
  for (const [from, to] of EVENT_V1_FIELDS) {
    if (o[from] !== undefined && o[from] !== null) out[to] = o[from];
  }
  return out as KubeObject;
}

/** events.k8s.io/v1 Event -> core/v1 Event (storage). */
function eventFromV1(o: KubeObject): KubeObject {
  const out: JsonObject = { apiVersion: 'v1', kind: 'Event', metadata: o.metadata };
  for (const [to, from] of EVENT_V1_FIELDS) {
    if (o[from] !== undefined && o[from] !== null) out[to] = o[from];
  }
  out.involvedObject ??= {};
  return out as KubeObject;
}

/** Every namespace carries its own name as a label, so selectors can pick namespaces by name. */
function nameLabel(o: KubeObject): void {
  o.metadata.labels = {
    ...o.metadata.labels,
    'kubernetes.io/metadata.name': o.metadata.name ?? '',
  };
}

const SPECS: Spec[] = [
  {
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    nameRule: 'dns1123Label',
    hasStatus: true,
    fields: (o) => ({ 'status.phase': str(getPath(o, 'status.phase')) }),
    prepareForCreate: (o) => {
      o.status = { phase: 'Active' };
      nameLabel(o);
    },
    // spec.finalizers changes only through namespaces/finalize.
    prepareForUpdate: (o, old) => {
      nameLabel(o);
      const finalizers = getPath(old, 'spec.finalizers');
      o.spec = { ...(isObject(o.spec) ? o.spec : {}) };
      if (finalizers === undefined) delete (o.spec as JsonObject).finalizers;
      else (o.spec as JsonObject).finalizers = finalizers;
    },
  },
  {
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    hasStatus: true,
    fields: (o) => ({ 'spec.unschedulable': String(getPath(o, 'spec.unschedulable') === true) }),
    // A node agent registers its Node with its status in one create.
    prepareForCreate: () => {},
  },
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'],
    hasStatus: true,
    fields: (o) => ({
      'spec.nodeName': str(getPath(o, 'spec.nodeName')),
      'spec.restartPolicy': str(getPath(o, 'spec.restartPolicy')),
      'spec.schedulerName': str(getPath(o, 'spec.schedulerName')),
      'spec.serviceAccountName': str(getPath(o, 'spec.serviceAccountName')),
      'spec.hostNetwork': String(getPath(o, 'spec.hostNetwork') === true),
      'status.phase': str(getPath(o, 'status.phase')),
      'status.podIP': str(getPath(o, 'status.podIP')),
      'status.nominatedNodeName': str(getPath(o, 'status.nominatedNodeName')),
    }),
    prepareForCreate: (o) => {
      o.status = { phase: 'Pending', qosClass: podQOSClass(isObject(o.spec) ? o.spec : {}) };
    },
  },
  {
    group: '',
    version: 'v1',
    resource: 'bindings',
    kind: 'Binding',
    namespaced: true,
    verbs: CREATE_ONLY,
  },
  {
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  {
    group: '',
    version: 'v1',
    resource: 'secrets',
    kind: 'Secret',
    namespaced: true,
    fields: (o) => ({ type: str(o.type) }),
  },
  {
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
    hasStatus: true,
    nameRule: 'dns1035Label',
    fields: (o) => ({
      'spec.clusterIP': str(getPath(o, 'spec.clusterIP')),
      'spec.type': str(getPath(o, 'spec.type')),
    }),
    prepareForCreate: (o) => {
      o.status = { loadBalancer: {} };
    },
  },
  {
    group: '',
    version: 'v1',
    resource: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    allowCreateOnUpdate: true,
  },
  {
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    fields: eventFields,
    allowCreateOnUpdate: true,
    nameRule: 'pathSegment',
  },
  {
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasStatus: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      labelSelectorPath: 'spec.selector',
    },
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    hasStatus: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      labelSelectorPath: 'spec.selector',
    },
    fields: (o) => ({ 'status.replicas': str(getPath(o, 'status.replicas') ?? 0) }),
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
    hasStatus: true,
  },
  {
    // DaemonSet (and StatefulSet) history: `kubectl rollout history|undo daemonset` reads these.
    group: 'apps',
    version: 'v1',
    resource: 'controllerrevisions',
    kind: 'ControllerRevision',
    namespaced: true,
    validate: (o) =>
      validateObjectMeta(o.metadata, {
        namespaced: true,
        nameRule: 'dns1123Subdomain',
        path: 'metadata',
      }),
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    namespaced: true,
    allowCreateOnUpdate: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    nameRule: 'pathSegment',
    fields: (o) => eventFields(eventFromV1(o)),
    storage: { group: '', version: 'v1', to: eventFromV1, from: eventToV1 },
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: CREATE_ONLY,
  },
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    hasStatus: true,
    defaults: (o) => defaultCustomResourceDefinition(o as CustomResourceDefinition),
    prepareForCreate: (o) => {
      prepareCustomResourceDefinitionForCreate(o as CustomResourceDefinition);
      // Deleting a CRD deletes its objects first; the server's CRD controller
      // removes this finalizer once they are gone.
      const finalizers = new Set(o.metadata.finalizers ?? []);
      finalizers.add('customresourcecleanup.apiextensions.k8s.io');
      o.metadata.finalizers = [...finalizers];
    },
    prepareForUpdate: (o, old) =>
      prepareCustomResourceDefinitionForUpdate(
        o as CustomResourceDefinition,
        old as CustomResourceDefinition,
      ),
    validate: (o, old) =>
      validateCustomResourceDefinition(
        o as CustomResourceDefinition,
        old as CustomResourceDefinition | undefined,
        {
          // Every CEL rule must compile with the engine that will run it.
          celCheck: (rule, path, node) =>
            node
              ? checkRule(rule, node, crdSchemaResolver, {
                  // Rules on the schema root see the object as a resource (apiVersion, kind, metadata.name).
                  resourceRoot: /openAPIV3Schema\.x-kubernetes-validations\[\d+\]\.rule$/.test(
                    path,
                  ),
                })
              : undefined,
        },
      ),
  },
];

function toType(s: Spec): ResourceType {
  const gvk = { group: s.group, version: s.version, kind: s.kind };
  const schemaName = definitionFor(gvk);
  const listSchemaName = definitionFor({ ...gvk, kind: `${s.kind}List` });
  const storageGroup = s.storage?.group ?? s.group;
  const storageVersion = apiVersionOf(storageGroup, s.storage?.version ?? s.version);
  const printer = printerFor(s.group, s.resource) ?? defaultPrinter;
  const nameRule = s.nameRule ?? 'dns1123Subdomain';
  const hooks: ResourceHooks = {
    defaults: s.defaults ?? ((o) => applyDefaults(gvk, o)),
    // Metadata rules (with the kind's name rule) are part of validateObject.
    validate: s.validate ?? ((o, old) => validateObject(gvk, o, old)),
    table: printer,
  };
  if (s.fields) hooks.fields = s.fields;
  if (s.prepareForCreate) hooks.prepareForCreate = s.prepareForCreate;
  if (s.prepareForUpdate) hooks.prepareForUpdate = s.prepareForUpdate;
  if (s.storage) {
    hooks.toStorage = s.storage.to;
    hooks.fromStorage = s.storage.from;
  }
  const subresources: SubresourceType[] = (s.subresources ?? []).map((name) => ({
    name,
    responseKind: SUBRESOURCE_KINDS[name](s),
    verbs: SUBRESOURCE_VERBS[name],
  }));
  return {
    group: s.group,
    version: s.version,
    resource: s.resource,
    kind: s.kind,
    listKind: `${s.kind}List`,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: s.verbs ?? ALL_VERBS,
    subresources,
    nameRule,
    storagePrefix: `/registry/${storageGroup || 'core'}/${s.resource}/`,
    storageVersion,
    preferred: true,
    hasStatus: s.hasStatus ?? false,
    scale: s.scale,
    schema: schemaName ? builtinResolver.definition(schemaName) : undefined,
    schemaName: s.verbs === CREATE_ONLY ? undefined : schemaName,
    listSchemaName,
    resolver: builtinResolver,
    allowCreateOnUpdate: s.allowCreateOnUpdate,
    hooks,
  };
}

/** A registry holding every built-in resource. */
export function builtinRegistry(): ResourceRegistry {
  const registry = new ResourceRegistry();
  for (const s of SPECS) registry.add(toType(s));
  return registry;
}

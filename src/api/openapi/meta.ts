/**
 * OpenAPI definitions of meta.k8s.io/v1 (`io.k8s.apimachinery.pkg.apis.meta.v1.*`)
 * and of the scalar types every group shares: IntOrString, Quantity and
 * RawExtension, as of Kubernetes 1.33. Names, types, `required` and the
 * patch / apply keys follow Kubernetes; descriptions are Verge's own.
 *
 * Where Verge departs from Kubernetes' published documents, and why:
 * - `Quantity` is `type: string`. Kubernetes' v3 document publishes it as
 *   "string or number"; kubectl renders either as `<Quantity>` through the
 *   reference, and a string type keeps the schema structural. The API layer
 *   accepts a JSON number wherever a Quantity is expected (and stores the
 *   canonical string), so validators must treat this definition by name, not by
 *   its `type` alone.
 * - `FieldsV1` and `RawExtension` carry `x-kubernetes-preserve-unknown-fields`.
 *   Kubernetes publishes them as bare `type: object` but treats their contents as
 *   untyped in server-side apply; saying so here keeps strict field validation and
 *   pruning from rejecting or dropping what they hold.
 */
import type { Definitions, GroupVersionKind, JSONSchemaProps } from '../schema.ts';
import {
  apiVersionProp,
  arrayOf,
  atomicList,
  atomicMap,
  bool,
  gvk,
  int32,
  int64,
  INT_OR_STRING,
  kindProp,
  mapList,
  META_V1,
  obj,
  patchMerge,
  QUANTITY,
  RAW_EXTENSION,
  ref,
  refTo,
  required,
  setList,
  str,
  stringList,
  stringMap,
  time,
} from './dsl.ts';

const M = META_V1;

/**
 * Group versions under which DeleteOptions and WatchEvent are published (in
 * Kubernetes they carry one entry per served group version). Covers the groups
 * Verge serves; a new group adds its entry here.
 */
export const SHARED_KIND_GROUP_VERSIONS: readonly (readonly [group: string, version: string])[] = [
  ['', 'v1'],
  ['apiextensions.k8s.io', 'v1'],
  ['apps', 'v1'],
  ['authentication.k8s.io', 'v1'],
  ['authorization.k8s.io', 'v1'],
  ['autoscaling', 'v1'],
  ['autoscaling', 'v2'],
  ['coordination.k8s.io', 'v1'],
  ['events.k8s.io', 'v1'],
];

function everyGroupVersion(kind: string): JSONSchemaProps {
  const list: GroupVersionKind[] = SHARED_KIND_GROUP_VERSIONS.map(([group, version]) => ({
    group,
    version,
    kind,
  }));
  return { 'x-kubernetes-group-version-kind': list };
}

export const metaDefinitions: Definitions = {
  [M + 'Time']: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, to the second.',
  },
  [M + 'MicroTime']: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, to the microsecond.',
  },
  [M + 'FieldsV1']: {
    type: 'object',
    description: 'A set of fields in the FieldsV1 tree format of server-side apply.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [INT_OR_STRING]: {
    type: 'string',
    format: 'int-or-string',
    description: 'A value that is either an integer or a string.',
    'x-kubernetes-int-or-string': true,
  },
  [QUANTITY]: {
    type: 'string',
    description:
      'An amount in quantity notation, such as 100m, 1.5, 128Mi or 1e3; a JSON number is accepted on input.',
  },
  [M + 'Patch']: {
    type: 'object',
    description: 'The body of a PATCH request, in the format its content type names.',
  },
  [RAW_EXTENSION]: {
    type: 'object',
    description: 'An embedded object of any kind, kept as it was received.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [M + 'APIGroup']: obj(
    'An API group and the versions it serves.',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      name: str("The group's name."),
      versions: arrayOf(
        ref(M + 'GroupVersionForDiscovery'),
        'The versions the group serves.',
        atomicList,
      ),
      preferredVersion: refTo(M + 'GroupVersionForDiscovery', 'The version clients should prefer.'),
      serverAddressByClientCIDRs: arrayOf(
        ref(M + 'ServerAddressByClientCIDR'),
        'Server addresses to use, by client network.',
        atomicList,
      ),
    },
    required('name', 'versions'),
    gvk('', 'v1', 'APIGroup'),
  ),
  [M + 'APIGroupList']: obj(
    'The API groups a server serves.',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      groups: arrayOf(ref(M + 'APIGroup'), 'The groups.', atomicList),
    },
    required('groups'),
    gvk('', 'v1', 'APIGroupList'),
  ),
  [M + 'APIResource']: obj(
    'A resource served in a group version, as listed by discovery.',
    {
      name: str('The plural resource name, or resource/subresource.'),
      singularName: str('The singular resource name.'),
      namespaced: bool('Whether objects of the resource live in namespaces.'),
      group: str("The group of the resource, when it differs from the listing's."),
      version: str("The version of the resource, when it differs from the listing's."),
      kind: str("The kind of the resource's objects."),
      verbs: stringList('The verbs the resource supports, such as get, list and watch.'),
      shortNames: stringList(
        'Short aliases of the resource name, such as po for pods.',
        atomicList,
      ),
      categories: stringList('Groups of resources this one belongs to, such as all.', atomicList),
      storageVersionHash: str(
        'A hash of the version objects are stored in; changes when that version changes.',
      ),
    },
    required('name', 'singularName', 'namespaced', 'kind', 'verbs'),
  ),
  [M + 'APIResourceList']: obj(
    'The resources served in one group version.',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      groupVersion: str('The group version whose resources are listed.'),
      resources: arrayOf(ref(M + 'APIResource'), 'The resources.', atomicList),
    },
    required('groupVersion', 'resources'),
    gvk('', 'v1', 'APIResourceList'),
  ),
  [M + 'APIVersions']: obj(
    'The versions of the legacy core API (/api).',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      versions: stringList('The versions served.', atomicList),
      serverAddressByClientCIDRs: arrayOf(
        ref(M + 'ServerAddressByClientCIDR'),
        'Server addresses to use, by client network.',
        atomicList,
      ),
    },
    required('versions', 'serverAddressByClientCIDRs'),
    gvk('', 'v1', 'APIVersions'),
  ),
  [M + 'Condition']: obj(
    "One aspect of an object's state, in the standard form shared by many APIs.",
    {
      type: str('The kind of condition, in CamelCase or as domain/Name.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      observedGeneration: int64('The object generation this condition was set for.'),
      lastTransitionTime: time('When the condition last changed status.'),
      reason: str('A CamelCase reason for the last change.'),
      message: str('A human-readable explanation of the last change.'),
    },
    required('type', 'status', 'lastTransitionTime', 'reason', 'message'),
  ),
  [M + 'DeleteOptions']: obj(
    'Options of a delete request.',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      gracePeriodSeconds: int64(
        "Seconds before the object is deleted for good; 0 deletes at once, absent uses the kind's default.",
      ),
      preconditions: refTo(
        M + 'Preconditions',
        'Conditions the object must meet for the deletion to go ahead.',
      ),
      orphanDependents: bool('Deprecated: whether dependents are orphaned; use propagationPolicy.'),
      propagationPolicy: str('How dependents are handled: Orphan, Background or Foreground.'),
      dryRun: stringList(
        'When set to All, the request is checked but nothing is stored.',
        atomicList,
      ),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        'Deletes an object that cannot be read from storage (corrupt or undecryptable); dangerous.',
      ),
    },
    everyGroupVersion('DeleteOptions'),
  ),
  [M + 'FieldSelectorRequirement']: obj(
    'One requirement on a field, in a field selector.',
    {
      key: str('The field path the requirement is about.'),
      operator: str('How the field relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: stringList(
        'The values to compare with; empty for Exists and DoesNotExist.',
        atomicList,
      ),
    },
    required('key', 'operator'),
  ),
  [M + 'GroupVersionForDiscovery']: obj(
    'A version of an API group.',
    {
      groupVersion: str('The group and version, as group/version.'),
      version: str('The version alone.'),
    },
    required('groupVersion', 'version'),
  ),
  [M + 'LabelSelector']: obj(
    'Selects objects by label; the requirements are combined with AND, and an empty selector selects everything.',
    {
      matchLabels: stringMap('Labels that must be present with these exact values.'),
      matchExpressions: arrayOf(
        ref(M + 'LabelSelectorRequirement'),
        'Further requirements on labels.',
        atomicList,
      ),
    },
    atomicMap,
  ),
  [M + 'LabelSelectorRequirement']: obj(
    'One requirement on a label.',
    {
      key: str('The label key.'),
      operator: str('How the label relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: stringList(
        'The values to compare with; empty for Exists and DoesNotExist.',
        atomicList,
      ),
    },
    required('key', 'operator'),
  ),
  [M + 'ListMeta']: obj('Metadata of a list response.', {
    selfLink: str('Deprecated and no longer set.'),
    resourceVersion: str(
      'The version of the collection at which the list was read; watch from here.',
    ),
    continue: str('A token for reading the next page of a paginated list; empty on the last page.'),
    remainingItemCount: int64('An estimate of how many items follow this page, when known.'),
  }),
  [M + 'ManagedFieldsEntry']: obj('The set of fields one manager owns, for server-side apply.', {
    manager: str('The name of the manager.'),
    operation: str('How the fields were set: Apply or Update.'),
    apiVersion: str('The API version the field set is expressed in.'),
    time: time('When the entry was last changed.'),
    fieldsType: str('The format of the field set; only FieldsV1.'),
    fieldsV1: refTo(M + 'FieldsV1', 'The field set, as a tree of f:, k:, v: and i: keys.'),
    subresource: str(
      'The subresource through which the fields were set; empty for the main resource.',
    ),
  }),
  [M + 'ObjectMeta']: obj(
    'Metadata that every persisted object has: identity, labels, annotations, ownership and versioning.',
    {
      name: str("The object's name, unique within its namespace and kind; cannot be changed."),
      generateName: str(
        'A prefix from which the server generates a unique name when name is empty.',
      ),
      namespace: str('The namespace the object lives in; empty for cluster-scoped objects.'),
      selfLink: str('Deprecated and no longer set.'),
      uid: str('A unique ID the server assigns on creation; never reused.'),
      resourceVersion: str(
        'An opaque version that changes on every write; used for optimistic concurrency and watches.',
      ),
      generation: int64(
        'A number the server increments when the desired state (usually spec) changes.',
      ),
      creationTimestamp: time('When the object was created, set by the server.'),
      deletionTimestamp: time(
        'When deletion was requested; the object stays until its finalizers are gone.',
      ),
      deletionGracePeriodSeconds: int64('The grace period granted when deletion was requested.'),
      labels: stringMap('Key-value pairs used to organize and select objects.'),
      annotations: stringMap('Key-value pairs of non-identifying data for tools and controllers.'),
      ownerReferences: arrayOf(
        ref(M + 'OwnerReference'),
        'Objects this object depends on; it is garbage-collected when they are all gone.',
        mapList('uid'),
        patchMerge('uid'),
      ),
      finalizers: stringList(
        'Names of tasks that must finish, each removing its entry, before the object is deleted.',
        setList,
        patchMerge(),
      ),
      managedFields: arrayOf(
        ref(M + 'ManagedFieldsEntry'),
        'Which manager owns which fields, as recorded by server-side apply.',
        atomicList,
      ),
    },
  ),
  [M + 'OwnerReference']: obj(
    'Names an owner of an object.',
    {
      apiVersion: str('The API version of the owner.'),
      kind: str('The kind of the owner.'),
      name: str('The name of the owner.'),
      uid: str('The UID of the owner.'),
      controller: bool('Whether this owner is the managing controller; at most one owner may be.'),
      blockOwnerDeletion: bool(
        'Whether a foreground deletion of the owner waits until this object is gone.',
      ),
    },
    required('apiVersion', 'kind', 'name', 'uid'),
    atomicMap,
  ),
  [M + 'Preconditions']: obj('Conditions an object must meet for an operation to go ahead.', {
    uid: str('The UID the object must have.'),
    resourceVersion: str('The resource version the object must have.'),
  }),
  [M + 'ServerAddressByClientCIDR']: obj(
    'The server address clients in a network should use.',
    {
      clientCIDR: str('The client network this entry is for.'),
      serverAddress: str('The address, as host or host:port.'),
    },
    required('clientCIDR', 'serverAddress'),
  ),
  [M + 'Status']: obj(
    'The result of an operation that returns no object, and the body of every error response.',
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      metadata: refTo(M + 'ListMeta', 'Metadata of the response.'),
      status: str('Success or Failure.'),
      message: str('A human-readable description of the result.'),
      reason: str('A CamelCase reason for a failure, such as NotFound or AlreadyExists.'),
      details: refTo(
        M + 'StatusDetails',
        'More about the failure, depending on the reason.',
        atomicList,
      ),
      code: int32('The HTTP status code of the response.'),
    },
    gvk('', 'v1', 'Status'),
  ),
  [M + 'StatusCause']: obj('One problem behind a failure.', {
    reason: str('A machine-readable kind of problem, such as FieldValueRequired.'),
    message: str('A human-readable description of the problem.'),
    field: str('The path of the field the problem is in, such as spec.containers[0].name.'),
  }),
  [M + 'StatusDetails']: obj('More about a failure: which object, and the causes.', {
    name: str('The name of the object concerned.'),
    group: str('The API group of the object concerned.'),
    kind: str('The kind of the object concerned.'),
    uid: str('The UID of the object concerned.'),
    causes: arrayOf(
      ref(M + 'StatusCause'),
      'The individual problems behind the failure, such as invalid fields.',
      atomicList,
    ),
    retryAfterSeconds: int32('How long the client should wait before trying again.'),
  }),
  [M + 'WatchEvent']: obj(
    'One event of a watch stream.',
    {
      type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      object: refTo(
        RAW_EXTENSION,
        'The object after the change (before it, for DELETED), or a Status for ERROR.',
      ),
    },
    required('type', 'object'),
    everyGroupVersion('WatchEvent'),
  ),
};

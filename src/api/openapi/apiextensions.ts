/**
 * OpenAPI definitions of apiextensions.k8s.io/v1 CustomResourceDefinition and
 * of JSONSchemaProps, the schema language a CRD version is written in. Named
 * and shaped as Kubernetes 1.33 publishes them in its OpenAPI v3 documents
 * (types, formats, required fields, list types, merge keys); descriptions are
 * Verge's own. Written with the helpers of ./dsl.ts.
 *
 * JSONSchemaProps is recursive: its `properties`, `allOf`, `not`, ... refer to
 * JSONSchemaProps again, and `items`, `additionalProperties`, `dependencies`
 * go through the "X or Y" wrappers (JSONSchemaPropsOrArray, ...OrBool,
 * ...OrStringArray) that Kubernetes publishes without a type, because the JSON
 * value may take either shape. JSON (a default, an example, an enum value) is
 * any JSON value. Those four definitions carry, beyond what Kubernetes
 * publishes, `x-kubernetes-preserve-unknown-fields: true`, so that schema
 * walkers (strict field validation, pruning) accept whatever shape the value
 * has instead of guessing from a missing type.
 */

import type { Definitions, JSONSchemaProps } from '../schema.ts';
import {
  arrayOf,
  atomicList,
  bool,
  bytes,
  enumStr,
  float64,
  int32,
  int64,
  kindObj,
  listKindObj,
  mapList,
  mapOf,
  obj,
  patchMerge,
  ref,
  refTo,
  required,
  str,
  stringList,
  time,
} from './dsl.ts';

const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const SCHEMA = AE + 'JSONSchemaProps';
const JSON_VALUE = AE + 'JSON';
const GROUP = 'apiextensions.k8s.io';

/** The schema of a value that may be any JSON, see the file comment. */
function anyShape(description: string): JSONSchemaProps {
  return { description, 'x-kubernetes-preserve-unknown-fields': true };
}

const crdDefinitions: Definitions = {
  [AE + 'CustomResourceDefinition']: kindObj(
    { group: GROUP, version: 'v1', kind: 'CustomResourceDefinition' },
    'Adds a resource type to the API. Its name must be <spec.names.plural>.<spec.group>.',
    {
      spec: refTo(AE + 'CustomResourceDefinitionSpec', 'The resource type to serve.'),
      status: refTo(
        AE + 'CustomResourceDefinitionStatus',
        'Whether the type is being served, and under which names.',
      ),
    },
    required('spec'),
  ),
  [AE + 'CustomResourceDefinitionList']: listKindObj(
    { group: GROUP, version: 'v1', kind: 'CustomResourceDefinitionList' },
    AE + 'CustomResourceDefinition',
    'A list of custom resource definitions.',
    'The custom resource definitions.',
  ),
  [AE + 'CustomResourceDefinitionSpec']: obj(
    'The group, names, scope and versions of a custom resource type.',
    {
      conversion: refTo(
        AE + 'CustomResourceConversion',
        'How objects are converted between the served versions.',
      ),
      group: str('API group the resources are served under: /apis/<group>/<version>/...'),
      names: refTo(
        AE + 'CustomResourceDefinitionNames',
        'Kind, plural and other names of the type.',
      ),
      preserveUnknownFields: bool(
        'Deprecated. When true, fields not in the schema are kept instead of pruned; use x-kubernetes-preserve-unknown-fields in the schema instead.',
      ),
      scope: str('Namespaced or Cluster.'),
      versions: arrayOf(
        ref(AE + 'CustomResourceDefinitionVersion'),
        'The versions of the type. Exactly one is the storage version. Discovery lists them by version priority (GA, then beta, then alpha; higher numbers first).',
        atomicList,
      ),
    },
    required('group', 'names', 'scope', 'versions'),
  ),
  [AE + 'CustomResourceDefinitionNames']: obj(
    'The names a custom resource type is known by.',
    {
      categories: stringList(
        'Groups of resources this one belongs to, such as all (so kubectl get all includes it).',
        atomicList,
      ),
      kind: str('Kind of the objects, in CamelCase, as in their kind field.'),
      listKind: str('Kind of a list of the objects. Default <kind>List.'),
      plural: str('Lower-case plural used in URLs; the first part of the definition name.'),
      shortNames: stringList(
        'Lower-case abbreviations kubectl accepts for the resource.',
        atomicList,
      ),
      singular: str('Lower-case singular name. Default: the kind in lower case.'),
    },
    required('plural', 'kind'),
  ),
  [AE + 'CustomResourceDefinitionVersion']: obj(
    'One version of a custom resource type.',
    {
      additionalPrinterColumns: arrayOf(
        ref(AE + 'CustomResourceColumnDefinition'),
        'Columns kubectl get shows for this version, beside the name. Default: an Age column.',
        atomicList,
      ),
      deprecated: bool('When true, requests to this version get a deprecation warning.'),
      deprecationWarning: str('Replaces the default deprecation warning of this version.'),
      name: str('The version, as in /apis/<group>/<version>/... (for example v1 or v2beta1).'),
      schema: refTo(
        AE + 'CustomResourceValidation',
        'Schema that objects of this version must match.',
      ),
      selectableFields: arrayOf(
        ref(AE + 'SelectableField'),
        'Fields that field selectors may use, beyond metadata.name and metadata.namespace.',
        atomicList,
      ),
      served: bool('When false, the version is not served by the API.'),
      storage: bool('When true, objects are stored in this version. Exactly one version has it.'),
      subresources: refTo(
        AE + 'CustomResourceSubresources',
        'The status and scale subresources of this version.',
      ),
    },
    required('name', 'served', 'storage'),
  ),
  [AE + 'CustomResourceValidation']: obj('How objects of a version are validated.', {
    openAPIV3Schema: refTo(SCHEMA, 'Structural OpenAPI v3 schema of the whole object.'),
  }),
  [AE + 'CustomResourceSubresources']: obj('Which subresources a version serves.', {
    scale: refTo(
      AE + 'CustomResourceSubresourceScale',
      'When set, serves a scale subresource mapped onto these paths.',
    ),
    status: refTo(
      AE + 'CustomResourceSubresourceStatus',
      'When set (to {}), serves a status subresource; writes to the object then ignore status, and writes to status ignore the rest.',
    ),
  }),
  // No properties at all, as Kubernetes publishes it: only `{}` is meaningful.
  [AE + 'CustomResourceSubresourceStatus']: {
    type: 'object',
    description: 'Enables the status subresource. Has no fields.',
  },
  [AE + 'CustomResourceSubresourceScale']: obj(
    'Where a scale subresource finds the replica counts in the object.',
    {
      labelSelectorPath: str(
        'JSON path (such as .status.selector) of the label selector, in string form, of the scaled pods. Optional.',
      ),
      specReplicasPath: str(
        'JSON path under .spec of the wanted replica count (scale spec.replicas).',
      ),
      statusReplicasPath: str(
        'JSON path under .status of the observed replica count (scale status.replicas).',
      ),
    },
    required('specReplicasPath', 'statusReplicasPath'),
  ),
  [AE + 'CustomResourceColumnDefinition']: obj(
    'A column that kubectl get shows.',
    {
      description: str('What the column shows, for people.'),
      format: str('OpenAPI format of the value, such as name, int32 or date-time.'),
      jsonPath: str('Simple JSON path evaluated against each object to get the cell value.'),
      name: str('Column heading.'),
      priority: int32('0 shows the column by default; higher numbers only with -o wide.'),
      type: str('OpenAPI type of the value: integer, number, string, boolean or date.'),
    },
    required('name', 'type', 'jsonPath'),
  ),
  [AE + 'SelectableField']: obj(
    'A field that field selectors may use.',
    {
      jsonPath: str('Simple JSON path to a string, integer or boolean field, such as .spec.color.'),
    },
    required('jsonPath'),
  ),
  [AE + 'CustomResourceConversion']: obj(
    'How objects of a custom resource type move between versions.',
    {
      strategy: str(
        'None (only apiVersion changes) or Webhook (a webhook converts; needs preserveUnknownFields false and webhook set).',
      ),
      webhook: refTo(
        AE + 'WebhookConversion',
        'The conversion webhook. Required when strategy is Webhook.',
      ),
    },
    required('strategy'),
  ),
  [AE + 'WebhookConversion']: obj(
    'A webhook that converts custom resources between versions.',
    {
      clientConfig: refTo(AE + 'WebhookClientConfig', 'How to reach the webhook.'),
      conversionReviewVersions: stringList(
        'ConversionReview versions the webhook understands, preferred first; the first the server also knows is used.',
        atomicList,
      ),
    },
    required('conversionReviewVersions'),
  ),
  [AE + 'WebhookClientConfig']: obj(
    'Where a webhook is and how to trust it. Set exactly one of url and service.',
    {
      caBundle: bytes("PEM certificates that sign the webhook's serving certificate."),
      service: refTo(AE + 'ServiceReference', 'A Service in the cluster that serves the webhook.'),
      url: str('https URL of the webhook (no user info, fragment or query).'),
    },
  ),
  [AE + 'ServiceReference']: obj(
    'A Service that serves a webhook.',
    {
      name: str('Name of the Service.'),
      namespace: str('Namespace of the Service.'),
      path: str('URL path requests are sent to.'),
      port: int32('Service port to call. Default 443.'),
    },
    required('namespace', 'name'),
  ),
  [AE + 'CustomResourceDefinitionStatus']: obj(
    'What the server has made of a custom resource definition.',
    {
      acceptedNames: refTo(
        AE + 'CustomResourceDefinitionNames',
        'Names actually being served; may differ from spec.names until conflicts are resolved.',
      ),
      conditions: arrayOf(
        ref(AE + 'CustomResourceDefinitionCondition'),
        'Latest observations, such as Established and NamesAccepted.',
        mapList('type'),
      ),
      storedVersions: stringList(
        'Every version objects have ever been stored in. A version cannot leave spec.versions while it is listed here.',
        atomicList,
      ),
    },
  ),
  [AE + 'CustomResourceDefinitionCondition']: obj(
    'One aspect of the state of a custom resource definition.',
    {
      lastTransitionTime: time('When status last changed value.'),
      message: str('Details of the last transition, for people.'),
      reason: str('One-word CamelCase cause of the last transition, for programs.'),
      status: str('True, False or Unknown.'),
      type: str('What aspect this condition reports, such as Established or NamesAccepted.'),
    },
    required('type', 'status'),
  ),
};

const jsonSchemaDefinitions: Definitions = {
  [SCHEMA]: obj(
    'A schema in the OpenAPI v3 subset that custom resources use, with the x-kubernetes-* extensions.',
    {
      $ref: str('Reference to another schema. Not allowed in custom resource schemas.'),
      $schema: str('URI of the JSON Schema dialect. Not allowed in custom resource schemas.'),
      additionalItems: refTo(
        AE + 'JSONSchemaPropsOrBool',
        'Schema of array items beyond those items lists, or whether they are allowed.',
      ),
      additionalProperties: refTo(
        AE + 'JSONSchemaPropsOrBool',
        'Schema of object fields not named in properties, or whether they are allowed.',
      ),
      allOf: arrayOf(ref(SCHEMA), 'The value must match every one of these schemas.', atomicList),
      anyOf: arrayOf(
        ref(SCHEMA),
        'The value must match at least one of these schemas.',
        atomicList,
      ),
      default: refTo(
        JSON_VALUE,
        'Value filled in when the field is missing. Must itself be valid against the schema.',
      ),
      definitions: mapOf(
        ref(SCHEMA),
        'Named schemas for $ref. Not allowed in custom resource schemas.',
      ),
      dependencies: mapOf(
        ref(AE + 'JSONSchemaPropsOrStringArray'),
        'Per field: a schema the object must match, or fields it must also have, when that field is present.',
      ),
      description: str('What the value means, for people.'),
      enum: arrayOf(ref(JSON_VALUE), 'The only values allowed.', atomicList),
      example: refTo(JSON_VALUE, 'A sample value, for documentation.'),
      exclusiveMaximum: bool('When true, the value must be below maximum, not equal to it.'),
      exclusiveMinimum: bool('When true, the value must be above minimum, not equal to it.'),
      externalDocs: refTo(AE + 'ExternalDocumentation', 'A link to more documentation.'),
      format: str(
        'Refines type: int32, int64, double, byte, date, date-time, duration, uuid, hostname, ipv4, cidr and others.',
      ),
      id: str('Identifier of the schema. Not allowed in custom resource schemas.'),
      items: refTo(
        AE + 'JSONSchemaPropsOrArray',
        'Schema of the items of an array (one schema for all items).',
      ),
      maxItems: int64('Largest number of items an array may have.'),
      maxLength: int64('Largest number of characters a string may have.'),
      maxProperties: int64('Largest number of fields an object may have.'),
      maximum: float64('Largest value a number may have.'),
      minItems: int64('Smallest number of items an array may have.'),
      minLength: int64('Smallest number of characters a string may have.'),
      minProperties: int64('Smallest number of fields an object may have.'),
      minimum: float64('Smallest value a number may have.'),
      multipleOf: float64('A number must be a whole multiple of this.'),
      not: refTo(SCHEMA, 'The value must not match this schema.'),
      nullable: bool('When true, null is allowed as well as values of type.'),
      oneOf: arrayOf(ref(SCHEMA), 'The value must match exactly one of these schemas.', atomicList),
      pattern: str('Regular expression a string must match.'),
      patternProperties: mapOf(
        ref(SCHEMA),
        'Schemas of object fields whose names match a regular expression.',
      ),
      properties: mapOf(ref(SCHEMA), 'Schemas of the named fields of an object.'),
      required: stringList('Fields an object must have.', atomicList),
      title: str('Short name of the value, for people.'),
      type: str('object, array, string, integer, number or boolean.'),
      uniqueItems: bool('When true, no two items of an array may be equal.'),
      'x-kubernetes-embedded-resource': bool(
        'When true, the value is a whole Kubernetes object (apiVersion, kind, metadata), validated as such.',
      ),
      'x-kubernetes-int-or-string': bool(
        'When true, the value may be an integer or a string (like a port number or name).',
      ),
      'x-kubernetes-list-map-keys': stringList(
        'For x-kubernetes-list-type map: the item fields that together identify an item.',
        atomicList,
      ),
      'x-kubernetes-list-type': str(
        'How server-side apply merges the list: atomic (whole), set (unique scalars) or map (items keyed by x-kubernetes-list-map-keys).',
      ),
      'x-kubernetes-map-type': str(
        'How server-side apply merges the object: granular (field by field, the default) or atomic (whole).',
      ),
      'x-kubernetes-preserve-unknown-fields': bool(
        'When true, fields not in the schema are kept instead of pruned.',
      ),
      'x-kubernetes-validations': arrayOf(
        ref(AE + 'ValidationRule'),
        'CEL rules the value must satisfy.',
        mapList('rule'),
        patchMerge('rule'),
      ),
    },
  ),
  [JSON_VALUE]: anyShape('Any JSON value: null, boolean, number, string, array or object.'),
  [AE + 'JSONSchemaPropsOrArray']: anyShape(
    'A schema, or an array of schemas (one per position). Custom resource schemas allow only the single schema.',
  ),
  [AE + 'JSONSchemaPropsOrBool']: anyShape(
    'A schema, or a boolean: true allows anything, false allows nothing.',
  ),
  [AE + 'JSONSchemaPropsOrStringArray']: anyShape('A schema, or a list of field names.'),
  [AE + 'ExternalDocumentation']: obj('A link to documentation outside the schema.', {
    description: str('What the linked documentation covers.'),
    url: str('Where the documentation is.'),
  }),
  [AE + 'ValidationRule']: obj(
    'A CEL expression a value must satisfy, with how to report a failure.',
    {
      fieldPath: str(
        'Path, relative to the value, of the field the failure is reported on, such as .spec.replicas.',
      ),
      message: str('Fixed text of the error when the rule fails.'),
      messageExpression: str(
        'CEL expression that builds the error text when the rule fails; wins over message.',
      ),
      optionalOldSelf: bool(
        'When true, the rule also runs on creation, with oldSelf an empty optional, instead of only on updates.',
      ),
      reason: enumStr(
        ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'],
        'Kind of error reported when the rule fails, and so the HTTP status. Default FieldValueInvalid.',
      ),
      rule: str('The CEL expression; self is the value, oldSelf its previous value on update.'),
    },
    required('rule'),
  ),
};

export const apiextensionsDefinitions: Definitions = {
  ...crdDefinitions,
  ...jsonSchemaDefinitions,
};

/**
 * A compact notation for writing the OpenAPI schemas of built-in types
 * (src/api/openapi/*.ts). Each helper returns a fresh plain `JSONSchemaProps`
 * object, so definitions stay ordinary data that any consumer can walk; nothing
 * here is needed to read them.
 *
 * Conventions every definition file follows (the consumers rely on them):
 * - A property whose value is a named definition is `refTo(name, description)`,
 *   which writes `{ description, allOf: [{ $ref }] }` as Kubernetes' own v3
 *   documents do (OpenAPI 3.0 ignores siblings of a bare `$ref`, and kubectl reads
 *   the `allOf` form). Array items and map values use a bare `ref(name)`.
 * - List and patch semantics are passed as extra fragments, merged left to right
 *   over the base schema: `arrayOf(ref(CORE_V1 + 'Container'), 'the containers',
 *   mapList('name'), patchMerge('name'))`.
 * - A list with no `x-kubernetes-list-type` is atomic for server-side apply and
 *   replaced whole by strategic merge patch, as in Kubernetes: write `atomicList`
 *   only where Kubernetes declares it, so the documents match what kubectl
 *   expects.
 * - Every property has a one-sentence description (`kubectl explain` prints it).
 *
 * Stable API: other definition files import these helpers; add to it, do not
 * change what an existing helper returns.
 */
import { ref, type GroupVersionKind, type JSONSchemaProps } from '../schema.ts';

/** Definition-name prefixes and the names of the shared scalar definitions. */
export const CORE_V1 = 'io.k8s.api.core.v1.';
export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const TIME = META_V1 + 'Time';
export const MICRO_TIME = META_V1 + 'MicroTime';

export { ref };

/** Merges extra fragments (later wins) over `base`; returns a new object. */
function merge(base: JSONSchemaProps, extra: JSONSchemaProps[]): JSONSchemaProps {
  return Object.assign({}, base, ...extra) as JSONSchemaProps;
}

// ---- scalars ------------------------------------------------------------------

export function str(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'string', description }, extra);
}

/** A string from a closed set (Kubernetes' `+enum` types); values are kept in the given order. */
export function enumStr(
  values: readonly string[],
  description: string,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return merge({ type: 'string', description, enum: [...values] }, extra);
}

export function int32(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'integer', format: 'int32', description }, extra);
}

export function int64(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'integer', format: 'int64', description }, extra);
}

/** A floating-point number (Go float64). */
export function float64(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'number', format: 'double', description }, extra);
}

export function bool(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'boolean', description }, extra);
}

/** Binary data, carried in JSON as a base64 string (Go `[]byte`). */
export function bytes(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return merge({ type: 'string', format: 'byte', description }, extra);
}

/** A timestamp (meta/v1 Time: RFC 3339, second precision). */
export function time(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return refTo(TIME, description, ...extra);
}

/** A timestamp with microseconds (meta/v1 MicroTime). */
export function microTime(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return refTo(MICRO_TIME, description, ...extra);
}

/** A number or a string (port number or name, `25%` or `2`). */
export function intOrString(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return refTo(INT_OR_STRING, description, ...extra);
}

/** One resource quantity (`100m`, `1Gi`). */
export function quantity(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return refTo(QUANTITY, description, ...extra);
}

// ---- collections --------------------------------------------------------------

/** A JSON array of `items`. List/patch semantics go in `extra` (`mapList`, `patchMerge`, ...). */
export function arrayOf(
  items: JSONSchemaProps,
  description: string,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return merge({ type: 'array', description, items }, extra);
}

/** An array of strings. */
export function stringList(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return arrayOf({ type: 'string' }, description, ...extra);
}

/** A JSON object used as a map from arbitrary keys to `values`. */
export function mapOf(
  values: JSONSchemaProps,
  description: string,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return merge({ type: 'object', description, additionalProperties: values }, extra);
}

/** A map of string to string (labels, annotations, selectors, node selectors). */
export function stringMap(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return mapOf({ type: 'string' }, description, ...extra);
}

/** A map of resource name to quantity (Kubernetes' `ResourceList`). */
export function resourceList(description: string, ...extra: JSONSchemaProps[]): JSONSchemaProps {
  return mapOf(ref(QUANTITY), description, ...extra);
}

// ---- references -------------------------------------------------------------------

/** A property holding a value of the named definition, with the property's own description. */
export function refTo(
  name: string,
  description: string,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return merge({ description, allOf: [ref(name)] }, extra);
}

// ---- list, map and patch semantics (fragments for `extra`) ---------------------

/** Server-side apply replaces the list whole. */
export const atomicList: JSONSchemaProps = Object.freeze({ 'x-kubernetes-list-type': 'atomic' });

/** Server-side apply merges the list as a set of scalars. */
export const setList: JSONSchemaProps = Object.freeze({ 'x-kubernetes-list-type': 'set' });

/** Server-side apply merges the list's elements by the given key fields. */
export function mapList(...keys: string[]): JSONSchemaProps {
  return { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys };
}

/** Server-side apply treats the object or map as one value (on a definition or a map property). */
export const atomicMap: JSONSchemaProps = Object.freeze({ 'x-kubernetes-map-type': 'atomic' });

/** Server-side apply merges the map key by key (the default, stated where Kubernetes states it). */
export const granularMap: JSONSchemaProps = Object.freeze({ 'x-kubernetes-map-type': 'granular' });

/**
 * Strategic merge patch metadata: `strategy` is `merge`, `replace`, `retainKeys`
 * or `merge,retainKeys`; `mergeKey` names the field that identifies list elements.
 */
export function patch(strategy: string, mergeKey?: string): JSONSchemaProps {
  const out: JSONSchemaProps = { 'x-kubernetes-patch-strategy': strategy };
  if (mergeKey !== undefined) out['x-kubernetes-patch-merge-key'] = mergeKey;
  return out;
}

/** `patch('merge', mergeKey)`: the common case. */
export function patchMerge(mergeKey?: string): JSONSchemaProps {
  return patch('merge', mergeKey);
}

/** A default value the API server fills in when the field is absent. */
export function defaultValue(value: unknown): JSONSchemaProps {
  return { default: value };
}

// ---- definitions ----------------------------------------------------------------

/** Names the properties that must be present. */
export function required(...names: string[]): JSONSchemaProps {
  return { required: names };
}

/** Marks a definition as a top-level kind, served at group/version. */
export function gvk(group: string, version: string, kind: string): JSONSchemaProps {
  return { 'x-kubernetes-group-version-kind': [{ group, version, kind }] };
}

/** An object definition (or inline object property). */
export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return merge({ type: 'object', description, properties }, extra);
}

/** The standard `apiVersion` property of every kind. */
export function apiVersionProp(): JSONSchemaProps {
  return str(
    'The versioned schema of this representation, as group/version (plain version for the core group).',
  );
}

/** The standard `kind` property of every kind. */
export function kindProp(): JSONSchemaProps {
  return str(
    'The type of this object, in CamelCase; the server may infer it from the request path.',
  );
}

/**
 * A top-level kind: `apiVersion`, `kind` and `metadata` (ObjectMeta) come first,
 * then `properties`, and the definition carries its group/version/kind.
 */
export function kindObj(
  id: GroupVersionKind,
  description: string,
  properties: Record<string, JSONSchemaProps>,
  ...extra: JSONSchemaProps[]
): JSONSchemaProps {
  return obj(
    description,
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      metadata: refTo(
        META_V1 + 'ObjectMeta',
        "The object's metadata: name, namespace, labels, annotations and so on.",
      ),
      ...properties,
    },
    gvk(id.group, id.version, id.kind),
    ...extra,
  );
}

/**
 * The list kind of `item` (a definition name): `apiVersion`, `kind`, `metadata`
 * (ListMeta) and the required `items`. `id.kind` is the list kind (`PodList`).
 */
export function listKindObj(
  id: GroupVersionKind,
  item: string,
  description: string,
  itemsDescription: string,
): JSONSchemaProps {
  return obj(
    description,
    {
      apiVersion: apiVersionProp(),
      kind: kindProp(),
      metadata: refTo(
        META_V1 + 'ListMeta',
        "The list's metadata: resource version and continue token.",
      ),
      items: arrayOf(ref(item), itemsDescription),
    },
    required('items'),
    gvk(id.group, id.version, id.kind),
  );
}

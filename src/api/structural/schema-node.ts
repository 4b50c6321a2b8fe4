/**
 * Small shared pieces of the structural-schema engine: the bounds every walk
 * respects, reference following, and JSON value classification.
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';

/**
 * Deepest nesting any walk follows: value levels plus `allOf`/`anyOf`/... levels
 * (so a schema that refers to itself through a junctor cannot loop). Real objects
 * are far shallower; deeper values are reported by validateValue and left alone by
 * the other walks.
 */
export const MAX_DEPTH = 100;

/** At most this many causes are returned by validateValue and checkStructural. */
export const MAX_CAUSES = 100;

/**
 * The schema of a value, whatever notation its parent used. Only follows `$ref`
 * (and OpenAPI's `allOf: [{$ref}]` wrapper), so CRD schemas, which never
 * contain `$ref`, are returned unchanged and their junctors keep their meaning.
 */
export function deref(
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  if (schema.$ref !== undefined) return resolver.resolve(schema);
  const only = schema.allOf?.length === 1 ? schema.allOf[0] : undefined;
  if (only?.$ref !== undefined && schema.type === undefined && schema.properties === undefined) {
    return resolver.resolve(schema);
  }
  return schema;
}

/**
 * The declared schema of field `k`, or undefined. An own-property lookup: field
 * names come from objects (and schemas) users write, and `constructor` or
 * `__proto__` must not find Object.prototype's members.
 */
export function propertyOf(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  const props = s?.properties;
  return props !== undefined && Object.hasOwn(props, k) ? props[k] : undefined;
}

/** Sets own field `k` (even `__proto__`, which plain assignment would treat as the prototype). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

/** The schema for `additionalProperties` values, or undefined when it is `true`/`false`/absent. */
export function additionalSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** Whether `additionalProperties` is present at all (`true`, `false` or a schema). */
export function hasAdditional(s: JSONSchemaProps): boolean {
  return s.additionalProperties !== undefined;
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON kind as Kubernetes sees a decoded value: integral numbers that fit int64
 * decode as integers, every other number as a float.
 */
export type ValueKind = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

const INT64_LIMIT = 2 ** 63;

export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT ? 'integer' : 'number';
  }
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (Array.isArray(b)) return false;
  if (typeof a === 'object') {
    const ao = a as JsonObject;
    const bo = b as JsonObject;
    const ak = Object.keys(ao);
    if (ak.length !== Object.keys(bo).length) return false;
    return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
  }
  return false;
}

/** A deep copy of a JSON value, so defaults inserted into objects never share structure. */
export function jsonClone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** The fields of TypeMeta and ObjectMeta that embedded resources (and the root) always keep. */
export const META_FIELDS: ReadonlySet<string> = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * CRD defaulting, as the Kubernetes API server applies it to custom objects it
 * decodes (from a request or from storage).
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import { OBJECT_META_SCHEMA } from './object-meta.ts';
import { pruneWith } from './prune.ts';
import {
  additionalSchema,
  deref,
  hasAdditional,
  isObject,
  jsonClone,
  MAX_DEPTH,
  META_FIELDS,
  propertyOf,
  setOwn,
} from './schema-node.ts';

/**
 * Applies `default`s in place. Mutates `value`; idempotent.
 *
 * - A property's default fills the property when it is missing from an object
 *   that exists (defaults never create the parent object), or when it is `null`
 *   and the property is not `nullable`.
 * - A `null` the schema does not allow and that has no default is removed, as
 *   Kubernetes does when it decodes an object; a `null` in a nullable field stays.
 * - Array items and `additionalProperties` values that are a disallowed `null`
 *   take the items/values schema's default.
 * - Inserted defaults are deep copies, pruned of fields their schema does not
 *   declare, and are themselves defaulted further down.
 */
export function applyDefaults(
  value: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
): void {
  dropDisallowedNulls(value, schema, resolver, 0);
  fill(value, schema, resolver, true, 0);
}

function isDisallowedNull(x: unknown, s: JSONSchemaProps | undefined): s is JSONSchemaProps {
  return x === null && s !== undefined && s.nullable !== true;
}

/** Kubernetes' PruneNonNullableNullsWithoutDefaults. */
function dropDisallowedNulls(
  x: unknown,
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const s = deref(schema, resolver);
  if (Array.isArray(x)) {
    for (const v of x) dropDisallowedNulls(v, s?.items, resolver, depth + 1);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    const field =
      s === undefined
        ? undefined
        : deref(propertyOf(s, k) ?? (hasAdditional(s) ? additionalSchema(s) : undefined), resolver);
    if (isDisallowedNull(x[k], field) && field.default === undefined) delete x[k];
    else dropDisallowedNulls(x[k], field, resolver, depth + 1);
  }
}

/**
 * A pruned copy of `s.default` for a value at a place described by `s`.
 * `metaOf` says the place is TypeMeta/ObjectMeta of a resource: `apiVersion` and
 * `kind` defaults are kept as they are, `metadata` defaults are pruned as ObjectMeta.
 */
function defaultValue(
  s: JSONSchemaProps,
  resolver: SchemaResolver,
  metaOf: string | undefined,
): unknown {
  const copy = jsonClone(s.default);
  if (metaOf === 'apiVersion' || metaOf === 'kind') {
    // Not pruned, but a disallowed null inside would still go on the next pass.
    dropDisallowedNulls(copy, s, resolver, 0);
    return copy;
  }
  const schema = metaOf === 'metadata' ? OBJECT_META_SCHEMA : s;
  pruneWith(copy, schema, resolver, {
    isResourceRoot: s['x-kubernetes-embedded-resource'] === true,
  });
  // A null the schema does not allow would be dropped on the next decode; drop it
  // now so that defaulting stays idempotent.
  dropDisallowedNulls(copy, schema, resolver, 0);
  return copy;
}

function fill(
  x: unknown,
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
  isResource: boolean,
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const s = deref(schema, resolver);
  if (s === undefined) return;
  if (Array.isArray(x)) {
    const items = deref(s.items, resolver);
    for (let i = 0; i < x.length; i++) {
      if (isDisallowedNull(x[i], items)) {
        x[i] = items.default === undefined ? null : defaultValue(items, resolver, undefined);
      }
      fill(x[i], items, resolver, false, depth + 1);
    }
    return;
  }
  if (!isObject(x)) return;
  const embedded = isResource || s['x-kubernetes-embedded-resource'] === true;
  for (const [k, raw] of Object.entries(s.properties ?? {})) {
    const prop = deref(raw, resolver);
    if (prop?.default === undefined) continue;
    if (!Object.hasOwn(x, k) || isDisallowedNull(x[k], prop)) {
      setOwn(x, k, defaultValue(prop, resolver, embedded && META_FIELDS.has(k) ? k : undefined));
    }
  }
  const extra = hasAdditional(s) ? deref(additionalSchema(s), resolver) : undefined;
  for (const k of Object.keys(x)) {
    const raw = propertyOf(s, k);
    if (raw !== undefined) {
      fill(x[k], raw, resolver, false, depth + 1);
    } else if (hasAdditional(s)) {
      if (isDisallowedNull(x[k], extra)) {
        setOwn(x, k, extra.default === undefined ? null : defaultValue(extra, resolver, undefined));
      }
      fill(x[k], extra, resolver, false, depth + 1);
    }
  }
}

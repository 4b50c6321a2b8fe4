/**
 * Unknown fields: finding them (`fieldValidation=Strict|Warn`) and removing them
 * (CRD pruning). One walk serves both, so "prune, then look for unknown fields"
 * always finds none.
 *
 * Kubernetes semantics:
 * - A field is known if its object's schema lists it in `properties` or has
 *   `additionalProperties` (then every key is known, and the value is walked with
 *   the `additionalProperties` schema, or with no schema when it is `true`).
 * - Under `x-kubernetes-preserve-unknown-fields`, unknown fields stay; declared
 *   ones are still walked with their schema.
 * - At the resource root and in every `x-kubernetes-embedded-resource` object,
 *   `apiVersion` and `kind` are always kept, and `metadata` is checked against
 *   ObjectMeta (Kubernetes decodes it into ObjectMeta, which drops unknown
 *   fields), whatever the schema says about them.
 * - Paths are printed as Kubernetes prints unknown fields: `spec.foo`,
 *   `spec.items[0].bar`, `spec.labels.x` (map keys joined with a dot).
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import { OBJECT_META_SCHEMA } from './object-meta.ts';
import {
  additionalSchema,
  deref,
  hasAdditional,
  isObject,
  MAX_DEPTH,
  META_FIELDS,
  propertyOf,
} from './schema-node.ts';
import { compareGoStrings } from './messages.ts';

interface Walk {
  readonly resolver: SchemaResolver;
  /** Remove what is found (prune) or only report it. */
  readonly remove: boolean;
  /** Check `metadata` of resources against ObjectMeta (false: leave it untouched). */
  readonly checkMeta: boolean;
  readonly found: string[];
}

export interface PruneOptions {
  /** Treat `value` as a whole resource (root TypeMeta/ObjectMeta handling). Default true. */
  isResourceRoot?: boolean;
  /** Drop unknown fields inside `metadata` too. Default true. */
  pruneMetadata?: boolean;
  /** Prefix of the reported paths. Default ''. */
  path?: string;
}

/**
 * Paths of the fields in `value` that `schema` does not declare, sorted.
 * `path` names `value` itself; when it is omitted or empty, `value` is a whole
 * resource (TypeMeta and ObjectMeta handled as Kubernetes does). Read-only.
 */
export function unknownFields(
  value: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
  path?: string,
): string[] {
  const w: Walk = { resolver, remove: false, checkMeta: true, found: [] };
  walk(w, value, schema, path ?? '', path === undefined || path === '', 0);
  return w.found.sort(compareGoStrings);
}

/**
 * Removes, in place, every field of `value` (a whole resource) that `schema`
 * does not declare, and returns their paths, sorted. Idempotent.
 */
export function prune(value: unknown, schema: JSONSchemaProps, resolver: SchemaResolver): string[] {
  return pruneWith(value, schema, resolver, {});
}

/** prune with options, for pruning values that are not whole resources (defaults). */
export function pruneWith(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
  options: PruneOptions,
): string[] {
  const w: Walk = { resolver, remove: true, checkMeta: options.pruneMetadata ?? true, found: [] };
  walk(w, value, schema, options.path ?? '', options.isResourceRoot ?? true, 0);
  return w.found.sort(compareGoStrings);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Walks `x` with schema `schema`. `asResource` marks the resource root (it then
 * behaves as an embedded resource, as in Kubernetes).
 */
function walk(
  w: Walk,
  x: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
  asResource: boolean,
  depth: number,
): void {
  if (depth > MAX_DEPTH) return;
  const s = deref(schema, w.resolver);
  if (s?.['x-kubernetes-preserve-unknown-fields'] === true) {
    walkPreserving(w, x, s, path, asResource, depth);
    return;
  }
  if (Array.isArray(x)) {
    const items = s?.items;
    x.forEach((v, i) => walk(w, v, items, `${path}[${i}]`, false, depth + 1));
    return;
  }
  if (!isObject(x)) return;
  const embedded = asResource || s?.['x-kubernetes-embedded-resource'] === true;
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) {
      walkMeta(w, x, k, path, depth);
      continue;
    }
    const prop = propertyOf(s, k);
    if (prop !== undefined) {
      walk(w, x[k], prop, join(path, k), false, depth + 1);
    } else if (s !== undefined && hasAdditional(s)) {
      walk(w, x[k], additionalSchema(s), join(path, k), false, depth + 1);
    } else {
      if (!(META_FIELDS.has(k) && path === '')) w.found.push(join(path, k));
      if (w.remove) delete x[k];
    }
  }
}

/** Under x-kubernetes-preserve-unknown-fields: keep unknowns, walk declared fields. */
function walkPreserving(
  w: Walk,
  x: unknown,
  s: JSONSchemaProps,
  path: string,
  asResource: boolean,
  depth: number,
): void {
  if (Array.isArray(x)) {
    const items = deref(s.items, w.resolver);
    if (items === undefined) return;
    x.forEach((v, i) => walkPreserving(w, v, items, `${path}[${i}]`, false, depth + 1));
    return;
  }
  if (!isObject(x)) return;
  const embedded = asResource || s['x-kubernetes-embedded-resource'] === true;
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) {
      walkMeta(w, x, k, path, depth);
      continue;
    }
    const prop = propertyOf(s, k);
    if (prop !== undefined) walk(w, x[k], prop, join(path, k), false, depth + 1);
    else if (hasAdditional(s)) walk(w, x[k], additionalSchema(s), join(path, k), false, depth + 1);
  }
}

/** apiVersion and kind are kept as they are; metadata is checked against ObjectMeta. */
function walkMeta(
  w: Walk,
  x: Record<string, unknown>,
  k: string,
  path: string,
  depth: number,
): void {
  if (k !== 'metadata' || !w.checkMeta || !isObject(x[k])) return;
  walk(w, x[k], OBJECT_META_SCHEMA, join(path, k), false, depth + 1);
}

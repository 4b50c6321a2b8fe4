/**
 * The CEL types that a schema node exposes to validation rules, derived the way
 * Kubernetes derives them (apiserver's `SchemaDeclType`), and Kubernetes'
 * escaping of property names that are not CEL identifiers.
 *
 * The static checker (check.ts) types rules with these; the value conversion
 * (runtime.ts) builds runtime values from them, so what a rule may name and what
 * it finds at run time always agree.
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';

/** A field of an object type: its escaped CEL name is the key of `fields`. */
export interface CelField {
  /** The property name in JSON. */
  readonly json: string;
  readonly type: CelType;
}

export type CelType =
  | { readonly kind: 'dyn' }
  | { readonly kind: 'null' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int' }
  | { readonly kind: 'uint' }
  | { readonly kind: 'double' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'duration' }
  /** `format` is set for strings of a `date` or `date-time` schema, which are timestamps. */
  | { readonly kind: 'timestamp'; readonly format?: 'date' | 'date-time' }
  | { readonly kind: 'type' }
  | { readonly kind: 'list'; readonly elem: CelType }
  | { readonly kind: 'map'; readonly key: CelType; readonly value: CelType }
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, CelField> };

export const DYN: CelType = { kind: 'dyn' };
export const NULL: CelType = { kind: 'null' };
export const BOOL: CelType = { kind: 'bool' };
export const INT: CelType = { kind: 'int' };
export const UINT: CelType = { kind: 'uint' };
export const DOUBLE: CelType = { kind: 'double' };
export const STRING: CelType = { kind: 'string' };
export const BYTES: CelType = { kind: 'bytes' };
export const DURATION: CelType = { kind: 'duration' };
export const TIMESTAMP: CelType = { kind: 'timestamp' };
export const TYPE: CelType = { kind: 'type' };

export function listOf(elem: CelType): CelType {
  return { kind: 'list', elem };
}

export function mapOf(key: CelType, value: CelType): CelType {
  return { kind: 'map', key, value };
}

/** How cel-go prints a type in its messages (`list(string)`, `map(string, int)`). */
export function typeName(t: CelType): string {
  switch (t.kind) {
    case 'null':
      return 'null_type';
    case 'list':
      return `list(${typeName(t.elem)})`;
    case 'map':
      return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'duration':
      return 'google.protobuf.Duration';
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    default:
      return t.kind;
  }
}

/**
 * Words CEL reserves: a property with one of these names is reachable as
 * `__name__` (Kubernetes' escaping).
 */
const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/**
 * The CEL name of a property, escaped as Kubernetes escapes it (`__` becomes
 * `__underscores__`, `.` `__dot__`, `-` `__dash__`, `/` `__slash__`, a reserved
 * word `__word__`), or undefined when the name cannot be reached from CEL (it
 * starts with a digit or holds any other character).
 */
export function escapeFieldName(name: string): string | undefined {
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[.\-/]/g, (s) =>
    s === '__' ? '__underscores__' : s === '.' ? '__dot__' : s === '-' ? '__dash__' : '__slash__',
  );
}

/** Deepest schema nesting turned into a type; deeper (recursive) schemas are `dyn`. */
const MAX_TYPE_DEPTH = 64;

/**
 * The type `self` has at a schema node, or undefined when Kubernetes exposes no
 * type there (no `type`, an array without `items`, ...): a rule on such a node
 * cannot compile. `resourceRoot` is true for the root of a custom resource and
 * for `x-kubernetes-embedded-resource` nodes, where `apiVersion`, `kind`,
 * `metadata.name` and `metadata.generateName` are always visible.
 *
 * Pure: the result depends only on the arguments, so callers may cache it by
 * node.
 */
export function schemaType(
  node: JSONSchemaProps,
  resolver: SchemaResolver,
  resourceRoot: boolean,
  depth = 0,
): CelType | undefined {
  const s = resolver.resolve(node);
  if (s === undefined) return undefined;
  if (depth > MAX_TYPE_DEPTH) return DYN;
  if (s['x-kubernetes-int-or-string'] === true) return DYN;
  const props = resourceRoot ? withTypeAndObjectMeta(s, resolver) : s.properties;
  switch (s.type) {
    case 'array': {
      if (s.items === undefined) return undefined;
      const item = resolver.resolve(s.items);
      if (item === undefined) return undefined;
      const elem = schemaType(item, resolver, isEmbedded(item), depth + 1);
      return elem === undefined ? undefined : listOf(elem);
    }
    case 'object': {
      const ap = s.additionalProperties;
      if (typeof ap === 'object') {
        const value = resolver.resolve(ap);
        if (value === undefined) return undefined;
        const vt = schemaType(value, resolver, isEmbedded(value), depth + 1);
        return vt === undefined ? undefined : mapOf(STRING, vt);
      }
      return objectType(props, resolver, depth);
    }
    case 'string':
      // Kubernetes types these formats as what they denote.
      switch (s.format) {
        case 'byte':
          return BYTES;
        case 'duration':
          return DURATION;
        case 'date':
        case 'date-time':
          return { kind: 'timestamp', format: s.format };
      }
      return STRING;
    case 'boolean':
      return BOOL;
    case 'number':
      return DOUBLE;
    case 'integer':
      return INT;
  }
  return undefined;
}

function isEmbedded(s: JSONSchemaProps): boolean {
  return s['x-kubernetes-embedded-resource'] === true;
}

function objectType(
  props: Record<string, JSONSchemaProps> | undefined,
  resolver: SchemaResolver,
  depth: number,
): CelType {
  const fields = new Map<string, CelField>();
  for (const [json, raw] of Object.entries(props ?? {})) {
    const prop = resolver.resolve(raw);
    if (prop === undefined) continue;
    const type = schemaType(prop, resolver, isEmbedded(prop), depth + 1);
    const name = escapeFieldName(json);
    if (type === undefined || name === undefined) continue;
    fields.set(name, { json, type });
  }
  return { kind: 'object', fields };
}

const STRING_SCHEMA: JSONSchemaProps = { type: 'string' };

/**
 * The properties of a resource root as rules see them: the schema's own, plus
 * string `apiVersion` and `kind`, and a `metadata` holding only `name` and
 * `generateName` (unless the schema already declares exactly those as strings).
 */
function withTypeAndObjectMeta(
  s: JSONSchemaProps,
  resolver: SchemaResolver,
): Record<string, JSONSchemaProps> {
  const props = s.properties ?? {};
  const meta = resolver.resolve(props.metadata);
  const isString = (p: JSONSchemaProps | undefined) => resolver.resolve(p)?.type === 'string';
  if (
    isString(props.kind) &&
    isString(props.apiVersion) &&
    meta?.type === 'object' &&
    isString(meta.properties?.name) &&
    isString(meta.properties?.generateName)
  ) {
    return props;
  }
  return {
    ...props,
    kind: STRING_SCHEMA,
    apiVersion: STRING_SCHEMA,
    metadata: {
      type: 'object',
      properties: { name: STRING_SCHEMA, generateName: STRING_SCHEMA },
    },
  };
}

/**
 * Static checks of a CRD version's `openAPIV3Schema`, as the Kubernetes API
 * server runs them when a CustomResourceDefinition is created:
 *
 * 1. the schema is structural (every node has a type, except under
 *    int-or-string or preserve-unknown-fields; `allOf`/`anyOf`/`oneOf`/`not`
 *    only restrict what the structure declares and set no type, description,
 *    default, nullable or additionalProperties; root metadata restricts only
 *    name and generateName; ...), sorted as Kubernetes sorts them;
 * 2. if it is, every `default` validates against its schema and survives
 *    pruning unchanged;
 * 3. the OpenAPI restrictions of v1 CRDs (no `$ref`, `uniqueItems`,
 *    `additionalProperties` beside `properties`, list and map type rules, ...).
 *
 * CEL rules (`x-kubernetes-validations`) are not compiled here. Patterns are
 * checked as this engine will run them (JavaScript syntax, without the lookaround
 * and backreferences RE2 rejects), so their error text is JavaScript's.
 */
import type { JSONSchemaProps } from '../schema.ts';
import { SchemaResolver } from '../schema.ts';
import type { FieldCause } from '../../util/errors.ts';
import { uniqueCauses } from '../field-errors.ts';
import { cause, causeText, compareGoStrings, fieldPath } from './messages.ts';
import { compilePattern } from './pattern.ts';
import { pruneWith } from './prune.ts';
import { objectMetaDecodeError } from './object-meta.ts';
import { embeddedResourceErrors, openAPIErrors } from './validate.ts';
import {
  isObject,
  jsonClone,
  jsonEqual,
  MAX_CAUSES,
  MAX_DEPTH,
  META_FIELDS,
  propertyOf,
} from './schema-node.ts';

/** A schema node as it may arrive: JSONSchemaProps plus keywords v1 CRDs forbid. */
type Loose = JSONSchemaProps & Record<string, unknown>;

const NO_DEFINITIONS = new SchemaResolver({});

const child = fieldPath.child;
const prop = (path: string, name: string) => fieldPath.key(child(path, 'properties'), name);
const idx = (path: string, name: string, i: number) => fieldPath.index(child(path, name), i);

/** Every problem with `schema`, the openAPIV3Schema at field path `path`. */
export function checkStructural(schema: JSONSchemaProps, path: string): FieldCause[] {
  if (tooDeep(schema as Loose, 0)) {
    // Every walk below stops at MAX_DEPTH; a deeper schema would go partly unchecked.
    return [cause.forbidden(path, `must not be nested more than ${MAX_DEPTH} levels deep`)];
  }
  const errs: FieldCause[] = [];
  if (schema.nullable === true) {
    errs.push(cause.forbidden(child(path, 'nullable'), 'nullable cannot be true at the root'));
  }
  const unsupported = unsupportedField(schema as Loose, 0);
  if (unsupported === undefined) {
    const structural = [
      ...invariants(schema as Loose, 'root', path, 0),
      ...completeness(schema as Loose, path),
    ].sort((a, b) => compareGoStrings(causeText(a), causeText(b)));
    if (structural.length > 0) errs.push(...structural);
    else errs.push(...defaults(schema as Loose, path, true, false, 0));
  }
  errs.push(...openAPIRestrictions(schema as Loose, path, ROOT_CONTEXT, true, 0));
  if (errs.length === 0 && unsupported !== undefined) {
    errs.push(cause.invalid(path, '', unsupported));
  }
  return uniqueCauses(errs).slice(0, MAX_CAUSES);
}

function tooDeep(s: Loose, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  const children: unknown[] = [
    s.items,
    s.additionalProperties,
    s.not,
    ...Object.values(s.properties ?? {}),
    ...(s.allOf ?? []),
    ...(s.anyOf ?? []),
    ...(s.oneOf ?? []),
  ];
  if (Array.isArray(s.items)) children.push(...(s.items as unknown[]));
  return children.some((c) => isObject(c) && tooDeep(c as Loose, depth + 1));
}

// ---------------------------------------------------------------------------
// Keywords a structural schema cannot represent at all.

function unsupportedField(s: Loose, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (typeof s.id === 'string' && s.id !== '') return "OpenAPIV3Schema 'id' is not supported";
  if (typeof s.$schema === 'string' && s.$schema !== '')
    return "OpenAPIV3Schema 'schema' is not supported";
  if (typeof s.$ref === 'string' && s.$ref !== '') return "OpenAPIV3Schema '$ref' is not supported";
  if (nonEmptyObject(s.patternProperties))
    return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (nonEmptyObject(s.dependencies)) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (nonEmptyObject(s.definitions)) return "OpenAPIV3Schema 'definitions' is not supported";
  const subs: Loose[] = [
    ...(s.not ? [s.not] : []),
    ...(s.allOf ?? []),
    ...(s.anyOf ?? []),
    ...(s.oneOf ?? []),
  ] as Loose[];
  for (const sub of subs) {
    const e = unsupportedField(sub, depth + 1);
    if (e !== undefined) return e;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  }
  if (Array.isArray(s.items)) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const children: Loose[] = [
    ...(s.items ? [s.items] : []),
    ...Object.values(s.properties ?? {}),
    ...(isObject(s.additionalProperties) ? [s.additionalProperties] : []),
  ] as Loose[];
  for (const c of children) {
    const e = unsupportedField(c, depth + 1);
    if (e !== undefined) return e;
  }
  return undefined;
}

function nonEmptyObject(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length > 0;
}

// ---------------------------------------------------------------------------
// Structural invariants.

type Level = 'root' | 'item' | 'field';

const isTrue = (v: unknown) => v === true;

/** The node's type as written ('' when absent); may be outside SchemaType in raw input. */
function typeName(s: Loose): string {
  return typeof s.type === 'string' ? s.type : '';
}

function hasDefault(s: Loose): boolean {
  return s.default !== undefined && s.default !== null;
}

/** `anyOf: [{type: integer}, {type: string}]`, exactly: the int-or-string pattern. */
function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  if (anyOf?.length !== 2) return false;
  const only = (x: JSONSchemaProps, type: string) => {
    const keys = Object.entries(x).filter(([, v]) => v !== undefined);
    return keys.length === 1 && keys[0][0] === 'type' && keys[0][1] === type;
  };
  return only(anyOf[0], 'integer') && only(anyOf[1], 'string');
}

function invariants(s: Loose, level: Level, path: string, depth: number): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  const items = s.items as Loose | undefined;
  if (s.type === 'array' && items === undefined) {
    errs.push(cause.required(child(path, 'items'), 'must be specified'));
  }
  if (items !== undefined) errs.push(...invariants(items, 'item', child(path, 'items'), depth + 1));
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    errs.push(...invariants(v as Loose, 'field', prop(path, k), depth + 1));
  }
  if (s.additionalProperties !== undefined) {
    if (level === 'root') {
      errs.push(
        cause.forbidden(child(path, 'additionalProperties'), 'must not be used at the root'),
      );
    }
    if (isObject(s.additionalProperties)) {
      errs.push(
        ...invariants(
          s.additionalProperties as Loose,
          'field',
          child(path, 'additionalProperties'),
          depth + 1,
        ),
      );
    }
  }
  const intOrString = isTrue(s['x-kubernetes-int-or-string']);
  const preserve = isTrue(s['x-kubernetes-preserve-unknown-fields']);
  const embedded = isTrue(s['x-kubernetes-embedded-resource']);
  if (intOrString && preserve) {
    errs.push(
      cause.invalid(
        child(path, 'x-kubernetes-preserve-unknown-fields'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (intOrString && embedded) {
    errs.push(
      cause.invalid(
        child(path, 'x-kubernetes-embedded-resource'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = (s.allOf?.length ?? 0) >= 1 && isIntOrStringAnyOf(s.allOf?.[0].anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path, depth));

  const checkMetadata = level === 'root' || embedded;
  const type = typeName(s);
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(
      type === ''
        ? cause.required(child(path, 'type'), detail)
        : cause.invalid(child(path, 'type'), type, detail),
    );
  } else if (type === '' && !intOrString && !preserve) {
    const detail = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    }[level];
    errs.push(cause.required(child(path, 'type'), detail));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(
      cause.forbidden(
        child(path, 'additionalProperties'),
        'must not be used if x-kubernetes-embedded-resource is set',
      ),
    );
  }
  if (level === 'root' && type !== '' && type !== 'object') {
    errs.push(cause.invalid(child(path, 'type'), type, 'must be object at the root'));
  }
  for (const k of ['kind', 'apiVersion']) {
    const p = s.properties?.[k];
    if (p !== undefined && checkMetadata && p.type !== 'string') {
      errs.push(cause.invalid(child(prop(path, k), 'type'), p.type ?? '', 'must be string'));
    }
  }
  const metadata = s.properties?.metadata as Loose | undefined;
  if (metadata !== undefined) {
    errs.push(...metadataInvariants(metadata, checkMetadata, level, prop(path, 'metadata')));
  }
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(
      cause.required(
        child(path, 'properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  }
  return errs;
}

/** Keys whose zero value ("unset") is an empty array. */
const EMPTY_ARRAY_IS_UNSET = new Set([
  'enum',
  'allOf',
  'anyOf',
  'oneOf',
  'x-kubernetes-validations',
]);

function metadataInvariants(
  m: Loose,
  checkMetadata: boolean,
  level: Level,
  path: string,
): FieldCause[] {
  const errs: FieldCause[] = [];
  if (checkMetadata && m.type !== 'object') {
    errs.push(cause.invalid(child(path, 'type'), m.type ?? '', 'must be object'));
  }
  if (level === 'root') {
    const names = Object.keys(m.properties ?? {});
    const onlyNames =
      names.length > 0 &&
      names.length <= 2 &&
      names.every((n) => n === 'name' || n === 'generateName');
    const extra = Object.entries(m).some(([k, v]) => {
      if (k === 'type' || k === 'default' || (k === 'properties' && onlyNames)) return false;
      if (v === undefined || v === false || v === '' || v === null) return false;
      if (k === 'properties' && isObject(v) && Object.keys(v).length === 0) return false;
      if (Array.isArray(v) && v.length === 0 && EMPTY_ARRAY_IS_UNSET.has(k)) return false;
      return true;
    });
    if (extra) {
      errs.push(
        cause.forbidden(
          path,
          'must not specify anything other than name and generateName, but metadata is implicitly specified',
        ),
      );
    }
  }
  return errs;
}

/** Junctors and pattern of a node (structural or nested). */
function valueValidation(
  s: Loose,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  path: string,
  depth: number,
): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!skipAnyOf) {
    (s.anyOf ?? []).forEach((v, i) =>
      errs.push(...nested(v as Loose, false, idx(path, 'anyOf', i), depth + 1)),
    );
  }
  (s.allOf ?? []).forEach((v, i) =>
    errs.push(
      ...nested(v as Loose, skipFirstAllOfAnyOf && i === 0, idx(path, 'allOf', i), depth + 1),
    ),
  );
  (s.oneOf ?? []).forEach((v, i) =>
    errs.push(...nested(v as Loose, false, idx(path, 'oneOf', i), depth + 1)),
  );
  if (s.not !== undefined)
    errs.push(...nested(s.not as Loose, false, child(path, 'not'), depth + 1));
  if (typeof s.pattern === 'string' && s.pattern !== '') {
    const p = compilePattern(s.pattern);
    if (p.error !== undefined) {
      errs.push(
        cause.invalid(
          child(path, 'pattern'),
          s.pattern,
          `must be a valid regular expression, but isn't: ${p.error}`,
        ),
      );
    }
  }
  return errs;
}

/** A schema under allOf/anyOf/oneOf/not: value validation only. */
function nested(v: Loose, skipAnyOf: boolean, path: string, depth: number): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  errs.push(...valueValidation(v, skipAnyOf, false, path, depth));
  if (isObject(v.items))
    errs.push(...nested(v.items as Loose, false, child(path, 'items'), depth + 1));
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    errs.push(...nested(p as Loose, false, prop(path, k), depth + 1));
  }
  const forbid = (key: string, detail: string) =>
    errs.push(cause.forbidden(child(path, key), detail));
  if (typeName(v) !== '') forbid('type', 'must be empty to be structural');
  if (v.additionalProperties === true || isObject(v.additionalProperties)) {
    forbid('additionalProperties', 'must be undefined to be structural');
  }
  if (hasDefault(v)) forbid('default', 'must be undefined to be structural');
  if (typeof v.title === 'string' && v.title !== '')
    forbid('title', 'must be empty to be structural');
  if (typeof v.description === 'string' && v.description !== '') {
    forbid('description', 'must be empty to be structural');
  }
  if (v.nullable === true) forbid('nullable', 'must be false to be structural');
  for (const x of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-int-or-string',
  ]) {
    if (v[x] === true) forbid(x, 'must be false to be structural');
  }
  if ((v['x-kubernetes-list-map-keys']?.length ?? 0) > 0) {
    forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  }
  if (v['x-kubernetes-list-type'] !== undefined)
    forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined)
    forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if ((v['x-kubernetes-validations']?.length ?? 0) > 0) {
    forbid('x-kubernetes-validations', 'must be empty to be structural');
  }
  if (v.properties?.metadata !== undefined) {
    errs.push(cause.forbidden(prop(path, 'metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

/**
 * Fields that junctors at the root mention must exist in the structure.
 * (Kubernetes checks the root node's junctors, following them down.)
 */
function completeness(s: Loose, path: string): FieldCause[] {
  return junctorCompleteness(s, s, path, path, 0);
}

function junctorCompleteness(
  v: Loose,
  s: Loose | undefined,
  sPath: string,
  vPath: string,
  depth: number,
): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  const parts: [Loose, string][] = [];
  if (v.not !== undefined) parts.push([v.not as Loose, child(vPath, 'not')]);
  (v.allOf ?? []).forEach((x, i) => parts.push([x as Loose, idx(vPath, 'allOf', i)]));
  (v.anyOf ?? []).forEach((x, i) => parts.push([x as Loose, idx(vPath, 'anyOf', i)]));
  (v.oneOf ?? []).forEach((x, i) => parts.push([x as Loose, idx(vPath, 'oneOf', i)]));
  if (parts.length > 0 && s === undefined) {
    return [cause.required(sPath, `because it is defined in ${vPath}`)];
  }
  for (const [x, p] of parts) errs.push(...nestedCompleteness(x, s, sPath, p, depth + 1));
  return errs;
}

function nestedCompleteness(
  v: Loose,
  s: Loose | undefined,
  sPath: string,
  vPath: string,
  depth: number,
): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  if (s === undefined) return [cause.required(sPath, `because it is defined in ${vPath}`)];
  const errs: FieldCause[] = [...junctorCompleteness(v, s, sPath, vPath, depth)];
  if (isObject(v.items)) {
    errs.push(
      ...nestedCompleteness(
        v.items as Loose,
        s.items as Loose | undefined,
        child(sPath, 'items'),
        child(vPath, 'items'),
        depth + 1,
      ),
    );
  }
  for (const [k, vf] of Object.entries(v.properties ?? {})) {
    const sf = propertyOf(s, k) as Loose | undefined;
    if (sf === undefined) {
      errs.push(cause.required(prop(sPath, k), `because it is defined in ${prop(vPath, k)}`));
    } else {
      errs.push(...nestedCompleteness(vf as Loose, sf, prop(sPath, k), prop(vPath, k), depth + 1));
    }
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Defaults: valid, and unchanged by pruning.

/**
 * `metaKey` is set when `s` is the schema of `apiVersion`, `kind` or `metadata`
 * of a resource.
 */
function defaults(
  s: Loose,
  path: string,
  forceResource: boolean,
  insideMeta: boolean,
  depth: number,
  metaKey?: string,
): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  const embedded = forceResource || isTrue(s['x-kubernetes-embedded-resource']);
  const inMeta = embedded ? false : insideMeta;
  if (hasDefault(s)) {
    const value = s.default;
    const at = child(path, 'default');
    if (inMeta) {
      errs.push(...metaDefaultErrors(s, value, at, metaKey));
    } else {
      const pruned = jsonClone(value);
      pruneWith(pruned, s, NO_DEFINITIONS, { isResourceRoot: embedded, pruneMetadata: false });
      if (!jsonEqual(pruned, value))
        errs.push(cause.invalid(at, value, 'must not have unknown fields'));
      const coerce = coerceError(value, s, at, embedded, 0);
      if (coerce !== undefined) {
        errs.push(coerce);
      } else {
        const meta = embeddedResourceErrors(value, s, NO_DEFINITIONS, at, embedded);
        errs.push(...(meta.length > 0 ? meta : openAPIErrors(value, s, NO_DEFINITIONS, at)));
      }
    }
  }
  // additionalProperties is not followed: defaults are not allowed there.
  if (isObject(s.items))
    errs.push(...defaults(s.items as Loose, child(path, 'items'), false, inMeta, depth + 1));
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const meta = embedded && META_FIELDS.has(k);
    errs.push(
      ...defaults(
        p as Loose,
        prop(path, k),
        false,
        inMeta || meta,
        depth + 1,
        meta ? k : undefined,
      ),
    );
  }
  return errs;
}

/** A default for TypeMeta/ObjectMeta (or inside it) of an embedded resource. */
function metaDefaultErrors(
  s: Loose,
  value: unknown,
  at: string,
  metaKey: string | undefined,
): FieldCause[] {
  if (metaKey === 'metadata') {
    // The metadata object itself: it must decode and validate as ObjectMeta.
    const decode = objectMetaDecodeError(value);
    if (decode !== undefined)
      return [cause.invalid(at, value, `must result in valid metadata: ${decode}`)];
    const wrapped = { apiVersion: 'validation/v1', kind: 'Validation', metadata: value };
    const errs = embeddedResourceErrors(wrapped, { type: 'object' }, NO_DEFINITIONS, '', true);
    if (errs.length > 0) {
      const list = errs.map(causeText);
      const text = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
      return [cause.invalid(at, value, `must result in valid metadata: ${text}`)];
    }
  }
  return openAPIErrors(value, s, NO_DEFINITIONS, at);
}

/** Kubernetes' metadata coercion: TypeMeta must be strings, metadata must decode as ObjectMeta. */
function coerceError(
  x: unknown,
  schema: Loose | undefined,
  path: string,
  isResource: boolean,
  depth: number,
): FieldCause | undefined {
  if (schema === undefined || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      const e = coerceError(
        x[i],
        schema.items as Loose | undefined,
        fieldPath.index(path, i),
        false,
        depth + 1,
      );
      if (e !== undefined) return e;
    }
    return undefined;
  }
  if (!isObject(x)) return undefined;
  const embedded = isResource || isTrue(schema['x-kubernetes-embedded-resource']);
  for (const [k, v] of Object.entries(x)) {
    if (embedded && (k === 'apiVersion' || k === 'kind') && typeof v !== 'string') {
      return cause.invalid(child(path, k), v, 'must be a string');
    }
    if (embedded && k === 'metadata') {
      const e = objectMetaDecodeError(v);
      if (e !== undefined) return cause.invalid(child(path, k), v, e);
    }
    const p = propertyOf(schema, k) as Loose | undefined;
    const next =
      p !== undefined
        ? coerceError(v, p, child(path, k), false, depth + 1)
        : isObject(schema.additionalProperties)
          ? coerceError(
              v,
              schema.additionalProperties as Loose,
              fieldPath.key(path, k),
              false,
              depth + 1,
            )
          : undefined;
    if (next !== undefined) return next;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// v1 CRD OpenAPI restrictions.

interface OpenAPIContext {
  readonly allowDefaults: boolean;
  readonly disallowDefaultsReason: string;
  readonly insideResourceMeta: boolean;
}

const ROOT_CONTEXT: OpenAPIContext = {
  allowDefaults: true,
  disallowDefaultsReason: '',
  insideResourceMeta: false,
};

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function openAPIRestrictions(
  s: Loose,
  path: string,
  ctx: OpenAPIContext,
  isRoot: boolean,
  depth: number,
): FieldCause[] {
  if (depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [...nodeRestrictions(s, path, ctx)];
  const recurse = (x: unknown, p: string, c: OpenAPIContext = ctx) => {
    if (isObject(x)) errs.push(...openAPIRestrictions(x as Loose, p, c, false, depth + 1));
  };
  if (s.uniqueItems === true) {
    errs.push(
      cause.forbidden(
        child(path, 'uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  }
  const properties = Object.entries(s.properties ?? {});
  if (s.additionalProperties !== undefined) {
    if (
      properties.length > 0 &&
      (s.additionalProperties === false || isObject(s.additionalProperties))
    ) {
      errs.push(
        cause.forbidden(
          child(path, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const sub = ctx.insideResourceMeta
      ? {
          ...ctx,
          allowDefaults: false,
          disallowDefaultsReason: 'inside additionalProperties applying to object metadata',
        }
      : ctx;
    recurse(s.additionalProperties, child(path, 'additionalProperties'), sub);
  }
  const embedded = isTrue(s['x-kubernetes-embedded-resource']);
  for (const [k, p] of properties) {
    let sub = ctx;
    if ((isRoot || embedded) && META_FIELDS.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot)
        sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${k}` };
    }
    recurse(p, prop(path, k), sub);
  }
  recurse(s.not, child(path, 'not'));
  (s.allOf ?? []).forEach((x, i) => recurse(x, idx(path, 'allOf', i)));
  (s.oneOf ?? []).forEach((x, i) => recurse(x, idx(path, 'oneOf', i)));
  (s.anyOf ?? []).forEach((x, i) => recurse(x, idx(path, 'anyOf', i)));
  if (isObject(s.definitions)) {
    for (const [k, d] of Object.entries(s.definitions))
      recurse(d, fieldPath.key(child(path, 'definitions'), k));
  }
  if (Array.isArray(s.items)) {
    (s.items as unknown[]).forEach((x, i) => recurse(x, idx(path, 'items', i)));
  } else {
    recurse(s.items, child(path, 'items'));
  }
  errs.push(...typeExtensionRestrictions(s, path));
  return errs;
}

function nodeRestrictions(s: Loose, path: string, ctx: OpenAPIContext): FieldCause[] {
  const errs: FieldCause[] = [];
  const forbid = (key: string, detail: string) =>
    errs.push(cause.forbidden(child(path, key), detail));
  const type = typeName(s);
  if (type !== '' && !OPENAPI_TYPES.includes(type)) {
    errs.push(cause.notSupported(child(path, 'type'), type, OPENAPI_TYPES));
  }
  if (hasDefault(s) && !ctx.allowDefaults) {
    forbid(
      'default',
      ctx.disallowDefaultsReason
        ? `must not be set ${ctx.disallowDefaultsReason}`
        : 'must not be set',
    );
  }
  if (typeof s.id === 'string' && s.id !== '') forbid('id', 'id is not supported');
  if (s.additionalItems !== undefined)
    forbid('additionalItems', 'additionalItems is not supported');
  if (nonEmptyObject(s.patternProperties))
    forbid('patternProperties', 'patternProperties is not supported');
  if (nonEmptyObject(s.definitions)) forbid('definitions', 'definitions is not supported');
  if (s.dependencies !== undefined && s.dependencies !== null)
    forbid('dependencies', 'dependencies is not supported');
  if (s.$ref !== undefined) forbid('$ref', '$ref is not supported');
  if (type === 'null') forbid('type', 'type cannot be set to null, use nullable as an alternative');
  if (Array.isArray(s.items) && s.items.length > 0)
    forbid('items', 'items must be a schema object and not an array');
  if (ctx.insideResourceMeta && isTrue(s['x-kubernetes-embedded-resource'])) {
    forbid('x-kubernetes-embedded-resource', 'must not be used inside of resource meta');
  }
  return errs;
}

function typeExtensionRestrictions(s: Loose, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const type = typeName(s);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(
      cause.invalid(
        child(path, 'x-kubernetes-preserve-unknown-fields'),
        false,
        'must be true or undefined',
      ),
    );
  }
  const mapType = s['x-kubernetes-map-type'] as string | undefined;
  if (mapType !== undefined && type !== 'object') {
    const detail = 'must be object if x-kubernetes-map-type is specified';
    errs.push(
      type === ''
        ? cause.required(child(path, 'type'), detail)
        : cause.invalid(child(path, 'type'), type, detail),
    );
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(
      cause.notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']),
    );
  }
  const listType = s['x-kubernetes-list-type'] as string | undefined;
  const items = isObject(s.items) ? (s.items as Loose) : undefined;
  if (listType !== undefined && type !== 'array') {
    const detail = 'must be array if x-kubernetes-list-type is specified';
    errs.push(
      type === ''
        ? cause.required(child(path, 'type'), detail)
        : cause.invalid(child(path, 'type'), type, detail),
    );
  } else if (listType === 'set' && items !== undefined) {
    const itemsPath = child(path, 'items');
    const detail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    if (
      items.type === 'array' &&
      items['x-kubernetes-list-type'] !== undefined &&
      items['x-kubernetes-list-type'] !== 'atomic'
    ) {
      errs.push(
        cause.invalid(
          child(itemsPath, 'x-kubernetes-list-type'),
          items['x-kubernetes-list-type'],
          detail,
        ),
      );
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(
        cause.invalid(
          child(itemsPath, 'x-kubernetes-map-type'),
          items['x-kubernetes-list-type'] ?? null,
          detail,
        ),
      );
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(
      cause.notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']),
    );
  }
  const mapKeys = s['x-kubernetes-list-map-keys'] ?? [];
  if (mapKeys.length > 0) {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined)
      errs.push(cause.required(child(path, 'x-kubernetes-list-type'), detail));
    else if (listType !== 'map')
      errs.push(cause.invalid(child(path, 'x-kubernetes-list-type'), listType, detail));
  }
  if (listType === 'map') {
    const keysPath = child(path, 'x-kubernetes-list-map-keys');
    if (mapKeys.length === 0) {
      errs.push(cause.required(keysPath, 'must not be empty if x-kubernetes-list-type is map'));
    }
    if (s.items === undefined) {
      errs.push(
        cause.required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'),
      );
    } else if (Array.isArray(s.items)) {
      errs.push(
        cause.invalid(
          child(path, 'items'),
          s.items,
          'must only have a single schema if x-kubernetes-list-type is map',
        ),
      );
    }
    if (items !== undefined && items.type !== 'object') {
      errs.push(
        cause.invalid(
          child(child(path, 'items'), 'type'),
          items.type ?? '',
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    }
    if (items !== undefined && items.type === 'object') {
      const seen = new Set<string>();
      for (const k of mapKeys) {
        const keySchema = propertyOf(items, k);
        if (keySchema !== undefined) {
          if (keySchema.type === 'array' || keySchema.type === 'object') {
            errs.push(
              cause.invalid(
                child(prop(child(path, 'items'), k), 'type'),
                items.type,
                "must be a scalar type if parent array's x-kubernetes-list-type is map",
              ),
            );
          }
        } else {
          errs.push(
            cause.invalid(keysPath, mapKeys, 'entries must all be names of item properties'),
          );
        }
        if (seen.has(k))
          errs.push(cause.invalid(keysPath, mapKeys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  if (items !== undefined && (listType === 'set' || listType === 'map')) {
    const itemsPath = child(path, 'items');
    if (items.nullable === true) {
      errs.push(
        cause.forbidden(
          child(itemsPath, 'nullable'),
          `cannot be nullable when x-kubernetes-list-type is ${listType}`,
        ),
      );
    }
    if (listType === 'map') {
      const required = new Set(items.required ?? []);
      for (const k of mapKeys) {
        const keySchema = propertyOf(items, k);
        if (keySchema === undefined) continue;
        const keyPath = prop(itemsPath, k);
        if (!required.has(k) && !hasDefault(keySchema as Loose)) {
          errs.push(
            cause.required(
              child(keyPath, 'default'),
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
            ),
          );
        }
        if (keySchema.nullable === true) {
          errs.push(
            cause.forbidden(
              child(keyPath, 'nullable'),
              'this property is in x-kubernetes-list-map-keys, so it cannot be nullable',
            ),
          );
        }
      }
    }
  }
  return errs;
}

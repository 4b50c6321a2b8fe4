/**
 * Validation of a value against its schema, as the Kubernetes API server
 * validates custom resources: first the OpenAPI checks (kube-openapi's
 * validator, whose messages name fields "in body"), then embedded resources'
 * TypeMeta/ObjectMeta, then the uniqueness of `x-kubernetes-list-type` set and
 * map lists. CEL rules (`x-kubernetes-validations`) are not evaluated here.
 *
 * Kubernetes' quirks are kept where users see them: a value of the wrong type
 * is still checked by `enum` (two causes); `anyOf`/`oneOf` report the
 * alternative that came closest; range and junctor problems are reported on the
 * root field with an empty value, as Kubernetes does.
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import type { FieldCause } from '../../util/errors.ts';
import { cause, causeText, fieldPath, goJSON, goNumber, goQuote } from './messages.ts';
import { uniqueCauses } from '../field-errors.ts';
import { checkStringFormat, effectiveFormat, isStringFormat } from './formats.ts';
import { compilePattern, matchPattern } from './pattern.ts';
import { validateEmbeddedResource } from './object-meta.ts';
import {
  additionalSchema,
  deref,
  hasAdditional,
  isObject,
  jsonEqual,
  kindOf,
  MAX_CAUSES,
  MAX_DEPTH,
  type ValueKind,
  propertyOf,
  setOwn,
} from './schema-node.ts';

/**
 * Upper bound on junctor alternatives tried for one value. Each alternative
 * re-walks the value below it, so nested junctors (or a schema that refers to
 * itself through one) multiply the work; plain walking is bounded by the value.
 */
const MAX_ALTERNATIVES = 100_000;

/**
 * Causes one result keeps. A result with any cause is invalid whatever their
 * number, so the cap only bounds memory (a huge list of bad items), not outcomes.
 */
const MAX_RESULT_CAUSES = 10 * MAX_CAUSES;

interface Ctx {
  readonly resolver: SchemaResolver;
  /** Field path of the validated value (Kubernetes' `fldPath`). */
  readonly prefix: string;
  alternatives: number;
  /** Where validation gave up, if it did. */
  tooDeep?: string;
  tooComplex?: boolean;
}

/**
 * One validation result, as kube-openapi keeps it: the causes, and a count of
 * the checks that applied, which decides which failed `anyOf`/`oneOf`
 * alternative is reported.
 */
class Result {
  readonly causes: FieldCause[] = [];
  #seen: Set<string> | undefined;
  matchCount = 0;

  add(c: FieldCause): void {
    if (this.causes.length >= MAX_RESULT_CAUSES) return;
    const t = causeText(c);
    this.#seen ??= new Set();
    if (this.#seen.has(t)) return;
    this.#seen.add(t);
    this.causes.push(c);
  }

  merge(other: Result | undefined): void {
    if (other === undefined) return;
    for (const c of other.causes) this.add(c);
    this.matchCount += other.matchCount;
  }

  get valid(): boolean {
    return this.causes.length === 0;
  }
}

/**
 * Every violation of `schema` by `value`, worded as Kubernetes words it, at most
 * MAX_CAUSES of them. `path` is the field path of `value` (default: the object
 * root); messages name fields relative to `value` ("spec.x in body ..."), as
 * Kubernetes does. Read-only.
 */
export function validateValue(
  value: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
  path = '',
): FieldCause[] {
  const ctx: Ctx = { resolver, prefix: path, alternatives: 0 };
  const causes = [...node(ctx, value, schema, '', 0).causes];
  causes.push(...embeddedResources(ctx, value, schema, path, false, 0));
  causes.push(...listSetsAndMaps(ctx, value, schema, path, 0));
  causes.push(...limitCauses(ctx));
  return uniqueCauses(causes).slice(0, MAX_CAUSES);
}

/** Only the OpenAPI checks (what Kubernetes runs on a CRD's `default` values). */
export function openAPIErrors(
  value: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
  path: string,
): FieldCause[] {
  const ctx: Ctx = { resolver, prefix: path, alternatives: 0 };
  return uniqueCauses([...node(ctx, value, schema, '', 0).causes, ...limitCauses(ctx)]);
}

/** Only the embedded-resource checks; `isResourceRoot` checks `value` itself as a resource. */
export function embeddedResourceErrors(
  value: unknown,
  schema: JSONSchemaProps,
  resolver: SchemaResolver,
  path: string,
  isResourceRoot: boolean,
): FieldCause[] {
  const ctx: Ctx = { resolver, prefix: path, alternatives: 0 };
  return embeddedResources(ctx, value, schema, path, isResourceRoot, 0);
}

function limitCauses(ctx: Ctx): FieldCause[] {
  const out: FieldCause[] = [];
  if (ctx.tooDeep !== undefined) {
    out.push(cause.forbidden(ctx.tooDeep, `must not be nested more than ${MAX_DEPTH} levels deep`));
  }
  if (ctx.tooComplex === true) {
    out.push(cause.forbidden(ctx.prefix, 'is too complex to validate against its schema'));
  }
  return out;
}

// ---------------------------------------------------------------------------
// OpenAPI value validation.

/** The field path of kube-openapi name `name` ("spec.x", ".key" at the root). */
function fieldOf(ctx: Ctx, name: string): string {
  const rel = name.startsWith('.') ? name.slice(1) : name;
  if (rel === '') return ctx.prefix;
  return ctx.prefix === '' ? rel : `${ctx.prefix}.${rel}`;
}

function typesOf(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return s.type === undefined ? [] : [s.type];
}

/** kube-openapi's "x must be of type T: "v"" error. */
function typeError(ctx: Ctx, name: string, typeName: string, value: string): FieldCause {
  return cause.typeInvalid(
    fieldOf(ctx, name),
    value,
    `${name} in body must be of type ${typeName}: ${goQuote(value)}`,
  );
}

/** Errors Kubernetes reports on the root field with an empty value. */
function rootError(ctx: Ctx, message: string): FieldCause {
  return cause.invalid(ctx.prefix, '', message);
}

function node(
  ctx: Ctx,
  x: unknown,
  schema: JSONSchemaProps | undefined,
  name: string,
  depth: number,
): Result {
  const r = new Result();
  const s = deref(schema, ctx.resolver);
  if (s === undefined) return r;
  if (depth > MAX_DEPTH) {
    ctx.tooDeep ??= fieldOf(ctx, name);
    return r;
  }
  const types = typesOf(s);
  const format = effectiveFormat(s.format, types);
  const kind = kindOf(x);
  const typeApplies = types.length > 0 || format !== '';

  if (kind === 'null') {
    if (typeApplies) {
      if (types.length > 0 && s.nullable !== true) {
        r.add(typeError(ctx, name, types.join(','), 'null'));
      } else {
        r.matchCount++;
      }
    }
    checkEnum(ctx, r, x, s, name);
    return r;
  }

  // kube-openapi's validators, in its order; each one that applies counts once.
  if (typeApplies) {
    checkType(ctx, r, kind, types, format, name);
    r.matchCount++;
  }
  junctors(ctx, r, x, s, name, depth);
  r.matchCount++;
  if (kind === 'string') {
    checkString(ctx, r, x as string, s, name);
    r.matchCount++;
    if (isStringFormat(format)) {
      if (!checkStringFormat(format, x as string)) {
        const detail = `${name} in body must be of type ${format}: ${goQuote(x as string)}`;
        r.add(cause.typeInvalid(fieldOf(ctx, name), x, detail));
      }
      r.matchCount++;
    }
  }
  if (kind === 'integer' || kind === 'number') {
    checkNumber(ctx, r, x as number, kind, types, s, name);
    r.matchCount++;
  }
  if (kind === 'array') {
    checkArray(ctx, r, x as unknown[], s, name, depth);
    r.matchCount++;
  }
  checkEnum(ctx, r, x, s, name);
  r.matchCount++;
  if (kind === 'object') {
    checkObject(ctx, r, x as Record<string, unknown>, s, name, depth);
    r.matchCount++;
  }
  r.matchCount++;
  return r;
}

function checkType(
  ctx: Ctx,
  r: Result,
  kind: ValueKind,
  types: string[],
  format: string,
  name: string,
): void {
  // The JSON type and Go number format Kubernetes infers from a decoded value.
  const schType = kind;
  const goFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'float64' : '';
  const isIntFloat = kind === 'integer' && types.includes('number');
  const stringLike = kind === 'string' || kind === 'array';
  if (
    !stringLike &&
    format !== '' &&
    !(types.includes(schType) || goFormat === format || isIntFloat)
  ) {
    r.add(typeError(ctx, name, format, goFormat));
    return;
  }
  if (!types.includes('number') && !types.includes('integer') && format !== '' && stringLike) {
    r.matchCount++;
    return;
  }
  if (!(types.includes(schType) || isIntFloat)) {
    r.add(typeError(ctx, name, types.join(','), schType));
    return;
  }
  r.matchCount++;
}

function checkString(ctx: Ctx, r: Result, x: string, s: JSONSchemaProps, name: string): void {
  const field = () => fieldOf(ctx, name);
  // Lengths count Unicode code points, as Go's utf8.RuneCount does.
  let length = -1;
  const runes = () => (length >= 0 ? length : (length = [...x].length));
  if (s.maxLength !== undefined && runes() > s.maxLength) {
    r.add(cause.tooLong(field(), s.maxLength));
    return;
  }
  if (s.minLength !== undefined && runes() < s.minLength) {
    r.add(
      cause.invalid(field(), x, `${name} in body should be at least ${s.minLength} chars long`),
    );
    return;
  }
  if (s.pattern !== undefined && s.pattern !== '') {
    const p = compilePattern(s.pattern);
    if (p.error !== undefined) {
      r.add(
        cause.invalid(
          field(),
          x,
          `${name} in body should match '${s.pattern}, but pattern is invalid: ${p.error}'`,
        ),
      );
      return;
    }
    const m = matchPattern(p, x);
    if (m === 'mismatch') {
      r.add(cause.invalid(field(), x, `${name} in body should match '${s.pattern}'`));
    } else if (m === 'timeout') {
      r.add(
        cause.invalid(
          field(),
          x,
          `${name} in body should match '${s.pattern}', but matching took too long`,
        ),
      );
    }
  }
}

const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * kube-openapi's check that a number (the value or a bound of the schema) fits
 * the schema's single numeric type and format, or its error text.
 */
function rangeError(
  n: number,
  isInt: boolean,
  typeName: string,
  format: string,
  prefix: string,
  name: string,
): string | undefined {
  let ok = true;
  if (typeName === 'integer') {
    const integral = isInt || (Number.isInteger(n) && Math.abs(n) < 2 ** 63);
    ok = integral && (format !== 'int32' || (n >= -(2 ** 31) && n < 2 ** 31));
  } else if (typeName === 'number' && format === 'float') {
    ok = Math.abs(n) <= MAX_FLOAT32;
  }
  if (ok) return undefined;
  return format !== ''
    ? `${prefix} value must be of type ${typeName} with format ${format} in ${name}`
    : `${prefix} value must be of type ${typeName} (default format) in ${name}`;
}

/** Go's swag.IsFloat64AJSONInteger: integral within float precision and ±2^53. */
function isJSONInteger(f: number): boolean {
  if (!Number.isFinite(f) || Math.abs(f) > Number.MAX_SAFE_INTEGER) return false;
  if (Number.isInteger(f)) return true;
  const diff = Math.abs(f - Math.round(f));
  return Math.abs(f) <= 1 ? diff <= 1e-9 : diff / Math.abs(f) <= 1e-9;
}

function checkNumber(
  ctx: Ctx,
  r: Result,
  x: number,
  kind: ValueKind,
  types: string[],
  s: JSONSchemaProps,
  name: string,
): void {
  const field = () => fieldOf(ctx, name);
  const typeName =
    types.length === 1 && (types[0] === 'integer' || types[0] === 'number') ? types[0] : '';
  let format = '';
  if (typeName === 'integer' && (s.format === 'int32' || s.format === 'int64')) format = s.format;
  if (typeName === 'number' && (s.format === 'float' || s.format === 'double')) format = s.format;
  const isInt = kind === 'integer';

  const valueRange = rangeError(x, isInt, typeName, format, 'Checked', name);
  if (valueRange !== undefined) r.add(rootError(ctx, valueRange));

  if (s.multipleOf !== undefined) {
    const factor = s.multipleOf;
    const bound = rangeError(factor, false, typeName, format, 'MultipleOf', name);
    if (bound !== undefined) r.add(rootError(ctx, bound));
    if (factor <= 0) {
      r.add(
        cause.invalid(
          field(),
          factor,
          `factor MultipleOf declared for ${name} must be positive: ${goNumber(factor)}`,
        ),
      );
    } else {
      const multiple =
        isInt && Number.isInteger(factor)
          ? x % factor === 0
          : isJSONInteger(factor < 1 ? (1 / factor) * x : x / factor);
      if (!multiple) {
        r.add(
          cause.invalid(field(), x, `${name} in body should be a multiple of ${goNumber(factor)}`),
        );
      }
    }
  }
  if (s.minimum !== undefined) {
    const min = s.minimum;
    const bound = rangeError(min, false, typeName, format, 'Minimum boundary', name);
    if (bound !== undefined) r.add(rootError(ctx, bound));
    const exclusive = s.exclusiveMinimum === true;
    if (exclusive ? x <= min : x < min) {
      const rel = exclusive ? 'greater than' : 'greater than or equal to';
      r.add(cause.invalid(field(), x, `${name} in body should be ${rel} ${goNumber(min)}`));
    }
  }
  if (s.maximum !== undefined) {
    const max = s.maximum;
    const bound = rangeError(max, false, typeName, format, 'Maximum boundary', name);
    if (bound !== undefined) r.add(rootError(ctx, bound));
    const exclusive = s.exclusiveMaximum === true;
    if (exclusive ? x >= max : x > max) {
      const rel = exclusive ? 'less than' : 'less than or equal to';
      r.add(cause.invalid(field(), x, `${name} in body should be ${rel} ${goNumber(max)}`));
    }
  }
  r.matchCount++;
}

function checkArray(
  ctx: Ctx,
  r: Result,
  x: unknown[],
  s: JSONSchemaProps,
  name: string,
  depth: number,
): void {
  const field = () => fieldOf(ctx, name);
  if (s.items !== undefined) {
    x.forEach((v, i) => r.merge(node(ctx, v, s.items, `${name}[${i}]`, depth + 1)));
  }
  if (s.minItems !== undefined && x.length < s.minItems) {
    r.add(
      cause.invalid(field(), x.length, `${name} in body should have at least ${s.minItems} items`),
    );
  }
  if (s.maxItems !== undefined && x.length > s.maxItems) {
    r.add(cause.tooMany(field(), x.length, s.maxItems));
  }
  if (s.uniqueItems === true) {
    const seen = new Set<string>();
    for (const v of x) {
      const key = goJSON(v);
      if (seen.has(key)) {
        r.add(cause.invalid(field(), '', `${name} in body shouldn't contain duplicates`));
        break;
      }
      seen.add(key);
    }
  }
  r.matchCount++;
}

function checkEnum(ctx: Ctx, r: Result, x: unknown, s: JSONSchemaProps, name: string): void {
  if (s.enum === undefined || s.enum.length === 0) return;
  // Kubernetes never matches null against an enum, even one that lists null.
  if (x !== null && s.enum.some((e) => e !== null && jsonEqual(x, e))) return;
  const supported = s.enum.map((e) => (typeof e === 'string' ? e : goJSON(e)));
  r.add(cause.notSupported(fieldOf(ctx, name), x, supported));
}

function checkObject(
  ctx: Ctx,
  r: Result,
  x: Record<string, unknown>,
  s: JSONSchemaProps,
  name: string,
  depth: number,
): void {
  const field = () => fieldOf(ctx, name);
  const keys = Object.keys(x);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    r.add(
      cause.invalid(
        field(),
        keys.length,
        `${name} in body should have at least ${s.minProperties} properties`,
      ),
    );
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    r.add(cause.tooMany(field(), keys.length, s.maxProperties));
  }
  const props = s.properties ?? {};
  const declared = (k: string) => Object.hasOwn(props, k);
  if (s.additionalProperties === false) {
    for (const k of keys) {
      if (!declared(k))
        r.add(cause.invalid(field(), k, `${name}.${k} in body is a forbidden property`));
    }
  } else {
    const extra = additionalSchema(s);
    if (extra !== undefined) {
      for (const k of keys) {
        if (!declared(k)) r.merge(node(ctx, x[k], extra, `${name}.${k}`, depth + 1));
      }
    }
  }
  for (const [p, ps] of Object.entries(props)) {
    if (Object.hasOwn(x, p))
      r.merge(node(ctx, x[p], ps, name === '' ? p : `${name}.${p}`, depth + 1));
  }
  for (const k of s.required ?? []) {
    if (!Object.hasOwn(x, k)) r.add(cause.required(fieldOf(ctx, `${name}.${k}`)));
  }
}

/** allOf / anyOf / oneOf / not, with kube-openapi's choice of what to report. */
function junctors(
  ctx: Ctx,
  r: Result,
  x: unknown,
  s: JSONSchemaProps,
  name: string,
  depth: number,
): void {
  if (
    s.allOf === undefined &&
    s.anyOf === undefined &&
    s.oneOf === undefined &&
    s.not === undefined
  ) {
    r.matchCount++;
    return;
  }
  const main = new Result();
  const quoted = () => goQuote(name);
  const alt = (sub: JSONSchemaProps): Result => {
    if (++ctx.alternatives > MAX_ALTERNATIVES) {
      ctx.tooComplex = true;
      return new Result();
    }
    return node(ctx, x, sub, name, depth + 1);
  };
  if (s.anyOf !== undefined && s.anyOf.length > 0) {
    let best: Result | undefined;
    let success: Result | undefined;
    for (const sub of s.anyOf) {
      const res = alt(sub);
      if (res.valid) {
        best = undefined;
        success = res;
        break;
      }
      if (best === undefined || res.matchCount > best.matchCount) best = res;
    }
    if (success === undefined)
      main.add(rootError(ctx, `${quoted()} must validate at least one schema (anyOf)`));
    main.merge(best ?? success);
  }
  if (s.oneOf !== undefined && s.oneOf.length > 0) {
    let best: Result | undefined;
    let first: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const res = alt(sub);
      if (res.valid) {
        validated++;
        best = undefined;
        first ??= res;
        continue;
      }
      if (validated === 0 && (best === undefined || res.matchCount > best.matchCount)) best = res;
    }
    if (validated !== 1) {
      const found = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.add(
        rootError(ctx, `${quoted()} must validate one and only one schema (oneOf). ${found}`),
      );
      main.merge(best);
    } else {
      main.merge(first);
    }
  }
  if (s.allOf !== undefined && s.allOf.length > 0) {
    let validated = 0;
    for (const part of s.allOf) {
      const res = alt(part);
      if (res.valid) validated++;
      main.merge(res);
    }
    if (validated !== s.allOf.length) {
      const none = validated === 0 ? '. None validated' : '';
      main.add(rootError(ctx, `${quoted()} must validate all the schemas (allOf)${none}`));
    }
  }
  if (s.not !== undefined) {
    if (alt(s.not).valid) {
      main.add(rootError(ctx, `${quoted()} must not validate the schema (not)`));
    }
  }
  main.matchCount++;
  r.merge(main);
}

// ---------------------------------------------------------------------------
// Embedded resources and list types (field paths in field.Path style).

function embeddedResources(
  ctx: Ctx,
  x: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
  isResource: boolean,
  depth: number,
): FieldCause[] {
  const s = deref(schema, ctx.resolver);
  if (s === undefined || depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  const walk = (v: unknown, sub: JSONSchemaProps | undefined, p: string) =>
    errs.push(...embeddedResources(ctx, v, sub, p, false, depth + 1));
  if (Array.isArray(x)) {
    x.forEach((v, i) => walk(v, s.items, fieldPath.index(path, i)));
  } else if (isObject(x)) {
    if (isResource || s['x-kubernetes-embedded-resource'] === true) {
      errs.push(...validateEmbeddedResource(x, path));
    }
    for (const [k, v] of Object.entries(x)) {
      const prop = propertyOf(s, k);
      if (prop !== undefined) walk(v, prop, fieldPath.child(path, k));
      else if (hasAdditional(s)) walk(v, additionalSchema(s), fieldPath.key(path, k));
    }
  }
  return errs;
}

function listSetsAndMaps(
  ctx: Ctx,
  x: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
  depth: number,
): FieldCause[] {
  const s = deref(schema, ctx.resolver);
  if (s === undefined || depth > MAX_DEPTH) return [];
  const errs: FieldCause[] = [];
  if (Array.isArray(x)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set') {
      for (const i of nonUniqueIndices(x))
        errs.push(cause.duplicate(fieldPath.index(path, i), x[i]));
    } else if (listType === 'map') {
      errs.push(...listMapErrors(x, s['x-kubernetes-list-map-keys'] ?? [], path));
    }
    if (s.items !== undefined) {
      x.forEach((v, i) =>
        errs.push(...listSetsAndMaps(ctx, v, s.items, fieldPath.index(path, i), depth + 1)),
      );
    }
  } else if (isObject(x)) {
    for (const [k, v] of Object.entries(x)) {
      const prop = propertyOf(s, k);
      if (prop !== undefined)
        errs.push(...listSetsAndMaps(ctx, v, prop, fieldPath.child(path, k), depth + 1));
      else {
        const extra = additionalSchema(s);
        if (extra !== undefined)
          errs.push(...listSetsAndMaps(ctx, v, extra, fieldPath.key(path, k), depth + 1));
      }
    }
  }
  return errs;
}

/** Identity of a list element: scalars by type and value, compounds by their JSON. */
function elementKey(v: unknown): string {
  if (typeof v === 'object' && v !== null) return `c${goJSON(v)}`;
  return `${typeof v}:${String(v)}`;
}

/** The index of the second occurrence of each repeated element. */
function nonUniqueIndices(
  list: readonly unknown[],
  keys: readonly string[] = list.map(elementKey),
): number[] {
  const count = new Map<string, number>();
  const out: number[] = [];
  keys.forEach((k, i) => {
    const n = count.get(k) ?? 0;
    if (n === 1) out.push(i);
    count.set(k, n + 1);
  });
  return out;
}

const UNSPECIFIED = '\u0000unspecified';

function listMapErrors(list: unknown[], mapKeys: readonly string[], path: string): FieldCause[] {
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== null && !isObject(list[i])) {
      return [
        cause.invalid(
          fieldPath.index(path, i),
          list[i],
          'must be an object for an array of list-type map',
        ),
      ];
    }
  }
  if (list.length <= 1) return [];
  if (mapKeys.length === 1) {
    const keyField = mapKeys[0];
    const keys = list.map((item) =>
      isObject(item) && Object.hasOwn(item, keyField) ? elementKey(item[keyField]) : UNSPECIFIED,
    );
    return nonUniqueIndices(list, keys).map((i) => {
      const item = list[i];
      const dup =
        isObject(item) && Object.hasOwn(item, keyField) ? { [keyField]: item[keyField] } : {};
      return cause.duplicate(fieldPath.index(path, i), dup);
    });
  }
  const keyObjects = list.map((item) => {
    const key: Record<string, unknown> = {};
    if (isObject(item))
      for (const f of mapKeys) if (Object.hasOwn(item, f)) setOwn(key, f, item[f]);
    return key;
  });
  return nonUniqueIndices(list, keyObjects.map(elementKey)).map((i) =>
    cause.duplicate(fieldPath.index(path, i), keyObjects[i]),
  );
}

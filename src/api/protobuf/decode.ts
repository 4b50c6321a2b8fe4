/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
 * into the JSON object the same client would have sent as JSON, so the rest of
 * the API server only ever sees JSON.
 *
 * A body is the 4-byte magic `k8s\0` and a `runtime.Unknown` message (typeMeta = 1
 * {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4);
 * `raw` is the object's generated proto2 message. Field numbers come from
 * fields.ts; each field's type comes from our OpenAPI schema of the definition,
 * so one walker serves every built-in kind.
 *
 * What follows Kubernetes (gogo-generated unmarshalers and the types' JSON
 * marshalers):
 * - Unknown field numbers are skipped (after checking they are well formed); a
 *   known field with the wrong wire type is an error.
 * - Repeated numeric fields are accepted packed and unpacked.
 * - A singular message field that occurs twice is merged; a scalar's last
 *   occurrence wins; map entries with a missing key or value get the zero value.
 * - Fields absent from the message are absent from the JSON. A present scalar
 *   with its zero value is dropped where Go's `omitempty` drops it (fields.ts
 *   says which); messages, lists and maps present on the wire always appear.
 * - Time / MicroTime: an empty message is the zero time, JSON `null`; otherwise
 *   RFC 3339 in UTC, to the second (Time ignores nanos) or the microsecond.
 * - IntOrString becomes a JSON number or string; Quantity its string (absent
 *   string: "0"); `[]byte` becomes base64; RawExtension, FieldsV1 and the
 *   apiextensions JSON type carry JSON text, which is parsed.
 * - apiextensions' JSONSchemaPropsOrArray / OrBool / OrStringArray become the
 *   schema, list or boolean their JSON form has.
 * - The `contentEncoding` and `contentType` of the envelope are ignored, as
 *   Kubernetes ignores them when decoding.
 *
 * Where Verge differs: a string is decoded as UTF-8 with invalid bytes replaced
 * by U+FFFD (what Go's JSON encoder would emit for them); a Quantity string is
 * passed through unparsed (validation checks it later, as for JSON bodies);
 * int64 values beyond 2^53 lose precision, as they do in `JSON.parse`; a
 * RawExtension whose bytes are not JSON (e.g. nested protobuf) is rejected.
 */
import { Buffer } from 'node:buffer';
import { InvalidError } from '../../util/errors.ts';
import { isObject } from '../../util/objects.ts';
import { definitionFor } from '../openapi/builtin.ts';
import { apiVersionOf } from '../registry.ts';
import {
  REF_PREFIX,
  type GroupVersionKind,
  type JSONSchemaProps,
  type SchemaResolver,
} from '../schema.ts';
import { protobufFields } from './fields.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\0`, the prefix of every Kubernetes protobuf body. */
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** Maximum nesting of JSON values built from messages. */
const MAX_DEPTH = 100;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const AE = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const JSON_SCHEMA_PROPS = AE + 'JSONSchemaProps';

/** Types with a JSON form of their own, decoded by name rather than through fields.ts. */
type Special =
  | 'time'
  | 'microTime'
  | 'quantity'
  | 'intOrString'
  | 'rawJSON'
  | 'orArray'
  | 'orBool'
  | 'orStringArray';

const SPECIALS: Readonly<Record<string, Special>> = {
  [META + 'Time']: 'time',
  [META + 'MicroTime']: 'microTime',
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'intOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'rawJSON',
  [META + 'FieldsV1']: 'rawJSON',
  [AE + 'JSON']: 'rawJSON',
  [AE + 'JSONSchemaPropsOrArray']: 'orArray',
  [AE + 'JSONSchemaPropsOrBool']: 'orBool',
  [AE + 'JSONSchemaPropsOrStringArray']: 'orStringArray',
};

type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'double';

type ValuePlan =
  | { readonly kind: 'scalar'; readonly scalar: Scalar }
  | { readonly kind: 'special'; readonly special: Special }
  /** A nested message; `table` is both its fields.ts key and its definition name. */
  | { readonly kind: 'message'; readonly table: string }
  /** A message holding `repeated item = 1`, decoded as a JSON array. */
  | { readonly kind: 'list'; readonly item: ValuePlan };

type FieldPlan =
  | {
      readonly shape: 'single' | 'repeated' | 'map';
      readonly name: string;
      readonly value: ValuePlan;
      readonly keepZero: boolean;
    }
  | { readonly shape: 'inline'; readonly table: string };

type Plans = ReadonlyMap<number, FieldPlan>;

export interface ProtobufDecodeOptions {
  /**
   * The kind the request path implies. Kubernetes fills a kind or version missing
   * from the envelope from it; so does this. Default: none (both must be present).
   */
  expected?: GroupVersionKind;
}

/** True when the Content-Type is Kubernetes protobuf (parameters are ignored). */
export function isProtobufContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  const base = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return base === PROTOBUF_CONTENT_TYPE;
}

/**
 * Decodes a `k8s\0`-framed body into a JSON object with apiVersion and kind set.
 * `resolver` holds the OpenAPI definitions (`new SchemaResolver(builtinDefinitions)`)
 * that give each field's type; the definition to start from is found from the
 * envelope's apiVersion/kind with `definitionFor`. The result is a fresh object
 * owned by the caller; `body` is not modified.
 *
 * Throws InvalidError (details.reason 'BadRequest') for a missing magic, a
 * truncated or malformed message, a wire type that does not match its field,
 * a kind Verge does not serve, invalid embedded JSON, or nesting deeper than 100.
 */
export function decodeProtobufObject(
  body: Uint8Array,
  resolver: SchemaResolver,
  options: ProtobufDecodeOptions = {},
): Record<string, unknown> {
  if (body.length === 0) throw badRequest('empty body');
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw badRequest('body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  if (body.length === MAGIC.length) throw badRequest('empty message after the protobuf prefix');
  const ctx = newContext(body, resolver);
  const r = ctx.reader;
  r.pos = MAGIC.length;

  let apiVersion = '';
  let kind = '';
  let rawStart = 0;
  let rawEnd = 0;
  forEachField(ctx, r, (num, wire) => {
    if (num === 1) {
      const end = enterLength(ctx, r, wire, 'typeMeta');
      forEachField(ctx, r, (n, w) => {
        if (n === 1) apiVersion = readString(ctx, r, w, 'apiVersion');
        else if (n === 2) kind = readString(ctx, r, w, 'kind');
        else return false;
        return true;
      });
      leave(r, end);
    } else if (num === 2) {
      const outer = enterLength(ctx, r, wire, 'raw');
      rawStart = r.pos;
      rawEnd = r.end;
      leave(r, outer);
    } else if (num === 3 || num === 4) {
      readString(ctx, r, wire, num === 3 ? 'contentEncoding' : 'contentType');
    } else return false;
    return true;
  });

  let { group, version } = splitAPIVersion(apiVersion);
  const expected = options.expected;
  if (expected !== undefined) {
    if (kind === '') kind = expected.kind;
    if (version === '' && expected.version !== '') ({ group, version } = expected);
  }
  if (kind === '') throw badRequest('the envelope names no kind');
  if (version === '') throw badRequest(`the envelope names no version for kind "${kind}"`);
  apiVersion = apiVersionOf(group, version);
  const definition = definitionFor({ group, version, kind });
  if (definition === undefined || protobufFields(definition) === undefined) {
    throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
  }

  const out: Record<string, unknown> = { apiVersion, kind };
  r.pos = rawStart;
  r.end = rawEnd;
  decodeFields(ctx, r, definition, definition, out, 1);
  return out;
}

/**
 * Decodes a bare message (no `k8s\0` prefix, no envelope) as the named
 * definition of `resolver`; the result has no apiVersion or kind. Throws as
 * `decodeProtobufObject` does, and InvalidError for a definition with no
 * protobuf message.
 */
export function decodeProtobufMessage(
  message: Uint8Array,
  definition: string,
  resolver: SchemaResolver,
): Record<string, unknown> {
  if (protobufFields(definition) === undefined) {
    throw badRequest(`no protobuf message is known for ${definition}`);
  }
  const ctx = newContext(message, resolver);
  const out: Record<string, unknown> = {};
  decodeFields(ctx, ctx.reader, definition, definition, out, 1);
  return out;
}

// ---- decoding state ---------------------------------------------------------------

/** A cursor over the body: `pos` moves forward, `end` bounds the current message. */
interface Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  end: number;
  /** Low and high 32 bits of the last varint read. */
  lo: number;
  hi: number;
}

interface Context {
  readonly reader: Reader;
  readonly plans: Map<string, Plans>;
  readonly resolver: SchemaResolver;
  /** Field names and indexes leading to the value being decoded, for error messages. */
  readonly path: (string | number)[];
}

const planCache = new WeakMap<SchemaResolver, Map<string, Plans>>();
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function newContext(buf: Uint8Array, resolver: SchemaResolver): Context {
  let plans = planCache.get(resolver);
  if (plans === undefined) {
    plans = new Map();
    planCache.set(resolver, plans);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    reader: { buf, view, pos: 0, end: buf.length, lo: 0, hi: 0 },
    plans,
    resolver,
    path: [],
  };
}

function badRequest(message: string): InvalidError {
  return new InvalidError(`protobuf body: ${message}`, { reason: 'BadRequest' });
}

function fail(ctx: Context, message: string): never {
  let where = '';
  for (const seg of ctx.path) where += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
  const at = where === '' ? '' : ` (at ${where.slice(1)})`;
  throw badRequest(`${message}${at}, offset ${ctx.reader.pos}`);
}

// ---- wire format ----------------------------------------------------------------------

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/** Reads one varint into `r.lo` / `r.hi`. At most 10 bytes, never past `r.end`. */
function readVarint(ctx: Context, r: Reader): void {
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; ; i++) {
    if (i === 10) fail(ctx, 'varint longer than 10 bytes');
    if (pos >= r.end) fail(ctx, 'truncated varint');
    const b = buf[pos++];
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) break;
  }
  r.pos = pos;
  r.lo = lo;
  r.hi = hi;
}

function uint64Number(r: Reader): number {
  return (r.hi >>> 0) * 0x100000000 + (r.lo >>> 0);
}

function int64Number(r: Reader): number {
  return (r.hi | 0) * 0x100000000 + (r.lo >>> 0);
}

function expectWire(ctx: Context, wire: number, want: number, what: string): void {
  if (wire !== want) {
    fail(ctx, `wrong wire type ${WIRE_NAMES[wire] ?? wire} for ${what} (want ${WIRE_NAMES[want]})`);
  }
}

/**
 * Reads a length prefix and narrows `r.end` to the value it announces; returns
 * the previous `end`, which `leave` restores once the value has been consumed.
 */
function enterLength(ctx: Context, r: Reader, wire: number, what: string): number {
  expectWire(ctx, wire, 2, what);
  readVarint(ctx, r);
  const len = uint64Number(r);
  if (len > r.end - r.pos) fail(ctx, `length ${len} of ${what} runs past the end of its message`);
  const outer = r.end;
  r.end = r.pos + len;
  return outer;
}

function leave(r: Reader, outer: number): void {
  r.pos = r.end;
  r.end = outer;
}

/**
 * Calls `visit` for each field of the message between `r.pos` and `r.end`.
 * `visit` consumes the field's value and returns true, or returns false to have
 * an unknown field skipped.
 */
function forEachField(
  ctx: Context,
  r: Reader,
  visit: (num: number, wire: number) => boolean,
): void {
  while (r.pos < r.end) {
    readVarint(ctx, r);
    const wire = r.lo & 7;
    // Field numbers stop at 2^29 - 1; anything larger is unknown to every table.
    const num = r.hi === 0 ? r.lo >>> 3 : -1;
    if (wire === 4) fail(ctx, 'end-group tag outside a group');
    if (num === 0) fail(ctx, 'illegal field number 0');
    if (num < 0 || !visit(num, wire)) skipValue(ctx, r, wire);
  }
}

/** Skips one value of an unknown field, checking that it is well formed. */
function skipValue(ctx: Context, r: Reader, wire: number): void {
  let groups = 0;
  for (;;) {
    switch (wire) {
      case 0:
        readVarint(ctx, r);
        break;
      case 1:
      case 5: {
        const size = wire === 1 ? 8 : 4;
        if (r.end - r.pos < size) fail(ctx, 'truncated fixed-size value');
        r.pos += size;
        break;
      }
      case 2: {
        readVarint(ctx, r);
        const len = uint64Number(r);
        if (len > r.end - r.pos) fail(ctx, `length ${len} runs past the end of its message`);
        r.pos += len;
        break;
      }
      case 3:
        if (++groups > MAX_DEPTH) fail(ctx, `groups nested deeper than ${MAX_DEPTH}`);
        break;
      case 4:
        if (groups === 0) fail(ctx, 'end-group tag outside a group');
        groups--;
        break;
      default:
        fail(ctx, `illegal wire type ${wire}`);
    }
    if (groups === 0) return;
    if (r.pos >= r.end) fail(ctx, 'unterminated group');
    readVarint(ctx, r);
    wire = r.lo & 7;
  }
}

function readString(ctx: Context, r: Reader, wire: number, what: string): string {
  const outer = enterLength(ctx, r, wire, what);
  const s = lenientUtf8.decode(r.buf.subarray(r.pos, r.end));
  leave(r, outer);
  return s;
}

// ---- plans: what each field number of a message means --------------------------------

function refName(schema: JSONSchemaProps | undefined): string | undefined {
  let ref = schema?.$ref;
  if (ref === undefined && schema?.allOf?.length === 1) ref = schema.allOf[0].$ref;
  if (ref === undefined) return undefined;
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

function specialOf(name: string | undefined): Special | undefined {
  return name !== undefined && Object.hasOwn(SPECIALS, name) ? SPECIALS[name] : undefined;
}

/**
 * The plans of message `table` whose fields are properties of definition
 * `schemaDef` (the same name except for inlined messages). Built once per
 * resolver and reused. A table entry that does not fit the schema is a bug in
 * Verge, not in the request, so it throws a plain Error.
 */
function plansFor(ctx: Context, table: string, schemaDef: string): Plans {
  const key = `${table} ${schemaDef}`;
  const cached = ctx.plans.get(key);
  if (cached !== undefined) return cached;
  const fields = protobufFields(table);
  const schema = ctx.resolver.resolve(ctx.resolver.definition(schemaDef));
  if (fields === undefined || schema === undefined) {
    throw new Error(`protobuf: no field table or schema for ${table} / ${schemaDef}`);
  }
  const plans = new Map<number, FieldPlan>();
  for (const [num, field] of fields) {
    if (field.kind === 'inline') {
      plans.set(num, { shape: 'inline', table: field.table });
      continue;
    }
    const prop = schema.properties?.[field.name];
    if (prop === undefined) {
      throw new Error(`protobuf: ${schemaDef} has no property ${field.name} (field ${num})`);
    }
    const where = `${schemaDef}.${field.name}`;
    const base = { name: field.name, keepZero: field.keepZero };
    const resolved = ctx.resolver.resolve(prop);
    if (field.wrappedList) {
      const item = valuePlan(ctx, resolved?.items, where);
      plans.set(num, { ...base, shape: 'single', value: { kind: 'list', item } });
    } else if (specialOf(refName(prop)) === undefined && resolved?.type === 'array') {
      plans.set(num, { ...base, shape: 'repeated', value: valuePlan(ctx, resolved.items, where) });
    } else if (
      refName(prop) === undefined &&
      resolved?.type === 'object' &&
      typeof resolved.additionalProperties === 'object'
    ) {
      const values = resolved.additionalProperties;
      const resolvedValues = ctx.resolver.resolve(values);
      const value: ValuePlan =
        specialOf(refName(values)) === undefined && resolvedValues?.type === 'array'
          ? { kind: 'list', item: valuePlan(ctx, resolvedValues.items, where) }
          : valuePlan(ctx, values, where);
      plans.set(num, { ...base, shape: 'map', value });
    } else {
      plans.set(num, { ...base, shape: 'single', value: valuePlan(ctx, prop, where) });
    }
  }
  ctx.plans.set(key, plans);
  return plans;
}

function valuePlan(ctx: Context, schema: JSONSchemaProps | undefined, where: string): ValuePlan {
  const name = refName(schema);
  const special = specialOf(name);
  if (special !== undefined) return { kind: 'special', special };
  if (name !== undefined && protobufFields(name) !== undefined)
    return { kind: 'message', table: name };
  const s = ctx.resolver.resolve(schema);
  if (s?.['x-kubernetes-int-or-string'] === true || s?.format === 'int-or-string') {
    return { kind: 'special', special: 'intOrString' };
  }
  switch (s?.type) {
    case 'string':
      return { kind: 'scalar', scalar: s.format === 'byte' ? 'bytes' : 'string' };
    case 'integer':
      return { kind: 'scalar', scalar: s.format === 'int32' ? 'int32' : 'int64' };
    case 'boolean':
      return { kind: 'scalar', scalar: 'bool' };
    case 'number':
      return { kind: 'scalar', scalar: 'double' };
    default:
      throw new Error(`protobuf: no wire encoding is known for ${where}`);
  }
}

// ---- values -----------------------------------------------------------------------------

const SCALAR_WIRE: Readonly<Record<Scalar, number>> = {
  string: 2,
  bytes: 2,
  int32: 0,
  int64: 0,
  bool: 0,
  double: 1,
};

/** Decodes the fields of one message into `out` (which it mutates). */
function decodeFields(
  ctx: Context,
  r: Reader,
  table: string,
  schemaDef: string,
  out: Record<string, unknown>,
  depth: number,
): void {
  const plans = plansFor(ctx, table, schemaDef);
  forEachField(ctx, r, (num, wire) => {
    const plan = plans.get(num);
    if (plan === undefined) return false;
    if (plan.shape === 'inline') {
      const outer = enterLength(ctx, r, wire, plan.table);
      decodeFields(ctx, r, plan.table, schemaDef, out, depth);
      leave(r, outer);
      return true;
    }
    const name = plan.name;
    ctx.path.push(name);
    if (plan.shape === 'single') {
      const existing = Object.hasOwn(out, name) ? out[name] : undefined;
      const v = decodeValue(ctx, r, wire, plan.value, depth, existing);
      if (!plan.keepZero && plan.value.kind === 'scalar' && (v === '' || v === 0 || v === false)) {
        delete out[name];
      } else out[name] = v;
    } else if (plan.shape === 'repeated') {
      let list = Object.hasOwn(out, name) ? out[name] : undefined;
      if (!Array.isArray(list)) out[name] = list = [];
      decodeRepeated(ctx, r, wire, plan.value, depth, list as unknown[]);
    } else {
      let map = Object.hasOwn(out, name) ? out[name] : undefined;
      if (!isObject(map)) out[name] = map = {};
      decodeMapEntry(ctx, r, wire, plan.value, depth, map as Record<string, unknown>);
    }
    ctx.path.pop();
    return true;
  });
}

/** Appends one occurrence of a repeated field: one element, or a packed run of numbers. */
function decodeRepeated(
  ctx: Context,
  r: Reader,
  wire: number,
  item: ValuePlan,
  depth: number,
  list: unknown[],
): void {
  if (wire === 2 && item.kind === 'scalar' && SCALAR_WIRE[item.scalar] !== 2) {
    const outer = enterLength(ctx, r, wire, 'packed list');
    while (r.pos < r.end) {
      ctx.path.push(list.length);
      list.push(decodeScalar(ctx, r, SCALAR_WIRE[item.scalar], item.scalar));
      ctx.path.pop();
    }
    leave(r, outer);
    return;
  }
  ctx.path.push(list.length);
  list.push(decodeValue(ctx, r, wire, item, depth, undefined));
  ctx.path.pop();
}

/** Decodes one `{key = 1, value = 2}` entry into `map`; a repeated key overwrites. */
function decodeMapEntry(
  ctx: Context,
  r: Reader,
  wire: number,
  value: ValuePlan,
  depth: number,
  map: Record<string, unknown>,
): void {
  const outer = enterLength(ctx, r, wire, 'map entry');
  let key = '';
  let v: unknown = undefined;
  let seen = false;
  forEachField(ctx, r, (num, w) => {
    if (num === 1) key = readString(ctx, r, w, 'map key');
    else if (num === 2) {
      v = decodeValue(ctx, r, w, value, depth, v);
      seen = true;
    } else return false;
    return true;
  });
  leave(r, outer);
  // defineProperty, so that a key such as `__proto__` is an ordinary property.
  Object.defineProperty(map, key, {
    value: seen ? v : zeroValue(value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function zeroValue(plan: ValuePlan): unknown {
  switch (plan.kind) {
    case 'scalar':
      return plan.scalar === 'string' || plan.scalar === 'bytes'
        ? ''
        : plan.scalar === 'bool'
          ? false
          : 0;
    case 'message':
      return {};
    case 'list':
      return null;
    case 'special':
      switch (plan.special) {
        case 'quantity':
          return '0';
        case 'intOrString':
          return 0;
        case 'orBool':
          return false;
        default:
          return null;
      }
  }
}

/**
 * Decodes one value of a singular field or one element of a list. `existing` is
 * the field's current value: a message occurring again is merged into it.
 */
function decodeValue(
  ctx: Context,
  r: Reader,
  wire: number,
  plan: ValuePlan,
  depth: number,
  existing: unknown,
): unknown {
  if (plan.kind === 'scalar') return decodeScalar(ctx, r, wire, plan.scalar);
  if (depth >= MAX_DEPTH) fail(ctx, `objects nested deeper than ${MAX_DEPTH}`);
  const outer = enterLength(ctx, r, wire, plan.kind === 'message' ? plan.table : 'message');
  let result: unknown;
  if (plan.kind === 'message') {
    const target = isObject(existing) ? existing : {};
    decodeFields(ctx, r, plan.table, plan.table, target, depth + 1);
    result = target;
  } else if (plan.kind === 'list') {
    const list: unknown[] = Array.isArray(existing) ? existing : [];
    forEachField(ctx, r, (num, w) => {
      if (num !== 1) return false;
      decodeRepeated(ctx, r, w, plan.item, depth + 1, list);
      return true;
    });
    result = list;
  } else {
    result = decodeSpecial(ctx, r, plan.special, depth + 1);
  }
  leave(r, outer);
  return result;
}

function decodeScalar(ctx: Context, r: Reader, wire: number, scalar: Scalar): unknown {
  expectWire(ctx, wire, SCALAR_WIRE[scalar], `a field of type ${scalar}`);
  switch (scalar) {
    case 'string':
      return readString(ctx, r, wire, 'string');
    case 'bytes': {
      const outer = enterLength(ctx, r, wire, 'bytes');
      const { buf } = r;
      const encoded = Buffer.from(buf.buffer, buf.byteOffset + r.pos, r.end - r.pos);
      leave(r, outer);
      return encoded.toString('base64');
    }
    case 'int32':
      readVarint(ctx, r);
      return r.lo | 0;
    case 'int64':
      readVarint(ctx, r);
      return int64Number(r);
    case 'bool':
      readVarint(ctx, r);
      return (r.lo | r.hi) !== 0;
    case 'double': {
      if (r.end - r.pos < 8) fail(ctx, 'truncated double');
      const d = r.view.getFloat64(r.pos, true);
      if (!Number.isFinite(d)) fail(ctx, `${d} has no JSON form`);
      r.pos += 8;
      return d;
    }
  }
}

/** Decodes the message between `r.pos` and `r.end` as one of the types with their own JSON form. */
function decodeSpecial(ctx: Context, r: Reader, special: Special, depth: number): unknown {
  switch (special) {
    case 'time':
    case 'microTime': {
      if (r.pos === r.end) return null;
      let seconds = 0;
      let nanos = 0;
      forEachField(ctx, r, (num, w) => {
        if (num === 1) seconds = decodeScalar(ctx, r, w, 'int64') as number;
        else if (num === 2) nanos = decodeScalar(ctx, r, w, 'int32') as number;
        else return false;
        return true;
      });
      return formatTime(ctx, seconds, special === 'time' ? 0 : nanos, special === 'microTime');
    }
    case 'quantity': {
      let s = '0';
      forEachField(ctx, r, (num, w) => {
        if (num !== 1) return false;
        s = readString(ctx, r, w, 'Quantity.string');
        return true;
      });
      return s;
    }
    case 'intOrString': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      forEachField(ctx, r, (num, w) => {
        if (num === 1) type = decodeScalar(ctx, r, w, 'int64') as number;
        else if (num === 2) intVal = decodeScalar(ctx, r, w, 'int32') as number;
        else if (num === 3) strVal = readString(ctx, r, w, 'IntOrString.strVal');
        else return false;
        return true;
      });
      if (type === 0) return intVal;
      if (type === 1) return strVal;
      return fail(ctx, `IntOrString has type ${type} (want 0 for int or 1 for string)`);
    }
    case 'rawJSON': {
      let raw: Uint8Array | undefined;
      forEachField(ctx, r, (num, w) => {
        if (num !== 1) return false;
        const outer = enterLength(ctx, r, w, 'raw');
        raw = r.buf.subarray(r.pos, r.end);
        leave(r, outer);
        return true;
      });
      return raw === undefined || raw.length === 0 ? null : parseJSON(ctx, raw);
    }
    case 'orArray':
    case 'orBool':
    case 'orStringArray': {
      let schema: unknown = undefined;
      let allows = false;
      const list: unknown[] = [];
      const schemaField = special === 'orBool' ? 2 : 1;
      const message: ValuePlan = { kind: 'message', table: JSON_SCHEMA_PROPS };
      forEachField(ctx, r, (num, w) => {
        if (num === schemaField) schema = decodeValue(ctx, r, w, message, depth, schema);
        else if (special === 'orBool' && num === 1)
          allows = decodeScalar(ctx, r, w, 'bool') as boolean;
        else if (special === 'orArray' && num === 2)
          decodeRepeated(ctx, r, w, message, depth, list);
        else if (special === 'orStringArray' && num === 2) {
          list.push(decodeScalar(ctx, r, w, 'string'));
        } else return false;
        return true;
      });
      if (special === 'orBool') return schema ?? allows;
      if (special === 'orArray') return list.length > 0 ? list : (schema ?? null);
      return list.length > 0 ? list : (schema ?? null);
    }
  }
}

/** Seconds from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z, the years RFC 3339 can write. */
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;
/** Go's zero time.Time, 0001-01-01T00:00:00Z, which marshals as `null`. */
const ZERO_TIME_SECONDS = -62135596800;

function formatTime(ctx: Context, seconds: number, nanos: number, micro: boolean): string | null {
  // MicroTime truncates nanos toward zero to whole microseconds, then normalizes.
  const ns = nanos - (nanos % 1000);
  const carry = Math.floor(ns / 1e9);
  const sec = seconds + carry;
  const frac = ns - carry * 1e9;
  if (sec === ZERO_TIME_SECONDS && frac === 0) return null;
  if (!(sec >= MIN_SECONDS && sec <= MAX_SECONDS)) {
    fail(ctx, `timestamp ${seconds}s is outside the years 0000-9999`);
  }
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  return micro ? `${base}.${String(frac / 1000).padStart(6, '0')}Z` : `${base}Z`;
}

function parseJSON(ctx: Context, raw: Uint8Array): unknown {
  try {
    return JSON.parse(strictUtf8.decode(raw)) as unknown;
  } catch {
    return fail(ctx, 'embedded JSON is not valid');
  }
}

function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * Encodes a Swagger 2.0 document (parsed JSON) as gnostic's `openapi.v2.Document`
 * protobuf message, the form kubectl asks for at `/openapi/v2` (it sends only
 * the protobuf media type). Field numbers are those of gnostic's
 * `openapiv2/OpenAPIv2.proto`; the JSON-to-message mapping follows gnostic's
 * compiler, which is what Kubernetes runs on its JSON document:
 *
 * - A key of the form `x-...` becomes a `NamedAny` vendor extension whose `Any`
 *   carries the value as YAML text in its `yaml` field (the `value` field is left
 *   empty, as gnostic leaves it for extensions it has no handler for). The YAML
 *   is flow style, which is what gnostic emits for a document read from JSON,
 *   e.g. `{"group": "", "kind": "ConfigMap", "version": "v1"}` for
 *   `x-kubernetes-group-version-kind`; `default`, `enum` and `example` values
 *   are carried the same way.
 * - Maps (`paths`, `definitions`, `properties`, response codes, ...) become
 *   repeated `Named*` pairs in the document's key order. (`JSON.parse` puts
 *   integer-like keys, e.g. response codes, first in ascending order.)
 * - Proto3 zero values (`""`, `false`, `0`, empty lists) are not written, as Go's
 *   marshaller omits them; a message whose key is present is always written,
 *   even when empty, so `properties: {}` stays distinguishable from no
 *   properties (kubectl's model parser tells objects from maps by it), and a
 *   oneof member (`additionalProperties: false`) is written even when false.
 * - A parameter is a body parameter when `in` is `body`, else the
 *   header / formData / query / path sub-schema `in` names; a parameter or
 *   response with `$ref` becomes a `JsonReference`; a response schema whose
 *   type is `file` becomes a `FileSchema`.
 *
 * Where Verge differs from gnostic:
 * - Keys gnostic does not know (e.g. OpenAPI v3's `nullable`, `oneOf`, `anyOf`,
 *   `not`) are dropped, where gnostic would reject the whole document; pass
 *   `onDropped` to learn which.
 * - A schema written `{allOf: [{$ref: X}], description, ...}` (the v3 way to put
 *   a description or default beside a reference) is encoded as
 *   `{$ref: X, description, ...}`, the way Kubernetes' own v2 document writes a
 *   described reference. kubectl's v2 model parser ignores `allOf` and would see
 *   such a field as an untyped value, losing the strategic-merge metadata below
 *   it. Done only when the schema has no `$ref`, `type` or `properties` of its
 *   own (the parser rejects a reference that has those).
 *
 * A value of the wrong JSON type for its field (a number where a string
 * belongs) is an `InvalidError` naming its path: the document is generated, so
 * this is a generator bug, and a half-encoded document would mislead kubectl.
 */
import { InvalidError } from '../../util/errors.ts';
import { isObject, type JsonObject } from '../../util/objects.ts';

/** The media type kubectl puts in `Accept` when it asks for the protobuf document. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * The `Content-Type` to answer with. Not the `Accept` form: `@` is not a token
 * character, so Go's `mime.ParseMediaType` in client-go rejects that form and
 * kubectl fails with "mime: unexpected content after media subtype".
 * Kubernetes answers with this dotted form, which kubectl also sends in
 * `Accept` in some versions; a server should accept both there.
 */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export interface EncodeOpenApiV2Options {
  /** Called with the JSON path of each key that has no place in the message (and is not `x-`). Default: none. */
  onDropped?: (path: string) => void;
}

/**
 * The document as an `openapi.v2.Document` message, without framing. Pure: it
 * does not mutate `doc`, and the caller owns the result. Costs one walk of the
 * document (80-170 ms for the built-in kinds, ~300 KB out), so callers cache it per document.
 */
export function encodeOpenApiV2(doc: unknown, options: EncodeOpenApiV2Options = {}): Uint8Array {
  const w = new ProtoWriter();
  const ctx: Ctx = { onDropped: options.onDropped ?? (() => {}) };
  writeObject(w, asObject(doc, '$'), DOCUMENT, '$', ctx);
  return w.finish();
}

// ---------------------------------------------------------------------------
// Protobuf writing

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

/**
 * Appends fields to a list of byte chunks; a nested message is written into its
 * own writer first (its length must precede it) and its chunks are then adopted,
 * so no byte is copied until `finish`.
 */
class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;
  #pending: number[] = [];

  get length(): number {
    return this.#length + this.#pending.length;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#chunks.push(Uint8Array.from(this.#pending));
    this.#length += this.#pending.length;
    this.#pending = [];
  }

  #varint(n: number): void {
    // Callers pass non-negative safe integers; negative int64s go through #varint64.
    while (n > 0x7f) {
      this.#pending.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.#pending.push(n);
  }

  #varint64(n: number): void {
    let v = BigInt.asUintN(64, BigInt(n));
    while (v > 0x7fn) {
      this.#pending.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#pending.push(Number(v));
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  #bytes(field: number, data: Uint8Array): void {
    this.#tag(field, WIRE_LEN);
    this.#varint(data.length);
    this.#flush();
    this.#chunks.push(data);
    this.#length += data.length;
  }

  string(field: number, s: string): void {
    if (s !== '') this.#bytes(field, utf8.encode(s));
  }

  /** A bool; `always` for oneof members, which are written even when false. */
  bool(field: number, b: boolean, always = false): void {
    if (!b && !always) return;
    this.#tag(field, WIRE_VARINT);
    this.#pending.push(b ? 1 : 0);
  }

  int64(field: number, n: number): void {
    if (n === 0) return;
    this.#tag(field, WIRE_VARINT);
    if (n > 0) this.#varint(n);
    else this.#varint64(n);
  }

  double(field: number, x: number): void {
    if (x === 0 && !Object.is(x, -0)) return;
    this.#tag(field, WIRE_FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    for (const byte of b) this.#pending.push(byte);
  }

  message(field: number, write: (w: ProtoWriter) => void): void {
    const child = new ProtoWriter();
    write(child);
    child.#flush();
    this.#tag(field, WIRE_LEN);
    this.#varint(child.#length);
    this.#flush();
    for (const c of child.#chunks) this.#chunks.push(c);
    this.#length += child.#length;
  }

  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// JSON to messages

interface Ctx {
  onDropped: (path: string) => void;
}

/** Writes the body of one message from `value`. */
type Body = (w: ProtoWriter, value: unknown, path: string, ctx: Ctx) => void;

/**
 * How one JSON key maps to a field: a scalar kind, a list of strings, an `Any`
 * (YAML text), a list of `Any`s, a nested message, or a list of messages.
 */
type Kind =
  | 'string'
  | 'bool'
  | 'double'
  | 'int64'
  | 'strings'
  | 'any'
  | 'anys'
  | { message: Body }
  | { list: Body };

/** One message's fields in field-number order; `vendorExtension` is the field of `x-` keys, if it has one. */
interface Layout {
  fields: readonly (readonly [key: string, field: number, kind: Kind])[];
  vendorExtension?: number;
}

function asObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw new InvalidError(`${path}: expected an object, got ${describe(v)}`);
  return v;
}

function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new InvalidError(`${path}: expected an array, got ${describe(v)}`);
  return v;
}

function asString(v: unknown, path: string): string {
  if (typeof v !== 'string')
    throw new InvalidError(`${path}: expected a string, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function writeField(
  w: ProtoWriter,
  field: number,
  kind: Kind,
  v: unknown,
  path: string,
  ctx: Ctx,
): void {
  switch (kind) {
    case 'string':
      w.string(field, asString(v, path));
      return;
    case 'bool':
      if (typeof v !== 'boolean')
        throw new InvalidError(`${path}: expected a boolean, got ${describe(v)}`);
      w.bool(field, v);
      return;
    case 'double':
      if (typeof v !== 'number')
        throw new InvalidError(`${path}: expected a number, got ${describe(v)}`);
      w.double(field, v);
      return;
    case 'int64':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
        throw new InvalidError(
          `${path}: expected an integer, got ${JSON.stringify(v) ?? describe(v)}`,
        );
      }
      w.int64(field, v);
      return;
    case 'strings':
      asArray(v, path).forEach((s, i) => w.string(field, asString(s, `${path}[${i}]`)));
      return;
    case 'any':
      w.message(field, (m) => writeAny(m, v));
      return;
    case 'anys':
      for (const x of asArray(v, path)) w.message(field, (m) => writeAny(m, x));
      return;
  }
  if ('message' in kind) {
    w.message(field, (m) => kind.message(m, v, path, ctx));
    return;
  }
  asArray(v, path).forEach((x, i) =>
    w.message(field, (m) => kind.list(m, x, `${path}[${i}]`, ctx)),
  );
}

/** Writes the fields of `layout` found in `obj`, its `x-` keys as vendor extensions, and reports the rest as dropped. */
function writeObject(
  w: ProtoWriter,
  obj: JsonObject,
  layout: Layout,
  path: string,
  ctx: Ctx,
): void {
  const known = new Set<string>();
  for (const [key, field, kind] of layout.fields) {
    known.add(key);
    const v = obj[key];
    if (v !== undefined) writeField(w, field, kind, v, `${path}.${key}`, ctx);
  }
  writeExtensions(w, obj, layout.vendorExtension, known, path, ctx);
}

function writeExtensions(
  w: ProtoWriter,
  obj: JsonObject,
  field: number | undefined,
  known: ReadonlySet<string>,
  path: string,
  ctx: Ctx,
): void {
  for (const [key, v] of Object.entries(obj)) {
    if (known.has(key) || v === undefined) continue;
    if (field !== undefined && key.startsWith('x-')) writeNamedAny(w, field, key, v);
    else ctx.onDropped(`${path}.${key}`);
  }
}

function writeNamedAny(w: ProtoWriter, field: number, name: string, v: unknown): void {
  w.message(field, (pair) => {
    pair.string(1, name);
    pair.message(2, (any) => writeAny(any, v));
  });
}

/** `Any` body: the value as YAML in field 2 (`yaml`). */
function writeAny(w: ProtoWriter, v: unknown): void {
  w.string(2, yamlText(v) + '\n');
}

/**
 * `v` as one line of flow-style YAML, the style gnostic keeps for values read
 * from JSON. Strings are double-quoted with JSON escapes (all valid in YAML),
 * plus escapes for what YAML would read as a line break or reject as a
 * non-printable character, so any YAML 1.1 or 1.2 parser reads back `v`.
 */
export function yamlText(v: unknown): string {
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : '.nan';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(yamlText).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as JsonObject).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${yamlString(k)}: ${yamlText(x)}`).join(', ')}}`;
  }
  return 'null';
}

function yamlString(s: string): string {
  // JSON.stringify leaves C1 controls, U+2028/2029 (line breaks in YAML 1.1),
  // BOM and U+FFFE/FFFF unescaped; YAML parsers reject or fold those.
  return JSON.stringify(s).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** A map as repeated `Named*` pairs (name = 1, value = 2) at `field`, `x-` keys apart if `vendorExtension` is set. */
function writeNamed(
  w: ProtoWriter,
  field: number,
  obj: JsonObject,
  value: Body,
  path: string,
  ctx: Ctx,
): void {
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    w.message(field, (pair) => {
      pair.string(1, key);
      pair.message(2, (m) => value(m, v, `${path}[${JSON.stringify(key)}]`, ctx));
    });
  }
}

/** A message whose only field (1) is a map: `Definitions`, `Properties`, `Headers`, ... */
function mapMessage(value: Body): Body {
  return (w, v, path, ctx) => writeNamed(w, 1, asObject(v, path), value, path, ctx);
}

function object(layout: () => Layout): Body {
  return (w, v, path, ctx) => writeObject(w, asObject(v, path), layout(), path, ctx);
}

// ---------------------------------------------------------------------------
// Messages (field numbers: gnostic openapiv2/OpenAPIv2.proto)

const EXTERNAL_DOCS: Layout = {
  fields: [
    ['description', 1, 'string'],
    ['url', 2, 'string'],
  ],
  vendorExtension: 3,
};
const externalDocs: Body = object(() => EXTERNAL_DOCS);

const XML: Layout = {
  fields: [
    ['name', 1, 'string'],
    ['namespace', 2, 'string'],
    ['prefix', 3, 'string'],
    ['attribute', 4, 'bool'],
    ['wrapped', 5, 'bool'],
  ],
  vendorExtension: 6,
};

/** `Schema`. */
const schema: Body = (w, v, path, ctx) => {
  writeObject(w, flattenDescribedRef(asObject(v, path)), SCHEMA, path, ctx);
};

/** `{allOf: [{$ref}], ...rest}` as `{$ref, ...rest}` where kubectl's parser would accept it (see the file comment). */
function flattenDescribedRef(s: JsonObject): JsonObject {
  const all = s.allOf;
  if (!Array.isArray(all) || all.length !== 1) return s;
  const only: unknown = all[0];
  if (only === null || typeof only !== 'object' || Array.isArray(only)) return s;
  const keys = Object.keys(only);
  if (keys.length !== 1 || keys[0] !== '$ref') return s;
  if (s.$ref !== undefined || s.type !== undefined || s.properties !== undefined) return s;
  const { allOf: _allOf, ...rest } = s;
  return { $ref: (only as JsonObject).$ref, ...rest };
}

const typeItem: Body = (w, v, path) => {
  if (typeof v === 'string') w.string(1, v);
  else asArray(v, path).forEach((t, i) => w.string(1, asString(t, `${path}[${i}]`)));
};

const itemsItem: Body = (w, v, path, ctx) => {
  if (Array.isArray(v))
    v.forEach((s, i) => w.message(1, (m) => schema(m, s, `${path}[${i}]`, ctx)));
  else w.message(1, (m) => schema(m, v, path, ctx));
};

const additionalPropertiesItem: Body = (w, v, path, ctx) => {
  if (typeof v === 'boolean') w.bool(2, v, true);
  else w.message(1, (m) => schema(m, v, path, ctx));
};

const SCHEMA: Layout = {
  fields: [
    ['$ref', 1, 'string'],
    ['format', 2, 'string'],
    ['title', 3, 'string'],
    ['description', 4, 'string'],
    ['default', 5, 'any'],
    ['multipleOf', 6, 'double'],
    ['maximum', 7, 'double'],
    ['exclusiveMaximum', 8, 'bool'],
    ['minimum', 9, 'double'],
    ['exclusiveMinimum', 10, 'bool'],
    ['maxLength', 11, 'int64'],
    ['minLength', 12, 'int64'],
    ['pattern', 13, 'string'],
    ['maxItems', 14, 'int64'],
    ['minItems', 15, 'int64'],
    ['uniqueItems', 16, 'bool'],
    ['maxProperties', 17, 'int64'],
    ['minProperties', 18, 'int64'],
    ['required', 19, 'strings'],
    ['enum', 20, 'anys'],
    ['additionalProperties', 21, { message: additionalPropertiesItem }],
    ['type', 22, { message: typeItem }],
    ['items', 23, { message: itemsItem }],
    ['allOf', 24, { list: schema }],
    ['properties', 25, { message: mapMessage(schema) }],
    ['discriminator', 26, 'string'],
    ['readOnly', 27, 'bool'],
    ['xml', 28, { message: object(() => XML) }],
    ['externalDocs', 29, { message: externalDocs }],
    ['example', 30, 'any'],
  ],
  vendorExtension: 31,
};

const FILE_SCHEMA: Layout = {
  fields: [
    ['format', 1, 'string'],
    ['title', 2, 'string'],
    ['description', 3, 'string'],
    ['default', 4, 'any'],
    ['required', 5, 'strings'],
    ['type', 6, 'string'],
    ['readOnly', 7, 'bool'],
    ['externalDocs', 8, { message: externalDocs }],
    ['example', 9, 'any'],
  ],
  vendorExtension: 10,
};

/** `SchemaItem`: a `FileSchema` (2) for `type: file`, else a `Schema` (1). */
const schemaItem: Body = (w, v, path, ctx) => {
  const s = asObject(v, path);
  if (s.type === 'file') w.message(2, (m) => writeObject(m, s, FILE_SCHEMA, path, ctx));
  else w.message(1, (m) => schema(m, s, path, ctx));
};

/**
 * The validation keywords shared, in this order, by `PrimitivesItems`, `Header`
 * and the four non-body parameter sub-schemas, each starting at its own field.
 */
function primitiveFields(first: number): Layout['fields'] {
  const keys: [string, Kind][] = [
    ['type', 'string'],
    ['format', 'string'],
    ['items', { message: primitivesItems }],
    ['collectionFormat', 'string'],
    ['default', 'any'],
    ['maximum', 'double'],
    ['exclusiveMaximum', 'bool'],
    ['minimum', 'double'],
    ['exclusiveMinimum', 'bool'],
    ['maxLength', 'int64'],
    ['minLength', 'int64'],
    ['pattern', 'string'],
    ['maxItems', 'int64'],
    ['minItems', 'int64'],
    ['uniqueItems', 'bool'],
    ['enum', 'anys'],
    ['multipleOf', 'double'],
  ];
  return keys.map(([key, kind], i) => [key, first + i, kind] as const);
}

/** `PrimitivesItems` (recursive through `items`). */
function primitivesItems(w: ProtoWriter, v: unknown, path: string, ctx: Ctx): void {
  writeObject(w, asObject(v, path), PRIMITIVES_ITEMS, path, ctx);
}

const PRIMITIVES_ITEMS: Layout = { fields: primitiveFields(1), vendorExtension: 18 };

const HEADER: Layout = {
  fields: [...primitiveFields(1), ['description', 18, 'string']],
  vendorExtension: 19,
};

const PARAMETER_HEAD: Layout['fields'] = [
  ['required', 1, 'bool'],
  ['in', 2, 'string'],
  ['description', 3, 'string'],
  ['name', 4, 'string'],
];

/** `HeaderParameterSubSchema` and `PathParameterSubSchema`. */
const HEADER_OR_PATH_PARAMETER: Layout = {
  fields: [...PARAMETER_HEAD, ...primitiveFields(5)],
  vendorExtension: 22,
};

/** `QueryParameterSubSchema` and `FormDataParameterSubSchema`. */
const QUERY_OR_FORM_PARAMETER: Layout = {
  fields: [...PARAMETER_HEAD, ['allowEmptyValue', 5, 'bool'], ...primitiveFields(6)],
  vendorExtension: 23,
};

const BODY_PARAMETER: Layout = {
  fields: [
    ['description', 1, 'string'],
    ['name', 2, 'string'],
    ['in', 3, 'string'],
    ['required', 4, 'bool'],
    ['schema', 5, { message: schema }],
  ],
  vendorExtension: 6,
};

/** `NonBodyParameter`'s oneof member for each `in`. */
const NON_BODY: Record<string, readonly [field: number, layout: Layout]> = {
  header: [1, HEADER_OR_PATH_PARAMETER],
  formData: [2, QUERY_OR_FORM_PARAMETER],
  query: [3, QUERY_OR_FORM_PARAMETER],
  path: [4, HEADER_OR_PATH_PARAMETER],
};

/** `Parameter`: `BodyParameter` (1) or `NonBodyParameter` (2). */
const parameter: Body = (w, v, path, ctx) => {
  const p = asObject(v, path);
  if (p.in === 'body') {
    w.message(1, (m) => writeObject(m, p, BODY_PARAMETER, path, ctx));
    return;
  }
  const where =
    typeof p.in === 'string' && Object.hasOwn(NON_BODY, p.in) ? NON_BODY[p.in] : undefined;
  if (!where) {
    throw new InvalidError(
      `${path}.in: expected body, header, formData, query or path, got ${JSON.stringify(p.in) ?? 'nothing'}`,
    );
  }
  const [field, layout] = where;
  w.message(2, (nb) => nb.message(field, (m) => writeObject(m, p, layout, path, ctx)));
};

const JSON_REFERENCE: Layout = {
  fields: [
    ['$ref', 1, 'string'],
    ['description', 2, 'string'],
  ],
};

/** A oneof of a value and a `JsonReference`: the reference (at `refField`) when `$ref` is set. */
function orReference(valueField: number, value: Body, refField: number): Body {
  return (w, v, path, ctx) => {
    const o = asObject(v, path);
    if (o.$ref !== undefined)
      w.message(refField, (m) => writeObject(m, o, JSON_REFERENCE, path, ctx));
    else w.message(valueField, (m) => value(m, o, path, ctx));
  };
}

/** `ParametersItem`: `Parameter` (1) or `JsonReference` (2). */
const parametersItem: Body = orReference(1, parameter, 2);

const RESPONSE: Layout = {
  fields: [
    ['description', 1, 'string'],
    ['schema', 2, { message: schemaItem }],
    ['headers', 3, { message: mapMessage(object(() => HEADER)) }],
    ['examples', 4, { message: (w, v, path) => writeNamedAnys(w, 1, asObject(v, path)) }],
  ],
  vendorExtension: 5,
};
const response: Body = object(() => RESPONSE);

function writeNamedAnys(w: ProtoWriter, field: number, obj: JsonObject): void {
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) writeNamedAny(w, field, k, v);
}

/** `Responses`: codes as `NamedResponseValue` (1), `x-` keys as vendor extensions (2). */
const responses: Body = (w, v, path, ctx) => {
  const o = asObject(v, path);
  const codes: JsonObject = {};
  for (const [k, x] of Object.entries(o)) if (!k.startsWith('x-')) codes[k] = x;
  writeNamed(w, 1, codes, orReference(1, response, 2), path, ctx);
  writeExtensions(w, o, 2, new Set(Object.keys(codes)), path, ctx);
};

/** `SecurityRequirement`: a map of scheme name to `StringArray` of scopes. */
const securityRequirement: Body = mapMessage((w, v, path) => {
  asArray(v, path).forEach((s, i) => w.string(1, asString(s, `${path}[${i}]`)));
});

const OPERATION: Layout = {
  fields: [
    ['tags', 1, 'strings'],
    ['summary', 2, 'string'],
    ['description', 3, 'string'],
    ['externalDocs', 4, { message: externalDocs }],
    ['operationId', 5, 'string'],
    ['produces', 6, 'strings'],
    ['consumes', 7, 'strings'],
    ['parameters', 8, { list: parametersItem }],
    ['responses', 9, { message: responses }],
    ['schemes', 10, 'strings'],
    ['deprecated', 11, 'bool'],
    ['security', 12, { list: securityRequirement }],
  ],
  vendorExtension: 13,
};
const operation: Body = object(() => OPERATION);

const PATH_ITEM: Layout = {
  fields: [
    ['$ref', 1, 'string'],
    ['get', 2, { message: operation }],
    ['put', 3, { message: operation }],
    ['post', 4, { message: operation }],
    ['delete', 5, { message: operation }],
    ['options', 6, { message: operation }],
    ['head', 7, { message: operation }],
    ['patch', 8, { message: operation }],
    ['parameters', 9, { list: parametersItem }],
  ],
  vendorExtension: 10,
};

/** `Paths`: `x-` keys as vendor extensions (1), `/...` keys as `NamedPathItem` (2). */
const paths: Body = (w, v, path, ctx) => {
  const o = asObject(v, path);
  const items: JsonObject = {};
  for (const [k, x] of Object.entries(o)) if (k.startsWith('/')) items[k] = x;
  writeExtensions(w, o, 1, new Set(Object.keys(items)), path, ctx);
  writeNamed(
    w,
    2,
    items,
    object(() => PATH_ITEM),
    path,
    ctx,
  );
};

const INFO: Layout = {
  fields: [
    ['title', 1, 'string'],
    ['version', 2, 'string'],
    ['description', 3, 'string'],
    ['termsOfService', 4, 'string'],
    [
      'contact',
      5,
      {
        message: object(() => ({
          fields: [
            ['name', 1, 'string'],
            ['url', 2, 'string'],
            ['email', 3, 'string'],
          ],
          vendorExtension: 4,
        })),
      },
    ],
    [
      'license',
      6,
      {
        message: object(() => ({
          fields: [
            ['name', 1, 'string'],
            ['url', 2, 'string'],
          ],
          vendorExtension: 3,
        })),
      },
    ],
  ],
  vendorExtension: 7,
};

const TAG: Layout = {
  fields: [
    ['name', 1, 'string'],
    ['description', 2, 'string'],
    ['externalDocs', 3, { message: externalDocs }],
  ],
  vendorExtension: 4,
};

const oauth2Scopes: Body = mapMessage((w, v, path) => w.string(1, asString(v, path)));

/** The oneof member of `SecurityDefinitionsItem` for each `type` (and, for oauth2, `flow`), with its layout. */
function securityScheme(s: JsonObject): readonly [field: number, layout: Layout] | undefined {
  const head: Layout['fields'] = [['type', 1, 'string']];
  const oauth = (...rest: [string, Kind][]): Layout => ({
    fields: [
      ...head,
      ['flow', 2, 'string'],
      ['scopes', 3, { message: oauth2Scopes }],
      ...rest.map(([k, kind], i) => [k, 4 + i, kind] as const),
    ],
    vendorExtension: 4 + rest.length,
  });
  if (s.type === 'basic') {
    return [1, { fields: [...head, ['description', 2, 'string']], vendorExtension: 3 }];
  }
  if (s.type === 'apiKey') {
    const fields: Layout['fields'] = [
      ...head,
      ['name', 2, 'string'],
      ['in', 3, 'string'],
      ['description', 4, 'string'],
    ];
    return [2, { fields, vendorExtension: 5 }];
  }
  if (s.type !== 'oauth2') return undefined;
  switch (s.flow) {
    case 'implicit':
      return [3, oauth(['authorizationUrl', 'string'], ['description', 'string'])];
    case 'password':
      return [4, oauth(['tokenUrl', 'string'], ['description', 'string'])];
    case 'application':
      return [5, oauth(['tokenUrl', 'string'], ['description', 'string'])];
    case 'accessCode':
      return [
        6,
        oauth(['authorizationUrl', 'string'], ['tokenUrl', 'string'], ['description', 'string']),
      ];
  }
  return undefined;
}

const securityDefinitionsItem: Body = (w, v, path, ctx) => {
  const s = asObject(v, path);
  const scheme = securityScheme(s);
  if (!scheme) {
    throw new InvalidError(
      `${path}: unknown security scheme type ${JSON.stringify(s.type)} (flow ${JSON.stringify(s.flow)})`,
    );
  }
  w.message(scheme[0], (m) => writeObject(m, s, scheme[1], path, ctx));
};

const DOCUMENT: Layout = {
  fields: [
    ['swagger', 1, 'string'],
    ['info', 2, { message: object(() => INFO) }],
    ['host', 3, 'string'],
    ['basePath', 4, 'string'],
    ['schemes', 5, 'strings'],
    ['consumes', 6, 'strings'],
    ['produces', 7, 'strings'],
    ['paths', 8, { message: paths }],
    ['definitions', 9, { message: mapMessage(schema) }],
    ['parameters', 10, { message: mapMessage(parameter) }],
    ['responses', 11, { message: mapMessage(response) }],
    ['security', 12, { list: securityRequirement }],
    ['securityDefinitions', 13, { message: mapMessage(securityDefinitionsItem) }],
    ['tags', 14, { list: object(() => TAG) }],
    ['externalDocs', 15, { message: externalDocs }],
  ],
  vendorExtension: 16,
};

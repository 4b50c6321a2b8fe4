import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchemaResolver, type JSONSchemaProps } from '../schema.ts';
import { applyDefaults } from './defaults.ts';
import { prune, unknownFields } from './prune.ts';
import { validateValue } from './validate.ts';
import { MAX_CAUSES } from './schema-node.ts';

const none = new SchemaResolver({});

/**
 * Few keys, so generated values often hit declared fields (and TypeMeta/ObjectMeta),
 * and keys that name Object.prototype members.
 */
const key = fc.constantFrom(
  'a',
  'b',
  'c',
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'labels',
  'constructor',
  '__proto__',
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, 0, 1.5, 'x', ''),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const { schema } = fc.letrec<{
  schema: JSONSchemaProps;
  object: JSONSchemaProps;
  array: JSONSchemaProps;
}>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record(
      {
        type: fc.constantFrom('string', 'integer', 'number', 'boolean') as fc.Arbitrary<
          JSONSchemaProps['type']
        >,
        nullable: maybe(fc.boolean()),
        default: maybe(value),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      { 'x-kubernetes-int-or-string': fc.constant(true), default: maybe(value) },
      { requiredKeys: ['x-kubernetes-int-or-string'] },
    ),
    tie('object'),
    tie('array'),
  ),
  object: fc.record(
    {
      type: fc.constant('object' as const),
      properties: fc.dictionary(key, tie('schema'), { maxKeys: 3, noNullPrototype: true }),
      additionalProperties: maybe(fc.oneof(fc.boolean(), tie('schema'))),
      'x-kubernetes-preserve-unknown-fields': maybe(fc.constant(true)),
      'x-kubernetes-embedded-resource': maybe(fc.constant(true)),
      nullable: maybe(fc.boolean()),
      default: maybe(value),
    },
    { requiredKeys: ['type'] },
  ),
  array: fc.record(
    {
      type: fc.constant('array' as const),
      items: tie('schema'),
      nullable: maybe(fc.boolean()),
      default: maybe(value),
    },
    { requiredKeys: ['type', 'items'] },
  ),
}));

/**
 * Values shaped by `s` (declared fields, plus a few undeclared ones and some
 * noise), so that the walks meet declared fields, nested schemas and defaults.
 */
function valueFor(s: JSONSchemaProps): fc.Arbitrary<unknown> {
  if (s.type === 'object') {
    const declared = fc.record(
      Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, p]) => [k, valueFor(p)])),
      { requiredKeys: [] },
    );
    const extra = fc.dictionary(key, value, { maxKeys: 2, noNullPrototype: true });
    const shaped = fc.tuple(extra, declared).map(([e, d]) => ({ ...e, ...d }));
    return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: value });
  }
  if (s.type === 'array' && s.items !== undefined) {
    const items = fc.array(valueFor(s.items), { maxLength: 3 });
    return fc.oneof({ weight: 4, arbitrary: items }, { weight: 1, arbitrary: value });
  }
  return value;
}

/** `s` with `default`s shaped like the values they stand for (often partly invalid). */
function withDefaults(s: JSONSchemaProps): fc.Arbitrary<JSONSchemaProps> {
  const props = Object.entries(s.properties ?? {});
  const extra = s.additionalProperties;
  return fc
    .record({
      properties: fc.tuple(...props.map(([k, p]) => withDefaults(p).map((d) => [k, d] as const))),
      items: s.items === undefined ? fc.constant(undefined) : withDefaults(s.items),
      extra: typeof extra === 'object' ? withDefaults(extra) : fc.constant(extra),
      default: fc.oneof(fc.constant(s.default), valueFor(s)),
    })
    .map((r) => {
      const out: JSONSchemaProps = { ...s, default: r.default };
      if (r.default === undefined) delete out.default;
      if (s.properties !== undefined) out.properties = Object.fromEntries(r.properties);
      if (r.items !== undefined) out.items = r.items;
      if (r.extra !== undefined) out.additionalProperties = r.extra;
      return out;
    });
}

const schemaWithDefaults = schema.chain(withDefaults);
const objectSchema = schemaWithDefaults.filter((s) => s.type === 'object');

/** A schema and a value for it. */
const schemaAndValue = (schemas: fc.Arbitrary<JSONSchemaProps>) =>
  schemas.chain((s) => fc.tuple(fc.constant(s), valueFor(s)));

describe('properties', () => {
  it('prune, then unknownFields finds nothing', () => {
    fc.assert(
      fc.property(schemaAndValue(objectSchema), ([s, v]) => {
        const x = structuredClone(v);
        prune(x, s, none);
        assert.deepEqual(unknownFields(x, s, none), []);
      }),
      { numRuns: 2000 },
    );
  });

  it('unknownFields reports exactly what prune removes, and prune is idempotent', () => {
    fc.assert(
      fc.property(schemaAndValue(objectSchema), ([s, v]) => {
        const x = structuredClone(v);
        const reported = unknownFields(x, s, none);
        assert.deepEqual(x, structuredClone(v), 'unknownFields must not change its input');
        assert.deepEqual(prune(x, s, none), reported);
        const once = structuredClone(x);
        assert.deepEqual(prune(x, s, none), []);
        assert.deepEqual(x, once);
      }),
      { numRuns: 2000 },
    );
  });

  it('applyDefaults is idempotent', () => {
    fc.assert(
      fc.property(schemaAndValue(schemaWithDefaults), ([s, v]) => {
        const x = structuredClone(v);
        applyDefaults(x, s, none);
        const once = structuredClone(x);
        applyDefaults(x, s, none);
        assert.deepEqual(x, once);
      }),
      { numRuns: 2000 },
    );
  });

  it('validateValue never throws and stays within the cause limit', () => {
    fc.assert(
      fc.property(schemaAndValue(schemaWithDefaults), ([s, v]) => {
        const causes = validateValue(v, s, none);
        assert.ok(causes.length <= MAX_CAUSES);
        for (const c of causes) assert.equal(typeof c.message, 'string');
      }),
      { numRuns: 2000 },
    );
  });
});

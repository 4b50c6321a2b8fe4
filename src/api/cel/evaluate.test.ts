import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldCause } from '../../util/errors.ts';
import { SchemaResolver, type JSONSchemaProps } from '../schema.ts';
import { evaluateRules } from './index.ts';

const resolver = new SchemaResolver({});

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];

const specProps: Record<string, JSONSchemaProps> = {
  replicas: { type: 'integer' },
  minReplicas: { type: 'integer' },
  maxReplicas: { type: 'integer' },
  ratio: { type: 'number' },
  name: { type: 'string' },
  z: { type: 'string' },
  list: { type: 'array', items: { type: 'string' } },
  numbers: { type: 'array', items: { type: 'integer' } },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  port: { 'x-kubernetes-int-or-string': true },
  'x-prop': { type: 'string' },
  maybe: { type: 'string', nullable: true },
  created: { type: 'string', format: 'date-time' },
  day: { type: 'string', format: 'date' },
  timeout: { type: 'string', format: 'duration' },
  blob: { type: 'string', format: 'byte' },
};

/** A resource whose `spec` carries `rules`. */
function withSpecRules(rules: Rule[]): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: specProps, 'x-kubernetes-validations': rules },
    },
  };
}

const invalid = (field: string, detail: string, type = 'object'): FieldCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(type)}: ${detail}`,
});

interface Row {
  rule: string;
  /** `spec` values the rule accepts. */
  pass: unknown[];
  /** `spec` values it rejects (with the default message). */
  fail: unknown[];
}

// Each rule is evaluated against objects it must accept and objects it must
// reject; a rejection is exactly Kubernetes' default cause.
const table: Row[] = [
  // Comparisons of integer fields: JSON numbers of `type: integer` are CEL ints.
  {
    rule: 'self.minReplicas <= self.maxReplicas',
    pass: [{ minReplicas: 1, maxReplicas: 1 }],
    fail: [{ minReplicas: 2, maxReplicas: 1 }],
  },
  { rule: 'self.replicas <= 10', pass: [{ replicas: 10 }], fail: [{ replicas: 11 }] },
  {
    rule: 'self.replicas == 3 && self.replicas + 1 == 4',
    pass: [{ replicas: 3 }],
    fail: [{ replicas: 2 }],
  },
  // `type: number` is a double even when the JSON number is integral.
  { rule: 'self.ratio == 1.0 && self.ratio > 0.5', pass: [{ ratio: 1 }], fail: [{ ratio: 0.25 }] },
  {
    rule: 'self.ratio < self.replicas',
    pass: [{ ratio: 1.5, replicas: 2 }],
    fail: [{ ratio: 2.5, replicas: 2 }],
  },
  // Presence.
  { rule: 'has(self.z)', pass: [{ z: '' }], fail: [{}, { z: null }] },
  { rule: '!has(self.name) || self.name != ""', pass: [{}, { name: 'a' }], fail: [{ name: '' }] },
  // A null field is absent, even when nullable.
  {
    rule: "!has(self.maybe) || self.maybe != ''",
    pass: [{}, { maybe: null }, { maybe: 'x' }],
    fail: [{ maybe: '' }],
  },
  // Sizes of lists, maps and strings.
  {
    rule: 'self.list.size() <= 2',
    pass: [{ list: ['a', 'b'] }],
    fail: [{ list: ['a', 'b', 'c'] }],
  },
  { rule: 'size(self.labels) == 1', pass: [{ labels: { a: 'b' } }], fail: [{ labels: {} }] },
  {
    rule: 'self.name.size() == 3',
    pass: [{ name: 'abc' }, { name: 'äbc' }],
    fail: [{ name: 'ab' }],
  },
  // String functions.
  { rule: "self.name.startsWith('web-')", pass: [{ name: 'web-1' }], fail: [{ name: 'db-1' }] },
  { rule: "self.name.endsWith('.io')", pass: [{ name: 'a.io' }], fail: [{ name: 'a.com' }] },
  { rule: "self.name.contains('@')", pass: [{ name: 'a@b' }], fail: [{ name: 'ab' }] },
  {
    rule: "self.name.matches('^[a-z]+[0-9]?$')",
    pass: [{ name: 'abc1' }],
    fail: [{ name: 'Abc' }],
  },
  { rule: 'self.name.lowerAscii() == self.name', pass: [{ name: 'abc' }], fail: [{ name: 'aBc' }] },
  { rule: 'self.name.upperAscii() == "ABC"', pass: [{ name: 'abc' }], fail: [{ name: 'abd' }] },
  { rule: "self.name.indexOf('b') == 1", pass: [{ name: 'abc' }], fail: [{ name: 'bbc' }] },
  { rule: "self.name.lastIndexOf('b') == 2", pass: [{ name: 'abb' }], fail: [{ name: 'abc' }] },
  { rule: "self.name.charAt(0) == 'x'", pass: [{ name: 'xy' }], fail: [{ name: 'yx' }] },
  { rule: "self.name.substring(1, 3) == 'bc'", pass: [{ name: 'abcd' }], fail: [{ name: 'axcd' }] },
  { rule: "self.name.replace('-', '') == 'ab'", pass: [{ name: 'a-b' }], fail: [{ name: 'a_b' }] },
  { rule: "self.name.split('.').size() == 3", pass: [{ name: 'a.b.c' }], fail: [{ name: 'a.b' }] },
  { rule: 'self.name.trim() == self.name', pass: [{ name: 'a b' }], fail: [{ name: ' a' }] },
  {
    rule: "self.list.join(',') == 'a,b'",
    pass: [{ list: ['a', 'b'] }],
    fail: [{ list: ['b', 'a'] }],
  },
  // List macros and `in`.
  {
    rule: "self.list.all(x, x.startsWith('a'))",
    pass: [{ list: [] }, { list: ['a', 'ab'] }],
    fail: [{ list: ['a', 'b'] }],
  },
  {
    rule: "self.list.exists(x, x == 'b')",
    pass: [{ list: ['a', 'b'] }],
    fail: [{ list: [] }, { list: ['a'] }],
  },
  {
    rule: "self.list.exists_one(x, x == 'b')",
    pass: [{ list: ['a', 'b'] }],
    fail: [{ list: ['b', 'b'] }],
  },
  {
    rule: 'self.numbers.map(x, x * 2) == [2, 4]',
    pass: [{ numbers: [1, 2] }],
    fail: [{ numbers: [1, 3] }],
  },
  {
    rule: 'self.numbers.map(x, x > 1, x * 10) == [20]',
    pass: [{ numbers: [1, 2] }],
    fail: [{ numbers: [3] }],
  },
  {
    rule: 'self.numbers.filter(x, x % 2 == 0).size() == 1',
    pass: [{ numbers: [1, 2, 3] }],
    fail: [{ numbers: [2, 4] }],
  },
  { rule: "'b' in self.list", pass: [{ list: ['b'] }], fail: [{ list: ['a'] }] },
  // Maps (additionalProperties).
  {
    rule: "'app' in self.labels",
    pass: [{ labels: { app: 'x' } }],
    fail: [{ labels: { other: 'x' } }],
  },
  {
    rule: "self.labels.all(k, k.startsWith('x-') && self.labels[k] != '')",
    pass: [{ labels: { 'x-a': '1' } }],
    fail: [{ labels: { 'x-a': '' } }, { labels: { a: '1' } }],
  },
  {
    rule: "self.labels.exists(k, self.labels[k] == 'v')",
    pass: [{ labels: { a: 'v' } }],
    fail: [{ labels: { a: 'w' } }],
  },
  {
    rule: "self.labels.app == 'web'",
    pass: [{ labels: { app: 'web' } }],
    fail: [{ labels: { app: 'db' } }],
  },
  // int-or-string.
  {
    rule: "type(self.port) == int ? self.port < 1024 : self.port.endsWith('%')",
    pass: [{ port: 80 }, { port: '50%' }],
    fail: [{ port: 8080 }, { port: 'http' }],
  },
  // Strings with formats are timestamps, durations and bytes, as in Kubernetes.
  {
    rule: "self.created >= timestamp('2024-01-01T00:00:00Z')",
    pass: [{ created: '2024-01-01T00:00:00Z' }, { created: '2024-01-01T01:00:00+01:00' }],
    fail: [{ created: '2023-12-31T23:59:59.999Z' }, { created: '2024-01-01T00:30:00+01:00' }],
  },
  {
    rule: 'self.created.getHours() == 13 && self.created.getMilliseconds() == 250',
    pass: [{ created: '2024-05-06T13:14:15.25Z' }],
    fail: [{ created: '2024-05-06T13:14:15Z' }],
  },
  {
    rule: "self.day == timestamp('2024-02-29T00:00:00Z')",
    pass: [{ day: '2024-02-29' }],
    fail: [{ day: '2024-03-01' }],
  },
  {
    rule: "self.timeout <= duration('1h30m')",
    pass: [{ timeout: '90m' }, { timeout: '1.5h' }, { timeout: '5400s' }, { timeout: '1 hour' }],
    fail: [{ timeout: '1h30m1s' }, { timeout: '2 hours' }, { timeout: '1d' }],
  },
  { rule: "self.blob == b'hello'", pass: [{ blob: 'aGVsbG8=' }], fail: [{ blob: 'aGVsbG8h' }] },
  // Kubernetes' escaping of property names.
  { rule: "self.x__dash__prop == 'on'", pass: [{ 'x-prop': 'on' }], fail: [{ 'x-prop': 'off' }] },
];

describe('evaluateRules: table of rules and objects', () => {
  for (const row of table) {
    const schema = withSpecRules([{ rule: row.rule }]);
    for (const spec of row.pass) {
      it(`${row.rule} accepts ${JSON.stringify(spec)}`, () => {
        assert.deepEqual(evaluateRules({ spec }, undefined, schema, resolver), []);
      });
    }
    for (const spec of row.fail) {
      it(`${row.rule} rejects ${JSON.stringify(spec)}`, () => {
        assert.deepEqual(evaluateRules({ spec }, undefined, schema, resolver), [
          invalid('spec', `failed rule: ${row.rule}`),
        ]);
      });
    }
  }
});

describe('evaluateRules: causes', () => {
  it('uses the message, trimmed', () => {
    const schema = withSpecRules([
      {
        rule: 'self.minReplicas <= self.maxReplicas',
        message: ' minReplicas must not exceed maxReplicas ',
      },
    ]);
    assert.deepEqual(
      evaluateRules({ spec: { minReplicas: 3, maxReplicas: 2 } }, undefined, schema, resolver),
      [invalid('spec', 'minReplicas must not exceed maxReplicas')],
    );
  });

  it('reports every failed rule, in order', () => {
    const schema = withSpecRules([
      { rule: 'self.replicas > 0', message: 'positive' },
      { rule: 'self.replicas < 10' },
      { rule: 'self.replicas != 5' },
    ]);
    assert.deepEqual(evaluateRules({ spec: { replicas: -1 } }, undefined, schema, resolver), [
      invalid('spec', 'positive'),
    ]);
    assert.deepEqual(evaluateRules({ spec: { replicas: 50 } }, undefined, schema, resolver), [
      invalid('spec', 'failed rule: self.replicas < 10'),
    ]);
  });

  it('words reasons as Kubernetes does', () => {
    const schema = withSpecRules([
      { rule: 'false', message: 'no', reason: 'FieldValueForbidden' },
      { rule: 'false', message: 'needed', reason: 'FieldValueRequired' },
      { rule: 'false', message: 'twice', reason: 'FieldValueDuplicate' },
      { rule: 'false', message: 'bad', reason: 'FieldValueInvalid' },
    ]);
    assert.deepEqual(evaluateRules({ spec: {} }, undefined, schema, resolver), [
      { reason: 'FieldValueForbidden', field: 'spec', message: 'Forbidden: no' },
      { reason: 'FieldValueRequired', field: 'spec', message: 'Required value: needed' },
      { reason: 'FieldValueDuplicate', field: 'spec', message: 'Duplicate value: "object"' },
      invalid('spec', 'bad'),
    ]);
  });

  it('reports on fieldPath when given', () => {
    const schema = withSpecRules([
      { rule: 'self.replicas < 10', fieldPath: '.replicas', message: 'too many' },
      { rule: "self.labels['a.b'] == 'x'", fieldPath: ".labels['a.b']" },
    ]);
    assert.deepEqual(
      evaluateRules(
        { spec: { replicas: 10, labels: { 'a.b': 'y' } } },
        undefined,
        schema,
        resolver,
      ),
      [
        invalid('spec.replicas', 'too many'),
        invalid('spec.labels[a.b]', "failed rule: self.labels['a.b'] == 'x'"),
      ],
    );
  });

  it('uses messageExpression, falling back to the message when it gives no usable text', () => {
    const schema = withSpecRules([
      {
        rule: 'self.replicas < 10',
        message: 'static',
        messageExpression: "'replicas is ' + string(self.replicas) + ', the limit is 9'",
      },
      { rule: 'self.replicas < 10', message: 'fallback', messageExpression: "'  '" },
      { rule: 'self.replicas < 10', messageExpression: "'a\\nb'" },
      { rule: 'self.replicas < 10', message: 'on error', messageExpression: 'self.name' },
    ]);
    assert.deepEqual(evaluateRules({ spec: { replicas: 12 } }, undefined, schema, resolver), [
      invalid('spec', 'replicas is 12, the limit is 9'),
      invalid('spec', 'fallback'),
      invalid('spec', 'failed rule: self.replicas < 10'),
      invalid('spec', 'on error'),
    ]);
  });

  it('reports evaluation errors as Kubernetes words them', () => {
    const schema = withSpecRules([
      { rule: "self.z == 'a'" },
      { rule: "self.port.startsWith('a')", message: 'port must start with a' },
      { rule: 'self.replicas / 0 == 1' },
      { rule: 'self.list[3] == "a"' },
      { rule: 'self.replicas + 9223372036854775807 > 0' },
    ]);
    assert.deepEqual(
      evaluateRules({ spec: { port: 80, replicas: 1, list: [] } }, undefined, schema, resolver),
      [
        invalid('spec', "no such key: z evaluating rule: self.z == 'a'"),
        invalid(
          'spec',
          "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: port must start with a",
        ),
        invalid('spec', 'division by zero evaluating rule: self.replicas / 0 == 1'),
        invalid('spec', 'index out of bounds: 3 evaluating rule: self.list[3] == "a"'),
        invalid(
          'spec',
          'integer overflow evaluating rule: self.replicas + 9223372036854775807 > 0',
        ),
      ],
    );
  });

  it('reports a rule at the resource root on <nil>, and sees metadata.name there', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { metadata: { type: 'object' }, spec: { type: 'object', properties: specProps } },
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('web-')", message: 'name must start with web-' },
        { rule: 'self.spec.replicas <= 3', fieldPath: '.spec.replicas' },
      ],
    };
    const obj = {
      apiVersion: 'x/v1',
      kind: 'W',
      metadata: { name: 'db-1', labels: { a: 'b' } },
      spec: { replicas: 4 },
    };
    assert.deepEqual(evaluateRules(obj, undefined, schema, resolver), [
      invalid('<nil>', 'name must start with web-'),
      invalid('spec.replicas', 'failed rule: self.spec.replicas <= 3'),
    ]);
  });

  it('names the type of a scalar node as the offending value', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != 'x'" }] },
            count: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0' }] },
          },
        },
      },
    };
    assert.deepEqual(
      evaluateRules({ spec: { name: 'x', count: 0 } }, undefined, schema, resolver),
      [
        invalid('spec.name', "failed rule: self != 'x'", 'string'),
        invalid('spec.count', 'failed rule: self > 0', 'integer'),
      ],
    );
  });

  it('evaluates rules on list items and map values with their paths', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, size: { type: 'integer' } },
                'x-kubernetes-validations': [{ rule: 'self.size < 10', message: 'too big' }],
              },
            },
            byName: {
              type: 'object',
              additionalProperties: {
                type: 'integer',
                'x-kubernetes-validations': [{ rule: 'self >= 0' }],
              },
            },
          },
        },
      },
    };
    const obj = {
      spec: {
        items: [
          { name: 'a', size: 1 },
          { name: 'b', size: 12 },
        ],
        byName: { a: 1, b: -1 },
      },
    };
    assert.deepEqual(evaluateRules(obj, undefined, schema, resolver), [
      invalid('spec.items[1]', 'too big'),
      invalid('spec.byName[b]', 'failed rule: self >= 0', 'integer'),
    ]);
  });

  it('does not evaluate rules on absent or null nodes', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            sub: {
              type: 'object',
              nullable: true,
              properties: { a: { type: 'string' } },
              'x-kubernetes-validations': [{ rule: 'false' }],
            },
          },
        },
      },
    };
    assert.deepEqual(evaluateRules({ spec: {} }, undefined, schema, resolver), []);
    assert.deepEqual(evaluateRules({ spec: { sub: null } }, undefined, schema, resolver), []);
    assert.deepEqual(evaluateRules({}, undefined, schema, resolver), []);
    assert.deepEqual(evaluateRules({ spec: { sub: {} } }, undefined, schema, resolver), [
      invalid('spec.sub', 'failed rule: false'),
    ]);
  });

  it('reports, never ignores, a rule that does not compile', () => {
    const schema = withSpecRules([{ rule: 'self.nope > 1' }, { rule: 'self.replicas > 1' }]);
    assert.deepEqual(evaluateRules({ spec: { replicas: 0 } }, undefined, schema, resolver), [
      invalid(
        'spec',
        "rule compile error: compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope > 1\n | ....^",
      ),
      invalid('spec', 'failed rule: self.replicas > 1'),
    ]);
  });

  it('reports a rule asking for optionalOldSelf, which Verge cannot evaluate', () => {
    const schema = withSpecRules([{ rule: 'self == oldSelf', optionalOldSelf: true }]);
    assert.deepEqual(evaluateRules({ spec: {} }, undefined, schema, resolver), [
      invalid('spec', 'rule compile error: optionalOldSelf is not supported by Verge'),
    ]);
  });

  it('does not change its inputs', () => {
    const schema = withSpecRules([{ rule: 'self.replicas > 1' }]);
    const obj = { spec: { replicas: 0, list: ['a'] } };
    const copy = structuredClone(obj);
    evaluateRules(obj, structuredClone(obj), schema, resolver);
    assert.deepEqual(obj, copy);
  });
});

describe('evaluateRules: transition rules', () => {
  const immutable: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            'x-kubernetes-validations': [
              { rule: 'self == oldSelf', message: 'Value is immutable' },
            ],
          },
          replicas: { type: 'integer' },
        },
        'x-kubernetes-validations': [
          { rule: 'self.replicas >= oldSelf.replicas', message: 'replicas may not decrease' },
        ],
      },
    },
  };

  it('reports a change to an immutable value on update', () => {
    const old = { spec: { name: 'a', replicas: 1 } };
    assert.deepEqual(
      evaluateRules({ spec: { name: 'b', replicas: 1 } }, old, immutable, resolver),
      [invalid('spec.name', 'Value is immutable', 'string')],
    );
    assert.deepEqual(
      evaluateRules({ spec: { name: 'a', replicas: 0 } }, old, immutable, resolver),
      [invalid('spec', 'replicas may not decrease')],
    );
    assert.deepEqual(
      evaluateRules({ spec: { name: 'a', replicas: 2 } }, old, immutable, resolver),
      [],
    );
  });

  it('lets a messageExpression name oldSelf on update', () => {
    const schema = withSpecRules([
      {
        rule: 'self.replicas >= 1',
        messageExpression:
          "'replicas was ' + string(oldSelf.replicas) + ', now ' + string(self.replicas)",
      },
    ]);
    const old = { spec: { replicas: 3 } };
    assert.deepEqual(evaluateRules({ spec: { replicas: 0 } }, old, schema, resolver), [
      invalid('spec', 'replicas was 3, now 0'),
    ]);
  });

  it('does not run on create, nor where the old object had no value', () => {
    assert.deepEqual(
      evaluateRules({ spec: { name: 'b', replicas: 0 } }, undefined, immutable, resolver),
      [],
    );
    // The old object had no name: the transition rule on name does not run.
    assert.deepEqual(
      evaluateRules(
        { spec: { name: 'b', replicas: 1 } },
        { spec: { replicas: 1 } },
        immutable,
        resolver,
      ),
      [],
    );
  });

  it('correlates items of map lists by key, and never items of other lists', () => {
    const item: JSONSchemaProps = {
      type: 'object',
      properties: { name: { type: 'string' }, value: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: 'self.value == oldSelf.value', message: 'value is immutable' },
      ],
    };
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        keyed: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: item,
        },
        plain: { type: 'array', items: item },
      },
    };
    const old = {
      keyed: [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ],
      plain: [{ name: 'a', value: '1' }],
    };
    const obj = {
      keyed: [
        { name: 'b', value: '2' },
        { name: 'a', value: 'changed' },
        { name: 'c', value: '3' },
      ],
      plain: [{ name: 'a', value: 'changed' }],
    };
    assert.deepEqual(evaluateRules(obj, old, schema, resolver), [
      invalid('keyed[1]', 'value is immutable'),
    ]);
  });
});

describe('evaluateRules: ratcheting', () => {
  const schema = withSpecRules([{ rule: 'self.replicas < 10', message: 'too many' }]);

  it('lets an unchanged invalid value through on update, as a warning', () => {
    const warnings: string[] = [];
    const old = { spec: { replicas: 12 } };
    assert.deepEqual(
      evaluateRules({ spec: { replicas: 12 } }, old, schema, resolver, { warnings }),
      [],
    );
    assert.deepEqual(warnings, ['spec: Invalid value: "object": too many']);
  });

  it('rejects a changed invalid value, and everything when ratcheting is off', () => {
    const old = { spec: { replicas: 12 } };
    assert.deepEqual(evaluateRules({ spec: { replicas: 13 } }, old, schema, resolver), [
      invalid('spec', 'too many'),
    ]);
    assert.deepEqual(
      evaluateRules({ spec: { replicas: 12 } }, old, schema, resolver, { ratcheting: false }),
      [invalid('spec', 'too many')],
    );
  });
});

describe('evaluateRules: cost bounds', () => {
  const nested = 'self.list.all(x, self.list.all(y, self.list.all(z, true)))';
  const big = { list: Array.from({ length: 2000 }, (_, i) => `item-${i}`) };

  it(
    'stops a rule over its cost limit with a cause, and runs no further rules',
    { timeout: 20_000 },
    () => {
      const schema = withSpecRules([{ rule: nested }, { rule: 'false' }]);
      // The per-rule cost limit must stop the rule, not the wall-clock limit
      // (which a loaded machine can reach first).
      const options = { timeLimitMs: 60_000 };
      assert.deepEqual(evaluateRules({ spec: big }, undefined, schema, resolver, options), [
        invalid(
          'spec',
          `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${nested}`,
        ),
      ]);
    },
  );

  it('stops when the object budget runs out', { timeout: 20_000 }, () => {
    const schema = withSpecRules([{ rule: "self.list.all(x, x != '')" }, { rule: 'false' }]);
    assert.deepEqual(evaluateRules({ spec: big }, undefined, schema, resolver, { budget: 100 }), [
      invalid(
        'spec',
        'validation failed due to running out of cost budget, no further validation rules will be run',
      ),
    ]);
  });

  it('stops when the wall-clock limit passes', { timeout: 20_000 }, () => {
    const schema = withSpecRules([{ rule: nested }]);
    const options = {
      perRuleLimit: Number.MAX_SAFE_INTEGER,
      budget: Number.MAX_SAFE_INTEGER,
      timeLimitMs: 50,
    };
    assert.deepEqual(evaluateRules({ spec: big }, undefined, schema, resolver, options), [
      invalid(
        'spec',
        'validation failed due to running out of cost budget, no further validation rules will be run',
      ),
    ]);
  });

  it('lets a rule within its limit run to the end', () => {
    const schema = withSpecRules([{ rule: nested }]);
    const small = { list: Array.from({ length: 20 }, (_, i) => `item-${i}`) };
    assert.deepEqual(evaluateRules({ spec: small }, undefined, schema, resolver), []);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaResolver, ref, type JSONSchemaProps } from '../schema.ts';
import { describeCause } from '../field-errors.ts';
import { validateValue } from './validate.ts';
import { MAX_CAUSES, MAX_DEPTH } from './schema-node.ts';

const none = new SchemaResolver({});

/** Validates `{field: value}` against `{type: object, properties: {field: schema}}`. */
function field(schema: JSONSchemaProps, value: unknown): string[] {
  const root: JSONSchemaProps = { type: 'object', properties: { field: schema } };
  return validateValue({ field: value }, root, none).map(describeCause);
}

interface Case {
  name: string;
  schema: JSONSchemaProps;
  ok?: unknown[];
  bad?: [unknown, string[]][];
}

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => {
        for (const v of c.ok ?? []) {
          assert.deepEqual(field(c.schema, v), [], `expected ${JSON.stringify(v)} to be valid`);
        }
        for (const [v, want] of c.bad ?? []) assert.deepEqual(field(c.schema, v), want);
      });
    }
  });
}

table('type', [
  {
    name: 'integer accepts integral numbers only',
    schema: { type: 'integer' },
    ok: [0, -3, 42, 2 ** 53],
    bad: [
      ['1', ['field: Invalid value: "string": field in body must be of type integer: "string"']],
      [true, ['field: Invalid value: "boolean": field in body must be of type integer: "boolean"']],
      [{}, ['field: Invalid value: "object": field in body must be of type integer: "object"']],
      [[], ['field: Invalid value: "array": field in body must be of type integer: "array"']],
      [null, ['field: Invalid value: "null": field in body must be of type integer: "null"']],
      [
        1.5,
        [
          'field: Invalid value: "number": field in body must be of type integer: "number"',
          'Invalid value: "": Checked value must be of type integer (default format) in field',
        ],
      ],
    ],
  },
  {
    name: 'number accepts integers and fractions',
    schema: { type: 'number' },
    ok: [1, 1.5, -0.25, 1e300],
    bad: [
      ['1.5', ['field: Invalid value: "string": field in body must be of type number: "string"']],
    ],
  },
  {
    name: 'string, boolean, object, array',
    schema: {
      type: 'object',
      properties: {
        s: { type: 'string' },
        b: { type: 'boolean' },
        a: { type: 'array', items: { type: 'string' } },
      },
    },
    ok: [{ s: '', b: false, a: [] }],
    bad: [
      [
        { s: 1, b: 'true', a: {} },
        [
          'field.s: Invalid value: "integer": field.s in body must be of type string: "integer"',
          'field.b: Invalid value: "string": field.b in body must be of type boolean: "string"',
          'field.a: Invalid value: "object": field.a in body must be of type array: "object"',
        ],
      ],
      ['x', ['field: Invalid value: "string": field in body must be of type object: "string"']],
    ],
  },
  {
    name: 'nullable allows null',
    schema: { type: 'object', nullable: true },
    ok: [null, {}],
    bad: [
      ['x', ['field: Invalid value: "string": field in body must be of type object: "string"']],
    ],
  },
  {
    name: 'no type: anything goes',
    schema: { 'x-kubernetes-preserve-unknown-fields': true },
    ok: [null, 1, 'x', [1], { a: 1 }],
  },
]);

table('x-kubernetes-int-or-string', [
  {
    name: 'integer or string',
    schema: { 'x-kubernetes-int-or-string': true },
    ok: [80, 'http', '50%'],
    bad: [
      [
        true,
        [
          'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
        ],
      ],
      [
        1.5,
        ['field: Invalid value: "number": field in body must be of type integer,string: "number"'],
      ],
      [
        null,
        ['field: Invalid value: "null": field in body must be of type integer,string: "null"'],
      ],
    ],
  },
  {
    name: 'with the anyOf pattern, the closest alternative is reported too',
    schema: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    },
    ok: [1, 'x'],
    bad: [
      [
        {},
        [
          'field: Invalid value: "object": field in body must be of type integer,string: "object"',
          'Invalid value: "": "field" must validate at least one schema (anyOf)',
          'field: Invalid value: "object": field in body must be of type integer: "object"',
        ],
      ],
      [
        1.2,
        [
          'field: Invalid value: "number": field in body must be of type integer,string: "number"',
          'Invalid value: "": "field" must validate at least one schema (anyOf)',
          'field: Invalid value: "number": field in body must be of type integer: "number"',
          'Invalid value: "": Checked value must be of type integer (default format) in field',
        ],
      ],
    ],
  },
]);

table('enum', [
  {
    name: 'strings',
    schema: { type: 'string', enum: ['S', 'M'] },
    ok: ['S', 'M'],
    bad: [['XL', ['field: Unsupported value: "XL": supported values: "S", "M"']]],
  },
  {
    name: 'numbers and objects are listed as JSON',
    schema: { enum: [1, 2.5, { a: 1 }], 'x-kubernetes-preserve-unknown-fields': true },
    ok: [1, 2.5, { a: 1 }],
    bad: [
      [3, ['field: Unsupported value: 3: supported values: "1", "2.5", "{\\"a\\":1}"']],
      [
        { b: [1] },
        ['field: Unsupported value: {"b":[1]}: supported values: "1", "2.5", "{\\"a\\":1}"'],
      ],
    ],
  },
  {
    name: 'a wrong type is reported twice, as Kubernetes does',
    schema: { type: 'integer', enum: [1, 2] },
    bad: [
      [
        'x',
        [
          'field: Invalid value: "string": field in body must be of type integer: "string"',
          'field: Unsupported value: "x": supported values: "1", "2"',
        ],
      ],
    ],
  },
  {
    name: 'null never matches an enum',
    schema: { type: 'string', nullable: true, enum: ['a', null] },
    bad: [[null, ['field: Unsupported value: null: supported values: "a", "null"']]],
  },
]);

table('strings', [
  {
    name: 'minLength and maxLength count code points',
    schema: { type: 'string', minLength: 2, maxLength: 3 },
    ok: ['ab', 'abc', 'éé', '😀😀😀'],
    bad: [
      ['', ['field: Invalid value: "": field in body should be at least 2 chars long']],
      ['😀', ['field: Invalid value: "😀": field in body should be at least 2 chars long']],
      ['abcd', ['field: Too long: may not be more than 3 bytes']],
      ['😀😀😀😀', ['field: Too long: may not be more than 3 bytes']],
    ],
  },
  {
    name: 'maxLength 1 is singular',
    schema: { type: 'string', maxLength: 1 },
    bad: [['ab', ['field: Too long: may not be more than 1 byte']]],
  },
  {
    name: 'only the first string violation is reported',
    schema: { type: 'string', maxLength: 2, pattern: '^[a-z]+$' },
    bad: [['ABC', ['field: Too long: may not be more than 2 bytes']]],
  },
  {
    name: 'pattern',
    schema: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    ok: ['a', 'a-b', 'abc-123'],
    bad: [
      [
        '-a',
        [
          'field: Invalid value: "-a": field in body should match \'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\'',
        ],
      ],
      [
        'a\nb',
        [
          'field: Invalid value: "a\\nb": field in body should match \'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\'',
        ],
      ],
    ],
  },
  {
    name: 'pattern is unanchored unless it says so',
    schema: { type: 'string', pattern: 'b' },
    ok: ['abc'],
  },
  {
    name: 'an invalid pattern fails every value',
    schema: { type: 'string', pattern: '+' },
    bad: [
      [
        'x',
        [
          'field: Invalid value: "x": field in body should match \'+, but pattern is invalid: Invalid regular expression: /+/: Nothing to repeat\'',
        ],
      ],
    ],
  },
  {
    name: 'lookaround is rejected as RE2 rejects it',
    schema: { type: 'string', pattern: '^(?!x)' },
    bad: [
      [
        'a',
        [
          'field: Invalid value: "a": field in body should match \'^(?!x), but pattern is invalid: error parsing regexp: invalid or unsupported Perl syntax: `(?!`\'',
        ],
      ],
    ],
  },
  {
    name: 'catastrophic pattern finishes',
    schema: { type: 'string', pattern: '^(a+)+$' },
    ok: ['a'.repeat(1000)],
    bad: [
      [
        'a'.repeat(5000) + '!',
        [`field: Invalid value: "${'a'.repeat(5000)}!": field in body should match '^(a+)+$'`],
      ],
    ],
  },
]);

table('numbers', [
  {
    name: 'maximum and minimum',
    schema: { type: 'integer', minimum: 1, maximum: 10 },
    ok: [1, 10],
    bad: [
      [20, ['field: Invalid value: 20: field in body should be less than or equal to 10']],
      [0, ['field: Invalid value: 0: field in body should be greater than or equal to 1']],
    ],
  },
  {
    name: 'exclusive bounds',
    schema: {
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1.5,
      exclusiveMaximum: true,
    },
    ok: [0.5, 1],
    bad: [
      [0, ['field: Invalid value: 0: field in body should be greater than 0']],
      [1.5, ['field: Invalid value: 1.5: field in body should be less than 1.5']],
    ],
  },
  {
    name: 'multipleOf',
    schema: { type: 'number', multipleOf: 0.1 },
    ok: [0.3, 1, 2.5],
    bad: [[0.25, ['field: Invalid value: 0.25: field in body should be a multiple of 0.1']]],
  },
  {
    name: 'integer multipleOf',
    schema: { type: 'integer', multipleOf: 5 },
    ok: [0, 10, -15],
    bad: [[7, ['field: Invalid value: 7: field in body should be a multiple of 5']]],
  },
  {
    name: 'multipleOf must be positive',
    schema: { type: 'number', multipleOf: -2 },
    bad: [
      [4, ['field: Invalid value: -2: factor MultipleOf declared for field must be positive: -2']],
    ],
  },
  {
    name: 'small numbers print the way Go prints them',
    schema: { type: 'number', maximum: 0.00001 },
    bad: [
      [
        0.00002,
        ['field: Invalid value: 2e-05: field in body should be less than or equal to 1e-05'],
      ],
    ],
  },
  {
    name: 'int32 range',
    schema: { type: 'integer', format: 'int32' },
    ok: [2147483647, -2147483648],
    bad: [
      [
        2147483648,
        ['Invalid value: "": Checked value must be of type integer with format int32 in field'],
      ],
    ],
  },
  {
    name: 'int64 rejects numbers beyond int64',
    schema: { type: 'integer', format: 'int64' },
    bad: [
      [
        1e19,
        [
          'field: Invalid value: "float64": field in body must be of type int64: "float64"',
          'Invalid value: "": Checked value must be of type integer with format int64 in field',
        ],
      ],
    ],
  },
  {
    name: 'float range',
    schema: { type: 'number', format: 'float' },
    ok: [3.4e38],
    bad: [
      [
        3.5e38,
        ['Invalid value: "": Checked value must be of type number with format float in field'],
      ],
    ],
  },
]);

table('arrays', [
  {
    name: 'minItems and maxItems',
    schema: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'string' } },
    ok: [
      ['a', 'b'],
      ['a', 'b', 'c'],
    ],
    bad: [
      [['a'], ['field: Invalid value: 1: field in body should have at least 2 items']],
      [['a', 'b', 'c', 'd', 'e'], ['field: Too many: 5: must have at most 3 items']],
    ],
  },
  {
    name: 'maxItems 1 is singular',
    schema: { type: 'array', maxItems: 1, items: { type: 'string' } },
    bad: [[['a', 'b'], ['field: Too many: 2: must have at most 1 item']]],
  },
  {
    name: 'items are validated with their index',
    schema: { type: 'array', items: { type: 'integer' } },
    bad: [
      [
        [1, 'x'],
        ['field[1]: Invalid value: "string": field[1] in body must be of type integer: "string"'],
      ],
    ],
  },
  {
    name: 'uniqueItems',
    schema: {
      type: 'array',
      uniqueItems: true,
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    ok: [[{ a: 1 }, { a: 2 }]],
    bad: [
      [
        [
          { a: 1, b: 2 },
          { b: 2, a: 1 },
        ],
        ['field: Invalid value: "": field in body shouldn\'t contain duplicates'],
      ],
    ],
  },
]);

table('objects', [
  {
    name: 'required',
    schema: {
      type: 'object',
      required: ['image', 'name'],
      properties: { image: { type: 'string' }, name: { type: 'string' } },
    },
    ok: [{ image: 'x', name: 'y' }],
    bad: [[{ name: 'y' }, ['field.image: Required value']]],
  },
  {
    name: 'minProperties and maxProperties',
    schema: {
      type: 'object',
      minProperties: 1,
      maxProperties: 2,
      additionalProperties: { type: 'string' },
    },
    ok: [{ a: 'x' }],
    bad: [
      [{}, ['field: Invalid value: 0: field in body should have at least 1 properties']],
      [{ a: 'x', b: 'y', c: 'z' }, ['field: Too many: 3: must have at most 2 items']],
    ],
  },
  {
    name: 'additionalProperties schema',
    schema: { type: 'object', additionalProperties: { type: 'integer' } },
    ok: [{ a: 1, b: 2 }],
    bad: [
      [
        { a: 'x' },
        ['field.a: Invalid value: "string": field.a in body must be of type integer: "string"'],
      ],
    ],
  },
  {
    name: 'additionalProperties false',
    schema: { type: 'object', additionalProperties: false },
    ok: [{}],
    bad: [[{ a: 1 }, ['field: Invalid value: "a": field.a in body is a forbidden property']]],
  },
  {
    name: 'undeclared fields are not validation errors',
    schema: { type: 'object', properties: { a: { type: 'string' } } },
    ok: [{ a: 'x', b: 1 }],
  },
]);

table('formats', [
  {
    name: 'date-time',
    schema: { type: 'string', format: 'date-time' },
    ok: ['2024-02-29T10:20:30Z', '2024-01-01T00:00:00.123+02:00', '2024-01-01t00:00:00z'],
    bad: [
      [
        '2023-02-29T10:20:30Z',
        [
          'field: Invalid value: "2023-02-29T10:20:30Z": field in body must be of type date-time: "2023-02-29T10:20:30Z"',
        ],
      ],
      [
        '2024-01-01 00:00:00Z',
        [
          'field: Invalid value: "2024-01-01 00:00:00Z": field in body must be of type date-time: "2024-01-01 00:00:00Z"',
        ],
      ],
      [
        '2024-01-01T24:00:00Z',
        [
          'field: Invalid value: "2024-01-01T24:00:00Z": field in body must be of type date-time: "2024-01-01T24:00:00Z"',
        ],
      ],
    ],
  },
  {
    name: 'date',
    schema: { type: 'string', format: 'date' },
    ok: ['2024-02-29'],
    bad: [
      [
        '2024-13-01',
        ['field: Invalid value: "2024-13-01": field in body must be of type date: "2024-13-01"'],
      ],
    ],
  },
  {
    name: 'byte (base64)',
    schema: { type: 'string', format: 'byte' },
    ok: ['aGVsbG8=', 'aGk=', 'YWJj'],
    bad: [
      [
        'aGVsbG8',
        ['field: Invalid value: "aGVsbG8": field in body must be of type byte: "aGVsbG8"'],
      ],
      ['', ['field: Invalid value: "": field in body must be of type byte: ""']],
    ],
  },
  {
    name: 'uuid',
    schema: { type: 'string', format: 'uuid' },
    ok: ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'],
    bad: [
      [
        '123e4567',
        ['field: Invalid value: "123e4567": field in body must be of type uuid: "123e4567"'],
      ],
    ],
  },
  {
    name: 'hostname',
    schema: { type: 'string', format: 'hostname' },
    ok: ['localhost', 'example.com', 'a-b.example.org'],
    bad: [
      ['-bad-', ['field: Invalid value: "-bad-": field in body must be of type hostname: "-bad-"']],
    ],
  },
  {
    name: 'ipv4 and ipv6',
    schema: {
      type: 'object',
      properties: {
        v4: { type: 'string', format: 'ipv4' },
        v6: { type: 'string', format: 'ipv6' },
      },
    },
    ok: [
      { v4: '10.0.0.1', v6: '2001:db8::1' },
      { v4: '010.000.000.001', v6: '::ffff:1.2.3.4' },
    ],
    bad: [
      [
        { v4: '256.0.0.1', v6: '1.2.3.4' },
        [
          'field.v4: Invalid value: "256.0.0.1": field.v4 in body must be of type ipv4: "256.0.0.1"',
          'field.v6: Invalid value: "1.2.3.4": field.v6 in body must be of type ipv6: "1.2.3.4"',
        ],
      ],
    ],
  },
  {
    name: 'email and uri',
    schema: {
      type: 'object',
      properties: { e: { type: 'string', format: 'email' }, u: { type: 'string', format: 'uri' } },
    },
    ok: [
      { e: 'a@example.com', u: 'https://example.com/x?y=1' },
      { e: 'Ann <ann@example.com>', u: '/relative/path' },
    ],
    bad: [
      [
        { e: 'no-at-sign', u: 'example.com' },
        [
          'field.e: Invalid value: "no-at-sign": field.e in body must be of type email: "no-at-sign"',
          'field.u: Invalid value: "example.com": field.u in body must be of type uri: "example.com"',
        ],
      ],
    ],
  },
  {
    name: 'k8s-short-name',
    schema: { type: 'string', format: 'k8s-short-name' },
    ok: ['abc-1'],
    bad: [
      ['a-', ['field: Invalid value: "a-": field in body must be of type k8s-short-name: "a-"']],
    ],
  },
  {
    name: 'unknown formats are ignored',
    schema: { type: 'string', format: 'frobnicated' },
    ok: ['anything'],
  },
  {
    name: 'a string format on a number expects a string',
    schema: { type: 'string', format: 'date' },
    bad: [[5, ['field: Invalid value: "int64": field in body must be of type date: "int64"']]],
  },
]);

table('junctors', [
  {
    name: 'allOf',
    schema: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] },
    ok: [3],
    bad: [
      [
        9,
        [
          'field: Invalid value: 9: field in body should be less than or equal to 5',
          'Invalid value: "": "field" must validate all the schemas (allOf)',
        ],
      ],
    ],
  },
  {
    name: 'allOf none validated',
    schema: { type: 'integer', allOf: [{ minimum: 10 }, { multipleOf: 7 }] },
    bad: [
      [
        3,
        [
          'field: Invalid value: 3: field in body should be greater than or equal to 10',
          'field: Invalid value: 3: field in body should be a multiple of 7',
          'Invalid value: "": "field" must validate all the schemas (allOf). None validated',
        ],
      ],
    ],
  },
  {
    name: 'anyOf reports the first closest alternative',
    schema: {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      anyOf: [{ required: ['a'] }, { required: ['b'] }],
    },
    ok: [{ a: 'x' }, { b: 'y' }],
    bad: [
      [
        {},
        [
          'Invalid value: "": "field" must validate at least one schema (anyOf)',
          'field.a: Required value',
        ],
      ],
    ],
  },
  {
    name: 'oneOf',
    schema: {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      oneOf: [{ required: ['a'] }, { required: ['b'] }],
    },
    ok: [{ a: 'x' }],
    bad: [
      [
        { a: 'x', b: 'y' },
        [
          'Invalid value: "": "field" must validate one and only one schema (oneOf). Found 2 valid alternatives',
        ],
      ],
      [
        {},
        [
          'Invalid value: "": "field" must validate one and only one schema (oneOf). Found none valid',
          'field.a: Required value',
        ],
      ],
    ],
  },
  {
    name: 'not',
    schema: { type: 'string', not: { enum: ['forbidden'] } },
    ok: ['fine'],
    bad: [['forbidden', ['Invalid value: "": "field" must not validate the schema (not)']]],
  },
]);

describe('x-kubernetes-embedded-resource', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
      },
    },
  };
  const check = (template: unknown) => validateValue({ template }, schema, none).map(describeCause);

  it('accepts a well-formed resource', () => {
    assert.deepEqual(
      check({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', labels: { app: 'web' } },
      }),
      [],
    );
  });
  it('requires apiVersion and kind', () => {
    assert.deepEqual(check({ metadata: {} }), [
      'template.apiVersion: Required value',
      'template.kind: Required value',
    ]);
  });
  it('checks apiVersion and kind', () => {
    assert.deepEqual(check({ apiVersion: 'a/b/c', kind: 'Not_Valid' }), [
      'template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      "template.kind: Invalid value: \"Not_Valid\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name' or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(check({ apiVersion: 1, kind: '' }), [
      'template.apiVersion: Invalid value: 1: must be a string',
      'template.kind: Invalid value: "": must not be empty',
    ]);
  });
  it('validates metadata as ObjectMeta', () => {
    assert.deepEqual(
      check({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'a/b', generateName: 'x%', namespace: 'Bad' },
      }),
      [
        'template.metadata.generateName: Invalid value: "x%": may not contain \'%\'',
        'template.metadata.name: Invalid value: "a/b": may not contain \'/\'',
        "template.metadata.namespace: Invalid value: \"Bad\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name' or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ],
    );
    assert.deepEqual(check({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 5 } }), [
      'template.metadata: Invalid value: {"name":5}: json: cannot unmarshal number into Go struct field ObjectMeta.name of type string',
    ]);
    assert.deepEqual(
      check({ apiVersion: 'v1', kind: 'Pod', metadata: { labels: { 'a b': 'ok' } } }),
      [
        "template.metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    );
  });
  it('is checked in lists and maps too (field.Path style paths)', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        list: { type: 'array', items: schema.properties!.template },
        map: { type: 'object', additionalProperties: schema.properties!.template },
      },
    };
    assert.deepEqual(
      validateValue({ list: [{ kind: 'A' }], map: { k: { apiVersion: 'v1' } } }, s, none).map(
        describeCause,
      ),
      ['list[0].apiVersion: Required value', 'map[k].kind: Required value'],
    );
  });
});

describe('x-kubernetes-list-type', () => {
  it('set: duplicates are reported at their second occurrence', () => {
    assert.deepEqual(
      field({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, [
        'a',
        'b',
        'a',
        'a',
        'b',
      ]),
      ['field[2]: Duplicate value: "a"', 'field[4]: Duplicate value: "b"'],
    );
  });
  it('set: 1 and "1" differ', () => {
    assert.deepEqual(
      field(
        {
          type: 'array',
          'x-kubernetes-list-type': 'set',
          items: { 'x-kubernetes-int-or-string': true },
        },
        [1, '1'],
      ),
      [],
    );
  });
  const ports: JSONSchemaProps = {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['port', 'protocol'],
    items: {
      type: 'object',
      required: ['port'],
      properties: {
        port: { type: 'integer' },
        protocol: { type: 'string', default: 'TCP' },
        name: { type: 'string' },
      },
    },
  };
  it('map: duplicate key tuples', () => {
    assert.deepEqual(
      field(ports, [
        { port: 80, protocol: 'TCP', name: 'a' },
        { port: 80, protocol: 'UDP' },
        { protocol: 'TCP', port: 80, name: 'b' },
      ]),
      ['field[2]: Duplicate value: {"port":80,"protocol":"TCP"}'],
    );
  });
  it('map: a missing key is reported as required by the item schema', () => {
    assert.deepEqual(field(ports, [{ protocol: 'TCP' }]), ['field[0].port: Required value']);
  });
  it('map: single key, items without the key collide', () => {
    const s: JSONSchemaProps = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' } } },
    };
    assert.deepEqual(field(s, [{ name: 'a' }, {}, { name: 'a' }, {}]), [
      'field[2]: Duplicate value: {"name":"a"}',
      'field[3]: Duplicate value: {}',
    ]);
  });
  it('map: items must be objects', () => {
    const s: JSONSchemaProps = {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { 'x-kubernetes-preserve-unknown-fields': true },
    };
    assert.deepEqual(field(s, [{ name: 'a' }, 'x']), [
      'field[1]: Invalid value: "x": must be an object for an array of list-type map',
    ]);
  });
});

describe('paths and bounds', () => {
  it('a path prefix names the fields; messages stay relative', () => {
    const status: JSONSchemaProps = {
      type: 'object',
      properties: { replicas: { type: 'integer' } },
    };
    assert.deepEqual(validateValue({ replicas: 'x' }, status, none, 'status').map(describeCause), [
      'status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"',
    ]);
  });
  it('follows $ref through the resolver, also for recursive schemas', () => {
    const resolver = new SchemaResolver({
      Node: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, children: { type: 'array', items: ref('Node') } },
      },
    });
    const tree = { name: 'a', children: [{ name: 'b', children: [{ children: [] }] }] };
    assert.deepEqual(validateValue(tree, ref('Node'), resolver).map(describeCause), [
      'children[0].children[0].name: Required value',
    ]);
  });
  it('stops at MAX_DEPTH', () => {
    const resolver = new SchemaResolver({
      Node: { type: 'object', properties: { next: ref('Node') } },
    });
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < MAX_DEPTH + 10; i++) {
      const next = {};
      deep.next = next;
      deep = next;
    }
    const causes = validateValue(root, ref('Node'), resolver).map(describeCause);
    assert.equal(causes.length, 1);
    assert.match(
      causes[0],
      /^(next\.){100}next: Forbidden: must not be nested more than 100 levels deep$/,
    );
  });
  it('a schema that refers to itself through allOf does not loop', () => {
    const resolver = new SchemaResolver({
      Loop: { type: 'object', allOf: [ref('Loop'), ref('Loop')] },
    });
    const causes = validateValue({}, ref('Loop'), resolver).map(describeCause);
    assert.deepEqual(causes, [
      'Forbidden: must not be nested more than 100 levels deep',
      'Forbidden: is too complex to validate against its schema',
    ]);
  });
  it(`reports at most ${MAX_CAUSES} causes`, () => {
    const list = Array.from({ length: 500 }, () => 'x');
    const causes = field({ type: 'array', items: { type: 'integer' } }, list);
    assert.equal(causes.length, MAX_CAUSES);
    assert.equal(
      causes[0],
      'field[0]: Invalid value: "string": field[0] in body must be of type integer: "string"',
    );
  });
});

describe('field names that are Object.prototype members', () => {
  it('are not mistaken for declared fields', () => {
    const s: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'integer' } };
    assert.deepEqual(validateValue(JSON.parse('{"constructor":"x"}'), s, none).map(describeCause), [
      'constructor: Invalid value: "string": .constructor in body must be of type integer: "string"',
    ]);
  });
});

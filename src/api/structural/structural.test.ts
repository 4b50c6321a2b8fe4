import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema.ts';
import { describeCause } from '../field-errors.ts';
import { checkStructural } from './structural.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';

function check(schema: JSONSchemaProps): string[] {
  return checkStructural(schema, P).map(describeCause);
}

/** A realistic CRD schema using most of what Kubernetes allows. */
const webApp: JSONSchemaProps = {
  type: 'object',
  description: 'WebApp runs a web application.',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 40 } } },
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 1 },
        replicas: { type: 'integer', format: 'int32', minimum: 0, maximum: 100, default: 1 },
        port: {
          'x-kubernetes-int-or-string': true,
          anyOf: [{ type: 'integer' }, { type: 'string' }],
          default: 8080,
        },
        size: { type: 'string', enum: ['S', 'M', 'L'], default: 'M' },
        domain: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
        },
        expires: { type: 'string', format: 'date-time' },
        env: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, value: { type: 'string', default: '' } },
          },
        },
        hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        selectors: {
          type: 'array',
          'x-kubernetes-list-type': 'set',
          items: {
            type: 'object',
            'x-kubernetes-map-type': 'atomic',
            additionalProperties: { type: 'string' },
          },
        },
        labels: {
          type: 'object',
          additionalProperties: { type: 'string' },
          'x-kubernetes-map-type': 'granular',
        },
        tls: {
          type: 'object',
          default: { enabled: false },
          properties: { enabled: { type: 'boolean' }, secretName: { type: 'string' } },
          oneOf: [{ required: ['secretName'] }, { not: { required: ['secretName'] } }],
        },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
        probe: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object' },
            path: { type: 'string' },
          },
          default: { apiVersion: 'probes.example.com/v1', kind: 'HTTPProbe', path: '/healthz' },
        },
      },
    },
    status: {
      type: 'object',
      properties: {
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: {
            type: 'object',
            required: ['type', 'status'],
            properties: {
              type: { type: 'string' },
              status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
              lastTransitionTime: { type: 'string', format: 'date-time' },
            },
          },
        },
      },
    },
  },
  anyOf: [
    { required: ['spec'] },
    { properties: { spec: { properties: { image: { minLength: 2 } } } } },
  ],
};

describe('checkStructural', () => {
  it('accepts a realistic schema', () => {
    assert.deepEqual(check(webApp), []);
  });

  it('accepts the int-or-string allOf pattern', () => {
    assert.deepEqual(
      check({
        type: 'object',
        properties: {
          port: {
            'x-kubernetes-int-or-string': true,
            allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^\\d' }],
          },
        },
      }),
      [],
    );
  });

  const cases: [string, JSONSchemaProps, string[]][] = [
    [
      'a field without type',
      { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } },
      [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`],
    ],
    [
      'array items without type',
      { type: 'object', properties: { list: { type: 'array', items: {} } } },
      [
        `${P}.properties[list].items.type: Required value: must not be empty for specified array items`,
      ],
    ],
    [
      'no type at the root',
      { properties: {} },
      [`${P}.type: Required value: must not be empty at the root`],
    ],
    [
      'a root that is not an object',
      { type: 'string' },
      [`${P}.type: Invalid value: "string": must be object at the root`],
    ],
    [
      'an array without items',
      { type: 'object', properties: { list: { type: 'array' } } },
      [`${P}.properties[list].items: Required value: must be specified`],
    ],
    [
      'junctors setting type, description, default, nullable, additionalProperties or extensions',
      {
        type: 'object',
        properties: {
          a: {
            type: 'string',
            anyOf: [
              { type: 'string', description: 'd', title: 't' },
              { default: 'x', nullable: true, additionalProperties: { type: 'string' } },
              { 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-list-type': 'set' },
            ],
          },
        },
      },
      [
        `${P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
        `${P}.properties[a].anyOf[1].additionalProperties: Forbidden: must be undefined to be structural`,
        `${P}.properties[a].anyOf[1].default: Forbidden: must be undefined to be structural`,
        `${P}.properties[a].anyOf[1].nullable: Forbidden: must be false to be structural`,
        `${P}.properties[a].anyOf[0].title: Forbidden: must be empty to be structural`,
        `${P}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural`,
        `${P}.properties[a].anyOf[2].x-kubernetes-list-type: Forbidden: must be undefined to be structural`,
        `${P}.properties[a].anyOf[2].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural`,
      ]
        .sort()
        .concat([
          `${P}.properties[a].anyOf[2].type: Required value: must be array if x-kubernetes-list-type is specified`,
        ]),
    ],
    [
      'junctors at the root restricting undeclared fields',
      {
        type: 'object',
        properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
        allOf: [
          {
            properties: {
              spec: { properties: { b: { minLength: 1 } } },
              status: { minProperties: 1 },
            },
          },
        ],
        not: { items: { minLength: 1 } },
      },
      [
        `${P}.items: Required value: because it is defined in ${P}.not.items`,
        `${P}.properties[spec].properties[b]: Required value: because it is defined in ${P}.allOf[0].properties[spec].properties[b]`,
        `${P}.properties[status]: Required value: because it is defined in ${P}.allOf[0].properties[status]`,
      ],
    ],
    [
      'metadata in a junctor',
      {
        type: 'object',
        properties: { metadata: { type: 'object' } },
        anyOf: [{ properties: { metadata: { required: ['x'] } } }],
      },
      [`${P}.anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`],
    ],
    [
      'root metadata restricting more than name and generateName',
      {
        type: 'object',
        properties: {
          metadata: {
            type: 'object',
            properties: { name: { type: 'string' }, labels: { type: 'object' } },
          },
        },
      },
      [
        `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
      ],
    ],
    [
      'root metadata with a default',
      { type: 'object', properties: { metadata: { type: 'object', default: { name: 'x' } } } },
      [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`],
    ],
    [
      '$ref (reported alone: the structural checks cannot run)',
      { type: 'object', properties: { a: { $ref: '#/definitions/a' } } },
      [`${P}.properties[a].$ref: Forbidden: $ref is not supported`],
    ],
    [
      'additionalProperties beside properties',
      {
        type: 'object',
        properties: {
          m: {
            type: 'object',
            properties: { a: { type: 'string' } },
            additionalProperties: { type: 'string' },
          },
        },
      },
      [
        `${P}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      ],
    ],
    [
      'additionalProperties at the root',
      { type: 'object', additionalProperties: { type: 'string' } },
      [`${P}.additionalProperties: Forbidden: must not be used at the root`],
    ],
    [
      'nullable at the root',
      { type: 'object', nullable: true },
      [`${P}.nullable: Forbidden: nullable cannot be true at the root`],
    ],
    [
      'type null',
      { type: 'object', properties: { a: { type: 'null' as 'string' } } },
      [
        `${P}.properties[a].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
        `${P}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      ],
    ],
    [
      'uniqueItems',
      {
        type: 'object',
        properties: { l: { type: 'array', uniqueItems: true, items: { type: 'string' } } },
      },
      [
        `${P}.properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      ],
    ],
    [
      'an invalid pattern',
      { type: 'object', properties: { s: { type: 'string', pattern: '+' } } },
      [
        `${P}.properties[s].pattern: Invalid value: "+": must be a valid regular expression, but isn't: Invalid regular expression: /+/: Nothing to repeat`,
      ],
    ],
    [
      'a pattern RE2 does not support',
      { type: 'object', properties: { s: { type: 'string', pattern: '^(?=a)' } } },
      [
        `${P}.properties[s].pattern: Invalid value: "^(?=a)": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``,
      ],
    ],
    [
      'x-kubernetes-preserve-unknown-fields: false',
      {
        type: 'object',
        properties: { a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } },
      },
      [
        `${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
      ],
    ],
    [
      'int-or-string with preserve-unknown-fields or embedded-resource',
      {
        type: 'object',
        properties: {
          a: {
            'x-kubernetes-int-or-string': true,
            'x-kubernetes-preserve-unknown-fields': true,
            'x-kubernetes-embedded-resource': true,
          },
        },
      },
      [
        `${P}.properties[a].type: Required value: must be object if x-kubernetes-embedded-resource is true`,
        `${P}.properties[a].x-kubernetes-embedded-resource: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
        `${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
      ],
    ],
    [
      'an embedded resource that declares nothing',
      {
        type: 'object',
        properties: { r: { type: 'object', 'x-kubernetes-embedded-resource': true } },
      },
      [
        `${P}.properties[r].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      ],
    ],
    [
      'an embedded resource with kind not a string',
      {
        type: 'object',
        properties: {
          r: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { kind: { type: 'integer' } },
          },
        },
      },
      [`${P}.properties[r].properties[kind].type: Invalid value: "integer": must be string`],
    ],
    [
      'x-kubernetes-list-type on a non-array, or with an unknown value',
      {
        type: 'object',
        properties: {
          a: { type: 'object', 'x-kubernetes-list-type': 'set' },
          b: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' as 'set' },
        },
      },
      [
        `${P}.properties[a].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`,
        `${P}.properties[b].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
      ],
    ],
    [
      'list-type map without keys',
      {
        type: 'object',
        properties: {
          l: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } },
        },
      },
      [
        `${P}.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
      ],
    ],
    [
      'list-map keys that are not item properties, not scalar, or neither required nor defaulted',
      {
        type: 'object',
        properties: {
          l: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name', 'sub', 'nope'],
            items: {
              type: 'object',
              properties: { name: { type: 'string', nullable: true }, sub: { type: 'object' } },
              required: ['sub'],
            },
          },
        },
      },
      [
        `${P}.properties[l].items.properties[sub].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map`,
        `${P}.properties[l].x-kubernetes-list-map-keys: Invalid value: ["name","sub","nope"]: entries must all be names of item properties`,
        `${P}.properties[l].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
        `${P}.properties[l].items.properties[name].nullable: Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable`,
      ],
    ],
    [
      'list-map keys without list-type map',
      {
        type: 'object',
        properties: {
          l: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-map-keys': ['a'] },
        },
      },
      [
        `${P}.properties[l].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`,
      ],
    ],
    [
      'a set of objects that are not atomic, and nullable set items',
      {
        type: 'object',
        properties: {
          l: {
            type: 'array',
            'x-kubernetes-list-type': 'set',
            items: { type: 'object', nullable: true },
          },
        },
      },
      [
        `${P}.properties[l].items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set`,
        `${P}.properties[l].items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set`,
      ],
    ],
    [
      'x-kubernetes-map-type on a non-object',
      { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-map-type': 'atomic' } } },
      [
        `${P}.properties[a].type: Invalid value: "string": must be object if x-kubernetes-map-type is specified`,
      ],
    ],
    [
      'a default of the wrong type (Kubernetes names the default root with an empty name)',
      { type: 'object', properties: { n: { type: 'integer', default: 'ten' } } },
      [
        `${P}.properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
      ],
    ],
    [
      'a default violating a nested constraint',
      {
        type: 'object',
        properties: {
          o: {
            type: 'object',
            properties: { n: { type: 'integer', maximum: 3 } },
            default: { n: 5 },
          },
        },
      },
      [
        `${P}.properties[o].default.n: Invalid value: 5: n in body should be less than or equal to 3`,
      ],
    ],
    [
      'a default with fields pruning would drop',
      {
        type: 'object',
        properties: {
          o: {
            type: 'object',
            properties: { a: { type: 'string' } },
            default: { a: 'x', junk: 1 },
          },
        },
      },
      [
        `${P}.properties[o].default: Invalid value: {"a":"x","junk":1}: must not have unknown fields`,
      ],
    ],
    [
      'an embedded default without kind',
      {
        type: 'object',
        properties: {
          r: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
            default: { apiVersion: 'v1' },
          },
        },
      },
      [`${P}.properties[r].default.kind: Required value`],
    ],
    [
      'items given as an array',
      {
        type: 'object',
        properties: {
          l: { type: 'array', items: [{ type: 'string' }] as unknown as JSONSchemaProps },
        },
      },
      [`${P}.properties[l].items: Forbidden: items must be a schema object and not an array`],
    ],
  ];
  for (const [name, schema, want] of cases) {
    it(`rejects ${name}`, () => assert.deepEqual(check(schema), want));
  }

  it('sorts structural errors as Kubernetes does', () => {
    const got = check({
      type: 'object',
      properties: { z: { properties: {} }, a: { type: 'array' }, m: {} },
    });
    assert.deepEqual(got, [
      `${P}.properties[a].items: Required value: must be specified`,
      `${P}.properties[m].type: Required value: must not be empty for specified object fields`,
      `${P}.properties[z].type: Required value: must not be empty for specified object fields`,
    ]);
  });

  it('does not check defaults while the schema is not structural', () => {
    assert.deepEqual(check({ type: 'object', properties: { a: { default: 5 } } }), [
      `${P}.properties[a].type: Required value: must not be empty for specified object fields`,
    ]);
  });
});

describe('checkStructural bounds', () => {
  it('rejects schemas nested deeper than MAX_DEPTH instead of checking them partly', () => {
    let leaf: JSONSchemaProps = { type: 'string' };
    for (let i = 0; i < 120; i++) leaf = { type: 'object', properties: { a: leaf } };
    assert.deepEqual(check(leaf), [
      `${P}: Forbidden: must not be nested more than 100 levels deep`,
    ]);
  });
});

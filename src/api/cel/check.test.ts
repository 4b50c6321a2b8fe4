import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaResolver, type JSONSchemaProps } from '../schema.ts';
import { checkRule, escapeFieldName } from './index.ts';
import { parseFieldPath } from './field-path.ts';

const resolver = new SchemaResolver({});

/** The `spec` node most rows compile against. */
const spec: JSONSchemaProps = {
  type: 'object',
  properties: {
    replicas: { type: 'integer' },
    minReplicas: { type: 'integer' },
    maxReplicas: { type: 'integer' },
    ratio: { type: 'number' },
    name: { type: 'string' },
    enabled: { type: 'boolean' },
    list: { type: 'array', items: { type: 'string' } },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    port: { 'x-kubernetes-int-or-string': true },
    created: { type: 'string', format: 'date-time' },
    day: { type: 'string', format: 'date' },
    timeout: { type: 'string', format: 'duration' },
    blob: { type: 'string', format: 'byte' },
    'x-prop': { type: 'string' },
    'a.b': { type: 'string' },
    'a/b': { type: 'string' },
    a__b: { type: 'string' },
    namespace: { type: 'string' },
    '1st': { type: 'string' },
    anything: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

/** cel-go's layout: the error, the source line, a caret under the column. */
function compileError(rule: string, col: number, message: string): string {
  return `compilation failed: ERROR: <input>:1:${col}: ${message}\n | ${rule}\n | ${'.'.repeat(col - 1)}^`;
}

describe('checkRule', () => {
  const accepted = [
    'self.minReplicas <= self.maxReplicas',
    'has(self.name)',
    'self.replicas <= 10',
    'self.ratio < 1',
    'self.ratio <= self.replicas',
    'self.list.size() <= 3',
    'size(self.list) <= 3',
    "self.name.startsWith('a') && self.name.endsWith('z') && self.name.contains('m')",
    "self.name.matches('^[a-z]+$')",
    "self.name.lowerAscii() == self.name || self.name.upperAscii() == 'X'",
    "self.name.indexOf('a') >= 0 && self.name.lastIndexOf('a', 3) < 5",
    "self.name.charAt(0) == 'a' && self.name.substring(1, 2) == 'b'",
    "self.name.replace('a', 'b') != '' && self.name.split(',').size() > 0",
    "self.name.trim() == self.name && self.list.join(',') != ''",
    "self.list.all(x, x != '') && self.list.exists(x, x == 'a')",
    "self.list.exists_one(x, x == 'a')",
    'self.list.map(x, x.size()).all(n, n < 10)',
    "self.list.map(x, x != '', x + '!').all(s, s.endsWith('!'))",
    "self.list.filter(x, x.startsWith('a')).size() == 0",
    "'a' in self.list && 'app' in self.labels",
    'self.labels.all(k, self.labels[k].size() < 64)',
    "self.labels.exists(k, k == 'app') || self.labels.size() == 0",
    'self.enabled || !self.enabled',
    // int-or-string is dyn: checked at run time.
    "type(self.port) == int ? self.port < 65536 : self.port.endsWith('%')",
    // Kubernetes' escaping of property names.
    "self.x__dash__prop == 'a' && self.a__dot__b == '' && self.a__slash__b == ''",
    "self.a__underscores__b == '' && self.__namespace__ == ''",
    'self == oldSelf',
    'self.replicas == oldSelf.replicas',
    "duration('1h') > duration('30m') && timestamp('2020-01-01T00:00:00Z').getFullYear() == 2020",
    'int(self.ratio) == self.replicas && double(self.replicas) == self.ratio',
    "string(self.replicas) == '1'",
    'has(self.created)',
    "self.created < timestamp('2020-01-01T00:00:00Z') && self.created.getFullYear() > 2000",
    "self.timeout > duration('1s') && self.timeout.getSeconds() < 60",
    "self.blob.size() < 10 && self.blob == b'abc'",
    "self.day + duration('24h') > self.created",
    "[1, 2, 3].map(x, x * 2) == [2, 4, 6] && {'a': 1}.a == 1",
    'self.replicas % 2 == 0 && -self.replicas < 0 && self.replicas / 2 * 2 - 1 + 1 == self.replicas',
  ];
  for (const rule of accepted) {
    it(`accepts ${rule}`, () => {
      assert.equal(checkRule(rule, spec, resolver), undefined);
    });
  }

  const rejected: [string, string][] = [
    // Syntax.
    [
      'self.replicas >',
      compileError('self.replicas >', 15, 'Syntax error: found > but expecting end of input'),
    ],
    // What cel-go's checker refuses.
    ['self.replicsa > 1', compileError('self.replicsa > 1', 5, "undefined field 'replicsa'")],
    [
      'self.x-prop == 1',
      compileError('self.x-prop == 1', 5, "undefined field 'x'") +
        "\nERROR: <input>:1:8: undeclared reference to 'prop' (in container '')\n | self.x-prop == 1\n | .......^",
    ],
    ['self.__1st__ == 1', compileError('self.__1st__ == 1', 5, "undefined field '__1st__'")],
    ['self.anything.foo == 1', compileError('self.anything.foo == 1', 14, "undefined field 'foo'")],
    [
      'foo(self.name)',
      compileError('foo(self.name)', 1, "undeclared reference to 'foo' (in container '')"),
    ],
    [
      'self.name.frobnicate()',
      compileError(
        'self.name.frobnicate()',
        10,
        "undeclared reference to 'frobnicate' (in container '')",
      ),
    ],
    [
      'other.name == 1',
      compileError('other.name == 1', 1, "undeclared reference to 'other' (in container '')"),
    ],
    [
      'self.name.startsWith(1)',
      compileError(
        'self.name.startsWith(1)',
        10,
        "found no matching overload for 'startsWith' applied to 'string.(int)'",
      ),
    ],
    [
      "self.replicas == 'a'",
      compileError(
        "self.replicas == 'a'",
        15,
        "found no matching overload for '_==_' applied to '(int, string)'",
      ),
    ],
    [
      'self.replicas.size() > 1',
      compileError(
        'self.replicas.size() > 1',
        14,
        "found no matching overload for 'size' applied to 'int.()'",
      ),
    ],
    [
      'self.replicas.x == 1',
      compileError('self.replicas.x == 1', 14, "type 'int' does not support field selection"),
    ],
    [
      "self['name'] == 'a'",
      compileError(
        "self['name'] == 'a'",
        5,
        "found no matching overload for '_[_]' applied to '(object, string)'",
      ),
    ],
    ['self.replicas', 'cel expression must evaluate to a bool'],
    ["self.name + 'x'", 'cel expression must evaluate to a bool'],
    // Kubernetes' libraries Verge does not implement.
    [
      'quantity(self.name).isInteger()',
      compileError(
        'quantity(self.name).isInteger()',
        1,
        "function 'quantity' (Kubernetes quantity library) is not supported by Verge",
      ) +
        '\n' +
        "ERROR: <input>:1:20: function 'isInteger' (Kubernetes quantity library) is not supported by Verge\n | quantity(self.name).isInteger()\n | ...................^",
    ],
    [
      'isURL(self.name)',
      compileError(
        'isURL(self.name)',
        1,
        "function 'isURL' (Kubernetes URL library) is not supported by Verge",
      ),
    ],
    [
      'ip(self.name).family() == 4',
      compileError(
        'ip(self.name).family() == 4',
        1,
        "function 'ip' (Kubernetes IP and CIDR library) is not supported by Verge",
      ) +
        '\n' +
        "ERROR: <input>:1:14: function 'family' (Kubernetes IP and CIDR library) is not supported by Verge\n | ip(self.name).family() == 4\n | .............^",
    ],
    [
      'self.list.isSorted()',
      compileError(
        'self.list.isSorted()',
        10,
        "function 'isSorted' (Kubernetes list library) is not supported by Verge",
      ),
    ],
    [
      "self.list.indexOf('a') == 0",
      compileError(
        "self.list.indexOf('a') == 0",
        10,
        "function 'indexOf' on lists (Kubernetes list library) is not supported by Verge",
      ),
    ],
    [
      "self.name.find('[0-9]+') == '1'",
      compileError(
        "self.name.find('[0-9]+') == '1'",
        10,
        "function 'find' (Kubernetes regex library) is not supported by Verge",
      ),
    ],
    [
      "sets.contains(self.list, ['a'])",
      compileError(
        "sets.contains(self.list, ['a'])",
        5,
        "function 'sets.contains' (Kubernetes sets library) is not supported by Verge",
      ),
    ],
    [
      'math.greatest(1, 2) == 2',
      compileError(
        'math.greatest(1, 2) == 2',
        5,
        "function 'math.greatest' (Kubernetes math library) is not supported by Verge",
      ),
    ],
    [
      'format.dns1123Label().validate(self.name).hasValue()',
      'compilation failed: ' +
        [
          [
            7,
            "function 'format.dns1123Label' (Kubernetes format library) is not supported by Verge",
          ],
          [22, "function 'validate' (Kubernetes format library) is not supported by Verge"],
          [42, "function 'hasValue' (Kubernetes optional types library) is not supported by Verge"],
        ]
          .map(
            ([col, msg]) =>
              `ERROR: <input>:1:${col}: ${msg}\n | format.dns1123Label().validate(self.name).hasValue()\n | ${'.'.repeat(Number(col) - 1)}^`,
          )
          .join('\n'),
    ],
    [
      'optional.of(1).hasValue()',
      'compilation failed: ' +
        [
          [
            9,
            "function 'optional.of' (Kubernetes optional types library) is not supported by Verge",
          ],
          [15, "function 'hasValue' (Kubernetes optional types library) is not supported by Verge"],
        ]
          .map(
            ([col, msg]) =>
              `ERROR: <input>:1:${col}: ${msg}\n | optional.of(1).hasValue()\n | ${'.'.repeat(Number(col) - 1)}^`,
          )
          .join('\n'),
    ],
    [
      'self.labels.all(k, v, v != k)',
      compileError(
        'self.labels.all(k, v, v != k)',
        12,
        'two-variable comprehensions are not supported by Verge',
      ),
    ],
    [
      'self.list.existsOne(x, true)',
      compileError(
        'self.list.existsOne(x, true)',
        10,
        "macro 'existsOne' is not supported by Verge",
      ),
    ],
    // Formatted strings are typed as Kubernetes types them.
    [
      "self.created.startsWith('2020')",
      compileError(
        "self.created.startsWith('2020')",
        13,
        "found no matching overload for 'startsWith' applied to 'google.protobuf.Timestamp.(string)'",
      ),
    ],
    ['', 'rule is not specified'],
  ];
  for (const [rule, message] of rejected) {
    it(`rejects ${JSON.stringify(rule)}`, () => {
      assert.equal(checkRule(rule, spec, resolver), message);
    });
  }

  it('shows apiVersion, kind and metadata.name/generateName at a resource root, and nothing else of metadata', () => {
    const root: JSONSchemaProps = { type: 'object', properties: { spec } };
    const ok =
      "self.metadata.name.startsWith('a') && self.kind == 'Foo' && self.apiVersion != '' && self.metadata.generateName == ''";
    assert.equal(checkRule(ok, root, resolver, { resourceRoot: true }), undefined);
    assert.equal(
      checkRule('self.metadata.labels.size() > 0', root, resolver, { resourceRoot: true }),
      compileError('self.metadata.labels.size() > 0', 14, "undefined field 'labels'"),
    );
    // Not a root: metadata is not declared at all.
    assert.equal(
      checkRule("self.metadata.name == 'a'", root, resolver),
      compileError("self.metadata.name == 'a'", 5, "undefined field 'metadata'"),
    );
  });

  it('treats an embedded resource as a root', () => {
    const embedded: JSONSchemaProps = {
      type: 'object',
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    };
    assert.equal(
      checkRule("self.kind == 'Pod' && self.metadata.name != ''", embedded, resolver),
      undefined,
    );
  });

  it('refuses a rule on a node that exposes no type', () => {
    assert.equal(
      checkRule('true', { 'x-kubernetes-preserve-unknown-fields': true }, resolver),
      'rule compiler initialization error: failed to convert to declType for CEL validation rules',
    );
  });

  it('refuses oldSelf on uncorrelatable nodes only', () => {
    const opts = { uncorrelatablePath: 'openAPIV3Schema.properties[spec].properties[list].items' };
    assert.equal(
      checkRule('self == oldSelf', { type: 'string' }, resolver, opts),
      'oldSelf cannot be used on the uncorrelatable portion of the schema within openAPIV3Schema.properties[spec].properties[list].items',
    );
    assert.equal(checkRule("self != ''", { type: 'string' }, resolver, opts), undefined);
    assert.equal(checkRule('self == oldSelf', { type: 'string' }, resolver), undefined);
  });

  it('refuses an expression nested too deeply instead of overflowing the stack', () => {
    const rule = `${Array(700).fill('self').join(' + ')} == ''`;
    const message = checkRule(rule, { type: 'string' }, resolver);
    assert.equal(
      message?.split('\n')[0],
      'compilation failed: ERROR: <input>:1:1398: expression recursion limit exceeded: 500',
    );
  });

  it('returns the same answer when called again (cached)', () => {
    const first = checkRule('self.replicsa > 1', spec, resolver);
    assert.equal(checkRule('self.replicsa > 1', spec, resolver), first);
    assert.equal(checkRule('self.replicas > 1', spec, resolver), undefined);
  });
});

describe('escapeFieldName', () => {
  const table: [string, string | undefined][] = [
    ['name', 'name'],
    ['x-prop', 'x__dash__prop'],
    ['a.b', 'a__dot__b'],
    ['a/b', 'a__slash__b'],
    ['a__b', 'a__underscores__b'],
    ['_x', '_x'],
    ['namespace', '__namespace__'],
    ['if', '__if__'],
    ['1st', undefined],
    ['a b', undefined],
    ['', undefined],
  ];
  for (const [name, escaped] of table) {
    it(`${JSON.stringify(name)} -> ${String(escaped)}`, () => {
      assert.equal(escapeFieldName(name), escaped);
    });
  }
});

describe('parseFieldPath', () => {
  const node: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          'a.b': { type: 'string' },
        },
      },
      list: { type: 'array', items: { type: 'string' } },
    },
  };
  const table: [string, ReturnType<typeof parseFieldPath>][] = [
    ['.spec.replicas', { path: 'spec.replicas' }],
    [".spec['a.b']", { path: 'spec.a.b' }],
    [".spec.labels['app.kubernetes.io/name']", { path: 'spec.labels[app.kubernetes.io/name]' }],
    [".spec.labels['it\\'s']", { path: "spec.labels[it's]" }],
    ['.spec.labels.app', { path: 'spec.labels[app]' }],
    ['.spec.nope', { error: 'does not refer to a valid field' }],
    ['.list[0]', { error: 'expected single quoted string but got 0' }],
    ['.spec.', { error: 'unexpected end of JSON path' }],
    ["['spec'", { error: 'unexpected end of JSON path' }],
    ['spec', { error: 'expected [ or . but got: spec' }],
    [".spec['x\\q']", { error: 'invalid string literal: invalid escape char \\q' }],
    ['.spec.replicas.x', { error: 'does not refer to a valid field' }],
  ];
  for (const [jsonPath, expected] of table) {
    it(jsonPath, () => {
      assert.deepEqual(parseFieldPath(jsonPath, node, resolver), expected);
    });
  }
});

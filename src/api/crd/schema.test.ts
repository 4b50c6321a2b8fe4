import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../schema.ts';
import { resolveFieldPath, usesOldSelf } from './schema.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        'a.b': { type: 'integer' },
        free: { type: 'object', additionalProperties: true },
      },
    },
  },
};

describe('resolveFieldPath', () => {
  const cases: [jsonPath: string, path: string, type: string | undefined, error?: string][] = [
    ['.spec.labels', 'spec.labels', 'object'],
    [".spec.labels['app']", 'spec.labels[app]', 'string'],
    [".spec['a.b']", 'spec.a.b', 'integer'],
    [".spec.labels['x\\'y']", "spec.labels[x'y]", 'string'],
    ['.spec.free.x', 'spec.free[x]', undefined],
    ['', '', 'object'],
    [".spec.labels['x\\qy']", '', undefined, 'invalid string literal: invalid escape char \\q'],
    ['.spec.', '', undefined, 'unexpected end of JSON path'],
    ['.spec[', '', undefined, 'unexpected end of JSON path'],
    [".spec['a.b'x", '', undefined, 'expected ] but got x'],
    ['.spec[app]', '', undefined, 'expected single quoted string but got app'],
    ['.spec.nope', '', undefined, 'does not refer to a valid field'],
    ['.spec.labels.x.y', '', undefined, 'does not refer to a valid field'],
    ['spec', '', undefined, 'expected [ or . but got: spec'],
  ];
  for (const [jsonPath, path, type, error] of cases) {
    it(`${JSON.stringify(jsonPath)}`, () => {
      const r = resolveFieldPath(jsonPath, schema, true);
      assert.equal(r.error, error);
      if (error === undefined) {
        assert.equal(r.path, path);
        assert.equal(r.schema?.type, type);
      }
    });
  }

  it('refuses index notation when asked to', () => {
    assert.equal(
      resolveFieldPath(".spec.labels['app']", schema, false).error,
      'array notation is not allowed',
    );
  });
});

describe('usesOldSelf', () => {
  const cases: [string, boolean][] = [
    ['self == oldSelf', true],
    ['has(oldSelf.x)', true],
    ['oldSelf.x != self.x', true],
    ["self.x == 'oldSelf'", false],
    ['self.x == "a\\"oldSelf"', false],
    ['"""oldSelf""" == self.x', false],
    ['self.oldSelf == 1', false],
    ['myoldSelf == 1', false],
  ];
  for (const [rule, expected] of cases) {
    it(`${rule} -> ${expected}`, () => assert.equal(usesOldSelf(rule), expected));
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isInvalid } from '../../util/errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { assertInvalid, deepFreeze, json } from './test-helpers.ts';

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  want?: unknown;
  error?: string | RegExp;
  reason?: string;
}

const cases: Case[] = [
  // RFC 6902 appendix A, in substance.
  {
    name: 'add an object member',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/b', value: 2 }],
    want: { a: 1, b: 2 },
  },
  {
    name: 'add replaces an existing member',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/a', value: [1] }],
    want: { a: [1] },
  },
  {
    name: 'add an array element in the middle',
    doc: { l: ['x', 'z'] },
    patch: [{ op: 'add', path: '/l/1', value: 'y' }],
    want: { l: ['x', 'y', 'z'] },
  },
  {
    name: 'add at index == length appends',
    doc: { l: ['x'] },
    patch: [{ op: 'add', path: '/l/1', value: 'y' }],
    want: { l: ['x', 'y'] },
  },
  {
    name: 'add with - appends',
    doc: { l: [1, 2] },
    patch: [{ op: 'add', path: '/l/-', value: 3 }],
    want: { l: [1, 2, 3] },
  },
  {
    name: 'add an array value',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/b', value: ['c', { d: 1 }] }],
    want: { a: 1, b: ['c', { d: 1 }] },
  },
  {
    name: 'add a nested object member',
    doc: { spec: {} },
    patch: [{ op: 'add', path: '/spec/template', value: { labels: { app: 'x' } } }],
    want: { spec: { template: { labels: { app: 'x' } } } },
  },
  {
    name: 'add at the root replaces the document',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '', value: { b: 2 } }],
    want: { b: 2 },
  },
  {
    name: 'add past the end of an array fails',
    doc: { l: [1] },
    patch: [{ op: 'add', path: '/l/3', value: 2 }],
    error: 'Unable to access invalid index: 3',
  },
  {
    name: 'add under a missing parent fails',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/missing/b', value: 2 }],
    error: 'add operation does not apply: doc is missing path: "/missing/b"',
  },
  {
    name: 'add under a scalar fails',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/a/b', value: 2 }],
    error: 'add operation does not apply: doc is missing path: "/a/b"',
  },
  {
    name: 'remove an object member',
    doc: { a: 1, b: 2 },
    patch: [{ op: 'remove', path: '/a' }],
    want: { b: 2 },
  },
  {
    name: 'remove an array element',
    doc: { l: ['a', 'b', 'c'] },
    patch: [{ op: 'remove', path: '/l/1' }],
    want: { l: ['a', 'c'] },
  },
  {
    name: 'remove a missing member fails',
    doc: { a: 1 },
    patch: [{ op: 'remove', path: '/b' }],
    error: 'remove operation does not apply: doc is missing path: "/b"',
  },
  {
    name: 'remove past the end fails',
    doc: { l: [1] },
    patch: [{ op: 'remove', path: '/l/1' }],
    error: 'Unable to access invalid index: 1',
  },
  {
    name: 'remove with - fails',
    doc: { l: [1] },
    patch: [{ op: 'remove', path: '/l/-' }],
    error: 'Unable to access invalid index: -',
  },
  {
    name: 'remove the root fails',
    doc: { a: 1 },
    patch: [{ op: 'remove', path: '' }],
    error: /cannot remove the whole document/,
  },
  {
    name: 'replace a member',
    doc: { spec: { replicas: 1 } },
    patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    want: { spec: { replicas: 3 } },
  },
  {
    name: 'replace an array element',
    doc: { l: [1, 2, 3] },
    patch: [{ op: 'replace', path: '/l/2', value: 'c' }],
    want: { l: [1, 2, 'c'] },
  },
  {
    name: 'replace the root',
    doc: { a: 1 },
    patch: [{ op: 'replace', path: '', value: [1] }],
    want: [1],
  },
  {
    name: 'replace a missing member fails',
    doc: { spec: {} },
    patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    error: 'replace operation does not apply: doc is missing key: /spec/replicas',
  },
  {
    name: 'replace past the end fails',
    doc: { l: [1] },
    patch: [{ op: 'replace', path: '/l/1', value: 3 }],
    error: 'Unable to access invalid index: 1',
  },
  {
    name: 'move a member',
    doc: { a: { b: 1 }, c: {} },
    patch: [{ op: 'move', from: '/a/b', path: '/c/d' }],
    want: { a: {}, c: { d: 1 } },
  },
  {
    name: 'move an array element',
    doc: { l: ['a', 'b', 'c', 'd'] },
    patch: [{ op: 'move', from: '/l/1', path: '/l/3' }],
    want: { l: ['a', 'c', 'd', 'b'] },
  },
  {
    name: 'move onto itself is a no-op',
    doc: { a: 1 },
    patch: [{ op: 'move', from: '/a', path: '/a' }],
    want: { a: 1 },
  },
  {
    name: 'move into its own child fails',
    doc: { a: { b: {} } },
    patch: [{ op: 'move', from: '/a', path: '/a/b/c' }],
    error: /inside the value being moved/,
  },
  {
    name: 'move from a missing path fails',
    doc: { a: 1 },
    patch: [{ op: 'move', from: '/x', path: '/y' }],
    error: 'move operation does not apply: doc is missing from path: /x',
  },
  {
    name: 'copy a value',
    doc: { a: { b: [1] } },
    patch: [{ op: 'copy', from: '/a', path: '/c' }],
    want: { a: { b: [1] }, c: { b: [1] } },
  },
  {
    name: 'copies are independent of their source',
    doc: { a: { b: 1 } },
    patch: [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'replace', path: '/c/b', value: 2 },
    ],
    want: { a: { b: 1 }, c: { b: 2 } },
  },
  {
    name: 'copy from a missing path fails',
    doc: {},
    patch: [{ op: 'copy', from: '/x', path: '/y' }],
    error: 'copy operation does not apply: doc is missing from path: /x',
  },
  {
    name: 'test passes on an equal value (member order does not matter)',
    doc: { a: { x: 1, y: [1, 'two'] } },
    patch: [{ op: 'test', path: '/a', value: { y: [1, 'two'], x: 1 } }],
    want: { a: { x: 1, y: [1, 'two'] } },
  },
  {
    name: 'test failure fails the whole patch',
    doc: { spec: { replicas: 1 } },
    patch: [
      { op: 'replace', path: '/spec/replicas', value: 5 },
      { op: 'test', path: '/spec/replicas', value: 1 },
    ],
    error: 'testing value /spec/replicas failed: test failed',
  },
  {
    name: 'test: a number is not its string',
    doc: { a: 10 },
    patch: [{ op: 'test', path: '/a', value: '10' }],
    error: 'testing value /a failed: test failed',
  },
  {
    name: 'test of a missing member against null passes (as in Kubernetes)',
    doc: { a: 1 },
    patch: [{ op: 'test', path: '/b', value: null }],
    want: { a: 1 },
  },
  {
    name: 'test of a missing member against a value fails',
    doc: { a: 1 },
    patch: [{ op: 'test', path: '/b', value: 1 }],
    error: 'testing value /b failed: test failed',
  },
  {
    name: 'test under a missing parent fails',
    doc: { a: 1 },
    patch: [{ op: 'test', path: '/x/y', value: 1 }],
    error: 'test operation does not apply: is missing path: /x/y',
  },
  {
    name: 'test of the whole document',
    doc: { a: [1] },
    patch: [{ op: 'test', path: '', value: { a: [1] } }],
    want: { a: [1] },
  },
  // Pointers.
  {
    name: '~1 is a slash and ~0 a tilde',
    doc: { 'a/b': 1, 'm~n': 2 },
    patch: [
      { op: 'replace', path: '/a~1b', value: 10 },
      { op: 'replace', path: '/m~0n', value: 20 },
    ],
    want: { 'a/b': 10, 'm~n': 20 },
  },
  {
    name: '~01 is a literal ~1, not a slash',
    doc: { '~1': 1, '/': 2 },
    patch: [{ op: 'remove', path: '/~01' }],
    want: { '/': 2 },
  },
  {
    name: 'label keys with slashes (kubectl style)',
    doc: { metadata: { labels: {} } },
    patch: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }],
    want: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } },
  },
  {
    name: 'the empty key is a member name',
    doc: { '': 1 },
    patch: [{ op: 'replace', path: '/', value: 2 }],
    want: { '': 2 },
  },
  {
    name: 'a pointer without a leading slash is invalid',
    doc: {},
    patch: [{ op: 'add', path: 'a', value: 1 }],
    error: 'json patch operation 0: invalid JSON pointer "a"',
  },
  {
    name: 'a bad escape is invalid',
    doc: {},
    patch: [{ op: 'add', path: '/a~2', value: 1 }],
    error: 'json patch operation 0: invalid JSON pointer "/a~2"',
  },
  {
    name: 'leading zeros are not an index',
    doc: { l: [1, 2] },
    patch: [{ op: 'replace', path: '/l/01', value: 3 }],
    error: 'Unable to access invalid index: 01',
  },
  {
    name: 'negative indices are not indices',
    doc: { l: [1, 2] },
    patch: [{ op: 'remove', path: '/l/-1' }],
    error: 'Unable to access invalid index: -1',
  },
  {
    name: 'digits address an object member by name',
    doc: { m: { '0': 'a' } },
    patch: [{ op: 'replace', path: '/m/0', value: 'b' }],
    want: { m: { '0': 'b' } },
  },
  // Malformed patches.
  {
    name: 'a patch that is an object',
    doc: {},
    patch: { op: 'add', path: '/a', value: 1 },
    error: 'json patch must be a JSON array of operations, got object',
    reason: 'BadRequest',
  },
  {
    name: 'a patch that is null',
    doc: {},
    patch: null,
    error: 'json patch must be a JSON array of operations, got null',
    reason: 'BadRequest',
  },
  {
    name: 'an operation that is not an object',
    doc: {},
    patch: ['add'],
    error: 'json patch operation 0 must be a JSON object, got string',
    reason: 'BadRequest',
  },
  {
    name: 'an unknown op',
    doc: {},
    patch: [{ op: 'merge', path: '/a', value: 1 }],
    error: 'json patch operation 0: Unexpected kind: merge',
  },
  {
    name: 'a missing op',
    doc: {},
    patch: [{ path: '/a', value: 1 }],
    error: 'json patch operation 0: "op" must be a string',
  },
  {
    name: 'a missing path',
    doc: {},
    patch: [{ op: 'remove' }],
    error: 'json patch operation 0 (remove): "path" must be a string',
  },
  {
    name: 'a missing value',
    doc: {},
    patch: [{ op: 'add', path: '/a' }],
    error: 'json patch operation 0 (add /a): missing value',
  },
  {
    name: 'a missing from',
    doc: { a: 1 },
    patch: [{ op: 'move', path: '/b' }],
    error: 'json patch operation 0 (move): "from" must be a string',
  },
  {
    name: 'a malformed later operation fails before anything applies',
    doc: { a: 1 },
    patch: [{ op: 'remove', path: '/a' }, { op: 'nope' }],
    error: 'json patch operation 1: Unexpected kind: nope',
  },
  {
    name: 'unknown members of an operation are ignored',
    doc: { a: 1 },
    patch: [{ op: 'replace', path: '/a', value: 2, comment: 'why' }],
    want: { a: 2 },
  },
  {
    name: 'an empty patch changes nothing',
    doc: { a: 1 },
    patch: [],
    want: { a: 1 },
  },
  // Prototype pollution: these keys are ordinary member names.
  {
    name: '__proto__ can be added as a member',
    doc: {},
    patch: [{ op: 'add', path: '/__proto__', value: { polluted: true } }],
    want: JSON.parse('{"__proto__":{"polluted":true}}'),
  },
  {
    name: 'a path through __proto__ does not reach Object.prototype',
    doc: {},
    patch: [{ op: 'add', path: '/__proto__/polluted', value: true }],
    error: 'add operation does not apply: doc is missing path: "/__proto__/polluted"',
  },
  {
    name: 'constructor is not read from the prototype',
    doc: {},
    patch: [{ op: 'test', path: '/constructor', value: {} }],
    error: 'testing value /constructor failed: test failed',
  },
  {
    name: 'constructor/prototype cannot be reached',
    doc: {},
    patch: [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }],
    error: /doc is missing path/,
  },
];

describe('applyJsonPatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const doc = deepFreeze(json(c.doc));
      const patch = deepFreeze(json(c.patch));
      if (c.error !== undefined) {
        const err = assertInvalid(() => applyJsonPatch(doc, patch), c.error);
        if (c.reason !== undefined) assert.equal(err.details.reason, c.reason);
      } else {
        assert.deepEqual(applyJsonPatch(doc, patch), c.want);
      }
      assert.deepEqual(doc, json(c.doc), 'the document was modified');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  test('a __proto__ member does not change the prototype of the result', () => {
    const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { x: 1 } }]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out as object), ['__proto__']);
    assert.equal((out as Record<string, unknown>).x, undefined);
  });

  test('the result shares no objects with the inputs', () => {
    const value = { deep: { list: [1] } };
    const doc = { kept: { a: 1 } };
    const out = applyJsonPatch(doc, [{ op: 'add', path: '/v', value }]) as Record<
      string,
      { [k: string]: unknown }
    >;
    assert.notEqual(out.kept, doc.kept);
    assert.notEqual(out.v, value);
    assert.notEqual(out.v.deep, value.deep);
  });

  test('at most 10,000 operations', () => {
    const ops = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '', value: {} }));
    const err = assertInvalid(
      () => applyJsonPatch({}, ops),
      'The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
    assert.equal(err.details.reason, 'RequestEntityTooLarge');
    assert.deepEqual(applyJsonPatch({}, ops.slice(1)), {});
  });

  test('repeated copies cannot grow a document without bound', () => {
    // Each copy doubles the document: 40 of them would be 2^40 times its size.
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: 'copy', from: '', path: `/c${i}` }));
    const err = assertInvalid(
      () => applyJsonPatch({ a: 'x'.repeat(1000) }, ops),
      /accumulated size increase of copy/,
    );
    assert.equal(err.details.reason, 'RequestEntityTooLarge');
    assert.deepEqual(
      applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/a', path: '/b' }], { maxCopyBytes: 1 }),
      { a: 1, b: 1 },
    );
  });

  test('a deeply nested document is an InvalidError, not a crash', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assertInvalid(() => applyJsonPatch(deep, []), 'json patch: nested too deeply');
  });

  test('a few thousand operations on a 1 MiB document take milliseconds', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      name: `item-${i}`,
      data: 'x'.repeat(230),
    }));
    const doc = { items };
    assert.ok(JSON.stringify(doc).length > 1024 * 1024);
    const ops = Array.from({ length: 2000 }, (_, i) => ({
      op: 'replace',
      path: `/items/${i * 2}/data`,
      value: 'y',
    }));
    // Timing lives in bench/patch.ts; here: a big patch on a big document is right.
    const out = applyJsonPatch(doc, ops) as { items: { data: string }[] };
    assert.equal(out.items[0].data, 'y');
    assert.equal(out.items[1].data, 'x'.repeat(230));
    assert.equal(out.items[3998].data, 'y');
  });

  test('property: only InvalidErrors, inputs untouched', () => {
    const key = fc.constantFrom('a', 'b', '0', '1', '-', '__proto__', 'constructor', '~0', '~1');
    const pointer = fc.array(key, { maxLength: 3 }).map((ks) => ks.map((k) => `/${k}`).join(''));
    const value = fc.jsonValue({ maxDepth: 2 });
    const op = fc.oneof(
      fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: pointer, value }),
      fc.record({ op: fc.constant('remove'), path: pointer }),
      fc.record({ op: fc.constantFrom('move', 'copy'), path: pointer, from: pointer }),
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(op, { maxLength: 6 }), (doc, ops) => {
        const before = JSON.stringify(doc);
        deepFreeze(doc);
        try {
          applyJsonPatch(doc, json(ops));
        } catch (err) {
          assert.ok(isInvalid(err), String(err));
        }
        assert.equal(JSON.stringify(doc), before);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }),
      { numRuns: 500 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';
import { assertInvalid, deepFreeze, json } from './test-helpers.ts';

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  want: unknown;
}

const cases: Case[] = [
  // RFC 7386 appendix A, in substance.
  { name: 'change a member', doc: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'add a member', doc: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'null deletes a member', doc: { a: 'b' }, patch: { a: null }, want: {} },
  {
    name: 'null deletes only that member',
    doc: { a: 'b', b: 'c' },
    patch: { a: null },
    want: { b: 'c' },
  },
  { name: 'an array replaces a scalar', doc: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'a scalar replaces an array', doc: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  {
    name: 'objects merge recursively',
    doc: { a: { b: 'c' } },
    patch: { a: { b: 'd', c: null } },
    want: { a: { b: 'd' } },
  },
  {
    name: 'arrays replace, not merge',
    doc: { a: [{ b: 'c' }] },
    patch: { a: [1] },
    want: { a: [1] },
  },
  {
    name: 'a patch array replaces the document',
    doc: ['a', 'b'],
    patch: ['c', 'd'],
    want: ['c', 'd'],
  },
  { name: 'a patch scalar replaces an object', doc: { a: 'b' }, patch: ['c'], want: ['c'] },
  { name: 'a null patch replaces the document', doc: { a: 'foo' }, patch: null, want: null },
  { name: 'a string patch replaces the document', doc: { a: 'foo' }, patch: 'bar', want: 'bar' },
  {
    name: 'null for a missing member changes nothing',
    doc: { e: null },
    patch: { a: 1 },
    want: { e: null, a: 1 },
  },
  {
    name: 'an object patch turns an array into an object',
    doc: [1, 2],
    patch: { a: 'b', c: null },
    want: { a: 'b' },
  },
  {
    name: 'nulls inside new objects are dropped',
    doc: {},
    patch: { a: { bb: { ccc: null } } },
    want: { a: { bb: {} } },
  },
  {
    name: 'nulls inside arrays are kept',
    doc: {},
    patch: { a: [null, { b: null }] },
    want: { a: [null, { b: null }] },
  },
  // Kubernetes usage.
  {
    name: 'kubectl label --overwrite / label-',
    doc: { metadata: { name: 'web', labels: { app: 'web', tier: 'front' } } },
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    want: { metadata: { name: 'web', labels: { app: 'web', env: 'prod' } } },
  },
  {
    name: 'kubectl scale',
    doc: { spec: { replicas: 1, selector: { matchLabels: { app: 'web' } } } },
    patch: { spec: { replicas: 3 } },
    want: { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } } },
  },
  {
    name: 'a container list is replaced wholesale',
    doc: {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    },
    patch: { spec: { containers: [{ name: 'a', image: 'a:2' }] } },
    want: { spec: { containers: [{ name: 'a', image: 'a:2' }] } },
  },
  {
    name: 'directive-looking keys are plain data',
    doc: { a: 1 },
    patch: { $patch: 'delete', $retainKeys: ['x'] },
    want: { a: 1, $patch: 'delete', $retainKeys: ['x'] },
  },
  {
    name: '__proto__ and constructor are plain member names',
    doc: JSON.parse('{"constructor": {"a": 1}}'),
    patch: JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"b": 2}}'),
    want: JSON.parse('{"constructor": {"a": 1, "b": 2}, "__proto__": {"polluted": true}}'),
  },
];

describe('applyMergePatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const doc = deepFreeze(json(c.doc));
      const patch = deepFreeze(json(c.patch));
      const out = applyMergePatch(doc, patch);
      assert.deepEqual(out, c.want);
      assert.deepEqual(doc, json(c.doc));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      if (typeof out === 'object' && out !== null) {
        assert.equal(
          Object.getPrototypeOf(out),
          Array.isArray(out) ? Array.prototype : Object.prototype,
        );
      }
    });
  }

  test('the result shares no objects with the inputs', () => {
    const doc = { kept: { a: 1 }, merged: { b: 1 } };
    const patch = { merged: { c: [1] }, added: { d: 1 } };
    const out = applyMergePatch(doc, patch) as Record<string, Record<string, unknown>>;
    assert.notEqual(out.kept, doc.kept);
    assert.notEqual(out.added, patch.added);
    assert.notEqual(out.merged.c, patch.merged.c);
  });

  test('keeps the member order of the document, new members last', () => {
    const out = applyMergePatch({ a: 1, b: 2, c: 3 }, { d: 4, b: 20 });
    assert.deepEqual(Object.keys(out as object), ['a', 'b', 'c', 'd']);
  });

  test('a deeply nested patch is an InvalidError', () => {
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    assertInvalid(() => applyMergePatch({}, deep), 'merge patch: nested too deeply');
  });

  test('a patch on a 1 MiB object changes only what it names', () => {
    const data: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) data[`key-${i}`] = 'x'.repeat(220);
    const doc = { metadata: { name: 'big', labels: { a: '1' } }, data };
    assert.ok(JSON.stringify(doc).length > 1024 * 1024);
    const out = applyMergePatch(doc, {
      metadata: { labels: { a: null, b: '2' } },
      data: { 'key-7': 'y' },
    }) as typeof doc;
    assert.deepEqual(out.metadata.labels, { b: '2' });
    assert.equal(out.data['key-7'], 'y');
    assert.equal(out.data['key-8'], 'x'.repeat(220));
    assert.equal(Object.keys(out.data).length, 5000);
  });
});

/** JSON values whose objects have no null members (a merge patch cannot express those). */
const key = fc.constantFrom('a', 'b', 'c', 'd', '__proto__', 'constructor', '$patch');
const doc: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean()),
    fc.array(fc.oneof(tie('value'), fc.constant(null)), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries)
        Object.defineProperty(o, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return o;
    }),
  ),
})).value;

describe('createMergePatch', () => {
  test('examples', () => {
    assert.deepEqual(createMergePatch({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1, d: 3 }, e: [1] }), {
      a: null,
      b: { d: 3 },
      e: [1],
    });
    assert.deepEqual(createMergePatch({ a: [1, 2] }, { a: [1, 2] }), {});
    assert.deepEqual(createMergePatch({ a: 1 }, [1]), [1]);
  });

  test('property: applying createMergePatch(a, b) to a gives b', () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => {
        deepFreeze(a);
        deepFreeze(b);
        const patch = createMergePatch(a, b);
        assert.deepEqual(applyMergePatch(a, patch), b);
        assert.deepEqual(applyMergePatch(a, json(patch)), json(b));
      }),
      { numRuns: 1000 },
    );
  });
});

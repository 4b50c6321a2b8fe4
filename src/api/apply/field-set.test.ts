import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import { FieldSet, element, goJSON, pathText, type Path } from './field-set.ts';

/** Exact JSON text, so key order is checked too (deepEqual ignores it). */
function text(v: unknown): string {
  return JSON.stringify(v);
}

describe('FieldSet <-> fieldsV1', () => {
  const roundTrips: { name: string; input: unknown; output?: unknown }[] = [
    { name: 'empty', input: {} },
    { name: 'one leaf', input: { 'f:spec': { 'f:replicas': {} } } },
    {
      name: 'a member that is also a parent keeps "." first',
      input: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
    },
    {
      name: 'map-list items by one key',
      input: {
        'f:spec': {
          'f:containers': {
            'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} },
            'k:{"name":"b"}': { '.': {}, 'f:name': {} },
          },
        },
      },
    },
    {
      name: 'multi-key map-list items get their keys sorted by name',
      input: {
        'f:ports': {
          'k:{"protocol":"UDP","containerPort":53}': { '.': {}, 'f:name': {} },
          'k:{"protocol":"TCP","containerPort":53}': {},
        },
      },
      output: {
        'f:ports': {
          'k:{"containerPort":53,"protocol":"TCP"}': {},
          'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:name': {} },
        },
      },
    },
    {
      name: 'set items by value, numbers before strings',
      input: { 'f:finalizers': { 'v:"b"': {}, 'v:"a"': {}, 'v:2': {}, 'v:10': {} } },
      output: { 'f:finalizers': { 'v:2': {}, 'v:10': {}, 'v:"a"': {}, 'v:"b"': {} } },
    },
    {
      name: 'element kinds sort f, k, v, i; indices numerically',
      input: { 'i:10': {}, 'i:9': {}, 'v:"x"': {}, 'k:{"a":1}': {}, 'f:z': {}, 'f:a': {} },
      output: { 'f:a': {}, 'f:z': {}, 'k:{"a":1}': {}, 'v:"x"': {}, 'i:9': {}, 'i:10': {} },
    },
    {
      name: 'field names sort by code point',
      input: { 'f:b': {}, 'f:B': {}, 'f:a.b': {}, 'f:a': {} },
      output: { 'f:B': {}, 'f:a': {}, 'f:a.b': {}, 'f:b': {} },
    },
    {
      name: 'a "." alone is a member',
      input: { 'f:data': { '.': {} } },
      output: { 'f:data': {} },
    },
    {
      name: 'unknown element types are dropped',
      input: { 'f:a': {}, 'x:whatever': {} },
      output: { 'f:a': {} },
    },
  ];
  for (const c of roundTrips) {
    it(c.name, () => {
      const set = FieldSet.fromFieldsV1(c.input);
      assert.equal(text(set.toFieldsV1()), text(c.output ?? c.input));
      // And the canonical form reads back to the same set.
      assert.ok(FieldSet.fromFieldsV1(set.toFieldsV1()).equals(set));
    });
  }

  const invalid: { name: string; input: unknown }[] = [
    { name: 'not an object', input: [] },
    { name: 'a value that is not an object', input: { 'f:a': true } },
    { name: 'a key without a colon', input: { fx: {} } },
    { name: 'a k: key that is not JSON', input: { 'k:{name}': {} } },
    { name: 'a k: key that is not an object', input: { 'k:[1]': {} } },
    { name: 'an i: key that is not a number', input: { 'i:x': {} } },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name}`, () => {
      assert.throws(() => FieldSet.fromFieldsV1(c.input), isInvalid);
    });
  }
});

describe('FieldSet operations', () => {
  const set = (...paths: Path[]): FieldSet => FieldSet.fromPaths(paths);
  const spec = 'f:spec';
  const replicas: Path = [spec, 'f:replicas'];
  const paused: Path = [spec, 'f:paused'];
  const labels: Path = ['f:metadata', 'f:labels'];
  const app: Path = [...labels, 'f:app'];

  const cases: { name: string; got: () => FieldSet; want: FieldSet }[] = [
    { name: 'union', got: () => set(replicas).union(set(paused)), want: set(replicas, paused) },
    {
      name: 'intersection keeps common members only',
      got: () => set(replicas, app).intersection(set(replicas, labels)),
      want: set(replicas),
    },
    {
      name: 'difference: parent minus child keeps the parent',
      got: () => set(labels, app).difference(set(app)),
      want: set(labels),
    },
    {
      name: 'difference: child minus parent keeps the child',
      got: () => set(app).difference(set(labels)),
      want: set(app),
    },
    {
      name: 'recursiveDifference: a member removes everything below it',
      got: () => set(labels, app, replicas).recursiveDifference(set(labels)),
      want: set(replicas),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = c.got();
      assert.ok(got.equals(c.want), `got ${got.toString()}\nwant ${c.want.toString()}`);
    });
  }

  it('answers membership questions', () => {
    const s = set(labels, app, replicas);
    assert.equal(s.has(app), true);
    assert.equal(s.has(labels), true);
    assert.equal(s.has([spec]), false);
    assert.equal(s.hasPrefix([spec]), true);
    assert.equal(s.hasPrefix(['f:status']), false);
    assert.equal(s.size, 3);
    assert.equal(s.isEmpty(), false);
    assert.equal(FieldSet.empty().isEmpty(), true);
    assert.equal(set([]).isEmpty(), true, 'the empty path is never a member');
    assert.equal(s.child('f:metadata').has(['f:labels', 'f:app']), true);
  });

  it('does not change its operands', () => {
    const a = set(replicas);
    const b = set(paused);
    a.union(b);
    a.difference(b);
    assert.equal(text(a.toFieldsV1()), '{"f:spec":{"f:replicas":{}}}');
  });

  it('refuses to insert into a view', () => {
    assert.throws(() => set(replicas).child(spec).insert(['f:x']), TypeError);
  });

  it('lists paths members first, then subtrees, each sorted', () => {
    const s = FieldSet.fromFieldsV1({
      'f:spec': {
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { 'f:image': {} } } } },
        'f:replicas': {},
      },
      'f:metadata': { 'f:labels': { 'f:app': {} } },
    });
    assert.deepEqual(s.paths().map(pathText), [
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.template.spec.containers[name="c"].image',
    ]);
  });
});

describe('path elements', () => {
  const cases: { el: string; spelled: string; printed: string }[] = [
    { el: element.field('replicas'), spelled: 'f:replicas', printed: '.replicas' },
    { el: element.key({ name: 'web' }), spelled: 'k:{"name":"web"}', printed: '[name="web"]' },
    {
      el: element.key({ protocol: 'TCP', containerPort: 80 }),
      spelled: 'k:{"containerPort":80,"protocol":"TCP"}',
      printed: '[containerPort=80,protocol="TCP"]',
    },
    { el: element.value('x'), spelled: 'v:"x"', printed: '[="x"]' },
    { el: element.value(5), spelled: 'v:5', printed: '[=5]' },
    { el: element.index(3), spelled: 'i:3', printed: '[3]' },
    // Go's encoder escapes HTML characters; keys must match what Kubernetes wrote.
    {
      el: element.value('a<b&c>'),
      spelled: 'v:"a\\u003cb\\u0026c\\u003e"',
      printed: '[="a<b&c>"]',
    },
  ];
  for (const c of cases) {
    it(`${c.spelled} prints as ${c.printed}`, () => {
      assert.equal(c.el, c.spelled);
      assert.equal(pathText([c.el]), c.printed);
    });
  }

  it('encodes JSON as Go does', () => {
    assert.equal(goJSON({ b: [1, true, null], a: 'x' }), '{"a":"x","b":[1,true,null]}');
  });
});

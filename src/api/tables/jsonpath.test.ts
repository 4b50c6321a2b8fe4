import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import { GoFloat, JsonPath, JsonPathError } from './jsonpath.ts';

const obj = {
  metadata: {
    name: 'web',
    labels: { 'app.kubernetes.io/name': 'shop', tier: 'front' },
    creationTimestamp: '2025-01-01T00:00:00Z',
  },
  spec: { replicas: 3, paused: false, ratio: 0.5, empty: null, ports: [80, 443, 8080] },
  status: {
    conditions: [
      { type: 'Available', status: 'True', count: 1 },
      { type: 'Ready', status: 'False', count: 2 },
      { type: 'Progressing', status: 'True', count: 3 },
    ],
  },
};

/** The first result list of `{path}` evaluated against obj. */
function find(path: string, data: unknown = obj): unknown[] {
  return JsonPath.parse(`{${path}}`).findResults(data)[0];
}

describe('JsonPath', () => {
  const cases: [string, unknown[]][] = [
    ['.spec.replicas', [3]],
    ['.metadata.name', ['web']],
    ['.spec.paused', [false]],
    ['.spec.empty', [null]],
    ['.spec.missing', []],
    ['.spec.replicas.deeper', []],
    ['.status.conditions[?(@.type=="Ready")].status', ['False']],
    [".status.conditions[?(@.type=='Available')].status", ['True']],
    ['.status.conditions[?(@.status=="True")].type', ['Available', 'Progressing']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Available', 'Progressing']],
    ['.status.conditions[?(@.count>1)].type', ['Ready', 'Progressing']],
    ['.status.conditions[?(@.count<=2)].type', ['Available', 'Ready']],
    ['.status.conditions[?(@.count >= 3)].type', ['Progressing']],
    ['.status.conditions[?(@.nothing=="x")].type', []],
    ['.status.conditions[?(@.type)].count', [1, 2, 3]],
    ['.status.conditions[0].type', ['Available']],
    ['.status.conditions[-1].type', ['Progressing']],
    ['.status.conditions[1:].type', ['Ready', 'Progressing']],
    ['.status.conditions[0:3:2].type', ['Available', 'Progressing']],
    ['.status.conditions[*].type', ['Available', 'Ready', 'Progressing']],
    ['.spec.ports[0,2]', [80, 8080]],
    ['.spec.ports[2:2]', []],
    ["['metadata']['name']", ['web']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['shop']],
    ['.metadata.labels.*', ['shop', 'front']],
    ['..count', [1, 2, 3]],
    ['$.spec.replicas', [3]],
  ];
  for (const [path, want] of cases) {
    it(`${path} -> ${JSON.stringify(want)}`, () => assert.deepEqual(find(path), want));
  }

  it('keeps text outside actions and evaluates each action from the root', () => {
    const results = JsonPath.parse('name={.metadata.name} n={.spec.replicas}').findResults(obj);
    assert.deepEqual(results, [['name='], ['web'], [' n='], [3]]);
  });

  it('keeps float literals apart from integers, as Go does', () => {
    assert.deepEqual(find('.spec.ports[?(@==80)]'), [80]);
    assert.throws(() => find('.spec.ports[?(@==80.0)]'), JsonPathError);
    assert.deepEqual(find('.spec[?(@.ratio==0.5)]', { spec: [{ ratio: 0.5 }] }), [{ ratio: 0.5 }]);
    assert.deepEqual(JsonPath.parse('{1.5}').findResults({}), [[new GoFloat(1.5)]]);
  });

  it('fails evaluation where client-go fails', () => {
    assert.throws(() => find('.spec.replicas[0]'), /not an array/);
    assert.throws(() => find('.spec.ports[3]'), /out of bounds/);
    assert.throws(() => find('.spec.ports[::0]'), /step must be > 0/);
    assert.throws(() => find('.status.conditions[?(@.type==1)]'), /incompatible types/);
    assert.throws(() => find('.spec[?(@.x=="a")]'), /cannot be filtered/);
    assert.throws(() => find('.spec.ports[?(@<true)]'), /incompatible/);
    assert.throws(() => find('range'), JsonPathError);
    assert.throws(() => find('status.conditions'), /unrecognized identifier status/);
  });

  it('rejects malformed paths with InvalidError', () => {
    for (const bad of [
      '{.spec',
      '{.spec[0}',
      '{.spec[x]}',
      '{.a[?(@.b=="c"}',
      '{"unterminated}',
      '{.a....b}',
      '{.a ! b}',
      '{1.2.3}',
    ]) {
      assert.throws(
        () => JsonPath.parse(bad),
        (err: unknown) => isInvalid(err),
        bad,
      );
    }
  });
});

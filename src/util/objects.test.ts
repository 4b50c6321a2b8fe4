import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deepEqual, getPath, setPath } from './objects.ts';

describe('deepEqual', () => {
  it('compares JSON values ignoring key order', () => {
    assert.ok(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }));
    assert.ok(!deepEqual({ a: 1 }, { a: 2 }));
    assert.ok(!deepEqual([1, 2], [2, 1]));
    assert.ok(!deepEqual({ a: null }, {}), 'null is a value');
  });

  it('treats undefined members as absent, as serialized JSON would', () => {
    // Regression: a cluster-scoped object got `namespace: undefined` on update,
    // which made every no-op update look like a change and write.
    assert.ok(
      deepEqual({ metadata: { name: 'n', namespace: undefined } }, { metadata: { name: 'n' } }),
    );
    assert.ok(deepEqual({ status: undefined }, {}));
    assert.ok(!deepEqual({ a: undefined, b: 1 }, { a: 1 }));
  });
});

describe('getPath/setPath', () => {
  it('reads and writes dotted paths', () => {
    const o: Record<string, unknown> = {};
    setPath(o, '.spec.replicas', 3);
    assert.deepEqual(o, { spec: { replicas: 3 } });
    assert.equal(getPath(o, 'spec.replicas'), 3);
    assert.equal(getPath(o, 'spec.missing.deep'), undefined);
  });
});

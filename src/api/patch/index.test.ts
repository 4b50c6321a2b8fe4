import assert from 'node:assert/strict';
import { test } from 'node:test';
import { patchTypeOf } from './index.ts';

test('patchTypeOf maps PATCH content types to patch formats', () => {
  assert.equal(patchTypeOf('application/json-patch+json'), 'json');
  assert.equal(patchTypeOf('application/merge-patch+json'), 'merge');
  assert.equal(patchTypeOf('application/strategic-merge-patch+json; charset=utf-8'), 'strategic');
  assert.equal(patchTypeOf(' Application/Merge-Patch+JSON '), 'merge');
  assert.equal(patchTypeOf('application/apply-patch+yaml'), undefined);
  assert.equal(patchTypeOf('application/json'), undefined);
  assert.equal(patchTypeOf('__proto__'), undefined);
  assert.equal(patchTypeOf('constructor'), undefined);
});

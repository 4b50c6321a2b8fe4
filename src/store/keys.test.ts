import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isInvalid } from '../util/errors.ts';
import {
  compareKeys,
  decodeContinue,
  encodeContinue,
  inRange,
  prefixRange,
  validateKey,
} from './keys.ts';

describe('store keys', () => {
  it('orders keys as SQLite orders their UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.equal(Math.sign(compareKeys(a, b)), bytes);
      }),
      { numRuns: 2000 },
    );
    // The case where UTF-16 order differs: a supplementary character vs U+FFxx.
    assert.ok(compareKeys('\u{1F600}', '\uFF01') > 0);
    assert.ok('\u{1F600}' < '\uFF01');
  });

  it('maps a directory prefix to exactly the keys below it', () => {
    const r = prefixRange('/registry/core/pods/');
    assert.ok(inRange('/registry/core/pods/ns/a', r));
    assert.ok(!inRange('/registry/core/podsx/a', r));
    assert.ok(!inRange('/registry/core/pod', r));
    const one = prefixRange('/registry/core/pods/ns/a');
    assert.ok(inRange('/registry/core/pods/ns/a', one));
    assert.ok(!inRange('/registry/core/pods/ns/ab', one));
    assert.ok(!inRange('/registry/core/pods/ns/a/b', one));
  });

  it('accepts ordinary keys and names every reason to refuse one', () => {
    validateKey('/registry/apps/deployments/default/web-1');
    validateKey('/registry/core/nodes/node.example.com');
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['registry/x', /must start with/],
      ['/a//b', /empty segment/],
      ['/a/../b', /"\.\." segment/],
      ['/a/b/', /empty segment/],
      ['/a/b\0c', /control character/],
    ];
    for (const [key, why] of cases) {
      assert.throws(
        () => validateKey(key),
        (err: Error) => isInvalid(err) && why.test(err.message),
        key,
      );
    }
  });

  it('round-trips continue tokens and refuses tampered ones', () => {
    const range = prefixRange('/a/');
    const token = encodeContinue({ revision: 42, after: '/a/k' });
    assert.deepEqual(decodeContinue(token, range), { revision: 42, after: '/a/k' });
    const forged = Buffer.from(JSON.stringify({ v: 1, rev: -1, after: '/a/k' })).toString(
      'base64url',
    );
    assert.throws(() => decodeContinue(forged, range), isInvalid);
    assert.throws(() => decodeContinue(token, prefixRange('/b/')), isInvalid);
  });
});

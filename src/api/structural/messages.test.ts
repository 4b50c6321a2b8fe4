import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { badValue, cause, goJSON, goNumber, goQuote } from './messages.ts';

describe('Go formatting', () => {
  it('goQuote escapes as strconv.Quote', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\x07\x00\x7f'), '"\\n\\t\\a\\x00\\x7f"');
    assert.equal(goQuote('héllo 😀'), '"héllo 😀"');
    assert.equal(goQuote('\u00a0\u200b'), '"\\u00a0\\u200b"');
  });

  it('goNumber prints as %v', () => {
    assert.equal(goNumber(10), '10');
    assert.equal(goNumber(-2.5), '-2.5');
    assert.equal(goNumber(0.0001), '0.0001');
    assert.equal(goNumber(0.00001), '1e-05');
    assert.equal(goNumber(1e20), '100000000000000000000');
    assert.equal(goNumber(1e21), '1e+21');
    assert.equal(goNumber(1.5e300), '1.5e+300');
  });

  it('goJSON sorts keys and escapes HTML characters', () => {
    assert.equal(goJSON({ b: 1, a: [true, null, 'x<y'] }), '{"a":[true,null,"x\\u003cy"],"b":1}');
  });

  it('badValue quotes strings, prints numbers and JSON', () => {
    assert.equal(badValue('x'), '"x"');
    assert.equal(badValue(3), '3');
    assert.equal(badValue(null), 'null');
    assert.equal(badValue({ k: 'v' }), '{"k":"v"}');
  });
});

describe('cause builders', () => {
  it('match Kubernetes for composite values and singulars', () => {
    assert.deepEqual(cause.invalid('spec', { a: 1 }, 'bad'), {
      reason: 'FieldValueInvalid',
      field: 'spec',
      message: 'Invalid value: {"a":1}: bad',
    });
    assert.equal(cause.duplicate('l[1]', { name: 'a' }).message, 'Duplicate value: {"name":"a"}');
    assert.equal(cause.tooLong('s', 1).message, 'Too long: may not be more than 1 byte');
    assert.equal(cause.tooMany('l', 2, 1).message, 'Too many: 2: must have at most 1 item');
    assert.equal(
      cause.notSupported('e', 2, ['1']).message,
      'Unsupported value: 2: supported values: "1"',
    );
    assert.equal(cause.required('x').message, 'Required value');
    assert.equal(cause.forbidden('x', 'no').message, 'Forbidden: no');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, matchPattern, MAX_PATTERN_INPUT } from './pattern.ts';

describe('compilePattern', () => {
  it('caches compiled patterns', () => {
    assert.equal(compilePattern('^cache-me$'), compilePattern('^cache-me$'));
  });

  it('rejects what RE2 rejects, in Go words', () => {
    assert.equal(
      compilePattern('a(?=b)').error,
      'error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
    assert.equal(
      compilePattern('(?<!a)b').error,
      'error parsing regexp: invalid or unsupported Perl syntax: `(?<!`',
    );
    assert.equal(
      compilePattern('(a)\\1').error,
      'error parsing regexp: invalid escape sequence: `\\1`',
    );
    assert.equal(
      compilePattern('(?<n>a)\\k<n>').error,
      'error parsing regexp: invalid escape sequence: `\\k`',
    );
    assert.equal(
      compilePattern('(?U)a').error,
      'error parsing regexp: invalid or unsupported flag: `U`',
    );
  });

  it('reports JavaScript syntax errors', () => {
    assert.equal(compilePattern('(').error, 'Invalid regular expression: /(/: Unterminated group');
  });

  it('does not mistake escapes, classes or group prefixes for lookaround or repeats', () => {
    for (const p of [
      '\\(?=x',
      '[(?=]',
      '(?:ab)+',
      '(?<name>a)b',
      '^a{2,3}$',
      'a{',
      '\\d+\\.\\d+',
    ]) {
      assert.equal(compilePattern(p).error, undefined, p);
      assert.equal(compilePattern(p).guarded, false, p);
    }
  });

  it('guards patterns the linear-time engine may not take', () => {
    assert.equal(compilePattern('^(a{1,30})+$').guarded, true);
    assert.equal(compilePattern('^(.*a){20}$').guarded, true);
    assert.equal(compilePattern('(?i)^abc$').guarded, true);
    assert.equal(compilePattern('(?i:abc)').guarded, true);
    assert.equal(compilePattern('^(a+)+$').guarded, false);
  });
});

describe('matchPattern', () => {
  it('translates Go leading flags', () => {
    assert.equal(matchPattern(compilePattern('(?i)^abc$'), 'ABC'), 'match');
    assert.equal(matchPattern(compilePattern('(?s)^a.b$'), 'a\nb'), 'match');
  });

  // Without the guard these would run for minutes; the test timeout catches that.
  it('finishes catastrophic patterns', { timeout: 30_000 }, () => {
    assert.equal(matchPattern(compilePattern('^(a+)+$'), 'a'.repeat(10_000) + '!'), 'mismatch');
    assert.equal(
      matchPattern(compilePattern('^(\\w+\\s?)*$'), 'word '.repeat(2000) + '!'),
      'mismatch',
    );
  });

  it('times out guarded patterns that backtrack forever', () => {
    assert.equal(matchPattern(compilePattern('^(a{1,30})+$'), 'a'.repeat(40) + '!'), 'timeout');
    assert.equal(matchPattern(compilePattern('^(a{1,30})+$'), 'a'.repeat(40)), 'match');
  });

  it('does not match inputs over MAX_PATTERN_INPUT', () => {
    assert.equal(matchPattern(compilePattern('^a*$'), 'a'.repeat(MAX_PATTERN_INPUT)), 'match');
    assert.equal(
      matchPattern(compilePattern('^a*$'), 'a'.repeat(MAX_PATTERN_INPUT + 1)),
      'mismatch',
    );
  });
});

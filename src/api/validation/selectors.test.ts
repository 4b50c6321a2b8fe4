import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvalid } from '../../util/errors.ts';
import {
  escapeFieldValue,
  formatLabelSelector,
  labelSelectorFromObject,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type Requirement,
} from './selectors.ts';

const KEY_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function throwsInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isInvalid(err), `expected InvalidError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

describe('parseLabelSelector', () => {
  const ok: [string, Requirement[]][] = [
    ['', []],
    ['   ', []],
    [
      'app=web,tier!=db,env in (a,b),!legacy,release',
      [
        { key: 'app', operator: '=', values: ['web'] },
        { key: 'env', operator: 'in', values: ['a', 'b'] },
        { key: 'legacy', operator: '!', values: [] },
        { key: 'release', operator: 'exists', values: [] },
        { key: 'tier', operator: '!=', values: ['db'] },
      ],
    ],
    ['a==b', [{ key: 'a', operator: '==', values: ['b'] }]],
    ['a=', [{ key: 'a', operator: '=', values: [''] }]],
    [
      'a = b , c',
      [
        { key: 'a', operator: '=', values: ['b'] },
        { key: 'c', operator: 'exists', values: [] },
      ],
    ],
    ['x notin (b,a,b)', [{ key: 'x', operator: 'notin', values: ['a', 'b'] }]],
    ['x in ()', [{ key: 'x', operator: 'in', values: [''] }]],
    ['x in (foo,,baz)', [{ key: 'x', operator: 'in', values: ['', 'baz', 'foo'] }]],
    ['x in (in,notin)', [{ key: 'x', operator: 'in', values: ['in', 'notin'] }]],
    ['in in (a)', [{ key: 'in', operator: 'in', values: ['a'] }]],
    [
      'n>5,m<3',
      [
        { key: 'm', operator: 'lt', values: ['3'] },
        { key: 'n', operator: 'gt', values: ['5'] },
      ],
    ],
    ['example.com/app=web', [{ key: 'example.com/app', operator: '=', values: ['web'] }]],
  ];
  for (const [input, expected] of ok) {
    it(`parses ${JSON.stringify(input)}`, () =>
      assert.deepEqual(parseLabelSelector(input), expected));
  }

  const bad: [string, string][] = [
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a==b==c', "found '==', expected: ',' or 'end of string'"],
    ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a =! b', "unable to parse requirement: found '!', expected: identifier"],
    ['a >< b', "unable to parse requirement: found '<', expected: identifier"],
    ['a ~ b', "unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"],
    ['-x', `unable to parse requirement: <nil>: Invalid value: "-x": ${KEY_MSG}`],
    ['x=-y', `unable to parse requirement: values[0][x]: Invalid value: "-y": ${VALUE_MSG}`],
    [
      'a<b',
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () =>
      throwsInvalid(() => parseLabelSelector(input), message));
  }
});

describe('labelSelectorFromObject', () => {
  it('turns matchLabels and matchExpressions into requirements', () => {
    assert.deepEqual(
      labelSelectorFromObject({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
      [
        { key: 'app', operator: '=', values: ['web'] },
        { key: 'tier', operator: 'in', values: ['a', 'b'] },
        { key: 'env', operator: 'notin', values: ['prod'] },
        { key: 'canary', operator: 'exists', values: [] },
        { key: 'legacy', operator: '!', values: [] },
      ],
    );
    assert.deepEqual(labelSelectorFromObject({}), []);
  });

  const bad: [unknown, string][] = [
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    ],
    [{ matchLabels: { '-a': 'b' } }, `key: Invalid value: "-a": ${KEY_MSG}`],
    [{ matchLabels: { a: '-b' } }, `values[0][a]: Invalid value: "-b": ${VALUE_MSG}`],
    [
      { matchExpressions: [{ key: '-a', operator: 'In', values: ['-b'] }] },
      `[key: Invalid value: "-a": ${KEY_MSG}, values[0][-a]: Invalid value: "-b": ${VALUE_MSG}]`,
    ],
  ];
  for (const [sel, message] of bad) {
    it(`rejects ${JSON.stringify(sel)}`, () =>
      throwsInvalid(() => labelSelectorFromObject(sel as never), message));
  }
});

describe('matchesLabels', () => {
  const labels = { app: 'web', tier: 'front', n: '10' };
  const table: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['app=web', labels, true],
    ['app==web', labels, true],
    ['app=db', labels, false],
    ['app!=db', labels, true],
    ['missing!=x', labels, true],
    ['app in (db,web)', labels, true],
    ['app notin (web)', labels, false],
    ['missing notin (web)', labels, true],
    ['missing in (web)', labels, false],
    ['tier', labels, true],
    ['missing', labels, false],
    ['!missing', labels, true],
    ['!app', labels, false],
    ['n>9', labels, true],
    ['n>10', labels, false],
    ['n<11', labels, true],
    ['app>1', labels, false],
    ['missing<1', labels, false],
    ['app=web,tier=back', labels, false],
    ['app', undefined, false],
    ['!app', undefined, true],
  ];
  for (const [sel, ls, expected] of table) {
    it(`${JSON.stringify(sel)} on ${JSON.stringify(ls)} is ${expected}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(sel), ls), expected);
    });
  }

  it('prints requirements back in query form', () => {
    assert.equal(
      formatLabelSelector(parseLabelSelector('tier!=db, app=web,env in (b,a),!legacy,release,n>3')),
      'app=web,env in (a,b),!legacy,n>3,release,tier!=db',
    );
  });
});

describe('field selectors', () => {
  it('parses terms, sorted, with escapes in values', () => {
    assert.deepEqual(parseFieldSelector('metadata.name=x,spec.nodeName!=,a==b\\,c\\=d\\\\e'), [
      { field: 'a', operator: '==', value: 'b,c=d\\e' },
      { field: 'metadata.name', operator: '=', value: 'x' },
      { field: 'spec.nodeName', operator: '!=', value: '' },
    ]);
    assert.deepEqual(parseFieldSelector(''), []);
    assert.deepEqual(parseFieldSelector('a=b,,c=d').length, 2);
  });

  const bad: [string, string][] = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['x=1,b', "invalid selector: 'x=1,b'; can't understand 'b'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () =>
      throwsInvalid(() => parseFieldSelector(input), message));
  }

  it('matches fields, missing fields being empty', () => {
    const fields = { 'metadata.name': 'x', 'spec.nodeName': '', 'status.phase': 'Running' };
    assert.equal(matchesFields(parseFieldSelector('metadata.name=x'), fields), true);
    assert.equal(matchesFields(parseFieldSelector('metadata.name=y'), fields), false);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), fields), true);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName!='), fields), false);
    assert.equal(
      matchesFields(parseFieldSelector('status.phase!=Pending,metadata.name==x'), fields),
      true,
    );
    assert.equal(matchesFields(parseFieldSelector('spec.other='), fields), true);
    assert.equal(matchesFields([], fields), true);
  });

  it('escapes values so that they parse back', () => {
    const value = 'a,b=c\\d';
    const [req] = parseFieldSelector(`f=${escapeFieldValue(value)}`);
    assert.equal(req.value, value);
  });
});

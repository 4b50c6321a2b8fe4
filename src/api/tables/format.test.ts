import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelSelector } from '../types/meta.ts';
import {
  age,
  formatLabelSelector,
  formatLabels,
  formatTimestampUTC,
  goFloatString,
  goJsonMarshal,
  goNumberString,
  humanDuration,
  joinHostPort,
  parseTimestamp,
  selectorString,
  ZERO_TIME_MS,
} from './format.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [Number.NaN, '<invalid>'],
    [-3 * S, '<invalid>'],
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [-1, '0s'],
    [0, '0s'],
    [999, '0s'],
    [1 * S, '1s'],
    [45 * S, '45s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [2 * M + 5 * S, '2m5s'],
    [3 * M + 12 * S, '3m12s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M + 59 * S, '179m'],
    [3 * H, '3h'],
    [3 * H + 1 * M, '3h1m'],
    [5 * H, '5h'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 30 * M, '8h'],
    [47 * H + 59 * M, '47h'],
    [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H + 59 * M, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 5 * H, '8d'],
    [2 * Y - 1 * H, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 12 * D, '2y12d'],
    [4 * Y + 12 * D, '4y12d'],
    [8 * Y - 1 * D, '7y364d'],
    [8 * Y, '8y'],
    [10 * Y + 200 * D, '10y'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms} ms -> ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('timestamps', () => {
  it('parses RFC 3339 with offsets and fractions', () => {
    assert.equal(parseTimestamp('1970-01-01T00:00:00Z'), 0);
    assert.equal(parseTimestamp('1970-01-01T01:00:00+01:00'), 0);
    assert.equal(parseTimestamp('1969-12-31T23:30:00-00:30'), 0);
    assert.equal(parseTimestamp('2024-02-29T12:00:00.5Z'), Date.UTC(2024, 1, 29, 12) + 500);
    assert.equal(parseTimestamp('2024-01-01T00:00:00.000001Z'), Date.UTC(2024, 0, 1) + 0.001);
    assert.equal(parseTimestamp('0001-01-01T00:00:00Z'), ZERO_TIME_MS);
  });

  it('rejects what Go rejects', () => {
    for (const bad of [
      '',
      '2024-01-01',
      '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:60Z',
      '2024-01-01T00:00:00+0100',
    ]) {
      assert.equal(parseTimestamp(bad), undefined, bad);
    }
  });

  it('ages: <unknown> for missing, zero or unparseable times', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    assert.equal(age('2024-12-31T23:59:15Z', now), '45s');
    assert.equal(age('2025-01-01T00:00:10Z', now), '<invalid>');
    assert.equal(age(undefined, now), '<unknown>');
    assert.equal(age('0001-01-01T00:00:00Z', now), '<unknown>');
    assert.equal(age('yesterday', now), '<unknown>');
  });

  it('formats in UTC with whole seconds, like Go', () => {
    assert.equal(formatTimestampUTC('2024-05-06T09:08:07.999+02:00'), '2024-05-06T07:08:07Z');
    assert.equal(formatTimestampUTC(undefined), '0001-01-01T00:00:00Z');
    assert.equal(formatTimestampUTC('0099-03-04T05:06:07Z'), '0099-03-04T05:06:07Z');
  });
});

describe('labels and selectors', () => {
  it('formats label maps sorted, <none> when empty', () => {
    assert.equal(formatLabels({ tier: 'web', app: 'shop' }), 'app=shop,tier=web');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabels(undefined), '<none>');
  });

  it('prints selectors in query form, requirements by key, values sorted', () => {
    assert.equal(
      selectorString({
        matchLabels: { tier: 'web', app: 'shop' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['prod', 'dev'] },
          { key: 'zone', operator: 'NotIn', values: ['b', 'a'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'gpu', operator: 'Exists' },
        ],
      }),
      'app=shop,!canary,env in (dev,prod),gpu,tier=web,zone notin (a,b)',
    );
    assert.equal(selectorString(undefined), '');
    assert.equal(selectorString({}), '');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
  });

  it('refuses selectors Kubernetes cannot convert', () => {
    const bad: LabelSelector[] = [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      { matchExpressions: [{ key: 'a', operator: 'Gt' as unknown as 'In', values: ['1'] }] },
      { matchLabels: { 'bad key!': 'x' } },
      { matchLabels: { app: 'not a value' } },
    ];
    for (const s of bad) {
      assert.equal(selectorString(s), undefined, JSON.stringify(s));
      assert.equal(formatLabelSelector(s), '<error>');
    }
    assert.equal(
      selectorString({ matchLabels: { 'example.com/app': 'a-b_c.d' } }),
      'example.com/app=a-b_c.d',
    );
  });
});

describe('Go value printing', () => {
  it('prints integers plainly and floats like %v', () => {
    assert.equal(goNumberString(3), '3');
    assert.equal(goNumberString(-42), '-42');
    assert.equal(goNumberString(9007199254740991), '9007199254740991');
    assert.equal(goNumberString(1e20), '1e+20'); // beyond int64: a float64 in Go
    assert.equal(goNumberString(1.5), '1.5');
    assert.equal(goFloatString(123456.5), '123456.5');
    assert.equal(goFloatString(1234567.5), '1.2345675e+06');
    assert.equal(goFloatString(0.0001), '0.0001');
    assert.equal(goFloatString(0.00001), '1e-05');
    assert.equal(goFloatString(1e21), '1e+21');
    assert.equal(goFloatString(2.5e-300), '2.5e-300');
  });

  it('marshals JSON like encoding/json', () => {
    assert.equal(goJsonMarshal({ b: 1, a: ['<&>'] }), '{"a":["\\u003c\\u0026\\u003e"],"b":1}');
    assert.equal(goJsonMarshal([{ z: true, y: null }]), '[{"y":null,"z":true}]');
  });

  it('joins host and port, bracketing IPv6', () => {
    assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
    assert.equal(joinHostPort('fd00::1', 443), '[fd00::1]:443');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isInvalid } from '../../util/errors.ts';
import {
  canonicalQuantity,
  compareQuantities,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_NUMERIC_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityToString,
  type Quantity,
} from './quantity.ts';

describe('parseQuantity and quantityToString', () => {
  const cases: [
    input: string | number,
    milli: bigint,
    format: Quantity['format'],
    canonical: string,
  ][] = [
    ['100m', 100n, 'DecimalSI', '100m'],
    ['0.1', 100n, 'DecimalSI', '100m'],
    ['1.5', 1500n, 'DecimalSI', '1500m'],
    ['1', 1000n, 'DecimalSI', '1'],
    ['1000', 1_000_000n, 'DecimalSI', '1k'],
    ['1500', 1_500_000n, 'DecimalSI', '1500'],
    ['2M', 2_000_000_000n, 'DecimalSI', '2M'],
    ['1E', 10n ** 21n, 'DecimalSI', '1E'],
    ['1000E', 10n ** 24n, 'DecimalSI', '1000E'],
    ['1.5Gi', 1_610_612_736_000n, 'BinarySI', '1536Mi'],
    ['1024Mi', 1_073_741_824_000n, 'BinarySI', '1Gi'],
    ['500Mi', 524_288_000_000n, 'BinarySI', '500Mi'],
    ['1.1Ki', 1_126_400n, 'DecimalSI', '1126400m'],
    ['0.5Ki', 512_000n, 'DecimalSI', '512'],
    ['-1Ki', -1_024_000n, 'BinarySI', '-1Ki'],
    ['1e3', 1_000_000n, 'DecimalExponent', '1e3'],
    ['2e3', 2_000_000n, 'DecimalExponent', '2e3'],
    ['1.5e3', 1_500_000n, 'DecimalSI', '1500'],
    ['1E-3', 1n, 'DecimalExponent', '1e-3'],
    ['12e6', 12_000_000_000n, 'DecimalExponent', '12e6'],
    ['0.0001', 1n, 'DecimalSI', '1m'],
    ['-0.0001', -1n, 'DecimalSI', '-1m'],
    ['5n', 1n, 'DecimalSI', '1m'],
    ['1u', 1n, 'DecimalSI', '1m'],
    ['0', 0n, 'DecimalSI', '0'],
    ['0Mi', 0n, 'DecimalSI', '0'],
    ['+3', 3000n, 'DecimalSI', '3'],
    ['.5', 500n, 'DecimalSI', '500m'],
    ['1.', 1000n, 'DecimalSI', '1'],
    [' 2 ', 2000n, 'DecimalSI', '2'],
    [2, 2000n, 'DecimalSI', '2'],
    [0.25, 250n, 'DecimalSI', '250m'],
    [1e21, 10n ** 24n, 'DecimalExponent', '1e21'],
  ];
  for (const [input, milli, format, canonical] of cases) {
    it(`${JSON.stringify(input)} -> ${canonical}`, () => {
      const q = parseQuantity(input);
      assert.deepEqual(q, { milli, format });
      assert.equal(quantityToString(q), canonical);
    });
  }

  const bad: [input: string | number, message: string][] = [
    ['', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1Gb', QUANTITY_FORMAT_ERROR],
    ['1.2.3', QUANTITY_FORMAT_ERROR],
    ['Mi', QUANTITY_FORMAT_ERROR],
    ['1 Gi', QUANTITY_FORMAT_ERROR],
    [Number.NaN, QUANTITY_FORMAT_ERROR],
    ['1MM', QUANTITY_SUFFIX_ERROR],
    ['1ki', QUANTITY_SUFFIX_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1e999', QUANTITY_NUMERIC_ERROR],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseQuantity(input),
        (err: unknown) => isInvalid(err) && err.message === message,
      );
    });
  }

  it('prints the Kubernetes regular expression in the format error', () => {
    assert.equal(
      QUANTITY_FORMAT_ERROR,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  it('compares by value, whatever the notation', () => {
    assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1024Mi')), 0);
    assert.equal(compareQuantities(parseQuantity('1G'), parseQuantity('1Gi')), -1);
    assert.equal(compareQuantities(parseQuantity('200m'), parseQuantity('0.1')), 1);
    assert.equal(compareQuantities(parseQuantity('1e3'), parseQuantity('1k')), 0);
    assert.equal(compareQuantities(parseQuantity('-1'), parseQuantity('0')), -1);
  });

  it('canonicalQuantity returns undefined for what does not parse', () => {
    assert.equal(canonicalQuantity('0.5'), '500m');
    assert.equal(canonicalQuantity(1), '1');
    assert.equal(canonicalQuantity('x'), undefined);
    assert.equal(canonicalQuantity(null), undefined);
  });
});

const suffixes = [
  '',
  'm',
  'k',
  'M',
  'G',
  'T',
  'P',
  'E',
  'n',
  'u',
  'Ki',
  'Mi',
  'Gi',
  'Ti',
  'Pi',
  'Ei',
  'e3',
  'e-2',
  'E6',
  'e0',
];
const quantityText = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    fc.stringMatching(/^[0-9]{1,8}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,5}$/), { nil: undefined }),
    fc.constantFrom(...suffixes),
  )
  .map(
    ([sign, whole, frac, suffix]) =>
      `${sign}${whole}${frac === undefined ? '' : `.${frac}`}${suffix}`,
  );

describe('quantity round trip (property)', () => {
  it('parseQuantity(quantityToString(q)) equals q for every parsed q', () => {
    fc.assert(
      fc.property(quantityText, (text) => {
        const q = parseQuantity(text);
        assert.deepEqual(parseQuantity(quantityToString(q)), q);
      }),
      { numRuns: 2000 },
    );
  });

  it('printing is stable for arbitrary values and formats', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
        fc.constantFrom('DecimalSI', 'BinarySI', 'DecimalExponent'),
        (milli, format) => {
          const text = quantityToString({ milli, format: format as Quantity['format'] });
          const back = parseQuantity(text);
          assert.equal(back.milli, milli);
          assert.equal(quantityToString(back), text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a value survives being written with another suffix', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (n) => {
        // n bytes written as bytes, as Ki fractions and as a decimal exponent.
        const bytes = parseQuantity(`${n}`);
        assert.equal(compareQuantities(bytes, parseQuantity(`${n}e0`)), 0);
        assert.equal(
          compareQuantities(bytes, parseQuantity(`${n * 1024n}Ki`)) < 0 || n === 0n,
          true,
        );
        assert.equal(compareQuantities(parseQuantity(`${n}Ki`), parseQuantity(`${n * 1024n}`)), 0);
      }),
      { numRuns: 500 },
    );
  });
});

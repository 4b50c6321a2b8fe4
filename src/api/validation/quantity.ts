/**
 * Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`, `500Mi`): parsing,
 * canonical printing and comparison, with exact integer arithmetic (bigint), so
 * no value ever passes through a float.
 *
 * Precision: values are kept in milli-units. A finer value (`0.1m`, `5n`) is
 * rounded away from zero to the next milli-unit, which is what Kubernetes does
 * to every ResourceList on decoding (`SetDefaults_ResourceList`).
 *
 * Canonical form, as Kubernetes prints it: the largest suffix of the quantity's
 * format that leaves an integer (`1.5` -> `1500m`, `1.5Gi` -> `1536Mi`,
 * `1000` -> `1k`, `2e3` -> `2e3`). A BinarySI value below 1024 in magnitude, or
 * not a whole number, prints as DecimalSI. `parseQuantity` records the format
 * the canonical string will have, so `parseQuantity(quantityToString(q))`
 * returns `q` again for every parsed `q`.
 */
import { InvalidError } from '../../util/errors.ts';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** Exact value in milli-units. */
  milli: bigint;
  format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';

// Sign, integer digits, optional fraction, then the suffix characters Kubernetes'
// scanner accepts (letters of the suffix set, an optional sign, digits).
const SCAN = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Beyond this decimal exponent a quantity is rejected rather than expanded into a huge bigint. */
const MAX_EXPONENT = 300;

function fail(message: string): never {
  throw new InvalidError(message);
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Rounds `num / den` (both positive) up to an integer. */
function ceilDiv(num: bigint, den: bigint): bigint {
  return (num + den - 1n) / den;
}

/**
 * Parses a quantity. A JSON number is accepted as Kubernetes accepts one (its
 * decimal text is parsed); surrounding white space is ignored, as in decoding.
 * Throws `InvalidError` with Kubernetes' message on malformed input. Unlike
 * Kubernetes' scanner, which reads `Mi` or `+` alone as zero, a number part
 * (at least one digit or `.`) is required, as the regular expression in the
 * error message says.
 */
export function parseQuantity(input: string | number): Quantity {
  let s: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) fail(QUANTITY_FORMAT_ERROR);
    s = String(input);
  } else if (typeof input === 'string') {
    s = input.trim();
  } else {
    fail(QUANTITY_FORMAT_ERROR);
  }
  const m = SCAN.exec(s);
  if (!m) fail(QUANTITY_FORMAT_ERROR);
  const [, sign, whole, frac, suffix] = m;
  if (whole === '' && frac === undefined) fail(QUANTITY_FORMAT_ERROR);

  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in DECIMAL_SUFFIXES) {
    format = 'DecimalSI';
    exp10 = DECIMAL_SUFFIXES[suffix];
  } else if (suffix in BINARY_SUFFIXES) {
    format = 'BinarySI';
    exp2 = BINARY_SUFFIXES[suffix];
  } else if (
    suffix.length > 1 &&
    (suffix[0] === 'e' || suffix[0] === 'E') &&
    /^[+-]?[0-9]+$/.test(suffix.slice(1))
  ) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exp10) || Math.abs(exp10) > MAX_EXPONENT)
      fail(QUANTITY_NUMERIC_ERROR);
  } else {
    fail(QUANTITY_SUFFIX_ERROR);
  }

  const fraction = frac ?? '';
  const mantissa = BigInt((whole + fraction).replace(/^0+(?=.)/, '') || '0');
  // value = mantissa * 10^(exp10 - len(fraction)) * 2^exp2; in milli-units * 1000 = 10^3.
  const scale10 = exp10 - fraction.length + 3;
  let num = mantissa << BigInt(exp2);
  let den = 1n;
  if (scale10 >= 0) num *= pow10(scale10);
  else den = pow10(-scale10);
  let milli = num === 0n ? 0n : ceilDiv(num, den);
  if (sign === '-') milli = -milli;
  return { milli, format: canonicalFormat(milli, format) };
}

/** The format the canonical string of `milli` in `format` will parse back as. */
function canonicalFormat(milli: bigint, format: QuantityFormat): QuantityFormat {
  if (milli === 0n) return 'DecimalSI';
  const abs = milli < 0n ? -milli : milli;
  if (format === 'BinarySI') {
    // Printed with a binary suffix only when a whole number of Ki (or more);
    // otherwise the text is a plain decimal and parses back as DecimalSI.
    return abs < 1024000n || abs % 1024000n !== 0n ? 'DecimalSI' : 'BinarySI';
  }
  if (format === 'DecimalExponent' && decimalParts(abs).exponent === 0) return 'DecimalSI';
  return format;
}

/** `abs` milli-units as mantissa x 10^exponent, exponent a multiple of 3 and as large as possible. */
function decimalParts(abs: bigint): { mantissa: bigint; exponent: number } {
  let mantissa = abs;
  let exponent = -3;
  while (mantissa !== 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (((exponent % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  return { mantissa, exponent };
}

/** The canonical text of a quantity, as Kubernetes serializes it. */
export function quantityToString(q: Quantity): string {
  const { milli } = q;
  if (milli === 0n) return '0';
  const neg = milli < 0n;
  const abs = neg ? -milli : milli;
  const sign = neg ? '-' : '';
  const format = canonicalFormat(milli, q.format);

  if (format === 'BinarySI') {
    let v = abs / 1000n;
    let power = 0;
    while (power < BINARY_BY_POWER.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      power++;
    }
    return `${sign}${v}${BINARY_BY_POWER[power]}`;
  }

  let { mantissa, exponent } = decimalParts(abs);
  if (format === 'DecimalExponent') {
    return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  }
  // DecimalSI has no suffix above E (10^18): keep the rest in the mantissa.
  if (exponent > 18) {
    mantissa *= pow10(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/** Negative, zero or positive as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.milli < b.milli ? -1 : a.milli > b.milli ? 1 : 0;
}

/**
 * The canonical string of a quantity written as `value` (string or number), or
 * undefined when it does not parse. For normalizing stored objects.
 */
export function canonicalQuantity(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return quantityToString(parseQuantity(value));
  } catch {
    return undefined;
  }
}

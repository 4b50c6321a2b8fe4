/**
 * Field causes worded exactly as the Kubernetes API server words them for
 * custom resources, including how it prints the offending value.
 *
 * Kubernetes prints a bad value with Go's rules: strings with `%q`, numbers with
 * `%v` (so `1e-05`, not `1e-5`), and anything composite as JSON with sorted
 * keys (`{"name":"a"}`). The shared helpers in src/api/field-errors.ts print
 * scalars the same way, so they are used whenever the outputs agree; for the
 * rest (composite values, Go-only number spellings, the singular "1 item") the
 * cause is built here with the same `reason` the helper would give.
 */
import { fieldError } from '../field-errors.ts';
import type { FieldCause } from '../../util/errors.ts';

/** Go's `strconv.Quote`: printable Unicode kept, everything else escaped. */
export function goQuote(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot come out of Go's JSON decoder; it would be U+FFFD.
      out += '\ufffd';
    } else if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp === 0x20 || PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp < 0x10000) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + '"';
}
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * Go's `%v` for a JSON number. Integral values below 1e21 print plainly (Go holds
 * them as int64, or prints a float64 without exponent); others use an exponent
 * outside [1e-4, 1e21) with at least two exponent digits.
 */
export function goNumber(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 21) {
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's `encoding/json` output: keys sorted, `<`, `>` and `&` escaped. */
export function goJSON(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
      return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    });
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJSON).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort(compareGoStrings);
    return `{${keys.map((k) => `${goJSON(k)}:${goJSON(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(value));
}

/** Go compares strings bytewise (UTF-8); code point order is the same order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (astral code points) sort after every BMP code unit in code-point order.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** How `field.Error` prints a bad value (the part after "Invalid value: "). */
export function badValue(value: unknown): string {
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  return goJSON(value);
}

/** True when src/api/field-errors.ts prints `value` exactly as Kubernetes does. */
function helperAgrees(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value) === goQuote(value);
    case 'number':
      return String(value) === goNumber(value);
    case 'boolean':
      return true;
    default:
      return value === null;
  }
}

function make(reason: string, field: string, message: string): FieldCause {
  return { reason, field, message };
}

/** Cause builders mirroring apimachinery's `field.Invalid`, `field.Required`, ... */
export const cause = {
  invalid(field: string, value: unknown, detail: string): FieldCause {
    if (helperAgrees(value)) return fieldError.invalid(field, value, detail);
    return make(
      'FieldValueInvalid',
      field,
      `Invalid value: ${badValue(value)}${detail ? `: ${detail}` : ''}`,
    );
  },
  typeInvalid(field: string, value: unknown, detail: string): FieldCause {
    if (helperAgrees(value)) return fieldError.typeInvalid(field, value, detail);
    return make('FieldValueTypeInvalid', field, `Invalid value: ${badValue(value)}: ${detail}`);
  },
  required(field: string, detail = ''): FieldCause {
    return fieldError.required(field, detail);
  },
  forbidden(field: string, detail: string): FieldCause {
    return fieldError.forbidden(field, detail);
  },
  notSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
    if (helperAgrees(value) && supported.every((s) => JSON.stringify(s) === goQuote(s))) {
      return fieldError.notSupported(field, value, supported);
    }
    const list = supported.length ? `: supported values: ${supported.map(goQuote).join(', ')}` : '';
    return make('FieldValueNotSupported', field, `Unsupported value: ${badValue(value)}${list}`);
  },
  duplicate(field: string, value: unknown): FieldCause {
    if (helperAgrees(value)) return fieldError.duplicate(field, value);
    return make('FieldValueDuplicate', field, `Duplicate value: ${badValue(value)}`);
  },
  /** `maxLength` violations: Kubernetes omits the value and (historically) says bytes. */
  tooLong(field: string, max: number): FieldCause {
    if (max >= 0 && max !== 1) return fieldError.tooLong(field, max);
    const detail = max < 0 ? 'value is too long' : 'may not be more than 1 byte';
    return make('FieldValueTooLong', field, `Too long: ${detail}`);
  },
  tooMany(field: string, actual: number, max: number): FieldCause {
    if (actual >= 0 && max >= 0 && max !== 1) return fieldError.tooMany(field, actual, max);
    const detail = max < 0 ? 'has too many items' : `must have at most ${max} item`;
    return make(
      'FieldValueTooMany',
      field,
      actual >= 0 ? `Too many: ${actual}: ${detail}` : `Too many: ${detail}`,
    );
  },
};

/** `field.Path` style: `a.b`, `a[0]`, `a[key]`. */
export const fieldPath = {
  child(parent: string, name: string): string {
    return parent === '' ? name : `${parent}.${name}`;
  },
  index(parent: string, i: number): string {
    return `${parent}[${i}]`;
  },
  key(parent: string, k: string): string {
    return `${parent}[${k}]`;
  },
};

/** The text `kubectl` shows for a cause, used to sort and deduplicate as Kubernetes does. */
export function causeText(c: FieldCause): string {
  return `${c.field ?? ''}: ${c.message}`;
}

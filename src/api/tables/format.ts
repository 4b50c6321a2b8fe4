/**
 * Formatting rules the Kubernetes printers share: ages, timestamps, label maps
 * and selectors, container lists, host:port pairs, and Go's way of printing a
 * number. Each helper reproduces what kubectl users see from a real cluster,
 * down to the placeholders (`<none>`, `<unknown>`, `<invalid>`).
 */
import { compareGoStrings } from '../structural/messages.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../types/meta.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Kubernetes' human-readable duration ("0s", "45s", "3m12s", "5h", "2d3h",
 * "4y12d"): about two significant figures, finer units dropped as the duration
 * grows. Durations down to -1s count as "0s" (clock skew between machines);
 * anything more negative, or not a finite number, is "<invalid>".
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds <= 0) return '0s';
  if (seconds < 2 * 60) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 3 * 60) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

// ------------------------------------------------------------------ time

/** Days from 1970-01-01 to a proleptic Gregorian date (valid for every year, unlike Date.UTC). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of Go's zero time, 0001-01-01T00:00:00Z: Kubernetes' "not set". */
export const ZERO_TIME_MS = daysFromCivil(1, 1, 1) * 86_400_000;

/**
 * Parses an RFC 3339 timestamp as Go's `time.Parse(time.RFC3339, s)` accepts it
 * (fractional seconds allowed, `Z` or a numeric offset, fields range-checked).
 * Returns epoch milliseconds, fractional below a millisecond, or undefined if
 * `s` is not such a timestamp.
 */
export function parseTimestamp(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const oh = Number(m[9]);
    const om = Number(m[10]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * SECOND;
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    hour * HOUR +
    minute * MINUTE +
    second * SECOND +
    fraction -
    offsetMinutes * MINUTE
  );
}

/**
 * Age of a timestamp field as the printers show it: "<unknown>" when the field
 * is missing, empty, unparseable or Go's zero time; otherwise humanDuration of
 * `now - timestamp`.
 */
export function age(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = parseTimestamp(timestamp);
  if (t === undefined || t === ZERO_TIME_MS) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** True when a timestamp field holds a time (not missing, not Go's zero time). */
export function isSetTime(timestamp: unknown): timestamp is string {
  if (typeof timestamp !== 'string') return false;
  const t = parseTimestamp(timestamp);
  return t !== undefined && t !== ZERO_TIME_MS;
}

/**
 * A timestamp re-printed in UTC with second precision, as Go formats
 * `t.UTC().Format(time.RFC3339)`; a missing or unparseable timestamp prints as
 * Go's zero time.
 */
export function formatTimestampUTC(timestamp: unknown): string {
  const t = typeof timestamp === 'string' ? parseTimestamp(timestamp) : undefined;
  const iso = new Date(Math.floor((t ?? ZERO_TIME_MS) / SECOND) * SECOND).toISOString();
  return `${iso.slice(0, 19)}Z`;
}

// ------------------------------------------------------------------ labels and selectors

/** Go's byte-wise string order (the same as code-unit order for the ASCII of label keys). */
/** A label map as `k1=v1,k2=v2`, keys sorted; `<none>` when empty or missing. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(compareGoStrings);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k]}`).join(',');
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: optional DNS subdomain prefix and `/`, then a name of at most 63 characters. */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
    name = rest;
  } else if (parts.length !== 1) {
    return false;
  }
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}

function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_PART.test(value));
}

interface Requirement {
  key: string;
  text: string;
}

function requirementOf(
  key: string,
  operator: LabelSelectorRequirement['operator'] | string,
  values: readonly string[],
): Requirement | undefined {
  if (!isQualifiedName(key) || !values.every(isLabelValue)) return undefined;
  const sorted = [...values].sort(compareGoStrings).join(',');
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return undefined;
      return { key, text: `${key} ${operator === 'In' ? 'in' : 'notin'} (${sorted})` };
    case 'Exists':
      return values.length === 0 ? { key, text: key } : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? { key, text: `!${key}` } : undefined;
    case 'Equals':
      return values.length === 1 ? { key, text: `${key}=${values[0]}` } : undefined;
    default:
      return undefined;
  }
}

/**
 * A label selector in Kubernetes' query-string form (`app=web,tier in (a,b)`),
 * requirements ordered by key. A missing selector (matches nothing) and an
 * empty one (matches everything) both print as ''. Returns undefined for a
 * selector Kubernetes would refuse to convert (bad operator, key or values).
 */
export function selectorString(selector: LabelSelector | undefined): string | undefined {
  if (selector == null) return '';
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const r = requirementOf(key, 'Equals', [value]);
    if (!r) return undefined;
    requirements.push(r);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const r = requirementOf(expr.key, expr.operator, expr.values ?? []);
    if (!r) return undefined;
    requirements.push(r);
  }
  // Stable, so a key used by both matchLabels and an expression keeps that order.
  requirements.sort((a, b) => compareGoStrings(a.key, b.key));
  return requirements.map((r) => r.text).join(',');
}

/** A selector for display: `<none>` when empty or missing, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

// ------------------------------------------------------------------ misc

/** Names and images of a pod template's containers, each list joined with commas. */
export function containerCells(
  containers: readonly { name?: string; image?: string }[] | undefined,
): [names: string, images: string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `host:port`, with an IPv6 host in brackets (Go's net.JoinHostPort). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A number as Go's `fmt.Print` prints what JSON decoding gave Kubernetes:
 * integral values (int64 there) in plain decimal, others (float64) as
 * goFloatString does.
 */
export function goNumberString(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
  return goFloatString(v);
}

/**
 * A float64 as Go's `%v` prints it (strconv's 'g' with the shortest precision):
 * shortest round-trip digits, in exponent form (`1.5e+06`, `1e-05`) when the
 * decimal exponent is below -4 or at least 6, else in plain decimal.
 */
export function goFloatString(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return String(v);
}

/**
 * A JSON value as Go's `json.Marshal` writes it: compact, object keys sorted,
 * and `<`, `>`, `&`, U+2028 and U+2029 escaped inside strings.
 */
export function goJsonMarshal(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort(compareGoStrings)) {
        out[k] = sortKeys((v as Record<string, unknown>)[k]);
      }
      return out;
    }
    return v;
  };
  return (JSON.stringify(sortKeys(value)) ?? 'null')
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

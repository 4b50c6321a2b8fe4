/**
 * Strings whose schema `format` makes them another CEL type in Kubernetes:
 * `date` and `date-time` are timestamps, `duration` a duration, `byte` bytes.
 * Each parser accepts what the structural validator's format check accepts
 * (src/api/structural/formats.ts) and returns undefined for anything else, in
 * which case the value stays a string and a rule using it fails at run time as
 * it would in Kubernetes on an unparsable value.
 */
import { create } from '@bufbuild/protobuf';
import {
  DurationSchema,
  TimestampSchema,
  type Duration,
  type Timestamp,
} from '@bufbuild/protobuf/wkt';

const NANOS_PER_SECOND = 1_000_000_000n;

/** A `date` (midnight UTC) or `date-time` as a protobuf Timestamp. */
export function parseTimestamp(s: string, format: 'date' | 'date-time'): Timestamp | undefined {
  if (format === 'date') {
    const d = parseDate(s);
    return d === undefined ? undefined : timestamp(d, 0n);
  }
  // A full-date, `T`, hh:mm:ss, an optional fraction after any one character
  // (kube-openapi's pattern), then `Z` or an offset; letters in either case.
  const m =
    /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/.exec(
      s,
    );
  if (m === null) return undefined;
  const day = parseDate(m[1]);
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (day === undefined || h > 23 || min > 59 || sec > 59) return undefined;
  let seconds = day + BigInt(h * 3600 + min * 60 + sec);
  if (m[7] !== undefined) {
    const offset = BigInt(Number(m[8]) * 3600 + Number(m[9]) * 60);
    seconds += m[7] === '+' ? -offset : offset;
  }
  const nanos = m[5] === undefined ? 0n : BigInt(m[5].slice(0, 9).padEnd(9, '0'));
  return timestamp(seconds, nanos);
}

/** Seconds since the epoch of midnight UTC on an RFC 3339 full-date, checked against the calendar. */
function parseDate(s: string): bigint | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day > days) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return BigInt(d.getTime() / 1000);
}

function timestamp(seconds: bigint, nanos: bigint): Timestamp {
  return create(TimestampSchema, { seconds, nanos: Number(nanos) });
}

/** Nanoseconds per unit of Go's time.ParseDuration. */
const GO_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: NANOS_PER_SECOND,
  m: 60n * NANOS_PER_SECOND,
  h: 3600n * NANOS_PER_SECOND,
};

/**
 * kube-openapi's looser `<n> <unit>` units: a unit matches a group when it
 * equals one of its names or starts with the last (`hours` matches `hour`).
 */
const LOOSE_UNITS: [string[], bigint][] = [
  [['ns', 'nano'], 1n],
  [['us', 'µs', 'micro'], 1_000n],
  [['ms', 'milli'], 1_000_000n],
  [['s', 'sec'], NANOS_PER_SECOND],
  [['m', 'min'], 60n * NANOS_PER_SECOND],
  [['h', 'hr', 'hour'], 3600n * NANOS_PER_SECOND],
  [['d', 'day'], 86_400n * NANOS_PER_SECOND],
  [['w', 'wk', 'week'], 604_800n * NANOS_PER_SECOND],
];

/** A `duration` string (Go's syntax, else kube-openapi's `<n> <unit>` form) as a protobuf Duration. */
export function parseDuration(s: string): Duration | undefined {
  const nanos = goDuration(s) ?? looseDuration(s);
  if (nanos === undefined) return undefined;
  const seconds = nanos / NANOS_PER_SECOND;
  return create(DurationSchema, { seconds, nanos: Number(nanos % NANOS_PER_SECOND) });
}

function goDuration(s: string): bigint | undefined {
  const m = /^([-+]?)(.*)$/s.exec(s);
  if (m === null) return undefined;
  const body = m[2];
  if (body === '0') return 0n;
  if (!/^((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(body)) return undefined;
  let total = 0n;
  for (const part of body.matchAll(/(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/g)) {
    const unit = GO_UNITS[part[3]];
    const whole = BigInt(part[1] === '' ? '0' : part[1]);
    const frac = part[2] ?? '';
    total += whole * unit;
    if (frac !== '') total += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
  }
  return m[1] === '-' ? -total : total;
}

function looseDuration(s: string): bigint | undefined {
  let total = 0n;
  let ok = false;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].toLowerCase();
    for (const [names, nanos] of LOOSE_UNITS) {
      const last = names.length - 1;
      for (let i = 0; i < names.length; i++) {
        if ((i === last && unit.startsWith(names[i])) || unit === names[i]) {
          total += BigInt(m[1]) * nanos;
          ok = true;
        }
      }
    }
  }
  return ok ? total : undefined;
}

/** A `byte` string: standard base64. */
export function parseBytes(s: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, 'base64'));
}

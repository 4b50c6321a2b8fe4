/**
 * The string `format`s Kubernetes validates in custom resources, each checked
 * the way Kubernetes checks it (kube-openapi's registry of Go validators), and
 * the rule that decides which formats a schema keeps: a format Kubernetes does
 * not know is ignored, never an error.
 */
import { isIPv6 } from 'node:net';

/**
 * Format names as Kubernetes normalizes them (dashes removed), for string
 * schemas. `k8s-short-name` and `k8s-long-name` are recognized from Kubernetes
 * 1.34 on; this engine follows the current release.
 */
const STRING_FORMATS: ReadonlySet<string> = new Set([
  'bsonobjectid',
  'uri',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'cidr',
  'mac',
  'uuid',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'byte',
  'password',
  'date',
  'duration',
  'datetime',
  'k8sshortname',
  'k8slongname',
]);

function normalize(format: string): string {
  return format.replaceAll('-', '');
}

/**
 * The format a schema node is validated with: its `format` if Kubernetes
 * supports that format for the node's type, else '' (ignored).
 * `types` is the node's type list (`['integer', 'string']` for int-or-string).
 */
export function effectiveFormat(format: string | undefined, types: readonly string[]): string {
  if (format === undefined || format === '') return '';
  const type = types.length === 1 ? types[0] : '';
  switch (type) {
    case '':
    case 'string':
      return STRING_FORMATS.has(normalize(format)) ? format : '';
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : '';
    case 'number':
      return format === 'float' || format === 'double' ? format : '';
    default:
      return '';
  }
}

/** Whether a string is validated against `format` at all (string formats only). */
export function isStringFormat(format: string): boolean {
  return format !== '' && STRING_FORMATS.has(normalize(format));
}

/** Whether `s` is valid for string format `format` (one of isStringFormat's). */
export function checkStringFormat(format: string, s: string): boolean {
  const check = CHECKS[normalize(format)];
  return check === undefined ? true : check(s);
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const HEXCOLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const BYTE255 = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const RGBCOLOR = new RegExp(`^rgb\\(\\s*${BYTE255}\\s*,\\s*${BYTE255}\\s*,\\s*${BYTE255}\\s*\\)$`);
const CREDITCARD =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;
const SHORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LONG_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATE_TIME_TAIL = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

const CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestURI,
  email: isEmail,
  hostname: (s) =>
    HOSTNAME.test(s) && utf8Length(s) <= 255 && s.split('.').every((p) => utf8Length(p) <= 63),
  ipv4: (s) => s.includes('.') && parseIPSloppy(s),
  ipv6: (s) => s.includes(':') && isGoIPv6(s),
  cidr: isCIDR,
  mac: isMAC,
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: isCreditCard,
  ssn: (s) => s.length === 11 && SSN.test(s),
  hexcolor: (s) => HEXCOLOR.test(s),
  rgbcolor: (s) => RGBCOLOR.test(s),
  byte: (s) => BASE64.test(s),
  password: () => true,
  date: isDate,
  duration: isDuration,
  datetime: isDateTime,
  k8sshortname: (s) => s.length <= 63 && SHORT_NAME.test(s),
  k8slongname: (s) => s.length <= 253 && LONG_NAME.test(s),
};

/** RFC 3339 full-date, with the day checked against the month (as Go's time.Parse does). */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** kube-openapi's date-time check: a full-date, `T`, then hh:mm:ss[.frac](Z|±hh:mm). */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = DATE_TIME_TAIL.exec(parts[1]);
  if (m === null) return false;
  return m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

const GO_DURATION = /^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_UNITS: readonly (readonly string[])[] = [
  ['ns', 'nano'],
  ['us', 'µs', 'micro'],
  ['ms', 'milli'],
  ['s', 'sec'],
  ['m', 'min'],
  ['h', 'hr', 'hour'],
  ['d', 'day'],
  ['w', 'wk', 'week'],
];

/** Go's time.ParseDuration, or kube-openapi's looser "<n> <unit>" form. */
function isDuration(s: string): boolean {
  if (s === '0' || s === '+0' || s === '-0' || GO_DURATION.test(s)) return true;
  for (const m of s.matchAll(/(\d+)\s*([A-Za-zµ]+)/g)) {
    const unit = m[2].toLowerCase();
    for (const variants of DURATION_UNITS) {
      const last = variants.length - 1;
      for (let i = 0; i < variants.length; i++) {
        if ((i === last && unit.startsWith(variants[i])) || unit === variants[i]) return true;
      }
    }
  }
  return false;
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Go's url.ParseRequestURI: an absolute URI (`scheme:...`) or an absolute path,
 * no control characters, well-formed %-escapes, no spaces in the host.
 */
function isRequestURI(s: string): boolean {
  if (s === '' || hasControlCharacter(s)) return false;
  let rest = s;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(s);
  if (scheme !== null) {
    rest = s.slice(scheme[0].length);
  } else if (!s.startsWith('/')) {
    return false;
  }
  const q = rest.indexOf('?');
  const beforeQuery = q === -1 ? rest : rest.slice(0, q);
  if (/%(?![0-9a-fA-F]{2})/.test(beforeQuery)) return false;
  if (beforeQuery.startsWith('//')) {
    const end = beforeQuery.indexOf('/', 2);
    const authority = end === -1 ? beforeQuery.slice(2) : beforeQuery.slice(2, end);
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    if (/[\s"<>\\^`{|}]/.test(host)) return false;
    const port = /:([^\]]*)$/.exec(host);
    if (port !== null && !host.startsWith('[') && !/^\d*$/.test(port[1])) return false;
  }
  return true;
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const DOMAIN_LITERAL = '\\[[^\\[\\]\\\\]*\\]';
const ADDR_SPEC = `(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|${DOMAIN_LITERAL})`;
const EMAIL = new RegExp(
  `^\\s*(?:${ADDR_SPEC}|(?:(?:${ATOM}|${QUOTED})(?:\\s+(?:${ATOM}|${QUOTED}))*\\s*)?<${ADDR_SPEC}>)\\s*$`,
  'u',
);

/** Go's net/mail.ParseAddress: `user@host` or `Name <user@host>`. */
function isEmail(s: string): boolean {
  return EMAIL.test(s);
}

/** An IPv4 address, leading zeros allowed (Kubernetes' "sloppy" parse), or IPv6. */
function parseIPSloppy(s: string): boolean {
  return isSloppyIPv4(s) || isGoIPv6(s);
}

function isSloppyIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d+$/.test(p) && Number(p) <= 255);
}

/** Go's net.ParseIP for an IPv6 address: no zone, embedded IPv4 without leading zeros. */
function isGoIPv6(s: string): boolean {
  if (s.includes('%')) return false;
  return isIPv6(s) && !/(^|[:.])0\d/.test(s.slice(s.lastIndexOf(':') + 1));
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash === -1) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (isSloppyIPv4(ip)) return Number(bits) <= 32;
  if (isGoIPv6(ip)) return Number(bits) <= 128;
  return false;
}

/** Go's net.ParseMAC: 6, 8 or 20 octets as `xx:..`, `xx-..` or `xxxx.xxxx.xxxx`. */
function isMAC(s: string): boolean {
  const octets = (n: number) => n === 6 || n === 8 || n === 20;
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    const sep = s[2];
    const groups = s.split(sep);
    return octets(groups.length) && groups.every((g) => /^[0-9a-fA-F]{2}$/.test(g));
  }
  if (s[4] === '.') {
    const groups = s.split('.');
    return octets(groups.length * 2) && groups.every((g) => /^[0-9a-fA-F]{4}$/.test(g));
  }
  return false;
}

function isISBN10(s: string): boolean {
  const d = s.replace(/[\s-]+/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(d[i]);
  sum += d[9] === 'X' ? 100 : 10 * Number(d[9]);
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const d = s.replace(/[\s-]+/g, '');
  if (!/^[0-9]{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(d[i]);
  return Number(d[12]) === (10 - (sum % 10)) % 10;
}

function isCreditCard(s: string): boolean {
  const d = s.replace(/[^0-9]+/g, '');
  if (!CREDITCARD.test(d)) return false;
  let sum = 0;
  let double = false;
  for (let i = d.length - 1; i >= 0; i--) {
    let n = Number(d[i]);
    if (double) {
      n *= 2;
      sum += n >= 10 ? (n % 10) + 1 : n;
    } else {
      sum += n;
    }
    double = !double;
  }
  return sum % 10 === 0;
}

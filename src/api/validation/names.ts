/**
 * String-format checks shared by every validator: DNS names, qualified names
 * (label keys, annotation keys, finalizers), label values, port names, config
 * keys, environment variable names, IPs and CIDRs.
 *
 * Each check returns the problems as Kubernetes words them (the texts kubectl
 * users see after `Invalid value: "x": `), or an empty array when the value is
 * valid. Callers turn them into field causes. Lengths are counted in UTF-8
 * bytes, as Go's `len` counts them.
 */
import { isIPv6 } from 'node:net';

// Regex texts are part of the messages, so they are spelled as Kubernetes
// prints them.
const QNAME_CHAR = '[A-Za-z0-9]';
const QNAME_EXT_CHAR = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${QNAME_CHAR}${QNAME_EXT_CHAR}*)?${QNAME_CHAR}`;
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_MAX = 63;

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX = 63;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_MAX = 63;

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX = 253;

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_MAX = 63;

const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_MSG =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const RELAXED_ENV_VAR_NAME_MSG =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

const C_IDENTIFIER_FMT = '[A-Za-z_][A-Za-z0-9_]*';
const C_IDENTIFIER_MSG =
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";

const PERCENT_FMT = '[0-9]+%';
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%'";

const HTTP_HEADER_FMT = '[-A-Za-z0-9]+';
const HTTP_HEADER_MSG = "a valid HTTP header must consist of alphanumeric characters or '-'";

const anchored = (fmt: string): RegExp => new RegExp(`^(?:${fmt})$`);
const QUALIFIED_NAME_RE = anchored(QUALIFIED_NAME_FMT);
const LABEL_VALUE_RE = anchored(LABEL_VALUE_FMT);
const DNS1123_LABEL_RE = anchored(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN_RE = anchored(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL_RE = anchored(DNS1035_LABEL_FMT);
const CONFIG_KEY_RE = anchored(CONFIG_KEY_FMT);
const ENV_VAR_NAME_RE = anchored(ENV_VAR_NAME_FMT);
const C_IDENTIFIER_RE = anchored(C_IDENTIFIER_FMT);
const PERCENT_RE = anchored(PERCENT_FMT);
const HTTP_HEADER_RE = anchored(HTTP_HEADER_FMT);

/** Byte length as Go counts it (UTF-8). */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** `must be no more than N characters` */
export function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** Kubernetes' wording of a failed format check, with examples and the regex. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** `must be between LO and HI, inclusive` */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export const EMPTY_ERROR = 'must be non-empty';

export function isDns1123Label(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1123_LABEL_RE.test(s)) {
    // A valid subdomain that is not a valid label can only be failing on dots.
    if (DNS1123_SUBDOMAIN_RE.test(s)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDns1123Subdomain(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(s)) {
    errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

export function isDns1035Label(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > DNS1035_LABEL_MAX) errs.push(maxLenError(DNS1035_LABEL_MAX));
  if (!DNS1035_LABEL_RE.test(s)) {
    errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

/** Label keys, annotation keys (after lower-casing), finalizers: `[prefix/]name`. */
export function isQualifiedName(s: string): string[] {
  const errs: string[] = [];
  const parts = s.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const m of isDns1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      'a qualified name ' +
        regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX) {
    errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  }
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(
      'name part ' +
        regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc'),
    );
  }
  return errs;
}

export function isValidLabelValue(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE_RE.test(s)) {
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

function chdirPrefixErrors(s: string): string[] {
  if (s === '.') return ["must not be '.'"];
  if (s === '..') return ["must not be '..'"];
  if (s.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** Keys of ConfigMap and Secret data. */
export function isConfigMapKey(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY_RE.test(s)) {
    errs.push(regexError(CONFIG_KEY_MSG, CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...chdirPrefixErrors(s));
  return errs;
}

/** The strict (pre-1.32) rule for environment variable names. */
export function isEnvVarName(s: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_NAME_RE.test(s)) {
    errs.push(
      regexError(ENV_VAR_NAME_MSG, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'),
    );
  }
  errs.push(...chdirPrefixErrors(s));
  return errs;
}

/**
 * The rule Kubernetes 1.33 applies by default (RelaxedEnvironmentVariableValidation
 * is on since 1.32): any printable ASCII except `=`.
 */
export function isRelaxedEnvVarName(s: string): string[] {
  const errs: string[] = [];
  if (s.length === 0) errs.push(`environment variable name ${EMPTY_ERROR}`);
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c > 0x7e || ch === '=') {
      errs.push(RELAXED_ENV_VAR_NAME_MSG);
      break;
    }
  }
  return errs;
}

export function isCIdentifier(s: string): string[] {
  return C_IDENTIFIER_RE.test(s)
    ? []
    : [regexError(C_IDENTIFIER_MSG, C_IDENTIFIER_FMT, 'my_name', 'MY_NAME', 'MyName')];
}

export function isValidPortNum(n: number): string[] {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** IANA_SVC_NAME: at most 15 of [-a-z0-9], at least one letter, no `--`, no leading or trailing `-`. */
export function isValidPortName(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(s)) {
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(s)) errs.push('must contain at least one letter (a-z)');
  if (s.includes('--')) errs.push('must not contain consecutive hyphens');
  if (s.length > 0 && (s.startsWith('-') || s.endsWith('-'))) {
    errs.push('must not begin or end with a hyphen');
  }
  return errs;
}

export function isValidPercent(s: string): string[] {
  return PERCENT_RE.test(s) ? [] : [regexError(PERCENT_MSG, PERCENT_FMT, '1%', '93%')];
}

export function isHttpHeaderName(s: string): string[] {
  return HTTP_HEADER_RE.test(s)
    ? []
    : [regexError(HTTP_HEADER_MSG, HTTP_HEADER_FMT, 'X-Header-Name')];
}

export const USER_ID_MAX = 2147483647;

/** Unix UIDs and GIDs as the kubelet accepts them: 0 to 2^31-1. */
export function isValidId(n: number): string[] {
  return Number.isInteger(n) && n >= 0 && n <= USER_ID_MAX
    ? []
    : [inclusiveRangeError(0, USER_ID_MAX)];
}

/** Names that must be usable as one URL path segment (every kind, custom resources too). */
export function isValidPathSegmentName(s: string): string[] {
  if (s === '.' || s === '..') return [`may not be '${s}'`];
  return isValidPathSegmentPrefix(s);
}

export function isValidPathSegmentPrefix(s: string): string[] {
  const errs: string[] = [];
  if (s.includes('/')) errs.push("may not contain '/'");
  if (s.includes('%')) errs.push("may not contain '%'");
  return errs;
}

/** The name rules of kinds; `dns1035Label` is Service's. */
export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label' | 'pathSegment';

/**
 * Checks a name (or, with `prefix`, a generateName prefix) against a kind's name
 * rule. A prefix may end in `-` because random characters follow it, so its
 * last dash is replaced by a letter before checking.
 */
export function checkName(rule: NameRule, name: string, prefix = false): string[] {
  if (rule === 'pathSegment') {
    return prefix ? isValidPathSegmentPrefix(name) : isValidPathSegmentName(name);
  }
  const n = prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
  switch (rule) {
    case 'dns1123Label':
      return isDns1123Label(n);
    case 'dns1035Label':
      return isDns1035Label(n);
    default:
      return isDns1123Subdomain(n);
  }
}

/**
 * Go's `net.ParseIP`, which Kubernetes' legacy IP fields use: dotted IPv4 with
 * decimal octets (leading zeros allowed) or IPv6 (no zone).
 */
export function parseIP(s: string): { family: 4 | 6; bytes: number[] } | undefined {
  if (isIPv4Sloppy(s)) return { family: 4, bytes: s.split('.').map(Number) };
  if (s.includes('%') || !isIPv6(s)) return undefined;
  return { family: 6, bytes: ipv6Bytes(s) };
}

function isIPv4Sloppy(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function ipv6Bytes(s: string): number[] {
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    tail.push(...maybeV4.split('.').map(Number));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (x: string): number[] =>
    x === '' ? [] : x.split(':').map((g) => parseInt(g, 16));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all =
    rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  const bytes: number[] = [];
  for (const g of all) bytes.push(g >> 8, g & 0xff);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** True for an IPv6 address (what Kubernetes calls IsIPv6String). IPv4-mapped addresses count as IPv4. */
export function isIPv6String(s: string): boolean {
  const ip = parseIP(s);
  if (!ip || ip.family === 4) return false;
  const mapped =
    ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff;
  return !mapped;
}

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const CIDR_ERROR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** Go's `net.ParseCIDR` (sloppy about leading zeros, as Kubernetes' legacy CIDR fields are). */
export function parseCIDR(s: string): { family: 4 | 6 } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(bits)) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (Number(bits) > max) return undefined;
  return { family: ip.family === 4 || !isIPv6String(s.slice(0, slash)) ? 4 : 6 };
}

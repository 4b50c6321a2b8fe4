/**
 * Key and token rules shared by every driver, so that drivers agree on what is a
 * valid key, how a prefix maps to a key range, and what a continue token holds.
 */
import { InvalidError } from '../util/errors.ts';

export const MAX_KEY_BYTES = 1024;

/** Half-open key range [start, end) in code-point (= UTF-8 byte) order. */
export interface KeyRange {
  start: string;
  end: string;
}

function checkChars(text: string, what: string): void {
  if (text.length === 0) throw new InvalidError(`${what} is empty`);
  if (Buffer.byteLength(text) > MAX_KEY_BYTES) {
    throw new InvalidError(`${what} is longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (text[0] !== '/')
    throw new InvalidError(`${what} ${JSON.stringify(text)} must start with "/"`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      throw new InvalidError(
        `${what} ${JSON.stringify(text)} contains a control character (code ${c}) at offset ${i}`,
      );
    }
  }
}

function checkSegments(segments: string[], text: string, what: string): void {
  for (const s of segments) {
    if (s === '') throw new InvalidError(`${what} ${JSON.stringify(text)} has an empty segment`);
    if (s === '.' || s === '..') {
      throw new InvalidError(`${what} ${JSON.stringify(text)} has a "${s}" segment`);
    }
  }
}

/**
 * A key is `/`-separated non-empty segments, none `.` or `..`, no control
 * characters (NUL included), at most 1 KiB, not ending in `/`.
 */
export function validateKey(key: string): void {
  checkChars(key, 'key');
  checkSegments(key.slice(1).split('/'), key, 'key');
}

/**
 * A prefix is either `/`, a key, or a key followed by `/` (a directory: every key
 * below it). Returns the key range it covers.
 */
export function prefixRange(prefix: string): KeyRange {
  checkChars(prefix, 'prefix');
  if (prefix === '/') return { start: '/', end: '0' };
  const dir = prefix.endsWith('/');
  const body = dir ? prefix.slice(1, -1) : prefix.slice(1);
  checkSegments(body.split('/'), prefix, 'prefix');
  // '/' + 1 is '0'; a single key's range ends just after the key, because no key
  // can hold a control character, so nothing sorts between `key` and `key\x01`.
  return dir
    ? { start: prefix, end: prefix.slice(0, -1) + '0' }
    : { start: prefix, end: prefix + '\x01' };
}

export function inRange(key: string, range: KeyRange): boolean {
  return compareKeys(key, range.start) >= 0 && compareKeys(key, range.end) < 0;
}

/**
 * Orders keys by Unicode code point, which is the order SQLite's BINARY collation
 * gives their UTF-8 bytes (plain `<` on JS strings compares UTF-16 units, which
 * differs for characters above U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1; // a surrogate half starts a code point above every BMP character
  }
  return a.length - b.length;
}

export function checkValueSize(key: string, value: string, maxBytes: number): void {
  if (typeof value !== 'string') throw new InvalidError(`value for ${key} is not a string`);
  // Cheap bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (value.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) {
    throw new InvalidError(
      `value for ${key} is ${bytes} bytes, more than the limit of ${maxBytes} bytes`,
      { reason: 'RequestEntityTooLarge' },
    );
  }
}

/** What a continue token carries: where the next page starts and at which snapshot. */
export interface ContinuePosition {
  /** Snapshot revision of the whole list. */
  revision: number;
  /** The last key returned; the next page starts strictly after it. */
  after: string;
}

export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ v: 1, rev: pos.revision, after: pos.after })).toString(
    'base64url',
  );
}

/** Parses a token and checks that it belongs to `range`; fails with `Invalid`. */
export function decodeContinue(token: string, range: KeyRange): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidError('continue token is malformed', { cause });
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    (parsed as { v?: unknown }).v !== 1 ||
    !Number.isSafeInteger((parsed as { rev?: unknown }).rev) ||
    typeof (parsed as { after?: unknown }).after !== 'string'
  ) {
    throw new InvalidError('continue token is malformed');
  }
  const { rev, after } = parsed as { rev: number; after: string };
  if (rev <= 0 || !inRange(after, range)) {
    throw new InvalidError('continue token does not belong to this list');
  }
  return { revision: rev, after };
}

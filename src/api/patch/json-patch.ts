/**
 * JSON Patch (RFC 6902), `application/json-patch+json`: what `kubectl patch
 * --type json` sends.
 *
 * Error wording follows the library Kubernetes uses (evanphx/json-patch), so
 * users see the messages they know, e.g. `testing value /spec/replicas failed:
 * test failed`. Errors are `InvalidError`s; `details.reason` narrows them the
 * way Kubernetes' status codes do:
 *   - `BadRequest`: the body is not a list of operation objects (HTTP 400);
 *   - `RequestEntityTooLarge`: too many operations, or copies too large (413);
 *   - none: an operation does not apply to this document (422).
 */
import { InvalidError } from '../../util/errors.ts';
import {
  cloneJson,
  describeType,
  hasOwn,
  isJsonObject,
  jsonEqual,
  setOwn,
  withStackGuard,
} from './json-value.ts';
import type { JsonObject } from './json-value.ts';

export interface JsonPatchOptions {
  /** Most operations one patch may hold. Default 10,000 (Kubernetes' limit). */
  maxOperations?: number;
  /**
   * Most bytes (UTF-8 JSON text) that all `copy` operations of one patch may add,
   * so that a few thousand copies cannot grow a document exponentially.
   * Default 3 MiB (Kubernetes' `JSONPatchMaxCopyBytes`).
   */
  maxCopyBytes?: number;
}

export const DEFAULT_MAX_JSON_PATCH_OPERATIONS = 10_000;
export const DEFAULT_MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

type Operation =
  | { op: 'add' | 'replace' | 'test'; path: string; tokens: string[]; value: unknown }
  | { op: 'remove'; path: string; tokens: string[] }
  | { op: 'move' | 'copy'; path: string; tokens: string[]; from: string; fromTokens: string[] };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies a JSON Patch. Pure: neither input is modified, and the result shares
 * no objects with them (the caller owns it). The operations apply in order and
 * all or nothing: the first one that fails fails the whole patch.
 *
 * Two choices where RFC 6902 and Kubernetes differ: array indices must be RFC
 * indices (no negative ones, no leading zeros); and, as in Kubernetes, `test`
 * of a missing object member against `null` succeeds.
 */
export function applyJsonPatch(
  document: unknown,
  patch: unknown,
  options: JsonPatchOptions = {},
): unknown {
  const maxOperations = options.maxOperations ?? DEFAULT_MAX_JSON_PATCH_OPERATIONS;
  const maxCopyBytes = options.maxCopyBytes ?? DEFAULT_MAX_JSON_PATCH_COPY_BYTES;
  if (!Array.isArray(patch)) {
    throw new InvalidError(
      `json patch must be a JSON array of operations, got ${describeType(patch)}`,
      { reason: 'BadRequest' },
    );
  }
  if (patch.length > maxOperations) {
    throw new InvalidError(
      `The allowed maximum operations in a JSON patch is ${maxOperations}, got ${patch.length}`,
      { reason: 'RequestEntityTooLarge' },
    );
  }
  const operations = patch.map(parseOperation);
  return withStackGuard('json patch', () => {
    const state = { doc: cloneJson(document), copiedBytes: 0, maxCopyBytes };
    for (const operation of operations) apply(state, operation);
    return state.doc;
  });
}

function parseOperation(raw: unknown, index: number): Operation {
  if (!isJsonObject(raw)) {
    throw new InvalidError(
      `json patch operation ${index} must be a JSON object, got ${describeType(raw)}`,
      { reason: 'BadRequest' },
    );
  }
  const op = hasOwn(raw, 'op') ? raw.op : undefined;
  if (typeof op !== 'string') {
    throw new InvalidError(`json patch operation ${index}: "op" must be a string`);
  }
  if (!OPS.has(op)) throw new InvalidError(`json patch operation ${index}: Unexpected kind: ${op}`);
  const path = hasOwn(raw, 'path') ? raw.path : undefined;
  if (typeof path !== 'string') {
    throw new InvalidError(`json patch operation ${index} (${op}): "path" must be a string`);
  }
  const tokens = parsePointer(path, index);
  switch (op) {
    case 'remove':
      return { op, path, tokens };
    case 'move':
    case 'copy': {
      const from = hasOwn(raw, 'from') ? raw.from : undefined;
      if (typeof from !== 'string') {
        throw new InvalidError(`json patch operation ${index} (${op}): "from" must be a string`);
      }
      return { op, path, tokens, from, fromTokens: parsePointer(from, index) };
    }
    default:
      if (!hasOwn(raw, 'value')) {
        throw new InvalidError(`json patch operation ${index} (${op} ${path}): missing value`);
      }
      return { op: op as 'add' | 'replace' | 'test', path, tokens, value: raw.value };
  }
}

/** RFC 6901: `""` is the whole document; `~1` is `/` and `~0` is `~` inside a token. */
function parsePointer(pointer: string, index: number): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/') || /~(?![01])/.test(pointer)) {
    throw new InvalidError(
      `json patch operation ${index}: invalid JSON pointer ${JSON.stringify(pointer)}`,
    );
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => (t.includes('~') ? t.replaceAll('~1', '/').replaceAll('~0', '~') : t));
}

interface State {
  doc: unknown;
  copiedBytes: number;
  maxCopyBytes: number;
}

const MISSING = Symbol('missing');

function apply(state: State, operation: Operation): void {
  const { path, tokens } = operation;
  switch (operation.op) {
    case 'add':
      add(state, tokens, cloneJson(operation.value), path);
      return;
    case 'remove':
      remove(state, tokens, path);
      return;
    case 'replace':
      replace(state, tokens, cloneJson(operation.value), path);
      return;
    case 'test': {
      const actual = get(state.doc, tokens);
      if (actual === MISSING) {
        const parent = get(state.doc, tokens.slice(0, -1));
        // Kubernetes' library reads a missing member of an object as null.
        if (operation.value === null && isJsonObject(parent)) return;
        if (parent === MISSING || (typeof parent !== 'object' && parent !== null)) {
          throw new InvalidError(`test operation does not apply: is missing path: ${path}`);
        }
      } else if (jsonEqual(actual, operation.value)) {
        return;
      }
      throw new InvalidError(`testing value ${path} failed: test failed`);
    }
    case 'move': {
      const { from, fromTokens } = operation;
      const value = get(state.doc, fromTokens);
      if (value === MISSING) {
        throw new InvalidError(`move operation does not apply: doc is missing from path: ${from}`);
      }
      if (from === path) return;
      if (isPrefix(fromTokens, tokens)) {
        throw new InvalidError(
          `move operation does not apply: ${path} is inside the value being moved from ${from}`,
        );
      }
      remove(state, fromTokens, from);
      add(state, tokens, value, path);
      return;
    }
    case 'copy': {
      const { from, fromTokens } = operation;
      const value = get(state.doc, fromTokens);
      if (value === MISSING) {
        throw new InvalidError(`copy operation does not apply: doc is missing from path: ${from}`);
      }
      state.copiedBytes += Buffer.byteLength(JSON.stringify(value) ?? '');
      if (state.copiedBytes > state.maxCopyBytes) {
        throw new InvalidError(
          `Unable to complete the copy, the accumulated size increase of copy is ` +
            `${state.copiedBytes}, exceeding the limit ${state.maxCopyBytes}`,
          { reason: 'RequestEntityTooLarge' },
        );
      }
      add(state, tokens, cloneJson(value), path);
      return;
    }
  }
}

function isPrefix(prefix: string[], tokens: string[]): boolean {
  if (prefix.length >= tokens.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== tokens[i]) return false;
  return true;
}

/** The value at `tokens`, or MISSING. */
function get(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const i = arrayIndex(token);
      if (i === undefined || i >= node.length) return MISSING;
      node = node[i];
    } else if (isJsonObject(node)) {
      if (!hasOwn(node, token)) return MISSING;
      node = node[token];
    } else {
      return MISSING;
    }
  }
  return node;
}

/** The container that holds the last token, or MISSING. */
function parentOf(doc: unknown, tokens: string[]): unknown[] | JsonObject | typeof MISSING {
  const parent = get(doc, tokens.slice(0, -1));
  return Array.isArray(parent) || isJsonObject(parent) ? parent : MISSING;
}

/** An RFC 6901 array index: `0` or digits without a leading zero. */
function arrayIndex(token: string): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return Number.isSafeInteger(i) ? i : undefined;
}

function indexOrThrow(token: string, max: number): number {
  const i = arrayIndex(token);
  if (i === undefined || i > max) {
    throw new InvalidError(`Unable to access invalid index: ${token}`);
  }
  return i;
}

function add(state: State, tokens: string[], value: unknown, path: string): void {
  if (tokens.length === 0) {
    state.doc = value;
    return;
  }
  const parent = parentOf(state.doc, tokens);
  if (parent === MISSING) {
    throw new InvalidError(`add operation does not apply: doc is missing path: "${path}"`);
  }
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else parent.splice(indexOrThrow(key, parent.length), 0, value);
  } else {
    setOwn(parent, key, value);
  }
}

function remove(state: State, tokens: string[], path: string): void {
  if (tokens.length === 0) {
    throw new InvalidError('remove operation does not apply: cannot remove the whole document');
  }
  const parent = parentOf(state.doc, tokens);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(indexOrThrow(key, parent.length - 1), 1);
  } else if (parent !== MISSING && hasOwn(parent, key)) {
    delete parent[key];
  } else {
    throw new InvalidError(`remove operation does not apply: doc is missing path: "${path}"`);
  }
}

function replace(state: State, tokens: string[], value: unknown, path: string): void {
  if (tokens.length === 0) {
    state.doc = value;
    return;
  }
  const parent = parentOf(state.doc, tokens);
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent[indexOrThrow(key, parent.length - 1)] = value;
  } else if (parent !== MISSING && hasOwn(parent, key)) {
    setOwn(parent, key, value);
  } else {
    throw new InvalidError(`replace operation does not apply: doc is missing key: ${path}`);
  }
}

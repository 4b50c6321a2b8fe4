/**
 * Reading and parsing request bodies with hard bounds: size (413 past the limit,
 * checked before and while reading), nesting depth, YAML aliases (no "billion
 * laughs"). Parse failures are 400s that say what was wrong.
 */
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { InvalidError } from '../util/errors.ts';

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
export const MAX_DEPTH = 256;
const MAX_YAML_ALIASES = 100;

function tooLarge(limit: number): InvalidError {
  return new InvalidError(`Request entity too large: limit is ${limit}`, {
    reason: 'RequestEntityTooLarge',
  });
}

function badRequest(message: string, cause?: unknown): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest', cause });
}

/** Reads the whole body, failing fast when it is or becomes larger than `limit`. */
export function readBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain so the connection can be reused or closed cleanly
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (failed) return;
      failed = true;
      reject(badRequest(`reading the request body failed: ${err.message}`, err));
    });
    // Once a response went out early (refused, timed out) Node emits nothing more
    // on the request; only the connection closing tells that the body never comes.
    const gone = (): void => {
      if (failed || req.complete) return;
      failed = true;
      reject(badRequest('the connection closed before the whole body was sent'));
    };
    req.on('close', gone);
    req.socket.once('close', gone);
  });
}

/** Nesting depth of a parsed JSON value, without recursion. */
export function depthOf(value: unknown, max = MAX_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > deepest) deepest = d;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/**
 * Parses a JSON or YAML body (YAML for `application/yaml` and apply patches).
 * YAML follows YAML 1.1 rules, as Kubernetes' own YAML decoder does.
 */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) throw badRequest('the request body is empty');
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  let value: unknown;
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    const doc = parseDocument(text, { version: '1.1', uniqueKeys: false });
    if (doc.errors.length > 0) {
      throw badRequest(`error converting YAML to JSON: ${doc.errors[0].message}`);
    }
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`, err);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      // V8 throws RangeError on absurd nesting; either way it is the client's input.
      throw badRequest(`couldn't parse the request body as JSON: ${(err as Error).message}`, err);
    }
  }
  if (depthOf(value) > MAX_DEPTH) {
    throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
  }
  return value;
}

/**
 * Turns a request body into an object of a given resource type, as Kubernetes'
 * decoder does: the body must be an object of the endpoint's apiVersion and kind;
 * fields the schema does not declare are refused (Strict), reported as warnings
 * (Warn, the default) or dropped silently (Ignore), and dropped in every case, so
 * the store never holds a field no one can read back.
 */
import { InvalidError } from '../util/errors.ts';
import { isObject } from '../util/objects.ts';
import { apiVersionOf, type ResourceType } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import type { JSONSchemaProps, SchemaResolver } from '../api/schema.ts';
import { prune, unknownFields, validateValue } from '../api/structural/index.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeOptions {
  fieldValidation: FieldValidation;
  /** Receives one warning per unknown field under Warn. */
  warnings: string[];
  operation: string;
}

function badRequest(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

export function parseFieldValidation(v: string | undefined): FieldValidation | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(
    `fieldValidation parameter unsupported: ${v}: supported values: Ignore, Warn, Strict`,
  );
}

export function decodeObject(
  type: ResourceType,
  body: unknown,
  options: DecodeOptions,
): KubeObject {
  const want = apiVersionOf(type.group, type.version);
  if (!isObject(body)) {
    throw badRequest(
      `the body of the request must be a ${type.kind} object, not ${Array.isArray(body) ? 'an array' : typeof body}`,
    );
  }
  if (body.apiVersion !== undefined && body.apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  if (body.kind !== undefined && body.kind !== type.kind) {
    throw badRequest(
      `the kind in the data (${String(body.kind)}) does not match the expected kind (${type.kind})`,
    );
  }
  if (body.metadata !== undefined && !isObject(body.metadata)) {
    throw badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: metadata must be an object`,
    );
  }
  const obj = body as KubeObject;
  dropNulls(obj, type.schema, type.resolver);
  obj.apiVersion = want;
  obj.kind = type.kind;
  obj.metadata ??= {};
  if (type.schema) {
    if (type.crd === undefined) {
      // Built-in kinds: a value of the wrong type cannot be decoded at all (400),
      // where for custom resources it is a validation error (422).
      const wrongType = validateValue(obj, type.schema, type.resolver).filter(
        (c) => c.reason === 'FieldValueTypeInvalid',
      );
      if (wrongType.length > 0) {
        throw badRequest(
          `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ` +
            wrongType.map((c) => `${c.field}: ${c.message}`).join(', '),
        );
      }
    }
    if (options.fieldValidation !== 'Ignore') {
      const unknown = unknownFields(obj, type.schema, type.resolver);
      if (unknown.length > 0) {
        if (options.fieldValidation === 'Strict') {
          const list = unknown.map((p) => `unknown field "${p}"`).join(', ');
          throw badRequest(
            type.crd === undefined
              ? `strict decoding error: ${list}`
              : `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`,
          );
        }
        for (const p of unknown) options.warnings.push(`unknown field "${p}"`);
      }
    }
    prune(obj, type.schema, type.resolver);
  }
  return obj;
}

/**
 * Removes `null` object members, as decoding into Go types does (a null field is
 * the zero value, i.e. unset) and as Kubernetes prunes nulls from custom
 * resources unless the field's schema says `nullable`. Iterative, so depth is
 * bounded only by the body's (already checked) nesting limit.
 */
export function dropNulls(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  resolver: SchemaResolver,
): void {
  const stack: [unknown, JSONSchemaProps | undefined][] = [[value, schema]];
  while (stack.length > 0) {
    const [v, s] = stack.pop()!;
    if (Array.isArray(v)) {
      const items = s && resolver.items(s);
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push([x, items]);
    } else if (isObject(v)) {
      for (const key of Object.keys(v)) {
        const child = s && resolver.property(s, key);
        if (v[key] === null) {
          if (!child?.nullable) delete v[key];
        } else if (typeof v[key] === 'object') {
          stack.push([v[key], child]);
        }
      }
    }
  }
}

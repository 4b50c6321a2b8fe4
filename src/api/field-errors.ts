/**
 * Field-level validation errors worded as Kubernetes words them, so that kubectl
 * prints what users already know:
 *
 *   The Pod "web" is invalid: spec.containers[0].image: Required value
 *
 * Each helper returns a `FieldCause` (src/util/errors.ts): `field` is the path,
 * `message` the text after "path: ", `reason` the Kubernetes cause type.
 */
import { InvalidError, type FieldCause } from '../util/errors.ts';

/** A path into an object, printed as Kubernetes prints it: `spec.containers[0].env[FOO]`. */
export class FieldPath {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(name: string, ...more: string[]): FieldPath {
    let text = this.#text === '' ? name : `${this.#text}.${name}`;
    for (const m of more) text += `.${m}`;
    return new FieldPath(text);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.#text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.#text}[${k}]`);
  }

  toString(): string {
    return this.#text;
  }
}

type Path = FieldPath | string;

/** How Kubernetes shows an offending value: strings quoted, numbers bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[]${value.length === 0 ? '' : 'interface {}{...}'}`;
  return '"object"';
}

function cause(reason: string, path: Path, message: string): FieldCause {
  return { reason, field: String(path), message };
}

export const fieldError = {
  required: (path: Path, detail?: string): FieldCause =>
    cause('FieldValueRequired', path, detail ? `Required value: ${detail}` : 'Required value'),
  invalid: (path: Path, value: unknown, detail: string): FieldCause =>
    cause(
      'FieldValueInvalid',
      path,
      `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}`,
    ),
  typeInvalid: (path: Path, value: unknown, detail: string): FieldCause =>
    cause('FieldValueTypeInvalid', path, `Invalid value: ${formatValue(value)}: ${detail}`),
  notSupported: (path: Path, value: unknown, supported: readonly string[]): FieldCause =>
    cause(
      'FieldValueNotSupported',
      path,
      `Unsupported value: ${formatValue(value)}` +
        (supported.length
          ? `: supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`
          : ''),
    ),
  duplicate: (path: Path, value: unknown): FieldCause =>
    cause('FieldValueDuplicate', path, `Duplicate value: ${formatValue(value)}`),
  forbidden: (path: Path, detail: string): FieldCause =>
    cause('FieldValueForbidden', path, `Forbidden: ${detail}`),
  notFound: (path: Path, value: unknown): FieldCause =>
    cause('FieldValueNotFound', path, `Not found: ${formatValue(value)}`),
  tooLong: (path: Path, max: number): FieldCause =>
    cause('FieldValueTooLong', path, `Too long: may not be more than ${max} bytes`),
  tooMany: (path: Path, actual: number, max: number): FieldCause =>
    cause('FieldValueTooMany', path, `Too many: ${actual}: must have at most ${max} items`),
  /** Not part of Kubernetes' set: an unknown field under fieldValidation=Strict. */
  unknownField: (path: Path): FieldCause =>
    cause('FieldValueInvalid', path, `unknown field ${JSON.stringify(String(path))}`),
};

/** `field: message`, as in Status messages and kubectl output. */
export function describeCause(c: FieldCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

/**
 * Drops repeated causes (same `field: message` text), keeping the first of each,
 * as Kubernetes' error aggregate does.
 */
export function uniqueCauses(causes: FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const text = `${c.field ?? ''}: ${c.message}`;
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/**
 * The error for an object that failed validation, worded as the API server
 * words it: `Pod "web" is invalid: <cause>` or, for several, `[<cause>, <cause>]`.
 */
export function invalidObject(
  kind: string,
  name: string,
  causes: FieldCause[],
  group = '',
): InvalidError {
  const list = causes.map(describeCause);
  const body = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new InvalidError(`${kind} ${JSON.stringify(name)} is invalid: ${body}`, {
    kind,
    name,
    group,
    causes,
  });
}

/**
 * The `fieldPath` of a validation rule: a JSON path relative to the node the
 * rule sits on (`.spec.replicas`, `.labels['app.kubernetes.io/name']`) naming
 * the field a failure is reported on. Kubernetes accepts only property names
 * and map keys (no list indexes) that exist in the schema.
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';

export type FieldPathResult = { path: string } | { error: string };

/**
 * Checks `jsonPath` against `node` and returns it as Kubernetes prints field
 * paths (`spec.labels[app]`), or the reason it is not valid. Pure.
 */
export function parseFieldPath(
  jsonPath: string,
  node: JSONSchemaProps,
  resolver: SchemaResolver,
): FieldPathResult {
  const tokens = tokenizeJsonPath(jsonPath);
  let schema = resolver.resolve(node);
  let path = '';
  const step = (name: string): string | undefined => {
    if (schema?.properties !== undefined) {
      const prop = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
      if (prop === undefined) return 'does not refer to a valid field';
      path = path === '' ? name : `${path}.${name}`;
      schema = resolver.resolve(prop);
      return undefined;
    }
    if (typeof schema?.additionalProperties === 'object') {
      path = `${path}[${name}]`;
      schema = resolver.resolve(schema.additionalProperties);
      return undefined;
    }
    return 'does not refer to a valid field';
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === '[') {
      const quoted = tokens[++i];
      if (quoted === undefined) return { error: 'unexpected end of JSON path' };
      if (quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) {
        return { error: `expected single quoted string but got ${quoted}` };
      }
      const { value: name, error } = unescapeSingleQuoted(quoted.slice(1, -1));
      if (error !== undefined) return { error: `invalid string literal: ${error}` };
      const err = step(name);
      if (err !== undefined) return { error: err };
      const close = tokens[++i];
      if (close === undefined) return { error: 'unexpected end of JSON path' };
      if (close !== ']') return { error: `expected ] but got ${close}` };
    } else if (tok === '.') {
      const name = tokens[++i];
      if (name === undefined) return { error: 'unexpected end of JSON path' };
      const err = step(name);
      if (err !== undefined) return { error: err };
    } else {
      return { error: `expected [ or . but got: ${tok}` };
    }
  }
  return { path };
}

/**
 * Splits a JSON path on `.`, `[` and `]`, keeping single-quoted strings (with
 * `\'` escapes) whole. Shared with the CRD checks of selectable fields.
 */
export function tokenizeJsonPath(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '.' || ch === '[' || ch === ']') {
      out.push(ch);
      i++;
      continue;
    }
    let j = i;
    if (ch === "'") {
      j = i + 1;
      while (j < s.length && !(s[j] === "'" && s[j - 1] !== '\\')) j++;
      j = Math.min(j + 1, s.length);
    } else {
      while (j < s.length && s[j] !== '.' && s[j] !== '[' && s[j] !== ']') j++;
    }
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  "'": "'",
  '\\': '\\',
};

/** The text of a single-quoted JSON path key (quotes removed), or the first bad escape. */
export function unescapeSingleQuoted(s: string): { value: string; error?: string } {
  let error: string | undefined;
  // `.` stops at line breaks, as in Go's regexp: a backslash before one is kept.
  const value = s.replace(/\\./g, (m) => {
    const e = ESCAPES[m[1]];
    if (e === undefined) error ??= `invalid escape char ${m}`;
    return e ?? '';
  });
  return { value, error };
}

/**
 * Checks of one CRD schema (`openAPIV3Schema`) beyond the structural rules of
 * src/api/structural: the root restrictions a status subresource imposes, the
 * `x-kubernetes-validations` entries (and, through a caller's callback, their
 * CEL compilation), and the field paths that selectable fields and rule
 * `fieldPath`s name.
 */
import type { FieldCause } from '../../util/errors.ts';
import { tokenizeJsonPath, unescapeSingleQuoted } from '../cel/field-path.ts';
import { fieldError } from '../field-errors.ts';
import type { JSONSchemaProps } from '../schema.ts';
import { checkStructural } from '../structural/index.ts';
import type { SelectableField } from '../types/apiextensions.ts';
import { goSchema, goValidationRule } from './go-format.ts';

/**
 * Compiles one CEL rule. Returns undefined when it compiles, else the
 * compiler's diagnostic, already worded by the CEL engine.
 * `rulePath` is the field path of the rule itself
 * (`spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`);
 * `schema` is the schema node the rule is attached to (what `self` is).
 */
export type CelCheck = (
  rule: string,
  rulePath: string,
  schema: JSONSchemaProps,
) => string | undefined;

export interface SchemaCheckOptions {
  /** The version (or, for a shared schema, any version) has the status subresource. */
  statusEnabled: boolean;
  celCheck?: CelCheck;
}

type Node = JSONSchemaProps & Record<string, unknown>;
type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function cause(reason: string, field: string, message: string): FieldCause {
  return { reason, field, message };
}

/** `Invalid value: <raw>: <detail>` where `raw` is already printed Go-style. */
function invalidRaw(field: string, raw: string, detail: string): FieldCause {
  return cause('FieldValueInvalid', field, `Invalid value: ${raw}: ${detail}`);
}

/**
 * Every problem of `schema`, the openAPIV3Schema at `path`, in Kubernetes'
 * order: status-subresource root rules, structural and OpenAPI rules
 * (src/api/structural), `x-kubernetes-validations` entries, then CEL results.
 * Pure.
 */
export function validateSchema(
  schema: JSONSchemaProps,
  path: string,
  options: SchemaCheckOptions,
): FieldCause[] {
  const out: FieldCause[] = [];
  if (options.statusEnabled) out.push(...statusRootErrors(schema as Node, path));
  const structural = checkStructural(schema, path);
  out.push(...structural);
  const walk = new RuleWalk(structural.length === 0, options.celCheck);
  walk.node(schema as Node, path, true, undefined, 0);
  out.push(...walk.schemaErrors, ...walk.celErrors);
  return out;
}

// ---------------------------------------------------------------------------
// Root of the schema when the status subresource is on.

/**
 * Kubernetes extracts `properties.status` as the schema of the status
 * subresource, so the root may only carry keywords that still hold once status
 * is split off. Go field name (as Kubernetes lists them) and JSON key, in the
 * order of Kubernetes' internal JSONSchemaProps struct.
 */
const ROOT_FIELDS: readonly [goName: string, key: string, allowed: boolean][] = [
  ['ID', 'id', false],
  ['Schema', '$schema', false],
  ['Ref', '$ref', false],
  ['Description', 'description', true],
  ['Type', 'type', true],
  ['Nullable', 'nullable', false],
  ['Format', 'format', true],
  ['Title', 'title', true],
  ['Default', 'default', false],
  ['Maximum', 'maximum', true],
  ['ExclusiveMaximum', 'exclusiveMaximum', true],
  ['Minimum', 'minimum', true],
  ['ExclusiveMinimum', 'exclusiveMinimum', true],
  ['MaxLength', 'maxLength', true],
  ['MinLength', 'minLength', true],
  ['Pattern', 'pattern', true],
  ['MaxItems', 'maxItems', true],
  ['MinItems', 'minItems', true],
  ['UniqueItems', 'uniqueItems', true],
  ['MultipleOf', 'multipleOf', true],
  ['Enum', 'enum', false],
  ['MaxProperties', 'maxProperties', false],
  ['MinProperties', 'minProperties', false],
  ['Required', 'required', true],
  ['Items', 'items', true],
  ['AllOf', 'allOf', false],
  ['OneOf', 'oneOf', false],
  ['AnyOf', 'anyOf', false],
  ['Not', 'not', false],
  ['Properties', 'properties', true],
  ['AdditionalProperties', 'additionalProperties', false],
  ['PatternProperties', 'patternProperties', false],
  ['Dependencies', 'dependencies', false],
  ['AdditionalItems', 'additionalItems', false],
  ['Definitions', 'definitions', false],
  ['ExternalDocs', 'externalDocs', true],
  ['Example', 'example', true],
  ['XPreserveUnknownFields', 'x-kubernetes-preserve-unknown-fields', true],
  ['XEmbeddedResource', 'x-kubernetes-embedded-resource', false],
  ['XIntOrString', 'x-kubernetes-int-or-string', false],
  ['XListMapKeys', 'x-kubernetes-list-map-keys', false],
  ['XListType', 'x-kubernetes-list-type', false],
  ['XMapType', 'x-kubernetes-map-type', false],
  ['XValidations', 'x-kubernetes-validations', true],
];

const ALLOWED_AT_ROOT = ROOT_FIELDS.filter(([, , ok]) => ok).map(([name]) => name);

/** Go's zero value test: "" and false are unset; a present list, map or pointer is set. */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== false;
}

function statusRootErrors(schema: Node, path: string): FieldCause[] {
  for (const [, key, allowed] of ROOT_FIELDS) {
    const v = schema[key];
    if (!isSet(v)) continue;
    if (key === 'type') {
      if (v !== 'object') {
        return [
          fieldError.invalid(
            `${path}.type`,
            v,
            'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
          ),
        ];
      }
      continue;
    }
    if (!allowed) {
      return [
        invalidRaw(
          path,
          goSchema(schema),
          `only [${ALLOWED_AT_ROOT.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`,
        ),
      ];
    }
  }
  return [];
}

// ---------------------------------------------------------------------------
// x-kubernetes-validations.

const SUPPORTED_REASONS = [
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueInvalid',
  'FieldValueRequired',
];

const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

/**
 * Whether a rule mentions `oldSelf` as an identifier (outside string literals).
 * Kubernetes reads this from the compiled expression; a textual scan agrees for
 * every rule that compiles, since `oldSelf` can only be that variable there.
 */
export function usesOldSelf(rule: string): boolean {
  let i = 0;
  while (i < rule.length) {
    const c = rule[i];
    if (c === '"' || c === "'") {
      const triple = rule.startsWith(c.repeat(3), i);
      const end = triple ? c.repeat(3) : c;
      i += end.length;
      while (i < rule.length && !rule.startsWith(end, i)) i += rule[i] === '\\' ? 2 : 1;
      i += end.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < rule.length && /[A-Za-z0-9_]/.test(rule[j])) j++;
      const word = rule.slice(i, j);
      const prev = rule.slice(0, i).trimEnd();
      // `x.oldSelf` is a field named oldSelf, not the variable.
      if (word === 'oldSelf' && !prev.endsWith('.')) return true;
      i = j;
      continue;
    }
    i++;
  }
  return false;
}

/**
 * Walks the schema as Kubernetes' OpenAPI check does (children before the
 * node's own rules) and collects two lists: problems with the rule entries
 * themselves, and CEL results. CEL runs only where Kubernetes runs it: when the
 * schema is structural with valid defaults (`celEnabled`), on nodes reached
 * through properties, additionalProperties and items (not junctors), and only
 * for nodes whose subtree has no rule-entry problems.
 */
class RuleWalk {
  readonly schemaErrors: FieldCause[] = [];
  readonly celErrors: FieldCause[] = [];
  readonly #celEnabled: boolean;
  readonly #celCheck: CelCheck | undefined;

  constructor(celEnabled: boolean, celCheck: CelCheck | undefined) {
    this.#celEnabled = celEnabled;
    this.#celCheck = celCheck;
  }

  /**
   * `cel` is false below junctors. `uncorrelatable` is the highest ancestor path
   * where old and new values can no longer be paired (atomic maps, non-map lists).
   */
  node(s: Node, path: string, cel: boolean, uncorrelatable: string | undefined, depth: number) {
    if (depth > 64) return;
    const before = this.schemaErrors.length;
    const child = (x: unknown, p: string, c: boolean, u = uncorrelatable) => {
      if (isRecord(x)) this.node(x as Node, p, c, u, depth + 1);
    };
    child(s.additionalProperties, `${path}.additionalProperties`, cel);
    const atomicMap = s['x-kubernetes-map-type'] === 'atomic';
    for (const k of Object.keys(s.properties ?? {}).sort()) {
      child(
        s.properties?.[k],
        `${path}.properties[${k}]`,
        cel,
        uncorrelatable ?? (atomicMap ? path : undefined),
      );
    }
    child(s.not, `${path}.not`, false);
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
      (s[key] ?? []).forEach((x, i) => child(x, `${path}.${key}[${i}]`, false));
    }
    if (isRecord(s.definitions)) {
      for (const k of Object.keys(s.definitions).sort()) {
        child(s.definitions[k], `${path}.definitions[${k}]`, false);
      }
    }
    const mapList = s['x-kubernetes-list-type'] === 'map';
    child(s.items, `${path}.items`, cel, uncorrelatable ?? (mapList ? undefined : path));

    const rules = Array.isArray(s['x-kubernetes-validations']) ? s['x-kubernetes-validations'] : [];
    if (rules.length === 0) return;
    rules.forEach((r, i) => this.#ruleEntry(s, r, `${path}.x-kubernetes-validations[${i}]`));
    if (this.schemaErrors.length === before && cel && this.#celEnabled) {
      rules.forEach((r, i) =>
        this.#compile(s, r, `${path}.x-kubernetes-validations[${i}]`, uncorrelatable),
      );
    }
  }

  #ruleEntry(s: Node, r: Rule, at: string): void {
    const errs = this.schemaErrors;
    const rule = text(r?.rule);
    const message = text(r?.message);
    const trimmedRule = rule.trim();
    const trimmedMessage = message.trim();
    if (trimmedRule === '') {
      errs.push(fieldError.required(`${at}.rule`, 'rule is not specified'));
    } else if (message !== '' && trimmedMessage === '') {
      errs.push(
        fieldError.invalid(`${at}.message`, message, 'message must be non-empty if specified'),
      );
    } else if (hasNewlines(trimmedMessage)) {
      errs.push(
        fieldError.invalid(`${at}.message`, message, 'message must not contain line breaks'),
      );
    } else if (hasNewlines(trimmedRule) && trimmedMessage === '') {
      errs.push(
        fieldError.required(
          `${at}.message`,
          'message must be specified if rule contains line breaks',
        ),
      );
    }
    const messageExpression = text(r?.messageExpression);
    if (messageExpression !== '' && messageExpression.trim() === '') {
      errs.push(
        fieldError.required(
          `${at}.messageExpression`,
          'messageExpression must be non-empty if specified',
        ),
      );
    }
    if (r?.reason !== undefined && !SUPPORTED_REASONS.includes(text(r.reason))) {
      errs.push(fieldError.notSupported(`${at}.reason`, text(r.reason), SUPPORTED_REASONS));
    }
    const fieldPath = text(r?.fieldPath);
    if (fieldPath !== '' && fieldPath.trim() === '') {
      errs.push(
        fieldError.invalid(
          `${at}.fieldPath`,
          fieldPath,
          'fieldPath must be non-empty if specified',
        ),
      );
    }
    if (hasNewlines(fieldPath)) {
      errs.push(
        fieldError.invalid(`${at}.fieldPath`, fieldPath, 'fieldPath must not contain line breaks'),
      );
    }
    if (fieldPath !== '' && resolveFieldPath(fieldPath, s, true).error !== undefined) {
      errs.push(fieldError.invalid(`${at}.fieldPath`, fieldPath, 'fieldPath must be a valid path'));
    }
  }

  #compile(s: Node, r: Rule, at: string, uncorrelatable: string | undefined): void {
    const rule = text(r?.rule);
    const problem = this.#celCheck?.(rule, `${at}.rule`, s);
    if (problem !== undefined) {
      this.celErrors.push(
        // The CEL engine's message is already worded as Kubernetes words it
        // ("compilation failed: ERROR: ..." or, e.g., "cel expression must evaluate to a bool").
        invalidRaw(`${at}.rule`, goValidationRule(r), problem),
      );
      return;
    }
    if (usesOldSelf(rule)) {
      if (uncorrelatable !== undefined) {
        this.celErrors.push(
          fieldError.invalid(
            `${at}.rule`,
            rule,
            `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`,
          ),
        );
      }
    } else if (r?.optionalOldSelf !== undefined) {
      this.celErrors.push(
        fieldError.invalid(
          `${at}.optionalOldSelf`,
          r.optionalOldSelf,
          'may not be set if oldSelf is not used in rule',
        ),
      );
    }
  }
}

// ---------------------------------------------------------------------------
// Field paths into a schema (selectable fields, rule fieldPath).

export interface ResolvedPath {
  /** The path as Kubernetes prints it (`spec.labels[app]`); empty for the root. */
  path: string;
  /** Its first segment (`spec`). */
  root: string;
  schema?: JSONSchemaProps;
  /** Why the path is not valid, worded as Kubernetes. */
  error?: string;
}

/**
 * Resolves a simple JSONPath (`.spec.color`, `.spec.labels['app']`) against a
 * schema, following properties and additionalProperties only, as Kubernetes'
 * field path check does. `allowIndex` permits the `['key']` notation.
 */
export function resolveFieldPath(
  jsonPath: string,
  schema: JSONSchemaProps,
  allowIndex: boolean,
): ResolvedPath {
  const tokens = tokenizeJsonPath(jsonPath);
  let current: JSONSchemaProps | undefined = schema;
  let path = '';
  let root = '';
  const fail = (error: string): ResolvedPath => ({ path, root, error });
  const step = (name: string): string | undefined => {
    const s = current;
    const hasProps = s !== undefined && Object.keys(s.properties ?? {}).length > 0;
    if (hasProps) {
      if (root === '') root = name;
      path = path === '' ? name : `${path}.${name}`;
      const p: JSONSchemaProps | undefined = Object.hasOwn(s.properties ?? {}, name)
        ? s.properties?.[name]
        : undefined;
      if (p === undefined) return 'does not refer to a valid field';
      current = p;
    } else if (s !== undefined && s.additionalProperties !== undefined) {
      if (root === '') root = `[${name}]`;
      path = `${path}[${name}]`;
      current = isRecord(s.additionalProperties) ? s.additionalProperties : undefined;
    } else {
      return 'does not refer to a valid field';
    }
    return undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === '[') {
      if (!allowIndex) return fail('array notation is not allowed');
      const key = tokens[++i];
      if (key === undefined) return fail('unexpected end of JSON path');
      if (key.length < 2 || !key.startsWith("'") || !key.endsWith("'")) {
        return fail(`expected single quoted string but got ${key}`);
      }
      const { value, error } = unescapeSingleQuoted(key.slice(1, -1));
      if (error !== undefined) return fail(`invalid string literal: ${error}`);
      const e = step(value);
      if (e !== undefined) return fail(e);
      const close = tokens[++i];
      if (close === undefined) return fail('unexpected end of JSON path');
      if (close !== ']') return fail(`expected ] but got ${close}`);
    } else if (tok === '.') {
      const name = tokens[++i];
      if (name === undefined) return fail('unexpected end of JSON path');
      const e = step(name);
      if (e !== undefined) return fail(e);
    } else {
      return fail(`expected [ or . but got: ${tok}`);
    }
  }
  return { path, root, schema: current };
}

/** At most this many selectable fields per version. */
export const MAX_SELECTABLE_FIELDS = 8;

/**
 * `selectableFields` of a version against its schema: each jsonPath is required,
 * names a field the schema declares (no array notation, not under metadata) of
 * type string, boolean or integer, and is unique; at most eight.
 */
export function validateSelectableFields(
  fields: readonly (SelectableField | Record<string, unknown>)[],
  schema: JSONSchemaProps,
  path: string,
): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const at = `${path}[${i}].jsonPath`;
    const jsonPath = text(isRecord(f) ? f.jsonPath : undefined);
    if (jsonPath === '') {
      out.push(fieldError.required(at));
      return;
    }
    const r = resolveFieldPath(jsonPath, schema, false);
    if (r.error !== undefined) {
      out.push(fieldError.invalid(at, jsonPath, `is an invalid path: ${r.error}`));
      return;
    }
    if (r.root === 'metadata') {
      out.push(fieldError.invalid(at, jsonPath, 'must not point to fields in metadata'));
    }
    const type = r.schema?.type;
    if (type !== 'string' && type !== 'boolean' && type !== 'integer') {
      out.push(
        fieldError.invalid(
          at,
          jsonPath,
          'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
        ),
      );
    }
    if (seen.has(r.path)) out.push(fieldError.duplicate(at, jsonPath));
    else seen.add(r.path);
  });
  if (seen.size > MAX_SELECTABLE_FIELDS) {
    out.push(fieldError.tooMany(path, seen.size, MAX_SELECTABLE_FIELDS));
  }
  return out;
}

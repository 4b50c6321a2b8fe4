/**
 * Go's `%#v` rendering of the few apiextensions values Kubernetes prints as the
 * "bad value" of a CRD validation error (`Invalid value: []apiextensions.
 * CustomResourceDefinitionVersion{...}: must have exactly one version marked as
 * storage version`). Kubernetes validates its *internal* types, so the texts
 * name internal type and field names (`Schema`, `JSONPath`), not the JSON ones.
 *
 * What cannot be reproduced: Go prints a non-nil pointer nested in a struct as
 * its address (`(*float64)(0xc000a12345)`), which differs on every run. We print
 * the fixed address `0xc000000000` in its place, so the text keeps Go's shape and
 * stays deterministic. Nil pointers, slices and maps print exactly as Go does.
 */
import type { JSONSchemaProps } from '../schema.ts';
import type { CustomResourceDefinitionVersion } from '../types/apiextensions.ts';
import { compareGoStrings, goNumber, goQuote } from '../structural/messages.ts';

/** Stands in for the address Go prints for a non-nil pointer. */
export const GO_ADDRESS = '0xc000000000';

const PKG = 'apiextensions';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `(*T)(nil)` or `(*T)(0xc000000000)`. */
function pointer(type: string, present: boolean): string {
  return `(*${type})(${present ? GO_ADDRESS : 'nil'})`;
}

/** A slice: `T(nil)` when absent, else `T{a, b}` (`T` includes the `[]` or is a named slice type). */
function slice<E>(type: string, items: readonly E[] | undefined, each: (e: E) => string): string {
  if (!Array.isArray(items)) return `${type}(nil)`;
  return `${type}{${items.map(each).join(', ')}}`;
}

/** A map with string keys, sorted as Go's fmt sorts them. */
function map<E>(type: string, m: Record<string, E> | undefined, each: (e: E) => string): string {
  if (!isRecord(m)) return `${type}(nil)`;
  const keys = Object.keys(m).sort(compareGoStrings);
  return `${type}{${keys.map((k) => `${goQuote(k)}:${each(m[k] as E)}`).join(', ')}}`;
}

function struct(type: string, fields: [string, string][]): string {
  return `${type}{${fields.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}

const str = (v: unknown): string => goQuote(typeof v === 'string' ? v : '');
const bool = (v: unknown): string => String(v === true);
const int = (v: unknown): string => (typeof v === 'number' ? goNumber(v) : '0');

/** A decoded JSON value held in an `interface{}` (apiextensions.JSON). */
export function goInterface(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return slice('[]interface {}', v, goInterface);
  if (isRecord(v)) return map('map[string]interface {}', v, goInterface);
  return goQuote(String(v));
}

/** One `x-kubernetes-validations` entry as `apiextensions.ValidationRule{...}`. */
export function goValidationRule(rule: unknown): string {
  const r = isRecord(rule) ? rule : {};
  return struct(`${PKG}.ValidationRule`, [
    ['Rule', str(r.rule)],
    ['Message', str(r.message)],
    ['MessageExpression', str(r.messageExpression)],
    ['Reason', pointer(`${PKG}.FieldValueErrorReason`, r.reason !== undefined)],
    ['FieldPath', str(r.fieldPath)],
    ['OptionalOldSelf', pointer('bool', r.optionalOldSelf !== undefined)],
  ]);
}

/** A schema node as `apiextensions.JSONSchemaProps{...}` (properties printed in full, as Go does). */
export function goSchema(schema: unknown, depth = 0): string {
  const s = (isRecord(schema) ? schema : {}) as JSONSchemaProps & Record<string, unknown>;
  if (depth > 32) return `${PKG}.JSONSchemaProps{...}`;
  const props = (m: unknown) =>
    map(`map[string]${PKG}.JSONSchemaProps`, m as Record<string, unknown> | undefined, (x) =>
      goSchema(x, depth + 1),
    );
  const schemas = (a: unknown) =>
    slice(`[]${PKG}.JSONSchemaProps`, a as unknown[] | undefined, (x) => goSchema(x, depth + 1));
  const has = (k: string) => s[k] !== undefined;
  return struct(`${PKG}.JSONSchemaProps`, [
    ['ID', str(s.id)],
    ['Schema', str(s.$schema)],
    ['Ref', pointer('string', has('$ref'))],
    ['Description', str(s.description)],
    ['Type', str(s.type)],
    ['Nullable', bool(s.nullable)],
    ['Format', str(s.format)],
    ['Title', str(s.title)],
    ['Default', pointer(`${PKG}.JSON`, has('default'))],
    ['Maximum', pointer('float64', has('maximum'))],
    ['ExclusiveMaximum', bool(s.exclusiveMaximum)],
    ['Minimum', pointer('float64', has('minimum'))],
    ['ExclusiveMinimum', bool(s.exclusiveMinimum)],
    ['MaxLength', pointer('int64', has('maxLength'))],
    ['MinLength', pointer('int64', has('minLength'))],
    ['Pattern', str(s.pattern)],
    ['MaxItems', pointer('int64', has('maxItems'))],
    ['MinItems', pointer('int64', has('minItems'))],
    ['UniqueItems', bool(s.uniqueItems)],
    ['MultipleOf', pointer('float64', has('multipleOf'))],
    ['Enum', slice(`[]${PKG}.JSON`, s.enum, goInterface)],
    ['MaxProperties', pointer('int64', has('maxProperties'))],
    ['MinProperties', pointer('int64', has('minProperties'))],
    ['Required', slice('[]string', s.required, str)],
    ['Items', pointer(`${PKG}.JSONSchemaPropsOrArray`, has('items'))],
    ['AllOf', schemas(s.allOf)],
    ['OneOf', schemas(s.oneOf)],
    ['AnyOf', schemas(s.anyOf)],
    ['Not', pointer(`${PKG}.JSONSchemaProps`, has('not'))],
    ['Properties', props(s.properties)],
    ['AdditionalProperties', pointer(`${PKG}.JSONSchemaPropsOrBool`, has('additionalProperties'))],
    ['PatternProperties', props(s.patternProperties)],
    [
      'Dependencies',
      map(`${PKG}.JSONSchemaDependencies`, s.dependencies as Record<string, unknown>, () =>
        struct(`${PKG}.JSONSchemaPropsOrStringArray`, [
          ['Schema', pointer(`${PKG}.JSONSchemaProps`, true)],
          ['Property', '[]string(nil)'],
        ]),
      ),
    ],
    ['AdditionalItems', pointer(`${PKG}.JSONSchemaPropsOrBool`, has('additionalItems'))],
    [
      'Definitions',
      map(`${PKG}.JSONSchemaDefinitions`, s.definitions as Record<string, unknown>, (x) =>
        goSchema(x, depth + 1),
      ),
    ],
    ['ExternalDocs', pointer(`${PKG}.ExternalDocumentation`, has('externalDocs'))],
    ['Example', pointer(`${PKG}.JSON`, has('example'))],
    ['XPreserveUnknownFields', pointer('bool', has('x-kubernetes-preserve-unknown-fields'))],
    ['XEmbeddedResource', bool(s['x-kubernetes-embedded-resource'])],
    ['XIntOrString', bool(s['x-kubernetes-int-or-string'])],
    ['XListMapKeys', slice('[]string', s['x-kubernetes-list-map-keys'], str)],
    ['XListType', pointer('string', has('x-kubernetes-list-type'))],
    ['XMapType', pointer('string', has('x-kubernetes-map-type'))],
    [
      'XValidations',
      slice(`${PKG}.ValidationRules`, s['x-kubernetes-validations'], goValidationRule),
    ],
  ]);
}

/**
 * `spec.versions` as Kubernetes prints it, after its v1-to-internal conversion:
 * a per-version field that is identical in every version was moved to the spec
 * and is printed here as nil. `moved` names those fields.
 */
export function goVersions(
  versions: readonly CustomResourceDefinitionVersion[] | undefined,
  moved: MovedFields,
): string {
  return slice(`[]${PKG}.CustomResourceDefinitionVersion`, versions, (v) => {
    const r = (isRecord(v) ? v : {}) as Partial<CustomResourceDefinitionVersion>;
    return struct(`${PKG}.CustomResourceDefinitionVersion`, [
      ['Name', str(r.name)],
      ['Served', bool(r.served)],
      ['Storage', bool(r.storage)],
      ['Deprecated', bool(r.deprecated)],
      ['DeprecationWarning', pointer('string', r.deprecationWarning !== undefined)],
      [
        'Schema',
        pointer(`${PKG}.CustomResourceValidation`, !moved.schema && r.schema !== undefined),
      ],
      [
        'Subresources',
        pointer(
          `${PKG}.CustomResourceSubresources`,
          !moved.subresources && r.subresources !== undefined,
        ),
      ],
      [
        'AdditionalPrinterColumns',
        slice(
          `[]${PKG}.CustomResourceColumnDefinition`,
          moved.additionalPrinterColumns ? undefined : r.additionalPrinterColumns,
          (c) =>
            struct(`${PKG}.CustomResourceColumnDefinition`, [
              ['Name', str(c.name)],
              ['Type', str(c.type)],
              ['Format', str(c.format)],
              ['Description', str(c.description)],
              ['Priority', int(c.priority)],
              ['JSONPath', str(c.jsonPath)],
            ]),
        ),
      ],
      [
        'SelectableFields',
        slice(
          `[]${PKG}.SelectableField`,
          moved.selectableFields ? undefined : r.selectableFields,
          (f) => struct(`${PKG}.SelectableField`, [['JSONPath', str(f.jsonPath)]]),
        ),
      ],
    ]);
  });
}

/** Which per-version fields Kubernetes' conversion moved to the spec (identical in every version). */
export interface MovedFields {
  schema: boolean;
  subresources: boolean;
  additionalPrinterColumns: boolean;
  selectableFields: boolean;
}

/** `[]string{"a", "b"}`, or `[]string(nil)` for an absent list. */
export function goStrings(list: readonly string[] | undefined): string {
  return slice('[]string', list, str);
}

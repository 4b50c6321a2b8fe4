/**
 * The schema language of Kubernetes APIs: the OpenAPI v3 subset that
 * CustomResourceDefinitions call `JSONSchemaProps`, with Kubernetes' extensions.
 *
 * One language for built-in types (src/api/openapi) and custom resources (CRDs),
 * and one consumer interface, `SchemaResolver`, for everything that walks an
 * object alongside its schema: strategic merge patch, server-side apply, strict
 * field validation, pruning, defaulting, `kubectl explain`.
 *
 * Built-in definitions are named as Kubernetes names them in its OpenAPI
 * documents (`io.k8s.api.core.v1.Pod`) and reference each other with
 * `$ref: '#/components/schemas/<name>'`.
 */

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface JSONSchemaProps {
  $ref?: string;
  type?: SchemaType;
  format?: string;
  description?: string;
  title?: string;
  default?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  // objects
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  additionalProperties?: JSONSchemaProps | boolean;
  minProperties?: number;
  maxProperties?: number;
  // arrays
  items?: JSONSchemaProps;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  // strings
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  // numbers
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  // composition (CRD structural schemas allow these only under restrictions)
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  example?: unknown;
  externalDocs?: { description?: string; url?: string };
  // Kubernetes extensions
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  /** `atomic` (replace whole), `set` (scalars, merged by value), `map` (merged by `x-kubernetes-list-map-keys`). */
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  /** Strategic merge patch: the field that identifies list elements. */
  'x-kubernetes-patch-merge-key'?: string;
  /** Strategic merge patch: `merge`, `replace`, `retainKeys`, or `merge,retainKeys`. */
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-validations'?: {
    rule: string;
    message?: string;
    messageExpression?: string;
    reason?: string;
    fieldPath?: string;
    optionalOldSelf?: boolean;
  }[];
  'x-kubernetes-unions'?: unknown[];
}

/** Named definitions, as in an OpenAPI v3 document's `components.schemas`. */
export type Definitions = Record<string, JSONSchemaProps>;

export const REF_PREFIX = '#/components/schemas/';

export function ref(name: string): JSONSchemaProps {
  return { $ref: REF_PREFIX + name };
}

/**
 * Follows `$ref`s (and the `allOf: [{$ref}]` wrapper OpenAPI uses to put a
 * description or default beside a reference) so callers see the schema of a
 * value, whatever notation its parent used. Returns the same object for a schema
 * with no reference, and never mutates its inputs.
 */
export class SchemaResolver {
  readonly definitions: Definitions;

  constructor(definitions: Definitions) {
    this.definitions = definitions;
  }

  /** The named definition, or undefined. */
  definition(name: string): JSONSchemaProps | undefined {
    return Object.hasOwn(this.definitions, name) ? this.definitions[name] : undefined;
  }

  resolve(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
    let s = schema;
    for (let depth = 0; s !== undefined && depth < 32; depth++) {
      if (s.$ref !== undefined) {
        const name = s.$ref.startsWith(REF_PREFIX) ? s.$ref.slice(REF_PREFIX.length) : s.$ref;
        const target = this.definition(name);
        if (target === undefined) return undefined;
        // Sibling keywords of a $ref (extensions such as the patch strategy of a
        // field) belong to the field, so they win over the target's.
        const { $ref: _, ...siblings } = s;
        s = Object.keys(siblings).length === 0 ? target : { ...target, ...siblings };
        continue;
      }
      if (s.allOf?.length === 1 && s.type === undefined && s.properties === undefined) {
        const { allOf, ...siblings } = s;
        s = { ...allOf[0], ...siblings };
        continue;
      }
      return s;
    }
    return s;
  }

  /** The resolved schema of field `name` of an object schema (properties, else additionalProperties). */
  property(schema: JSONSchemaProps | undefined, name: string): JSONSchemaProps | undefined {
    const s = this.resolve(schema);
    if (s === undefined) return undefined;
    const p = s.properties && Object.hasOwn(s.properties, name) ? s.properties[name] : undefined;
    if (p !== undefined) return this.resolve(p);
    if (typeof s.additionalProperties === 'object') return this.resolve(s.additionalProperties);
    return undefined;
  }

  /** The resolved schema of the elements of an array schema. */
  items(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
    return this.resolve(this.resolve(schema)?.items);
  }
}

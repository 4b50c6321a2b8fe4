/**
 * TypeMeta and ObjectMeta inside custom objects: the schema unknown-field
 * detection and pruning use for `metadata` (at the root and in embedded
 * resources), and the checks Kubernetes applies to embedded resources
 * (`x-kubernetes-embedded-resource`): apiVersion and kind required and well
 * formed, metadata decodable as ObjectMeta and valid by ObjectMeta's name,
 * namespace, label, annotation and finalizer rules.
 */
import type { JSONSchemaProps } from '../schema.ts';
import type { FieldCause } from '../../util/errors.ts';
import { cause, fieldPath } from './messages.ts';
import { isObject, type JsonObject } from './schema-node.ts';

const str: JSONSchemaProps = { type: 'string' };
const int: JSONSchemaProps = { type: 'integer', format: 'int64' };
const bool: JSONSchemaProps = { type: 'boolean' };
const stringMap: JSONSchemaProps = { type: 'object', additionalProperties: str };

/** meta/v1 ObjectMeta, as far as unknown-field detection needs it. */
export const OBJECT_META_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: int,
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          uid: str,
          controller: bool,
          blockOwnerDeletion: bool,
        },
      },
    },
    finalizers: { type: 'array', items: str },
    managedFields: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          manager: str,
          operation: str,
          apiVersion: str,
          time: str,
          fieldsType: str,
          fieldsV1: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          subresource: str,
        },
      },
    },
  },
};

// ---------------------------------------------------------------------------
// Name rules (apimachinery's validation helpers), messages as Kubernetes words them.

const maxLenError = (n: number) => `must be no more than ${n} bytes`;

function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(' or ')}, regex used for validation is '${re}')`;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (bytes(v) > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL.test(v)) {
    if (DNS1123_SUBDOMAIN.test(v)) {
      errs.push('must not contain dots');
    } else {
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          DNS1123_LABEL_FMT,
          'my-name',
          '123-abc',
        ),
      );
    }
  }
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (bytes(v) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(v)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (bytes(v) > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL.test(v)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

/** A label key / qualified name: optional DNS subdomain prefix and `/`, then a name. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (bytes(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!LABEL_KEY.test(name)) {
    errs.push(
      `name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

export function isLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (bytes(v) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE.test(v)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

/** Names used as a path segment (the REST path, the store key). */
function isPathSegmentName(v: string, prefix: boolean): string[] {
  if (!prefix && (v === '.' || v === '..')) return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (v.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** apimachinery's ParseGroupVersion error, or undefined. */
export function groupVersionError(gv: string): string | undefined {
  if (gv === '' || gv === '/') return undefined;
  return gv.split('/').length > 2 ? `unexpected GroupVersion string: ${gv}` : undefined;
}

// ---------------------------------------------------------------------------
// Decoding metadata as ObjectMeta: the type errors Go's JSON decoder reports.

type GoType = 'string' | 'int64' | 'bool' | 'map' | 'strings' | 'ownerRefs' | 'managedFields';

const META_FIELD_TYPES: Record<string, GoType> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  creationTimestamp: 'string',
  deletionTimestamp: 'string',
  generation: 'int64',
  deletionGracePeriodSeconds: 'int64',
  labels: 'map',
  annotations: 'map',
  finalizers: 'strings',
  ownerReferences: 'ownerRefs',
  managedFields: 'managedFields',
};

const OWNER_REF_TYPES: Record<string, 'string' | 'bool'> = {
  apiVersion: 'string',
  kind: 'string',
  name: 'string',
  uid: 'string',
  controller: 'bool',
  blockOwnerDeletion: 'bool',
};

function jsonTypeName(v: unknown): string {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'array' : 'object';
}

function typeError(v: unknown, where: string, goType: string): string {
  const value = typeof v === 'number' && goType === 'int64' ? `number ${v}` : jsonTypeName(v);
  return `json: cannot unmarshal ${value} into Go struct field ${where} of type ${goType}`;
}

function scalarError(
  v: unknown,
  want: 'string' | 'int64' | 'bool',
  where: string,
): string | undefined {
  if (v === null) return undefined;
  switch (want) {
    case 'string':
      return typeof v === 'string' ? undefined : typeError(v, where, 'string');
    case 'bool':
      return typeof v === 'boolean' ? undefined : typeError(v, where, 'bool');
    case 'int64':
      return typeof v === 'number' && Number.isSafeInteger(v)
        ? undefined
        : typeError(v, where, 'int64');
  }
}

/** The error Kubernetes' JSON decoder gives for `metadata`, or undefined if it decodes. */
export function objectMetaDecodeError(metadata: unknown): string | undefined {
  if (metadata === null) return undefined;
  if (!isObject(metadata)) {
    return `json: cannot unmarshal ${jsonTypeName(metadata)} into Go value of type v1.ObjectMeta`;
  }
  for (const [k, v] of Object.entries(metadata)) {
    const t = META_FIELD_TYPES[k];
    if (t === undefined || v === null) continue;
    const where = `ObjectMeta.${k}`;
    let err: string | undefined;
    switch (t) {
      case 'string':
      case 'int64':
      case 'bool':
        err = scalarError(v, t, where);
        break;
      case 'map':
        if (!isObject(v)) err = typeError(v, where, 'map[string]string');
        else {
          for (const x of Object.values(v)) {
            err ??= scalarError(x, 'string', where);
          }
        }
        break;
      case 'strings':
        if (!Array.isArray(v)) err = typeError(v, where, '[]string');
        else for (const x of v) err ??= scalarError(x, 'string', where);
        break;
      case 'ownerRefs':
        if (!Array.isArray(v)) err = typeError(v, where, '[]v1.OwnerReference');
        else {
          for (const ref of v) {
            if (ref === null) continue;
            if (!isObject(ref)) err ??= typeError(ref, where, 'v1.OwnerReference');
            else {
              for (const [rk, rv] of Object.entries(ref)) {
                const rt = OWNER_REF_TYPES[rk];
                if (rt !== undefined) err ??= scalarError(rv, rt, `${where}.${rk}`);
              }
            }
          }
        }
        break;
      case 'managedFields':
        if (!Array.isArray(v)) err = typeError(v, where, '[]v1.ManagedFieldsEntry');
        else {
          for (const e of v) {
            if (e !== null && !isObject(e)) err ??= typeError(e, where, 'v1.ManagedFieldsEntry');
          }
        }
        break;
    }
    if (err !== undefined) return err;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Embedded resources.

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/**
 * Kubernetes' checks of one object marked `x-kubernetes-embedded-resource`,
 * at field path `path` (field.Path style).
 */
export function validateEmbeddedResource(x: JsonObject, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const apiVersionPath = fieldPath.child(path, 'apiVersion');
  const kindPath = fieldPath.child(path, 'kind');
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(cause.required(apiVersionPath));
  if (!Object.hasOwn(x, 'kind')) errs.push(cause.required(kindPath));
  if (Object.hasOwn(x, 'apiVersion')) {
    const v = x.apiVersion;
    if (typeof v !== 'string') errs.push(cause.invalid(apiVersionPath, v, 'must be a string'));
    else if (v === '') errs.push(cause.invalid(apiVersionPath, v, 'must not be empty'));
    else {
      const e = groupVersionError(v);
      if (e !== undefined) errs.push(cause.invalid(apiVersionPath, v, e));
    }
  }
  if (Object.hasOwn(x, 'kind')) {
    const v = x.kind;
    if (typeof v !== 'string') errs.push(cause.invalid(kindPath, v, 'must be a string'));
    else if (v === '') errs.push(cause.invalid(kindPath, v, 'must not be empty'));
    else {
      const e = isDNS1035Label(v.toLowerCase());
      if (e.length > 0) {
        errs.push(
          cause.invalid(
            kindPath,
            v,
            `may have mixed case, but should otherwise match: ${e.join(',')}`,
          ),
        );
      }
    }
  }
  if (Object.hasOwn(x, 'metadata')) {
    const metaPath = fieldPath.child(path, 'metadata');
    const decodeError = objectMetaDecodeError(x.metadata);
    if (decodeError !== undefined) errs.push(cause.invalid(metaPath, x.metadata, decodeError));
    else if (isObject(x.metadata)) errs.push(...validateEmbeddedObjectMeta(x.metadata, metaPath));
  }
  return errs;
}

/**
 * ObjectMeta rules for an embedded resource: a missing name is fine (it is filled
 * in later), names are path segments, a namespace, if given, is a DNS label.
 */
function validateEmbeddedObjectMeta(m: JsonObject, path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const s = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : '');
  const generateName = s('generateName');
  if (generateName !== '') {
    for (const msg of isPathSegmentName(generateName, true)) {
      errs.push(cause.invalid(fieldPath.child(path, 'generateName'), generateName, msg));
    }
  }
  const name = s('name');
  if (name !== '') {
    for (const msg of isPathSegmentName(name, false)) {
      errs.push(cause.invalid(fieldPath.child(path, 'name'), name, msg));
    }
  }
  const namespace = s('namespace');
  if (namespace !== '') {
    for (const msg of isDNS1123Label(namespace)) {
      errs.push(cause.invalid(fieldPath.child(path, 'namespace'), namespace, msg));
    }
  }
  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(
      cause.invalid(
        fieldPath.child(path, 'generation'),
        m.generation,
        'must be greater than or equal to 0',
      ),
    );
  }
  if (isObject(m.labels)) {
    const p = fieldPath.child(path, 'labels');
    for (const [k, v] of Object.entries(m.labels)) {
      for (const msg of isQualifiedName(k)) errs.push(cause.invalid(p, k, msg));
      if (typeof v === 'string')
        for (const msg of isLabelValue(v)) errs.push(cause.invalid(p, v, msg));
    }
  }
  if (isObject(m.annotations)) {
    const p = fieldPath.child(path, 'annotations');
    let total = 0;
    for (const [k, v] of Object.entries(m.annotations)) {
      for (const msg of isQualifiedName(k.toLowerCase())) errs.push(cause.invalid(p, k, msg));
      total += bytes(k) + (typeof v === 'string' ? bytes(v) : 0);
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT)
      errs.push(cause.tooLong(p, TOTAL_ANNOTATION_SIZE_LIMIT));
  }
  if (Array.isArray(m.ownerReferences)) {
    errs.push(
      ...validateOwnerReferences(m.ownerReferences, fieldPath.child(path, 'ownerReferences')),
    );
  }
  if (Array.isArray(m.finalizers)) {
    const p = fieldPath.child(path, 'finalizers');
    for (const f of m.finalizers) {
      if (typeof f === 'string')
        for (const msg of isQualifiedName(f)) errs.push(cause.invalid(p, f, msg));
    }
    if (m.finalizers.includes('orphan') && m.finalizers.includes('foregroundDeletion')) {
      errs.push(
        cause.invalid(
          p,
          m.finalizers,
          'finalizer orphan and foregroundDeletion cannot be both set',
        ),
      );
    }
  }
  return errs;
}

function validateOwnerReferences(refs: unknown[], path: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let firstController = '';
  refs.forEach((raw, i) => {
    const ref = isObject(raw) ? raw : {};
    const p = fieldPath.index(path, i);
    const get = (k: string) => (typeof ref[k] === 'string' ? (ref[k] as string) : '');
    const apiVersion = get('apiVersion');
    if (apiVersion === '')
      errs.push(cause.required(fieldPath.child(p, 'apiVersion'), 'must not be empty'));
    else if (groupVersionError(apiVersion) !== undefined || apiVersion.endsWith('/')) {
      errs.push(
        cause.invalid(
          fieldPath.child(p, 'apiVersion'),
          apiVersion,
          'must be <group>/<version> or <version>',
        ),
      );
    }
    if (get('kind') === '')
      errs.push(cause.required(fieldPath.child(p, 'kind'), 'must not be empty'));
    if (get('name') === '')
      errs.push(cause.required(fieldPath.child(p, 'name'), 'must not be empty'));
    if (get('uid') === '')
      errs.push(cause.required(fieldPath.child(p, 'uid'), 'must not be empty'));
    if (ref.controller === true) {
      const current = `${get('kind')}/${get('name')}`;
      if (firstController !== '') {
        errs.push(
          cause.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  });
  return errs;
}

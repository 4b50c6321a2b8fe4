/**
 * Defaulting and validation of apiextensions.k8s.io/v1 CustomResourceDefinitions
 * as the Kubernetes 1.33 API server does them, worded as it words them.
 *
 * Paths follow Kubernetes, which validates its internal form of the object: a
 * per-version field that is identical in every version (schema, subresources,
 * additionalPrinterColumns, selectableFields) is reported at the spec-level
 * path it was moved to (`spec.validation.openAPIV3Schema...`,
 * `spec.subresources...`, `spec.additionalPrinterColumns[0]...`,
 * `spec.selectableFields[0]...`), and at `spec.versions[i]...` only when the
 * versions differ. A single-version CRD therefore reports its schema problems at
 * `spec.validation.openAPIV3Schema`, as kubectl users see them from Kubernetes.
 *
 * Where Verge departs from Kubernetes, on purpose:
 * - `spec.conversion.strategy: Webhook` is refused: Verge does not call
 *   conversion webhooks (see `conversionErrors`).
 * - Kubernetes 1.33 refuses selectable fields that are identical across versions
 *   whose schemas differ (and the reverse) because of how it moves fields to the
 *   spec; Verge checks each version's selectable fields against that version's
 *   schema instead.
 * - CEL cost limits and messageExpression compilation are not checked; rules are
 *   compiled only through the caller's `celCheck`, and only when the schema
 *   passes every structural and OpenAPI check (Kubernetes narrows that to the
 *   rule's subtree for the OpenAPI checks).
 *
 * Deliberately not checked, because Kubernetes does not check them and CRDs
 * that Kubernetes accepts must apply here unchanged: printer column jsonPaths
 * beyond a leading dot (one that does not parse only shortens the table),
 * column priority and name uniqueness, at least one served version, and the
 * types of the fields scale paths point to.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, uniqueCauses } from '../field-errors.ts';
import type { JSONSchemaProps } from '../schema.ts';
import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
} from '../types/apiextensions.ts';
import { byteLength, isDns1035Label } from '../validation/names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/index.ts';
import { goStrings, goVersions, type MovedFields } from './go-format.ts';
import { defaultNames, validateGroup, validateNamesFormat, validateSpecNames } from './names.ts';
import { type CelCheck, validateSchema, validateSelectableFields } from './schema.ts';

export interface ValidateCustomResourceDefinitionOptions {
  /**
   * Compiles a CEL rule of `x-kubernetes-validations`; see `CelCheck`. Without
   * it, rules are checked for form only.
   */
  celCheck?: CelCheck;
  /**
   * Include the metadata rules every object follows (validateObjectMeta, and
   * validateObjectMetaUpdate on update). Default true; set false when the caller
   * runs them. The CRD's own name rule (`<plural>.<group>`) is checked either way.
   */
  metadata?: boolean;
}

type Loose = Record<string, unknown>;

const isRecord = (v: unknown): v is Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const records = (v: unknown): Loose[] =>
  Array.isArray(v) ? v.map((x) => (isRecord(x) ? x : {})) : [];

export const API_APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
const FIELD_IMMUTABLE = 'field is immutable';
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = [
  'byte',
  'date',
  'date-time',
  'double',
  'float',
  'int32',
  'int64',
  'password',
];

// ---------------------------------------------------------------------------
// Defaulting and preparation.

/**
 * Applies Kubernetes' v1 defaults in place: `names.singular` (the kind in lower
 * case) and `names.listKind` (kind + "List") when empty, `conversion`
 * `{strategy: None}` when absent, port 443 for a conversion webhook service,
 * and `status.storedVersions` = [the storage version] when empty.
 * `preserveUnknownFields: false` is dropped, since Kubernetes never writes a
 * false value out. Idempotent; tolerates malformed input (leaves it for
 * validation to report).
 */
export function defaultCustomResourceDefinition(crd: CustomResourceDefinition): void {
  if (!isRecord(crd.spec)) return;
  const spec = crd.spec;
  if (isRecord(spec.names)) defaultNames(spec.names);
  spec.conversion ??= { strategy: 'None' };
  const service = spec.conversion.webhook?.clientConfig?.service;
  if (isRecord(service) && service.port === undefined) service.port = 443;
  if (spec.preserveUnknownFields === false) delete spec.preserveUnknownFields;
  if ((crd.status?.storedVersions?.length ?? 0) === 0) recordStorageVersion(crd);
}

/**
 * Adds the storage version to `status.storedVersions` unless it is there: the
 * record of every version objects may be stored in, which Kubernetes keeps so a
 * version is not dropped while data of it may remain. Mutates `crd`; idempotent.
 */
export function recordStorageVersion(crd: CustomResourceDefinition): void {
  const storage = records(crd.spec?.versions).find((v) => v.storage === true);
  if (storage === undefined) return;
  const name = text(storage.name);
  crd.status ??= {};
  const stored = Array.isArray(crd.status.storedVersions) ? crd.status.storedVersions : [];
  if (!stored.includes(name)) crd.status.storedVersions = [...stored, name];
}

/**
 * The `prepareForCreate` hook: a client may not set status, so it starts empty
 * but for the storage version in `storedVersions`. Mutates `crd`.
 */
export function prepareCustomResourceDefinitionForCreate(crd: CustomResourceDefinition): void {
  crd.status = {};
  recordStorageVersion(crd);
}

/**
 * The `prepareForUpdate` hook: status is carried over from `old` (it changes
 * only through /status), and a new storage version is added to
 * `storedVersions`. Mutates `crd`, never `old`.
 */
export function prepareCustomResourceDefinitionForUpdate(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition,
): void {
  if (old.status === undefined) delete crd.status;
  else crd.status = structuredClone(old.status);
  recordStorageVersion(crd);
}

// ---------------------------------------------------------------------------
// Validation.

/**
 * Every problem of `crd` on create (`old` undefined) or update, in Kubernetes'
 * order and wording; empty when valid. Expects `crd` (and `old`) to be
 * defaulted and prepared (`defaultCustomResourceDefinition`, then the prepare
 * hook), as the API server does before validating. Pure: neither object is
 * modified.
 */
export function validateCustomResourceDefinition(
  crd: CustomResourceDefinition,
  old?: CustomResourceDefinition,
  options: ValidateCustomResourceDefinitionOptions = {},
): FieldCause[] {
  const spec: Loose = isRecord(crd.spec) ? crd.spec : {};
  const oldSpec: Loose | undefined = old && isRecord(old.spec) ? old.spec : undefined;
  const out: FieldCause[] = [];
  out.push(...metadataErrors(crd, old, spec, options));
  out.push(...specErrors(spec, options.celCheck));
  if (old !== undefined) out.push(...immutableSpecErrors(spec, oldSpec ?? {}, isEstablished(old)));
  const status: Loose = isRecord(crd.status) ? crd.status : {};
  out.push(...validateNamesFormat(status.acceptedNames, 'status.acceptedNames'));
  out.push(...storedVersionErrors(status.storedVersions, records(spec.versions)));
  out.push(...apiApprovalErrors(crd, old));
  if (!(oldSpec?.preserveUnknownFields === true) && spec.preserveUnknownFields === true) {
    out.push(
      fieldError.invalid(
        'spec.preserveUnknownFields',
        true,
        'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
      ),
    );
  }
  return uniqueCauses(out);
}

function isEstablished(crd: CustomResourceDefinition): boolean {
  const conditions = Array.isArray(crd.status?.conditions) ? crd.status.conditions : [];
  return conditions.some((c) => c?.type === 'Established' && c.status === 'True');
}

/**
 * Generic metadata rules (cluster scoped, DNS subdomain name) plus, on create,
 * the CRD's own: its name (and generateName) must be `<plural>.<group>`, so the
 * resource's URL and the CRD's name can never disagree.
 */
function metadataErrors(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition | undefined,
  spec: Loose,
  options: ValidateCustomResourceDefinitionOptions,
): FieldCause[] {
  const meta: Loose = isRecord(crd.metadata) ? crd.metadata : {};
  const generic: FieldCause[] = [];
  if (options.metadata !== false) {
    if (old !== undefined) generic.push(...validateObjectMetaUpdate(crd.metadata, old.metadata));
    generic.push(
      ...validateObjectMeta(crd.metadata, { namespaced: false, nameRule: 'dns1123Subdomain' }),
    );
  }
  if (old !== undefined) return generic;
  const names: Loose = isRecord(spec.names) ? spec.names : {};
  const required = `${text(names.plural)}.${text(spec.group)}`;
  const detail = 'must be spec.names.plural+"."+spec.group';
  const out: FieldCause[] = [];
  const take = (field: string) => out.push(...generic.filter((c) => c.field === field));
  take('metadata.generateName');
  const generateName = text(meta.generateName);
  if (generateName !== '' && generateName !== required) {
    out.push(fieldError.invalid('metadata.generateName', generateName, detail));
  }
  take('metadata.name');
  const name = text(meta.name);
  if (name !== '' && name !== required) out.push(fieldError.invalid('metadata.name', name, detail));
  out.push(
    ...generic.filter((c) => c.field !== 'metadata.name' && c.field !== 'metadata.generateName'),
  );
  return out;
}

/** Schema keywords that are Go maps: empty equals absent for them, unlike pointer-valued objects. */
const MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions', 'dependencies']);

/**
 * Kubernetes' semantic equality on the JSON form: an empty list (and an empty
 * schema map such as `properties`) equals an absent one; an empty object that
 * is a Go pointer (`subresources: {}`) does not.
 */
function semanticEqual(a: unknown, b: unknown, isMap = false): boolean {
  const empty = (x: unknown) =>
    x === undefined ||
    x === null ||
    (Array.isArray(x) && x.length === 0) ||
    (isMap && isRecord(x) && Object.keys(x).length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!semanticEqual(a[k], b[k], !isMap && MAP_KEYS.has(k))) return false;
    }
    return true;
  }
  return a === b;
}

/**
 * Which per-version fields are the same in every version, and so validated
 * once at the spec level, as Kubernetes' conversion to its internal form does.
 */
function movedFields(versions: Loose[]): MovedFields {
  const same = (key: string) =>
    versions.length > 0 && versions.every((v) => semanticEqual(v[key], versions[0][key]));
  return {
    schema: same('schema'),
    subresources: same('subresources'),
    additionalPrinterColumns: same('additionalPrinterColumns'),
    selectableFields: same('selectableFields'),
  };
}

const schemaOf = (v: Loose): JSONSchemaProps | undefined => {
  const s = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
  return isRecord(s) ? (s as JSONSchemaProps) : undefined;
};
const hasStatus = (v: Loose): boolean =>
  isRecord(v.subresources) && v.subresources.status !== undefined;

function specErrors(spec: Loose, celCheck: CelCheck | undefined): FieldCause[] {
  const out: FieldCause[] = [];
  const versionsValue = Array.isArray(spec.versions)
    ? (spec.versions as CustomResourceDefinitionVersion[])
    : undefined;
  const versions = records(spec.versions);
  const moved = movedFields(versions);
  const preserve = spec.preserveUnknownFields === true;

  out.push(...validateGroup(spec.group, 'spec.group'));
  const scope = text(spec.scope);
  if (scope === '') out.push(fieldError.required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') {
    out.push(fieldError.notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  }

  const shared = moved.schema && versions.length > 0 ? schemaOf(versions[0]) : undefined;
  if (shared === undefined) {
    versions.forEach((v, i) => {
      if (schemaOf(v) === undefined) {
        out.push(
          fieldError.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'),
        );
      }
    });
  }
  if (preserve && versions.some((v) => schemaHas(schemaOf(v), (s) => s.default !== undefined))) {
    out.push(
      fieldError.invalid(
        'spec.preserveUnknownFields',
        true,
        'must be false in order to use defaults in the schema',
      ),
    );
  }

  const seen = new Set<string>();
  let duplicate = false;
  let storage = 0;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    const name = text(v.name);
    if (v.storage === true) storage++;
    if (seen.has(name)) duplicate = true;
    seen.add(name);
    const nameErrs = isDns1035Label(name);
    if (nameErrs.length > 0) out.push(fieldError.invalid(`${at}.name`, name, nameErrs.join(',')));
    out.push(...deprecationWarningErrors(v, `${at}.deprecationWarning`));
    const schema = schemaOf(v);
    if (!moved.schema && schema !== undefined) {
      out.push(
        ...validateSchema(schema, `${at}.schema.openAPIV3Schema`, {
          statusEnabled: hasStatus(v),
          celCheck,
        }),
      );
    }
    if (!moved.subresources) out.push(...subresourceErrors(v.subresources, `${at}.subresources`));
    if (!moved.additionalPrinterColumns) {
      out.push(...columnErrors(v.additionalPrinterColumns, `${at}.additionalPrinterColumns`));
    }
    if (!moved.selectableFields) {
      out.push(...selectableErrors([v], `${at}.selectableFields`, 'version'));
    }
  });

  if (duplicate) {
    out.push(
      invalidRaw(
        'spec.versions',
        goVersions(versionsValue, moved),
        'must contain unique version names',
      ),
    );
  }
  if (storage !== 1) {
    out.push(
      invalidRaw(
        'spec.versions',
        goVersions(versionsValue, moved),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  // Kubernetes' internal form repeats the first version's name as `spec.version`.
  const first = versions.length > 0 ? text(versions[0].name) : '';
  if (first !== '') {
    const errs = isDns1035Label(first);
    if (errs.length > 0) out.push(fieldError.invalid('spec.version', first, errs.join(',')));
  }

  out.push(...validateSpecNames(spec.names, 'spec.names'));

  if (shared !== undefined) {
    out.push(
      ...validateSchema(shared, 'spec.validation.openAPIV3Schema', {
        statusEnabled: versions.some(hasStatus),
        celCheck,
      }),
    );
  }
  if (moved.subresources && versions.length > 0) {
    out.push(...subresourceErrors(versions[0].subresources, 'spec.subresources'));
  }
  if (moved.additionalPrinterColumns && versions.length > 0) {
    out.push(
      ...columnErrors(versions[0].additionalPrinterColumns, 'spec.additionalPrinterColumns'),
    );
  }
  if (moved.selectableFields) {
    out.push(...selectableErrors(versions, 'spec.selectableFields', 'spec'));
  }
  out.push(...conversionErrors(spec.conversion, preserve));
  return out;
}

/** `Invalid value: <raw>: <detail>` where `raw` is already printed Go-style. */
function invalidRaw(field: string, raw: string, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${raw}: ${detail}` };
}

/** True when `pred` holds for any node of `s` (all subschemas, junctors included). */
function schemaHas(s: unknown, pred: (s: JSONSchemaProps) => boolean, depth = 0): boolean {
  if (!isRecord(s) || depth > 64) return false;
  const node = s as JSONSchemaProps & Loose;
  if (pred(node)) return true;
  const children: unknown[] = [
    node.items,
    node.not,
    node.additionalProperties,
    node.additionalItems,
    ...(Array.isArray(node.items) ? (node.items as unknown[]) : []),
    ...(node.allOf ?? []),
    ...(node.anyOf ?? []),
    ...(node.oneOf ?? []),
    ...Object.values(node.properties ?? {}),
    ...Object.values(isRecord(node.patternProperties) ? node.patternProperties : {}),
    ...Object.values(isRecord(node.definitions) ? node.definitions : {}),
    ...Object.values(isRecord(node.dependencies) ? node.dependencies : {}),
  ];
  return children.some((c) => schemaHas(c, pred, depth + 1));
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function deprecationWarningErrors(v: Loose, path: string): FieldCause[] {
  if (v.deprecationWarning === undefined || v.deprecationWarning === null) return [];
  const warning = text(v.deprecationWarning);
  if (v.deprecated !== true) {
    return [fieldError.invalid(path, warning, 'can only be set for deprecated versions')];
  }
  const out: FieldCause[] = [];
  if (byteLength(warning) > 256)
    out.push(fieldError.invalid(path, warning, 'must be <= 256 characters long'));
  if (warning === '') out.push(fieldError.invalid(path, warning, 'must not be an empty string'));
  let index = 0;
  for (const ch of warning) {
    if (!PRINTABLE.test(ch)) {
      out.push(
        fieldError.invalid(
          path,
          warning,
          `must only contain printable UTF-8 characters; non-printable character found at index ${index}`,
        ),
      );
      break;
    }
    index += byteLength(ch);
  }
  return out;
}

/**
 * Kubernetes' only check of a JSONPath in a CRD: it starts with a dot. (Printer
 * column paths that do not parse are tolerated; the table stops before them.)
 */
function simpleJsonPathErrors(s: string, path: string): FieldCause[] {
  if (s === '') return [fieldError.invalid(path, s, 'must not be empty')];
  if (!s.startsWith('.'))
    return [fieldError.invalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

/**
 * The scale subresource's paths: specReplicasPath under `.spec.`,
 * statusReplicasPath under `.status.`, an optional labelSelectorPath under
 * either. Kubernetes does not check them against the schema; neither do we.
 * The status subresource carries no fields.
 */
function subresourceErrors(subresources: unknown, path: string): FieldCause[] {
  if (!isRecord(subresources) || !isRecord(subresources.scale)) return [];
  const scale = subresources.scale;
  const out: FieldCause[] = [];
  const check = (key: string, prefixes: string[], detail: string, required: boolean) => {
    const at = `${path}.scale.${key}`;
    const value = text(scale[key]);
    if (value === '') {
      if (required) out.push(fieldError.required(at));
      return;
    }
    const errs = simpleJsonPathErrors(value, at);
    if (errs.length > 0) out.push(...errs);
    else if (!prefixes.some((p) => value.startsWith(p)))
      out.push(fieldError.invalid(at, value, detail));
  };
  check('specReplicasPath', ['.spec.'], 'should be a json path under .spec', true);
  check('statusReplicasPath', ['.status.'], 'should be a json path under .status', true);
  check(
    'labelSelectorPath',
    ['.spec.', '.status.'],
    'should be a json path under either .spec or .status',
    false,
  );
  return out;
}

/**
 * Printer columns: name, type (one of COLUMN_TYPES) and jsonPath are required;
 * a format must be one of COLUMN_FORMATS. Kubernetes names the path field
 * `JSONPath` (its internal field name) in these messages.
 */
function columnErrors(columns: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  records(columns).forEach((c: Partial<CustomResourceColumnDefinition> & Loose, i) => {
    const at = `${path}[${i}]`;
    if (text(c.name) === '') out.push(fieldError.required(`${at}.name`));
    const type = text(c.type);
    const types = `must be one of ${COLUMN_TYPES.join(',')}`;
    if (type === '') out.push(fieldError.required(`${at}.type`, types));
    else if (!COLUMN_TYPES.includes(type)) out.push(fieldError.invalid(`${at}.type`, type, types));
    const format = text(c.format);
    if (format !== '' && !COLUMN_FORMATS.includes(format)) {
      out.push(
        fieldError.invalid(`${at}.format`, format, `must be one of ${COLUMN_FORMATS.join(',')}`),
      );
    }
    const jsonPath = text(c.jsonPath);
    if (jsonPath === '') out.push(fieldError.required(`${at}.JSONPath`));
    else out.push(...simpleJsonPathErrors(jsonPath, `${at}.JSONPath`));
  });
  return out;
}

/**
 * Selectable fields of `versions` (one version, or all of them when they share
 * the list) checked against each version's own schema; causes are reported
 * once. A version without a schema cannot have selectable fields.
 */
function selectableErrors(
  versions: Loose[],
  path: string,
  level: 'spec' | 'version',
): FieldCause[] {
  const fields = records(versions[0]?.selectableFields);
  if (fields.length === 0) return [];
  const out: FieldCause[] = [];
  for (const v of versions) {
    const schema = schemaOf(v);
    if (schema === undefined) {
      out.push(
        fieldError.invalid(
          path,
          '',
          level === 'version'
            ? 'selectableFields may only be set when version.schema.openAPIV3Schema is not included'
            : 'selectableFields may only be set when validations.schema is included',
        ),
      );
      continue;
    }
    out.push(...validateSelectableFields(fields, schema, path));
  }
  return uniqueCauses(out);
}

/**
 * `spec.conversion`. Verge's restriction, not Kubernetes': only the `None`
 * strategy is supported, because Verge does not call conversion webhooks; a
 * `Webhook` CRD is refused at creation rather than accepted and then unable to
 * serve its non-storage versions. The rest follows Kubernetes: a strategy is
 * required, and webhook settings are forbidden without the Webhook strategy.
 */
function conversionErrors(conversion: unknown, preserve: boolean): FieldCause[] {
  if (!isRecord(conversion)) return [];
  const out: FieldCause[] = [];
  const strategy = text(conversion.strategy);
  if (strategy !== 'None' && strategy !== '' && preserve) {
    out.push(
      fieldError.invalid(
        'spec.conversion.strategy',
        strategy,
        'must be None if spec.preserveUnknownFields is true',
      ),
    );
  }
  if (strategy === '') {
    out.push(fieldError.required('spec.conversion.strategy'));
  } else if (strategy !== 'None') {
    out.push(fieldError.notSupported('spec.conversion.strategy', strategy, ['None']));
  }
  if (strategy !== 'Webhook') {
    const webhook: Loose = isRecord(conversion.webhook) ? conversion.webhook : {};
    const forbidden = 'should not be set when strategy is not set to Webhook';
    if (webhook.clientConfig !== undefined && webhook.clientConfig !== null) {
      out.push(fieldError.forbidden('spec.conversion.webhookClientConfig', forbidden));
    }
    if (
      Array.isArray(webhook.conversionReviewVersions) &&
      webhook.conversionReviewVersions.length > 0
    ) {
      out.push(fieldError.forbidden('spec.conversion.conversionReviewVersions', forbidden));
    }
  }
  return out;
}

/**
 * On update: group and plural make up the CRD's name and its resources' storage
 * keys, so they never change; scope and kind may change only until the CRD is
 * established (served).
 */
function immutableSpecErrors(spec: Loose, old: Loose, established: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  const names: Loose = isRecord(spec.names) ? spec.names : {};
  const oldNames: Loose = isRecord(old.names) ? old.names : {};
  const immutable = (path: string, value: unknown, was: unknown) => {
    if (!semanticEqual(value ?? '', was ?? ''))
      out.push(fieldError.invalid(path, text(value), FIELD_IMMUTABLE));
  };
  if (established) {
    immutable('spec.scope', spec.scope, old.scope);
    immutable('spec.names.kind', names.kind, oldNames.kind);
  }
  immutable('spec.group', spec.group, old.group);
  immutable('spec.names.plural', names.plural, oldNames.plural);
  return out;
}

/**
 * `status.storedVersions` must list the storage version and may only name
 * versions still in `spec.versions`: objects may remain stored in any version it
 * lists, and dropping that version would strand them.
 */
function storedVersionErrors(stored: unknown, versions: Loose[]): FieldCause[] {
  const path = 'status.storedVersions';
  const list = Array.isArray(stored) ? stored.map(text) : undefined;
  if (list === undefined || list.length === 0) {
    return [invalidRaw(path, goStrings(list), 'must have at least one stored version')];
  }
  const out: FieldCause[] = [];
  const index = new Map<string, number>();
  list.forEach((v, i) => index.set(v, i));
  for (const v of versions) {
    const name = text(v.name);
    if (v.storage === true && !index.has(name)) {
      out.push(invalidRaw(path, goStrings(list), `must have the storage version ${name}`));
    }
    index.delete(name);
  }
  for (const [v, i] of [...index].sort((a, b) => a[1] - b[1])) {
    out.push(
      fieldError.invalid(
        `${path}[${i}]`,
        v,
        `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`,
      ),
    );
  }
  return out;
}

type ApprovalState = 'Invalid' | 'Approved' | 'Bypassed' | 'Missing';

function approvalState(annotations: unknown): { state: ApprovalState; reason: string } {
  const value = isRecord(annotations) ? text(annotations[API_APPROVAL_ANNOTATION]) : '';
  const key = JSON.stringify(API_APPROVAL_ANNOTATION);
  const see = 'see https://github.com/kubernetes/enhancements/pull/1111';
  if (value === '') {
    return {
      state: 'Missing',
      reason: `protected groups must have approval annotation ${key}, ${see}`,
    };
  }
  if (value.startsWith('unapproved')) return { state: 'Bypassed', reason: '' };
  if (isAbsoluteUrl(value)) return { state: 'Approved', reason: '' };
  return {
    state: 'Invalid',
    reason: `protected groups must have approval annotation ${key} with either a URL or a reason starting with "unapproved", ${see}`,
  };
}

/** An absolute URL with a scheme and a host, as Go's url.ParseRequestURI would accept. */
function isAbsoluteUrl(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]/.test(s) || /\s/.test(s)) return false;
  try {
    return new URL(s).host !== '';
  } catch {
    return false;
  }
}

/**
 * Groups under k8s.io and kubernetes.io belong to the Kubernetes project: a CRD
 * there must say, in an annotation, where its API was approved (or that it was
 * not). An update that leaves the state unchanged is not checked.
 */
function apiApprovalErrors(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition | undefined,
): FieldCause[] {
  const group = text(crd.spec?.group);
  const isProtected =
    group === 'k8s.io' ||
    group.endsWith('.k8s.io') ||
    group === 'kubernetes.io' ||
    group.endsWith('.kubernetes.io');
  if (!isProtected) return [];
  const now = approvalState(crd.metadata?.annotations);
  if (old !== undefined && approvalState(old.metadata?.annotations).state === now.state) return [];
  const path = `metadata.annotations[${API_APPROVAL_ANNOTATION}]`;
  if (now.state === 'Missing') return [fieldError.required(path, now.reason)];
  if (now.state === 'Invalid') {
    const value = text(crd.metadata?.annotations?.[API_APPROVAL_ANNOTATION]);
    return [fieldError.invalid(path, value, now.reason)];
  }
  return [];
}

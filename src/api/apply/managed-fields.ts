/**
 * `metadata.managedFields`: which manager owns which fields, read and written as
 * Kubernetes does, and the bookkeeping of ordinary writes (create, update, patch),
 * which Kubernetes records as `operation: Update`.
 *
 * Entries are keyed as Kubernetes keys them: an Update entry by (manager,
 * apiVersion, subresource), so one manager writing through two versions has two
 * entries; an Apply entry by (manager, subresource) only, so an applier always has
 * one entry, carrying the version it last applied with.
 */
import { ConflictError, InvalidError, type FieldCause } from '../../util/errors.ts';
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import type { KubeObject, ManagedFieldsEntry } from '../types/meta.ts';
import { compareGoStrings } from '../structural/messages.ts';
import { FieldSet, element, goJSON, pathText } from './field-set.ts';
import { compareObjects, isPlainObject, type WalkContext } from './typed.ts';

export type Operation = 'Apply' | 'Update';

/** One decoded managedFields entry. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  /** Empty for the main resource. */
  subresource: string;
  /** RFC 3339; absent when the entry never recorded one. */
  time?: string;
  fields: FieldSet;
}

/** Entries by manager identifier (see `managerIdentifier`). */
export type ManagedFields = Map<string, ManagerEntry>;

/**
 * The identifier Kubernetes keys entries by: the entry without its time and
 * fields, as Go marshals it (and without the apiVersion for Apply). Conflict
 * messages list managers sorted by this string.
 */
export function managerIdentifier(
  e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  const parts: string[] = [];
  if (e.manager !== '') parts.push(`"manager":${goJSON(e.manager)}`);
  parts.push(`"operation":${goJSON(e.operation)}`);
  if (e.operation !== 'Apply' && e.apiVersion !== '') {
    parts.push(`"apiVersion":${goJSON(e.apiVersion)}`);
  }
  if (e.subresource !== '') parts.push(`"subresource":${goJSON(e.subresource)}`);
  return `{${parts.join(',')}}`;
}

/** How Kubernetes names a manager in conflict messages: `"kubectl" with subresource "scale" using apps/v1`. */
export function describeManager(e: ManagerEntry): string {
  let text = JSON.stringify(e.manager);
  if (e.subresource !== '') text += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') text += ` using ${e.apiVersion}`;
  return text;
}

function fail(message: string): never {
  throw new InvalidError(`failed to decode managed fields: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', field: 'metadata.managedFields', message }],
  });
}

/**
 * Reads `metadata.managedFields`. Throws `InvalidError` for an entry Kubernetes
 * would reject (operation not Apply/Update, no apiVersion, fieldsType not
 * FieldsV1, malformed fieldsV1). Of two entries with the same identifier the
 * later wins, as in Kubernetes.
 */
export function decodeManagedFields(entries: unknown): ManagedFields {
  const out: ManagedFields = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) fail('managedFields must be a list');
  entries.forEach((raw: unknown, i) => {
    if (!isPlainObject(raw)) fail(`entry ${i} is not an object`);
    const operation = raw.operation;
    if (operation !== 'Apply' && operation !== 'Update') {
      fail('operation must be `Apply` or `Update`');
    }
    const apiVersion = raw.apiVersion;
    if (typeof apiVersion !== 'string' || apiVersion === '') fail('apiVersion must not be empty');
    const fieldsType = raw.fieldsType ?? '';
    if (fieldsType === '') fail(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') {
      fail(`invalid fieldsType ${JSON.stringify(fieldsType)} in managed fields entry ${i}`);
    }
    const manager = typeof raw.manager === 'string' ? raw.manager : '';
    const subresource = typeof raw.subresource === 'string' ? raw.subresource : '';
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(raw.fieldsV1);
    } catch (err) {
      fail(`entry ${i}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const entry: ManagerEntry = { manager, operation, apiVersion, subresource, fields };
    if (typeof raw.time === 'string' && raw.time !== '') entry.time = raw.time;
    out.set(managerIdentifier(entry), entry);
  });
  return out;
}

function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/**
 * Writes entries in Kubernetes' order (Apply before Update, then oldest first,
 * then by manager, apiVersion, subresource) and in its field order. Entries with
 * no fields are dropped. Returns a fresh array.
 */
export function encodeManagedFields(managed: ManagedFields): ManagedFieldsEntry[] {
  const entries = [...managed.values()].filter((e) => !e.fields.isEmpty());
  entries.sort(
    (a, b) =>
      compareGoStrings(a.operation, b.operation) ||
      seconds(a.time) - seconds(b.time) ||
      compareGoStrings(a.manager, b.manager) ||
      compareGoStrings(a.apiVersion, b.apiVersion) ||
      compareGoStrings(a.subresource, b.subresource),
  );
  return entries.map((e) => {
    const out: ManagedFieldsEntry = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
    };
    if (e.time !== undefined) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = e.fields.toFieldsV1();
    if (e.subresource !== '') out.subresource = e.subresource;
    return out;
  });
}

/**
 * Fields no manager ever owns: the type, the identity and the bookkeeping of an
 * object. Kubernetes strips these member paths (not what lies below them) from the
 * entry of the manager that just wrote; `deletionTimestamp` and
 * `deletionGracePeriodSeconds` are added here because only deletion sets them.
 */
export const UNOWNED_FIELDS: FieldSet = FieldSet.fromPaths([
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ].map((f) => ['f:metadata', element.field(f)]),
]);

export function withoutUnownedFields(fields: FieldSet): FieldSet {
  return fields.difference(UNOWNED_FIELDS);
}

/** Kubernetes keeps at most this many Update entries; older ones merge into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Merges the oldest Update entries into one `ancient-changes` entry per
 * apiVersion until at most `max` Update entries remain. Mutates `managed`.
 */
export function capUpdateManagers(managed: ManagedFields, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managed.keys()].filter((id) => managed.get(id)!.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(
    (a, b) =>
      seconds(managed.get(a)!.time) - seconds(managed.get(b)!.time) || compareGoStrings(a, b),
  );
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (let i = 0; i < updaters.length && count > max; i++) {
    const id = updaters[i];
    const entry = managed.get(id)!;
    const bucketId = managerIdentifier({
      manager: ANCIENT_CHANGES,
      operation: 'Update',
      apiVersion: entry.apiVersion,
      subresource: '',
    });
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, id);
      continue;
    }
    if (id === bucketId) {
      // The bucket itself comes after an older entry of its version: it absorbs that one.
      entry.fields = entry.fields.union(managed.get(first)!.fields);
      managed.delete(first);
      firstOfVersion.set(entry.apiVersion, id);
      count--;
      continue;
    }
    // A second entry of this version: it and the first go into the version's bucket.
    let bucketFields = managed.get(bucketId)?.fields;
    if (bucketFields === undefined) {
      bucketFields = managed.get(first)!.fields;
      managed.delete(first);
    }
    const bucket: ManagerEntry = {
      manager: ANCIENT_CHANGES,
      operation: 'Update',
      apiVersion: entry.apiVersion,
      subresource: '',
      fields: entry.fields.union(bucketFields),
    };
    // The newer time of the two: the entry being merged is the newer one.
    if (entry.time !== undefined) bucket.time = entry.time;
    managed.set(bucketId, bucket);
    managed.delete(id);
    count--;
  }
}

/**
 * The 409 Kubernetes answers an apply with when other managers own fields the
 * configuration would change. `conflicts` maps manager identifiers to the
 * conflicting fields; managers are listed sorted by identifier, fields in set order.
 */
export function applyConflictError(
  conflicts: Map<string, FieldSet>,
  managed: ManagedFields,
): ConflictError {
  const ids = [...conflicts.keys()].sort(compareGoStrings);
  const causes: FieldCause[] = [];
  const lines: string[] = [];
  for (const id of ids) {
    const who = describeManager(managed.get(id)!);
    lines.push(`conflicts with ${who}:`);
    for (const path of conflicts.get(id)!.paths()) {
      const field = pathText(path);
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field });
      lines.push(`- ${field}`);
    }
  }
  const message =
    causes.length === 1
      ? `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`
      : `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  return new ConflictError(message, { causes });
}

/** The object's managedFields as written by `encodeManagedFields`; removes the field when there are none. */
export function withManagedFields(obj: KubeObject, managed: ManagedFields): KubeObject {
  const entries = encodeManagedFields(managed);
  const metadata = { ...obj.metadata };
  if (entries.length === 0) delete metadata.managedFields;
  else metadata.managedFields = entries;
  return { ...obj, metadata };
}

/** A shallow copy of `obj` without `metadata.managedFields`, for comparing object contents. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (!isPlainObject(obj.metadata) || !Object.hasOwn(obj.metadata, 'managedFields')) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function decodeOrEmpty(entries: unknown): ManagedFields {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/** `[{}]`: the documented way for a non-apply write to clear managedFields. */
function isResetRequest(entries: unknown): boolean {
  return (
    Array.isArray(entries) &&
    entries.length === 1 &&
    isPlainObject(entries[0]) &&
    Object.values(entries[0]).every((v) => v === undefined || v === null || v === '')
  );
}

/**
 * The entries an ordinary write starts from, as Kubernetes picks them: for a
 * subresource always the live object's; for the main resource the ones the
 * request carries if it carries valid ones (a client may edit managedFields
 * directly), none after a reset (`[{}]`), else the live object's. An empty list
 * in the request does not reset, so clients unaware of the field never clear it.
 */
function startingEntries(
  before: KubeObject | undefined,
  after: KubeObject,
  subresource: string,
): ManagedFields {
  const live = before?.metadata?.managedFields;
  if (subresource !== '') return decodeOrEmpty(live);
  const sent: unknown = after.metadata?.managedFields;
  if (isResetRequest(sent)) return new Map();
  if (Array.isArray(sent) && sent.length > 0) {
    const decoded = decodeOrEmpty(sent);
    if (decoded.size > 0) return decoded;
  }
  return decodeOrEmpty(live);
}

export interface UpdateOptions {
  manager: string;
  apiVersion: string;
  /** The subresource written through (`status`, `scale`); empty or absent for the main resource. */
  subresource?: string;
  schema: JSONSchemaProps | undefined;
  resolver: SchemaResolver;
  /** RFC 3339 time recorded in the manager's entry. */
  now: () => string;
  /**
   * Fields this endpoint resets whatever the request says (`status` on the main
   * resource; everything but `status` on the status subresource): nobody gains or
   * loses them here. Default: none.
   */
  ignoredFields?: FieldSet;
}

/**
 * Records an ordinary write: `manager` (operation Update) takes every field that
 * changed between `before` (undefined for a create) and `after`, other managers
 * lose those fields and every removed one, and entries left empty go. The
 * manager's entry gets a new time only when it took something. Returns a copy of
 * `after` with the new managedFields (shallow: unchanged sub-objects are shared);
 * never throws and never mutates its inputs.
 */
export function updateManagedFields(
  before: KubeObject | undefined,
  after: KubeObject,
  options: UpdateOptions,
): KubeObject {
  const subresource = options.subresource ?? '';
  const managed = startingEntries(before, after, subresource);
  const ctx: WalkContext = { resolver: options.resolver, strict: false };
  const cmp = compareObjects(
    ctx,
    before === undefined ? undefined : withoutManagedFields(before),
    withoutManagedFields(after),
    options.schema,
    before === undefined,
  );
  const ignored = options.ignoredFields ?? FieldSet.empty();
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored);
  const removed = cmp.removed.recursiveDifference(ignored);

  for (const [id, entry] of managed) {
    const fields = entry.fields.difference(changed).difference(removed);
    if (fields.isEmpty()) managed.delete(id);
    else managed.set(id, { ...entry, fields });
  }

  const taken = withoutUnownedFields(changed);
  if (!taken.isEmpty()) {
    const key = {
      manager: options.manager === '' ? 'unknown' : options.manager,
      operation: 'Update' as const,
      apiVersion: options.apiVersion,
      subresource,
    };
    const id = managerIdentifier(key);
    const previous = managed.get(id);
    managed.set(id, {
      ...key,
      time: options.now(),
      fields: previous === undefined ? taken : previous.fields.union(taken),
    });
  }
  capUpdateManagers(managed);
  return withManagedFields(after, managed);
}

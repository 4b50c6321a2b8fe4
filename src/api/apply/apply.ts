/**
 * Server-side apply: merges a manager's configuration into the live object and
 * moves field ownership, as `kubectl apply --server-side` expects.
 *
 * The steps follow structured-merge-diff's Updater.Apply and the Kubernetes
 * field manager around it:
 * 1. merge the configuration into the live object, following the schema;
 * 2. prune: fields this manager applied last time but leaves out now are removed,
 *    unless another manager (or this configuration) still claims them;
 * 3. compare live and result: another manager owning a field whose value changes
 *    (or appears) is a conflict; with `force` it loses the field instead;
 * 4. record the configuration's fields as the manager's Apply entry.
 */
import type { JSONSchemaProps, SchemaResolver } from '../schema.ts';
import type { KubeObject } from '../types/meta.ts';
import { InvalidError } from '../../util/errors.ts';
import { FieldSet, goJSON } from './field-set.ts';
import {
  applyConflictError,
  decodeManagedFields,
  managerIdentifier,
  withManagedFields,
  withoutManagedFields,
  withoutUnownedFields,
  type ManagedFields,
  type ManagerEntry,
} from './managed-fields.ts';
import {
  checkListItems,
  cloneJson,
  compareObjects,
  fieldsOfIn,
  isPlainObject,
  jsonEqual,
  mergeObjects,
  removeFields,
  withNamedFields,
  type WalkContext,
} from './typed.ts';

/** The annotation client-side `kubectl apply` keeps its last configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Kubernetes' limit on the total size of an object's annotations (keys plus values, bytes). */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

export interface ApplyOptions {
  /** The `fieldManager` query parameter. */
  manager: string;
  /** The `force` query parameter (`kubectl apply --force-conflicts`). */
  force: boolean;
  /** The version the request is served at, e.g. `apps/v1`; the configuration must name it. */
  apiVersion: string;
  /** The subresource applied to (`status`); empty or absent for the main resource. */
  subresource?: string;
  /** Schema of the whole object; undefined walks every value by its deduced shape. */
  schema: JSONSchemaProps | undefined;
  resolver: SchemaResolver;
  /** RFC 3339 time recorded in the manager's entry. */
  now: () => string;
  /**
   * Fields this endpoint resets whatever the request says (`status` on the main
   * resource): the applier neither owns nor conflicts on them. Default: none.
   */
  ignoredFields?: FieldSet;
}

function invalid(message: string): InvalidError {
  return new InvalidError(message, { reason: 'BadRequest' });
}

/**
 * Applies `applied` (the user's configuration) onto `live` (undefined when
 * creating). Returns the new object with managedFields updated; never mutates its
 * inputs and shares nothing with them.
 *
 * Throws `ConflictError` (409, causes `FieldManagerConflict`) listing every field
 * another manager owns and the configuration would change, unless `force` (then
 * ownership moves to this manager). Throws `InvalidError` for a configuration that
 * carries managedFields, names another apiVersion, or has list items that cannot
 * be identified or repeat.
 *
 * Fields this manager applied before but omits now are removed if nobody else
 * owns them. Applying the same configuration again returns an object equal to
 * `live`, times included (so the caller can skip the write).
 *
 * As in Kubernetes, the manager `kubectl` gets two allowances for objects managed
 * by client-side `kubectl apply`: conflicts on fields whose value the
 * last-applied-configuration annotation still matches are taken over without
 * `force`, and that annotation is rewritten to this configuration.
 */
export function serverSideApply(
  live: KubeObject | undefined,
  applied: KubeObject,
  options: ApplyOptions,
): KubeObject {
  if (!isPlainObject(applied) || !isPlainObject(applied.metadata)) {
    throw invalid('the apply configuration must be an object with metadata');
  }
  const sentManaged: unknown = applied.metadata.managedFields;
  if (sentManaged !== undefined && sentManaged !== null) {
    throw invalid('metadata.managedFields must be nil');
  }
  if (applied.apiVersion !== options.apiVersion) {
    throw invalid(
      `Incorrect version specified in apply patch. Specified patch version: ${String(applied.apiVersion ?? '')}, expected: ${options.apiVersion}`,
    );
  }

  const ctx: WalkContext = { resolver: options.resolver, strict: false };
  const schema = options.schema;
  try {
    checkListItems(ctx, applied, schema);
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    const kind = typeof applied.kind === 'string' ? applied.kind : '';
    throw invalid(
      `failed to create typed patch object (${options.apiVersion}, Kind=${kind}): ${err.message}`,
    );
  }

  const managed: ManagedFields =
    live === undefined ? new Map() : decodeManagedFields(live.metadata.managedFields);
  const liveBody = live === undefined ? undefined : withoutManagedFields(live);
  const config = withoutManagedFields(applied);
  const subresource = options.subresource ?? '';
  const key = {
    manager: options.manager === '' ? 'unknown' : options.manager,
    operation: 'Apply' as const,
    apiVersion: options.apiVersion,
    subresource,
  };
  const id = managerIdentifier(key);
  const ignored = options.ignoredFields ?? FieldSet.empty();

  const configFields = fieldsOfIn(ctx, config, schema).recursiveDifference(ignored);
  const merged = mergeObjects(ctx, liveBody, config, schema);
  const { forOwnership, stored } = prune(ctx, merged, managed, id, configFields, schema);

  const cmp = compareObjects(ctx, liveBody, forOwnership, schema);
  const changed = cmp.modified.union(cmp.added).recursiveDifference(ignored);
  const removed = cmp.removed.recursiveDifference(ignored);

  const conflicts = new Map<string, FieldSet>();
  for (const [otherId, entry] of managed) {
    if (otherId === id) continue;
    const clash = entry.fields.intersection(changed);
    if (!clash.isEmpty()) conflicts.set(otherId, clash);
  }
  if (conflicts.size > 0 && !options.force) {
    const allowed =
      key.manager === 'kubectl' ? takeoverFromClientSideApply(ctx, live, options) : undefined;
    const remaining = new Map<string, FieldSet>();
    for (const [otherId, clash] of conflicts) {
      const left = allowed === undefined ? clash : clash.difference(allowed);
      if (!left.isEmpty()) remaining.set(otherId, left);
    }
    if (remaining.size > 0) throw applyConflictError(remaining, managed);
  }

  for (const [otherId, entry] of managed) {
    if (otherId === id) continue;
    const fields = entry.fields.difference(changed).difference(removed);
    if (fields.isEmpty()) managed.delete(otherId);
    else managed.set(otherId, { ...entry, fields });
  }

  const result = stored as KubeObject;
  const previous = managed.get(id);
  const own = withoutUnownedFields(configFields);
  if (own.isEmpty()) managed.delete(id);
  else {
    const objectChanged = liveBody === undefined || !jsonEqual(liveBody, result);
    const entry: ManagerEntry = { ...key, fields: own };
    // Kubernetes stamps the time only when the object changed, so a repeated apply
    // is a no-op; an entry that is new (a second owner of unchanged values) gets one too.
    const time = objectChanged || previous === undefined ? options.now() : previous.time;
    if (time !== undefined) entry.time = time;
    managed.set(id, entry);
  }

  const out = withManagedFields(result, managed);
  return key.manager === 'kubectl' ? refreshLastApplied(out, applied) : out;
}

/**
 * Prune step of apply. Removes from `merged` what the manager applied last time
 * and leaves out now, unless some manager (this configuration included) claims
 * it, computed as structured-merge-diff does: remove everything last applied, add
 * back what is owned, and only then drop what was last applied and is still gone.
 * Returns the result as ownership is computed from (emptied maps and lists left
 * as null) and as it is stored (emptied maps and lists dropped).
 */
function prune(
  ctx: WalkContext,
  merged: unknown,
  managed: ManagedFields,
  id: string,
  configFields: FieldSet,
  schema: JSONSchemaProps | undefined,
): { forOwnership: unknown; stored: unknown } {
  const last = managed.get(id)?.fields;
  if (last === undefined || last.isEmpty()) return { forOwnership: merged, stored: merged };
  const named = (s: FieldSet): FieldSet => withNamedFields(ctx, s, schema);
  const fieldsNamed = (v: unknown): FieldSet => named(fieldsOfIn(ctx, v, schema));

  let owned = configFields;
  for (const [otherId, entry] of managed) if (otherId !== id) owned = owned.union(entry.fields);

  const lastNamed = named(last);
  const mergedNamed = fieldsNamed(merged);
  const withoutLast = removeFields(ctx, merged, lastNamed, schema, 'null');
  const unclaimed = mergedNamed.difference(fieldsNamed(withoutLast).union(named(owned)));
  const withoutUnclaimed = removeFields(ctx, merged, unclaimed, schema, 'null');
  const drop = mergedNamed.difference(fieldsNamed(withoutUnclaimed)).intersection(lastNamed);
  return {
    forOwnership: removeFields(ctx, merged, drop, schema, 'null'),
    stored: removeFields(ctx, merged, drop, schema, 'absent'),
  };
}

/**
 * The fields a `kubectl` server-side apply may take from client-side apply
 * without force: those in the last-applied-configuration annotation whose value
 * the live object still has. Undefined when there is no usable annotation.
 */
function takeoverFromClientSideApply(
  ctx: WalkContext,
  live: KubeObject | undefined,
  options: ApplyOptions,
): FieldSet | undefined {
  const text = live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(lastApplied) || lastApplied.apiVersion !== options.apiVersion)
    return undefined;
  const fields = fieldsOfIn(ctx, lastApplied, options.schema);
  const cmp = compareObjects(ctx, lastApplied, withoutManagedFields(live!), options.schema);
  return fields.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/**
 * Keeps client-side apply's annotation in step with a `kubectl` server-side apply,
 * so a user can go back to client-side apply: when the object carries the
 * annotation, it becomes the applied configuration (without the annotation
 * itself) as JSON, Go-encoded. Dropped if it would push annotations over their limit.
 */
function refreshLastApplied(obj: KubeObject, applied: KubeObject): KubeObject {
  const annotations = obj.metadata.annotations;
  const current = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof current !== 'string' || current === '') return obj;
  const config = cloneJson(applied);
  if (isPlainObject(config.metadata.annotations)) {
    delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  }
  const next: Record<string, string> = {
    ...annotations,
    [LAST_APPLIED_ANNOTATION]: `${goJSON(config)}\n`,
  };
  let size = 0;
  for (const [k, v] of Object.entries(next)) {
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > ANNOTATIONS_SIZE_LIMIT) delete next[LAST_APPLIED_ANNOTATION];
  return { ...obj, metadata: { ...obj.metadata, annotations: next } };
}

/**
 * managedFields bookkeeping on every write, and server-side apply, over the
 * field-ownership engine in src/api/apply.
 */
import type { ResourceType } from '../api/registry.ts';
import { apiVersionOf } from '../api/registry.ts';
import type { KubeObject } from '../api/types/meta.ts';
import { serverSideApply, updateManagedFields } from '../api/apply/index.ts';
import { rfc3339 } from '../util/time.ts';

/** Records in `after.metadata.managedFields` what `manager` changed (operation Update). */
export function recordManagedFields(
  type: ResourceType,
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string | undefined,
  subresource: string | undefined,
  now: Date,
): void {
  const updated = updateManagedFields(before, after, {
    manager: manager || 'unknown',
    apiVersion: apiVersionOf(type.group, type.version),
    subresource,
    schema: type.schema,
    resolver: type.resolver,
    now: () => rfc3339(now),
  });
  after.metadata.managedFields = updated.metadata.managedFields;
  if (after.metadata.managedFields?.length === 0) delete after.metadata.managedFields;
}

/** Server-side apply of `applied` by `manager` onto `live` (undefined: create). */
export function applyConfiguration(
  type: ResourceType,
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  subresource: string | undefined,
  now: Date,
): KubeObject {
  return serverSideApply(live, applied, {
    manager,
    force,
    apiVersion: apiVersionOf(type.group, type.version),
    subresource,
    schema: type.schema,
    resolver: type.resolver,
    now: () => rfc3339(now),
  });
}

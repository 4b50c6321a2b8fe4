/**
 * meta.k8s.io Table and PartialObjectMetadata conversions, for `kubectl get`
 * (which asks for a Table and prints the columns we choose) and for clients that
 * want metadata only.
 */
import type { ResourceType, TableColumn } from '../api/registry.ts';
import type { KubeObject, ListMeta } from '../api/types/meta.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name of the object, unique within its namespace.',
  priority: 0,
};
const CREATED_COLUMN: TableColumn = {
  name: 'Created At',
  type: 'date',
  format: '',
  description: 'When the object was created.',
  priority: 0,
};

export function partialObjectMetadata(obj: KubeObject, version: string): KubeObject {
  return {
    apiVersion: `meta.k8s.io/${version}`,
    kind: 'PartialObjectMetadata',
    metadata: obj.metadata,
  };
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** On watch, only the first event carries the column definitions. */
  noHeaders: boolean;
  version: 'v1' | 'v1beta1';
  listMeta: ListMeta;
  now: Date;
}

export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  options: TableOptions,
): Record<string, unknown> {
  const printer = type.hooks.table;
  const columns = printer ? printer.columns : [NAME_COLUMN, CREATED_COLUMN];
  const rows = objects.map((obj) => {
    const r = printer
      ? printer.row(obj, options.now)
      : { cells: [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''] };
    const row: Record<string, unknown> = { cells: r.cells };
    if (r.conditions) row.conditions = r.conditions;
    if (options.includeObject === 'Object') row.object = obj;
    else if (options.includeObject === 'Metadata')
      row.object = partialObjectMetadata(obj, options.version);
    return row;
  });
  return {
    apiVersion: `meta.k8s.io/${options.version}`,
    kind: 'Table',
    metadata: options.listMeta,
    columnDefinitions: options.noHeaders ? null : columns,
    rows,
  };
}

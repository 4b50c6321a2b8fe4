/**
 * The shapes of a meta.k8s.io/v1 Table as Verge's printers produce them. The API
 * server wraps these into the Table response (`columnDefinitions`, `rows`);
 * printers only decide columns and cells, so they stay pure functions of an
 * object and a clock.
 */
import type { KubeObject } from '../types/meta.ts';

/** One column, as `Table.columnDefinitions[]` carries it. */
export interface TableColumnDefinition {
  /** Human name; kubectl upper-cases it for the header (`Age` -> `AGE`). */
  name: string;
  /** OpenAPI type of the cells: `string`, `integer`, `number`, `boolean`, `date`. */
  type: string;
  /** OpenAPI format hint; `name` marks the column holding the object's name. */
  format: string;
  description: string;
  /** 0 = always shown; 1 = shown only with `-o wide`. */
  priority: number;
}

/** A row condition; Kubernetes sets `Completed` on pods that have finished. */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

/** One row's cells, in column order, and its conditions. */
export interface TableRowCells {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

/**
 * A printer for one resource: its columns and how to compute one object's
 * cells. `row` returns every column, the wide ones included (the API server
 * always prints wide and kubectl hides priority > 0 columns unless `-o wide`),
 * never mutates `obj`, and returns fresh arrays the caller owns. `columns` is
 * shared by every caller: read it, never mutate it.
 */
export interface TablePrinter {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, now: Date): TableRowCells;
}

/** A column definition with the defaults Kubernetes leaves empty (`format`, `priority`). */
export function column(
  name: string,
  type: string,
  description: string,
  options: { format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type, format: options.format ?? '', description, priority: options.priority ?? 0 };
}

/** The first column of almost every printer. */
export function nameColumn(): TableColumnDefinition {
  return column('Name', 'string', 'Name of the object, unique within its namespace.', {
    format: 'name',
  });
}

/** The age column most printers carry. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', 'Time since the object was created.');
}

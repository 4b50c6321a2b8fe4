/**
 * Tables for custom resources, from a CRD version's `additionalPrinterColumns`,
 * and the default table Kubernetes serves for kinds without a printer.
 */
import type { CustomResourceColumnDefinition } from '../types/apiextensions.ts';
import type { KubeObject } from '../types/meta.ts';
import {
  formatTimestampUTC,
  goFloatString,
  goJsonMarshal,
  goNumberString,
  humanDuration,
  parseTimestamp,
  ZERO_TIME_MS,
} from './format.ts';
import { GoFloat, JsonPath } from './jsonpath.ts';
import { column, nameColumn, type TableColumnDefinition, type TablePrinter } from './table.ts';

/** One `additionalPrinterColumns` entry. */
export type PrinterColumn = CustomResourceColumnDefinition;

/**
 * The printer Kubernetes uses for kinds without a dedicated one (and for
 * CustomResourceDefinitions themselves): Name, and Created At as an RFC 3339
 * UTC timestamp, which kubectl turns into an age because the column's type is
 * `date`.
 */
export const defaultPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Created At', 'date', 'Time the object was created (RFC 3339, UTC).'),
  ],
  row(obj: KubeObject) {
    return {
      cells: [obj.metadata?.name ?? '', formatTimestampUTC(obj.metadata?.creationTimestamp)],
    };
  },
};

/** The column a CRD version gets when it declares none. */
const DEFAULT_CRD_COLUMNS: readonly PrinterColumn[] = [
  {
    name: 'Age',
    type: 'date',
    description: 'Time since the object was created.',
    jsonPath: '.metadata.creationTimestamp',
  },
];

/** A result printed as text, the way client-go's JSONPath prints one value. */
function printValue(value: unknown): string {
  if (value == null) return '<no value>';
  if (value instanceof GoFloat) return goFloatString(value.value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumberString(value);
  if (typeof value === 'boolean') return String(value);
  return goJsonMarshal(value);
}

/** A non-string column's cell: the value if it fits the declared type, else null. */
function typedCell(type: string, value: unknown, now: Date): unknown {
  if (value == null) return null;
  const n = value instanceof GoFloat ? value.value : value;
  switch (type) {
    case 'integer':
      return typeof n === 'number' ? Math.trunc(n) : null;
    case 'number':
      return typeof n === 'number' ? n : null;
    case 'boolean':
      return typeof n === 'boolean' ? n : null;
    case 'date': {
      if (typeof n !== 'string') return null;
      if (n === '' || n === 'null') return '<unknown>';
      const t = parseTimestamp(n);
      if (t === undefined) return '<invalid>';
      if (t === ZERO_TIME_MS) return '<unknown>';
      return humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/**
 * A printer for a custom resource version with these `additionalPrinterColumns`,
 * as Kubernetes builds it: Name first, then each column in order. With no
 * columns, the one column is Age (`.metadata.creationTimestamp`, type date);
 * declared columns get no Age added. A `jsonPath` that does not parse ends the
 * table there: Kubernetes keeps only the columns before it.
 *
 * Cells: the first value the path selects; a missing value is null. `string`
 * columns print the value as kubectl's JSONPath would (objects as JSON, a JSON
 * null as `<no value>`); `integer` truncates a number, `number` and `boolean`
 * pass matching values and null otherwise; `date` is the age of an RFC 3339
 * timestamp (`<invalid>` when it does not parse); any other type gives null.
 */
export function printerFromColumns(columns: readonly PrinterColumn[]): TablePrinter {
  const defs: TableColumnDefinition[] = [nameColumn()];
  const paths: { type: string; path: JsonPath }[] = [];
  for (const col of columns.length > 0 ? columns : DEFAULT_CRD_COLUMNS) {
    let path: JsonPath;
    try {
      path = JsonPath.parse(`{${col.jsonPath}}`);
    } catch {
      break;
    }
    paths.push({ type: col.type, path });
    defs.push({
      name: col.name,
      type: col.type,
      format: col.format ?? '',
      description:
        col.description !== undefined && col.description !== ''
          ? col.description
          : `Custom resource column (JSONPath): ${col.jsonPath}`,
      priority: col.priority ?? 0,
    });
  }

  return {
    columns: defs,
    row(obj: KubeObject, now: Date) {
      const cells: unknown[] = [obj.metadata?.name ?? ''];
      for (const { type, path } of paths) {
        let value: unknown;
        try {
          const results = path.findResults(obj);
          if (results.length === 0 || results[0].length === 0) {
            cells.push(null);
            continue;
          }
          value = results[0][0];
        } catch {
          cells.push(null);
          continue;
        }
        cells.push(type === 'string' ? printValue(value) : typedCell(type, value, now));
      }
      return { cells };
    },
  };
}

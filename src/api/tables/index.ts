/**
 * Server-side table printing: what `kubectl get` shows. When kubectl asks for
 * `application/json;as=Table;v=v1;g=meta.k8s.io`, the API server answers with
 * the columns and cells these printers produce, matching Kubernetes 1.33's
 * built-in printers cell for cell.
 */
import { daemonSetPrinter, deploymentPrinter, leasePrinter, replicaSetPrinter } from './apps.ts';
import {
  configMapPrinter,
  endpointsPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.ts';
import { defaultPrinter } from './custom.ts';
import { eventPrinter, eventsV1Printer } from './events.ts';
import { podPrinter } from './pods.ts';
import type { TablePrinter } from './table.ts';

export type {
  TableColumnDefinition,
  TablePrinter,
  TableRowCells,
  TableRowCondition,
} from './table.ts';
export { defaultPrinter, printerFromColumns, type PrinterColumn } from './custom.ts';
export { humanDuration } from './format.ts';

const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map([
  ['/pods', podPrinter],
  ['/nodes', nodePrinter],
  ['/namespaces', namespacePrinter],
  ['/configmaps', configMapPrinter],
  ['/secrets', secretPrinter],
  ['/services', servicePrinter],
  ['/endpoints', endpointsPrinter],
  ['/events', eventPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['events.k8s.io/events', eventsV1Printer],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  // Kubernetes serves CRDs with its default table; named here so callers need no special case.
  ['apiextensions.k8s.io/customresourcedefinitions', defaultPrinter],
]);

/**
 * The printer for a group and resource (`''`/`pods`, `apps`/`deployments`), or
 * undefined for kinds without a dedicated printer (use `defaultPrinter`).
 * Printers are shared: callers must not mutate `columns`.
 */
export function printerFor(group: string, resource: string): TablePrinter | undefined {
  return PRINTERS.get(`${group}/${resource}`);
}

/**
 * Tables for apps/v1 workloads (deployments, replica sets, daemon sets) and
 * coordination.k8s.io leases.
 */
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.ts';
import type { Lease } from '../types/coordination.ts';
import type { KubeObject } from '../types/meta.ts';
import {
  age,
  containerCells,
  formatLabelSelector,
  formatLabels,
  selectorString,
} from './format.ts';
import {
  ageColumn,
  column,
  nameColumn,
  type TableColumnDefinition,
  type TablePrinter,
} from './table.ts';

/** The three wide columns every workload shares. */
function templateColumns(selectorDescription: string): TableColumnDefinition[] {
  return [
    column('Containers', 'string', 'Names of the containers in the pod template.', { priority: 1 }),
    column('Images', 'string', 'Images of the containers in the pod template.', { priority: 1 }),
    column('Selector', 'string', selectorDescription, { priority: 1 }),
  ];
}

/**
 * Desired replicas; an unset count means 1, the value Kubernetes defaults it to
 * before anything is stored.
 */
function desired(replicas: number | undefined): number {
  return replicas ?? 1;
}

export const deploymentPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Ready pods out of desired pods.'),
    column('Up-to-date', 'string', 'Pods running the current pod template.'),
    column('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    ageColumn(),
    ...templateColumns('Label selector of the pods the deployment manages.'),
  ],
  row(obj: KubeObject, now: Date) {
    const d = obj as Deployment;
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    // Deployments print the selector bare: '' when empty, `<invalid>` when it cannot be read.
    const selector = selectorString(d.spec?.selector) ?? '<invalid>';
    return {
      cells: [
        d.metadata.name ?? '',
        `${d.status?.readyReplicas ?? 0}/${desired(d.spec?.replicas)}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
        names,
        images,
        selector,
      ],
    };
  },
};

export const replicaSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Number of pods wanted.'),
    column('Current', 'integer', 'Number of pods that exist.'),
    column('Ready', 'integer', 'Number of pods that are ready.'),
    ageColumn(),
    ...templateColumns('Label selector of the pods the replica set manages.'),
  ],
  row(obj: KubeObject, now: Date) {
    const rs = obj as ReplicaSet;
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return {
      cells: [
        rs.metadata.name ?? '',
        desired(rs.spec?.replicas),
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(rs.spec?.selector),
      ],
    };
  },
};

export const daemonSetPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Number of nodes that should run the pod.'),
    column('Current', 'integer', 'Number of nodes running the pod.'),
    column('Ready', 'integer', 'Number of nodes whose pod is ready.'),
    column('Up-to-date', 'integer', 'Number of nodes running the current pod template.'),
    column('Available', 'integer', 'Number of nodes whose pod is available.'),
    column('Node Selector', 'string', 'Node labels the pod template requires.'),
    ageColumn(),
    ...templateColumns('Label selector of the pods the daemon set manages.'),
  ],
  row(obj: KubeObject, now: Date) {
    const ds = obj as DaemonSet;
    const status = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return {
      cells: [
        ds.metadata.name ?? '',
        status?.desiredNumberScheduled ?? 0,
        status?.currentNumberScheduled ?? 0,
        status?.numberReady ?? 0,
        status?.updatedNumberScheduled ?? 0,
        status?.numberAvailable ?? 0,
        formatLabels(ds.spec?.template?.spec?.nodeSelector),
        age(ds.metadata.creationTimestamp, now),
        names,
        images,
        formatLabelSelector(ds.spec?.selector),
      ],
    };
  },
};

export const leasePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Holder', 'string', 'Identity of the current holder.'),
    ageColumn(),
  ],
  row(obj: KubeObject, now: Date) {
    const lease = obj as Lease;
    return {
      cells: [
        lease.metadata.name ?? '',
        lease.spec?.holderIdentity ?? '',
        age(lease.metadata.creationTimestamp, now),
      ],
    };
  },
};

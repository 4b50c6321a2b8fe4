/**
 * Tables for core/v1 kinds other than pods and events: nodes, namespaces,
 * configmaps, secrets, services, endpoints and service accounts.
 */
import type {
  ConfigMap,
  Endpoints,
  Namespace,
  Node,
  Secret,
  Service,
  ServiceAccount,
} from '../types/core.ts';
import type { KubeObject } from '../types/meta.ts';
import { age, formatLabels, joinHostPort } from './format.ts';
import { ageColumn, column, nameColumn, type TablePrinter } from './table.ts';

// ------------------------------------------------------------------ nodes

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_ROLE_LABEL = 'kubernetes.io/role';

/** Roles from `node-role.kubernetes.io/<role>` label keys and the legacy `kubernetes.io/role` value, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith(NODE_ROLE_PREFIX)) {
      const role = key.slice(NODE_ROLE_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (key === LEGACY_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `Ready`, `NotReady` (Ready condition False or Unknown), `Unknown` (no Ready condition), plus `,SchedulingDisabled` when cordoned. */
export function nodeStatus(node: Node): string {
  const parts: string[] = [];
  // The last Ready condition wins, as when Kubernetes indexes conditions by type.
  const ready = node.status?.conditions?.findLast((c) => c.type === 'Ready');
  if (ready === undefined) parts.push('Unknown');
  else parts.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (node.spec?.unschedulable === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Readiness of the node, and whether it is cordoned.'),
    column('Roles', 'string', 'Roles from node-role.kubernetes.io/<role> labels.'),
    ageColumn(),
    column('Version', 'string', 'Kubelet version the node reports.'),
    column('Internal-IP', 'string', "The node's first internal address.", { priority: 1 }),
    column('External-IP', 'string', "The node's first external address.", { priority: 1 }),
    column('OS-Image', 'string', 'Operating system image the node reports.', { priority: 1 }),
    column('Kernel-Version', 'string', 'Kernel version the node reports.', { priority: 1 }),
    column('Container-Runtime', 'string', 'Container runtime and version the node reports.', {
      priority: 1,
    }),
  ],
  row(obj: KubeObject, now: Date) {
    const node = obj as Node;
    const info = node.status?.nodeInfo;
    const roles = nodeRoles(node).join(',');
    return {
      cells: [
        node.metadata.name ?? '',
        nodeStatus(node),
        roles === '' ? '<none>' : roles,
        age(node.metadata.creationTimestamp, now),
        info?.kubeletVersion ?? '',
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};

// ------------------------------------------------------------------ namespaces, configmaps, secrets, service accounts

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn(), column('Status', 'string', 'Phase of the namespace.'), ageColumn()],
  row(obj: KubeObject, now: Date) {
    const ns = obj as Namespace;
    return {
      cells: [
        ns.metadata.name ?? '',
        ns.status?.phase ?? '',
        age(ns.metadata.creationTimestamp, now),
      ],
    };
  },
};

function countKeys(map: Record<string, unknown> | undefined): number {
  return map == null ? 0 : Object.keys(map).length;
}

export const configMapPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Data', 'string', 'Number of keys, text and binary.'),
    ageColumn(),
  ],
  row(obj: KubeObject, now: Date) {
    const cm = obj as ConfigMap;
    return {
      cells: [
        cm.metadata.name ?? '',
        countKeys(cm.data) + countKeys(cm.binaryData),
        age(cm.metadata.creationTimestamp, now),
      ],
    };
  },
};

export const secretPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Type of the secret.'),
    column('Data', 'string', 'Number of keys.'),
    ageColumn(),
  ],
  row(obj: KubeObject, now: Date) {
    const secret = obj as Secret;
    return {
      cells: [
        secret.metadata.name ?? '',
        secret.type ?? '',
        countKeys(secret.data),
        age(secret.metadata.creationTimestamp, now),
      ],
    };
  },
};

export const serviceAccountPrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Number of secrets listed on the service account.'),
    ageColumn(),
  ],
  row(obj: KubeObject, now: Date) {
    const sa = obj as ServiceAccount;
    return {
      cells: [
        sa.metadata.name ?? '',
        (sa.secrets ?? []).length,
        age(sa.metadata.creationTimestamp, now),
      ],
    };
  },
};

// ------------------------------------------------------------------ services

/** Load balancer ingress points (IP, else hostname), de-duplicated and sorted, comma-joined. */
function loadBalancerAddresses(service: Service): string {
  const set = new Set<string>();
  for (const ingress of service.status?.loadBalancer?.ingress ?? []) {
    if (ingress.ip) set.add(ingress.ip);
    else if (ingress.hostname) set.add(ingress.hostname);
  }
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
}

/**
 * EXTERNAL-IP: external IPs for ClusterIP/NodePort (`<none>` without), load
 * balancer ingress then external IPs for LoadBalancer (`<pending>` while it has
 * neither), the external name for ExternalName, `<unknown>` for any other type.
 * Never clipped: the server prints wide.
 */
export function serviceExternalIP(service: Service): string {
  const externalIPs = service.spec?.externalIPs ?? [];
  switch (service.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(service);
      if (externalIPs.length > 0)
        return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return service.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): `port/protocol`, or `port:nodePort/protocol`, comma-joined; `<none>` without ports. */
export function servicePorts(service: Service): string {
  const ports = service.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return (p.nodePort ?? 0) > 0
        ? `${p.port}:${p.nodePort}/${protocol}`
        : `${p.port}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'How the service is exposed.'),
    column('Cluster-IP', 'string', "The service's first cluster IP."),
    column('External-IP', 'string', 'Addresses the service is reachable at from outside.'),
    column('Port(s)', 'string', 'Ports the service exposes.'),
    ageColumn(),
    column('Selector', 'string', 'Labels of the pods the service routes to.', { priority: 1 }),
  ],
  row(obj: KubeObject, now: Date) {
    const svc = obj as Service;
    const clusterIP = svc.spec?.clusterIPs?.[0] ?? (svc.spec?.clusterIP || '<none>');
    return {
      cells: [
        svc.metadata.name ?? '',
        svc.spec?.type ?? '',
        clusterIP,
        serviceExternalIP(svc),
        servicePorts(svc),
        age(svc.metadata.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

// ------------------------------------------------------------------ endpoints

const ENDPOINTS_SHOWN = 3;

/**
 * ENDPOINTS: `ip:port` for each ready address and port (bare IPs for subsets
 * without ports), the first three shown and the rest counted as
 * `+ N more...`; `<none>` without subsets.
 */
export function formatEndpoints(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let total = 0;
  let more = false;
  const add = (entries: string[]): void => {
    total += entries.length;
    for (const e of entries) {
      if (shown.length === ENDPOINTS_SHOWN) {
        more = true;
        break;
      }
      shown.push(e);
    }
  };
  for (const subset of subsets) {
    const ips = (subset.addresses ?? []).map((a) => a.ip);
    const ports = subset.ports ?? [];
    if (ports.length === 0) add(ips);
    else for (const port of ports) add(ips.map((ip) => joinHostPort(ip, port.port)));
  }
  const text = shown.join(',');
  return more ? `${text} + ${total - ENDPOINTS_SHOWN} more...` : text;
}

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn(), column('Endpoints', 'string', 'Ready addresses and ports.'), ageColumn()],
  row(obj: KubeObject, now: Date) {
    const ep = obj as Endpoints;
    return {
      cells: [ep.metadata.name ?? '', formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)],
    };
  },
};

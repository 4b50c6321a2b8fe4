/** Builders of nodes and pods for the scheduler's tests and benchmark. */
import type { Container, Node, Pod, PodSpec, Taint } from '../../api/types/core.ts';
import type { OwnerReference } from '../../api/types/meta.ts';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** Ready condition status; 'missing' leaves the condition out. Default 'True'. */
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const allocatable = {
    cpu: o.cpu ?? '4',
    memory: o.memory ?? '8Gi',
    pods: o.pods ?? '110',
    ...o.extra,
  };
  const ready = o.ready ?? 'True';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity: allocatable,
      allocatable,
      conditions:
        ready === 'missing'
          ? []
          : [
              {
                type: 'Ready',
                status: ready,
                reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown',
              },
            ],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  owner?: OwnerReference;
  nodeName?: string;
  spec?: Partial<PodSpec>;
  containers?: Container[];
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  uid?: string;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const containers = o.containers ?? [
    {
      name: 'app',
      image: 'nginx',
      ...(Object.keys(requests).length ? { resources: { requests } } : {}),
    },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.uid ? { uid: o.uid } : {}),
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.owner ? { ownerReferences: [o.owner] } : {}),
    },
    spec: {
      containers,
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...o.spec,
    },
    status: { phase: o.phase ?? 'Pending' },
  };
}

export function ownerRef(name: string, uid = `uid-${name}`): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true };
}

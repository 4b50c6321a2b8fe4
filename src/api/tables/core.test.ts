import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoints, Node, NodeCondition, Service, ServiceSpec } from '../types/core.ts';
import type { KubeObject } from '../types/meta.ts';
import {
  configMapPrinter,
  endpointsPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.ts';
import type { TablePrinter } from './table.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const CREATED = '2025-05-30T09:00:00Z'; // 2d3h before NOW

function columnsOf(p: TablePrinter): [string, string, number][] {
  return p.columns.map((c) => [c.name, c.type, c.priority]);
}

// ------------------------------------------------------------------ nodes

function node(
  labels: Record<string, string>,
  conditions: NodeCondition[] | undefined,
  extra: {
    unschedulable?: boolean;
    info?: boolean;
    addresses?: { type: string; address: string }[];
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'edge-1', labels, creationTimestamp: CREATED },
    spec: { unschedulable: extra.unschedulable },
    status: {
      conditions,
      addresses: extra.addresses,
      nodeInfo:
        extra.info === false
          ? undefined
          : {
              machineID: '',
              systemUUID: '',
              bootID: '',
              kernelVersion: '6.8.0-31-generic',
              osImage: 'Ubuntu 24.04 LTS',
              containerRuntimeVersion: 'containerd://1.7.12',
              kubeletVersion: 'v1.33.0-verge',
              kubeProxyVersion: '',
              operatingSystem: 'linux',
              architecture: 'arm64',
            },
    },
  };
}

const ready = (status: 'True' | 'False' | 'Unknown'): NodeCondition[] => [
  { type: 'MemoryPressure', status: 'False' },
  { type: 'Ready', status },
];

describe('node table', () => {
  it('has the columns of kubectl get nodes -o wide', () => {
    assert.deepEqual(columnsOf(nodePrinter), [
      ['Name', 'string', 0],
      ['Status', 'string', 0],
      ['Roles', 'string', 0],
      ['Age', 'string', 0],
      ['Version', 'string', 0],
      ['Internal-IP', 'string', 1],
      ['External-IP', 'string', 1],
      ['OS-Image', 'string', 1],
      ['Kernel-Version', 'string', 1],
      ['Container-Runtime', 'string', 1],
    ]);
  });

  const statusCases: [string, Node, string][] = [
    ['ready', node({}, ready('True')), 'Ready'],
    ['not ready', node({}, ready('False')), 'NotReady'],
    ['ready unknown (node silent)', node({}, ready('Unknown')), 'NotReady'],
    ['no Ready condition', node({}, [{ type: 'MemoryPressure', status: 'False' }]), 'Unknown'],
    ['no conditions at all', node({}, undefined), 'Unknown'],
    ['cordoned', node({}, ready('True'), { unschedulable: true }), 'Ready,SchedulingDisabled'],
    [
      'cordoned and silent',
      node({}, undefined, { unschedulable: true }),
      'Unknown,SchedulingDisabled',
    ],
    [
      'the last Ready condition wins',
      node({}, [
        { type: 'Ready', status: 'False' },
        { type: 'Ready', status: 'True' },
      ]),
      'Ready',
    ],
  ];
  for (const [name, n, want] of statusCases) {
    it(`STATUS: ${name}`, () => assert.equal(nodePrinter.row(n, NOW).cells[1], want));
  }

  const roleCases: [string, Record<string, string>, string][] = [
    ['none', { 'kubernetes.io/hostname': 'edge-1' }, '<none>'],
    ['one', { 'node-role.kubernetes.io/edge': '' }, 'edge'],
    [
      'several, sorted, values ignored',
      { 'node-role.kubernetes.io/worker': 'yes', 'node-role.kubernetes.io/control-plane': '' },
      'control-plane,worker',
    ],
    ['legacy kubernetes.io/role value', { 'kubernetes.io/role': 'master' }, 'master'],
    ['legacy label with empty value', { 'kubernetes.io/role': '' }, '<none>'],
    ['prefix without a role', { 'node-role.kubernetes.io/': '' }, '<none>'],
    [
      'both kinds, de-duplicated',
      {
        'kubernetes.io/role': 'edge',
        'node-role.kubernetes.io/edge': '',
        'node-role.kubernetes.io/gpu': '',
      },
      'edge,gpu',
    ],
  ];
  for (const [name, labels, want] of roleCases) {
    it(`ROLES: ${name}`, () =>
      assert.equal(nodePrinter.row(node(labels, ready('True')), NOW).cells[2], want));
  }

  it('prints a full row', () => {
    const n = node({ 'node-role.kubernetes.io/edge': '' }, ready('True'), {
      addresses: [
        { type: 'Hostname', address: 'edge-1' },
        { type: 'InternalIP', address: '192.168.1.20' },
        { type: 'InternalIP', address: '192.168.1.21' },
        { type: 'ExternalIP', address: '203.0.113.9' },
      ],
    });
    assert.deepEqual(nodePrinter.row(n, NOW), {
      cells: [
        'edge-1',
        'Ready',
        'edge',
        '2d3h',
        'v1.33.0-verge',
        '192.168.1.20',
        '203.0.113.9',
        'Ubuntu 24.04 LTS',
        '6.8.0-31-generic',
        'containerd://1.7.12',
      ],
    });
  });

  it('uses <none> and <unknown> for what a node has not reported', () => {
    assert.deepEqual(nodePrinter.row(node({}, undefined, { info: false }), NOW).cells, [
      'edge-1',
      'Unknown',
      '<none>',
      '2d3h',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });
});

// ------------------------------------------------------------------ services

function service(spec: ServiceSpec, ingress?: { ip?: string; hostname?: string }[]): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: CREATED },
    spec,
    status: ingress ? { loadBalancer: { ingress } } : {},
  };
}

describe('service table', () => {
  it('has the columns of kubectl get services -o wide', () => {
    assert.deepEqual(columnsOf(servicePrinter), [
      ['Name', 'string', 0],
      ['Type', 'string', 0],
      ['Cluster-IP', 'string', 0],
      ['External-IP', 'string', 0],
      ['Port(s)', 'string', 0],
      ['Age', 'string', 0],
      ['Selector', 'string', 1],
    ]);
  });

  const cases: [string, Service, unknown[]][] = [
    [
      'ClusterIP',
      service({
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, protocol: 'TCP' }],
        selector: { tier: 'front', app: 'web' },
      }),
      ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '2d3h', 'app=web,tier=front'],
    ],
    [
      'ClusterIP with external IPs, several ports',
      service({
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.11', 'fd00::11'],
        externalIPs: ['198.51.100.1', '198.51.100.2'],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      }),
      [
        'web',
        'ClusterIP',
        '10.96.0.11',
        '198.51.100.1,198.51.100.2',
        '53/UDP,53/TCP',
        '2d3h',
        '<none>',
      ],
    ],
    [
      'NodePort',
      service({
        type: 'NodePort',
        clusterIPs: ['10.96.0.12'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 443, nodePort: 30443, protocol: 'TCP' },
        ],
        selector: { app: 'web' },
      }),
      ['web', 'NodePort', '10.96.0.12', '<none>', '80:30080/TCP,443:30443/TCP', '2d3h', 'app=web'],
    ],
    [
      'LoadBalancer waiting for an address',
      service({
        type: 'LoadBalancer',
        clusterIPs: ['10.96.0.13'],
        ports: [{ port: 80, nodePort: 31000 }],
      }),
      ['web', 'LoadBalancer', '10.96.0.13', '<pending>', '80:31000/TCP', '2d3h', '<none>'],
    ],
    [
      'LoadBalancer with ingress points, sorted and de-duplicated',
      service(
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.13'],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
        [
          { ip: '203.0.113.20' },
          { hostname: 'lb.example.com' },
          { ip: '203.0.113.10' },
          { ip: '203.0.113.10' },
        ],
      ),
      [
        'web',
        'LoadBalancer',
        '10.96.0.13',
        '203.0.113.10,203.0.113.20,lb.example.com',
        '80/TCP',
        '2d3h',
        '<none>',
      ],
    ],
    [
      'LoadBalancer with ingress and external IPs',
      service(
        {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.0.13'],
          externalIPs: ['198.51.100.7'],
          ports: [{ port: 80, protocol: 'TCP' }],
        },
        [{ ip: '203.0.113.10' }],
      ),
      [
        'web',
        'LoadBalancer',
        '10.96.0.13',
        '203.0.113.10,198.51.100.7',
        '80/TCP',
        '2d3h',
        '<none>',
      ],
    ],
    [
      'LoadBalancer without ingress but with external IPs',
      service({ type: 'LoadBalancer', clusterIPs: ['10.96.0.13'], externalIPs: ['198.51.100.7'] }),
      ['web', 'LoadBalancer', '10.96.0.13', '198.51.100.7', '<none>', '2d3h', '<none>'],
    ],
    [
      'ExternalName',
      service({ type: 'ExternalName', externalName: 'db.example.com' }),
      ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '2d3h', '<none>'],
    ],
    [
      'headless',
      service({
        type: 'ClusterIP',
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [{ port: 5432, protocol: 'TCP' }],
      }),
      ['web', 'ClusterIP', 'None', '<none>', '5432/TCP', '2d3h', '<none>'],
    ],
    [
      'SCTP port',
      service({
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.14'],
        ports: [{ port: 9999, protocol: 'SCTP' }],
      }),
      ['web', 'ClusterIP', '10.96.0.14', '<none>', '9999/SCTP', '2d3h', '<none>'],
    ],
  ];
  for (const [name, svc, want] of cases) {
    it(name, () => assert.deepEqual(servicePrinter.row(svc, NOW).cells, want));
  }
});

// ------------------------------------------------------------------ endpoints

function endpoints(subsets: Endpoints['subsets']): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: CREATED },
    subsets,
  };
}

const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

describe('endpoints table', () => {
  const cases: [string, Endpoints, string][] = [
    ['no subsets', endpoints(undefined), '<none>'],
    ['empty subsets', endpoints([]), '<none>'],
    [
      'one address, one port',
      endpoints([{ addresses: addrs('10.1.0.5'), ports: [{ port: 8080 }] }]),
      '10.1.0.5:8080',
    ],
    [
      'exactly three',
      endpoints([{ addresses: addrs('10.1.0.5', '10.1.0.6', '10.1.0.7'), ports: [{ port: 80 }] }]),
      '10.1.0.5:80,10.1.0.6:80,10.1.0.7:80',
    ],
    [
      'four: one more',
      endpoints([
        { addresses: addrs('10.1.0.5', '10.1.0.6', '10.1.0.7', '10.1.0.8'), ports: [{ port: 80 }] },
      ]),
      '10.1.0.5:80,10.1.0.6:80,10.1.0.7:80 + 1 more...',
    ],
    [
      'every address for every port, across subsets',
      endpoints([
        { addresses: addrs('10.1.0.5', '10.1.0.6'), ports: [{ port: 80 }, { port: 443 }] },
        { addresses: addrs('10.1.0.9'), ports: [{ port: 9090 }] },
      ]),
      '10.1.0.5:80,10.1.0.6:80,10.1.0.5:443 + 2 more...',
    ],
    [
      'headless without ports: bare IPs',
      endpoints([{ addresses: addrs('10.1.0.5', '10.1.0.6') }]),
      '10.1.0.5,10.1.0.6',
    ],
    [
      'IPv6 in brackets',
      endpoints([{ addresses: addrs('fd00::5'), ports: [{ port: 80 }] }]),
      '[fd00::5]:80',
    ],
    [
      'not-ready addresses are not listed',
      endpoints([{ notReadyAddresses: addrs('10.1.0.5'), ports: [{ port: 80 }] }]),
      '',
    ],
  ];
  for (const [name, ep, want] of cases) {
    it(name, () => assert.deepEqual(endpointsPrinter.row(ep, NOW).cells, ['web', want, '2d3h']));
  }
});

// ------------------------------------------------------------------ small kinds

describe('namespaces, configmaps, secrets, service accounts', () => {
  const meta = { name: 'x', creationTimestamp: CREATED };
  const cases: [string, TablePrinter, KubeObject, [string, string, number][], unknown[]][] = [
    [
      'namespace',
      namespacePrinter,
      { metadata: meta, status: { phase: 'Terminating' } },
      [
        ['Name', 'string', 0],
        ['Status', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 'Terminating', '2d3h'],
    ],
    [
      'configmap counts text and binary keys',
      configMapPrinter,
      { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
      [
        ['Name', 'string', 0],
        ['Data', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 3, '2d3h'],
    ],
    [
      'empty configmap',
      configMapPrinter,
      { metadata: meta },
      [
        ['Name', 'string', 0],
        ['Data', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 0, '2d3h'],
    ],
    [
      'secret',
      secretPrinter,
      { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Yw==', 'tls.key': 'aw==' } },
      [
        ['Name', 'string', 0],
        ['Type', 'string', 0],
        ['Data', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 'kubernetes.io/tls', 2, '2d3h'],
    ],
    [
      'service account',
      serviceAccountPrinter,
      { metadata: meta, secrets: [{ name: 'x-token' }] },
      [
        ['Name', 'string', 0],
        ['Secrets', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 1, '2d3h'],
    ],
    [
      'service account without secrets',
      serviceAccountPrinter,
      { metadata: meta },
      [
        ['Name', 'string', 0],
        ['Secrets', 'string', 0],
        ['Age', 'string', 0],
      ],
      ['x', 0, '2d3h'],
    ],
  ];
  for (const [name, printer, obj, columns, cells] of cases) {
    it(name, () => {
      assert.deepEqual(columnsOf(printer), columns);
      assert.deepEqual(printer.row(obj, NOW), { cells });
    });
  }
});

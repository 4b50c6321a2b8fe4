import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, Deployment, ReplicaSet } from '../types/apps.ts';
import type { Lease } from '../types/coordination.ts';
import { daemonSetPrinter, deploymentPrinter, leasePrinter, replicaSetPrinter } from './apps.ts';
import type { TablePrinter } from './table.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2025-06-01T11:56:48Z' }; // 3m12s

const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'proxy', image: 'envoyproxy/envoy:v1.30' },
    ],
  },
};

function columnsOf(p: TablePrinter): [string, string, number][] {
  return p.columns.map((c) => [c.name, c.type, c.priority]);
}

describe('deployment table', () => {
  it('has the columns of kubectl get deployments -o wide', () => {
    assert.deepEqual(columnsOf(deploymentPrinter), [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Up-to-date', 'string', 0],
      ['Available', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
  });

  const cases: [string, Deployment, unknown[]][] = [
    [
      'rolling out',
      {
        metadata: meta,
        spec: {
          replicas: 3,
          selector: {
            matchLabels: { app: 'web' },
            matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }],
          },
          template,
        },
        status: { replicas: 3, readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2 },
      },
      [
        'web',
        '2/3',
        1,
        2,
        '3m12s',
        'app,proxy',
        'nginx:1.27,envoyproxy/envoy:v1.30',
        'app=web,track notin (canary)',
      ],
    ],
    [
      'new, no status yet, replicas defaulted',
      { metadata: meta, spec: { selector: { matchLabels: { app: 'web' } }, template } },
      ['web', '0/1', 0, 0, '3m12s', 'app,proxy', 'nginx:1.27,envoyproxy/envoy:v1.30', 'app=web'],
    ],
    [
      'scaled to zero, empty selector printed bare',
      {
        metadata: meta,
        spec: { replicas: 0, selector: {}, template: { spec: { containers: [] } } },
      },
      ['web', '0/0', 0, 0, '3m12s', '', '', ''],
    ],
    [
      'unreadable selector',
      {
        metadata: meta,
        spec: {
          replicas: 1,
          selector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
          template,
        },
      },
      ['web', '0/1', 0, 0, '3m12s', 'app,proxy', 'nginx:1.27,envoyproxy/envoy:v1.30', '<invalid>'],
    ],
  ];
  for (const [name, d, want] of cases) {
    it(name, () => assert.deepEqual(deploymentPrinter.row(d, NOW).cells, want));
  }
});

describe('replica set table', () => {
  it('has the columns of kubectl get replicasets -o wide', () => {
    assert.deepEqual(columnsOf(replicaSetPrinter), [
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
  });

  it('prints counts as integers and the selector', () => {
    const rs: ReplicaSet = {
      metadata: { ...meta, name: 'web-7c9' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7c9' } },
        template,
      },
      status: { replicas: 3, readyReplicas: 1 },
    };
    assert.deepEqual(replicaSetPrinter.row(rs, NOW).cells, [
      'web-7c9',
      3,
      3,
      1,
      '3m12s',
      'app,proxy',
      'nginx:1.27,envoyproxy/envoy:v1.30',
      'app=web,pod-template-hash=7c9',
    ]);
  });

  it('prints <none> for an empty selector and <error> for a bad one', () => {
    const base: ReplicaSet = { metadata: meta, spec: { replicas: 2, selector: {} } };
    assert.deepEqual(replicaSetPrinter.row(base, NOW).cells, [
      'web',
      2,
      0,
      0,
      '3m12s',
      '',
      '',
      '<none>',
    ]);
    const bad: ReplicaSet = {
      metadata: meta,
      spec: { selector: { matchExpressions: [{ key: 'x', operator: 'Exists', values: ['y'] }] } },
    };
    assert.deepEqual(replicaSetPrinter.row(bad, NOW).cells, [
      'web',
      1,
      0,
      0,
      '3m12s',
      '',
      '',
      '<error>',
    ]);
  });
});

describe('daemon set table', () => {
  it('has the columns of kubectl get daemonsets -o wide', () => {
    assert.deepEqual(columnsOf(daemonSetPrinter), [
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Up-to-date', 'integer', 0],
      ['Available', 'integer', 0],
      ['Node Selector', 'string', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
  });

  it('prints status counts and the node selector', () => {
    const ds: DaemonSet = {
      metadata: { ...meta, name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          spec: {
            containers: [{ name: 'agent', image: 'verge/agent:0.1' }],
            nodeSelector: { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/edge': '' },
          },
        },
      },
      status: {
        desiredNumberScheduled: 4,
        currentNumberScheduled: 4,
        numberReady: 3,
        updatedNumberScheduled: 2,
        numberAvailable: 3,
        numberMisscheduled: 0,
      },
    };
    assert.deepEqual(daemonSetPrinter.row(ds, NOW).cells, [
      'agent',
      4,
      4,
      3,
      2,
      3,
      'kubernetes.io/os=linux,node-role.kubernetes.io/edge=',
      '3m12s',
      'agent',
      'verge/agent:0.1',
      'app=agent',
    ]);
  });

  it('prints <none> without a node selector and zeros without status', () => {
    const ds: DaemonSet = {
      metadata: { ...meta, name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [] } } },
    };
    assert.deepEqual(daemonSetPrinter.row(ds, NOW).cells, [
      'agent',
      0,
      0,
      0,
      0,
      0,
      '<none>',
      '3m12s',
      '',
      '',
      'app=agent',
    ]);
  });
});

describe('lease table', () => {
  it('prints the holder, empty when nobody holds it', () => {
    assert.deepEqual(columnsOf(leasePrinter), [
      ['Name', 'string', 0],
      ['Holder', 'string', 0],
      ['Age', 'string', 0],
    ]);
    const held: Lease = {
      metadata: { ...meta, name: 'edge-1' },
      spec: { holderIdentity: 'edge-1' },
    };
    assert.deepEqual(leasePrinter.row(held, NOW).cells, ['edge-1', 'edge-1', '3m12s']);
    const free: Lease = { metadata: { ...meta, name: 'leader' }, spec: {} };
    assert.deepEqual(leasePrinter.row(free, NOW).cells, ['leader', '', '3m12s']);
  });
});

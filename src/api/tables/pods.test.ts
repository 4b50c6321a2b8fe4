import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerStatus, Pod, PodSpec, PodStatus } from '../types/core.ts';
import type { ObjectMeta } from '../types/meta.ts';
import { podPrinter } from './pods.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const S = 1000;
const M = 60 * S;

function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString();
}

function pod(spec: Partial<PodSpec>, status: PodStatus, meta: Partial<ObjectMeta> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(5 * M), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

function cs(name: string, extra: Partial<ContainerStatus>): ContainerStatus {
  return { name, ready: false, restartCount: 0, image: 'img', imageID: '', ...extra };
}

const running = { running: { startedAt: ago(4 * M) } };
const two = { containers: [{ name: 'a' }, { name: 'b' }] };
const oneInit = { initContainers: [{ name: 'init' }] };

/** READY, STATUS, RESTARTS of a pod. */
function state(p: Pod): [unknown, unknown, unknown] {
  const cells = podPrinter.row(p, NOW).cells;
  return [cells[1], cells[2], cells[3]];
}

describe('pod table', () => {
  const cases: [string, Pod, [string, string, string]][] = [
    ['pending, nothing reported', pod({}, { phase: 'Pending' }), ['0/1', 'Pending', '0']],
    [
      'scheduling gated',
      pod(
        { schedulingGates: [{ name: 'example.com/quota' }] },
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        },
      ),
      ['0/1', 'SchedulingGated', '0'],
    ],
    [
      'unschedulable keeps the phase',
      pod(
        {},
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
        },
      ),
      ['0/1', 'Pending', '0'],
    ],
    [
      'container creating',
      pod(
        {},
        {
          phase: 'Pending',
          containerStatuses: [cs('app', { state: { waiting: { reason: 'ContainerCreating' } } })],
        },
      ),
      ['0/1', 'ContainerCreating', '0'],
    ],
    [
      'running and ready',
      pod(
        {},
        { phase: 'Running', containerStatuses: [cs('app', { ready: true, state: running })] },
      ),
      ['1/1', 'Running', '0'],
    ],
    [
      'running, one of two ready',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          cs('a', { ready: true, state: running }),
          cs('b', { ready: false, state: running }),
        ],
      }),
      ['1/2', 'Running', '0'],
    ],
    [
      'completed',
      pod(
        {},
        {
          phase: 'Succeeded',
          containerStatuses: [
            cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
          ],
        },
      ),
      ['0/1', 'Completed', '0'],
    ],
    [
      'error',
      pod(
        {},
        {
          phase: 'Failed',
          containerStatuses: [
            cs('app', { state: { terminated: { exitCode: 1, reason: 'Error' } } }),
          ],
        },
      ),
      ['0/1', 'Error', '0'],
    ],
    [
      'OOM killed',
      pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [
            cs('app', { state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }),
          ],
        },
      ),
      ['0/1', 'OOMKilled', '0'],
    ],
    [
      'terminated without a reason: exit code',
      pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [cs('app', { state: { terminated: { exitCode: 137 } } })],
        },
      ),
      ['0/1', 'ExitCode:137', '0'],
    ],
    [
      'terminated without a reason: signal',
      pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, signal: 15 } } })],
        },
      ),
      ['0/1', 'Signal:15', '0'],
    ],
    [
      'crash loop with restarts, last one 2m ago',
      pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [
            cs('app', {
              restartCount: 3,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: {
                terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * M + 10 * S) },
              },
            }),
          ],
        },
      ),
      ['0/1', 'CrashLoopBackOff', '3 (2m10s ago)'],
    ],
    [
      'image pull back-off',
      pod(
        {},
        {
          phase: 'Pending',
          containerStatuses: [cs('app', { state: { waiting: { reason: 'ImagePullBackOff' } } })],
        },
      ),
      ['0/1', 'ImagePullBackOff', '0'],
    ],
    [
      'first container with a reason wins',
      pod(two, {
        phase: 'Pending',
        containerStatuses: [
          cs('a', { state: { waiting: { reason: 'ErrImagePull' } } }),
          cs('b', { state: { waiting: { reason: 'ContainerCreating' } } }),
        ],
      }),
      ['0/2', 'ErrImagePull', '0'],
    ],
    [
      'init container running',
      pod(oneInit, {
        phase: 'Pending',
        initContainerStatuses: [cs('init', { state: running })],
        containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
      }),
      ['0/1', 'Init:0/1', '0'],
    ],
    [
      'second of two init containers',
      pod(
        { initContainers: [{ name: 'i1' }, { name: 'i2' }] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('i1', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
            cs('i2', { state: { waiting: { reason: 'PodInitializing' } } }),
          ],
        },
      ),
      ['0/1', 'Init:1/2', '0'],
    ],
    [
      'init container crash loop, restarts counted from init',
      pod(oneInit, {
        phase: 'Pending',
        initContainerStatuses: [
          cs('init', {
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * S) } },
          }),
        ],
      }),
      ['0/1', 'Init:CrashLoopBackOff', '4 (30s ago)'],
    ],
    [
      'init container error',
      pod(oneInit, {
        phase: 'Pending',
        initContainerStatuses: [
          cs('init', { state: { terminated: { exitCode: 1, reason: 'Error' } } }),
        ],
      }),
      ['0/1', 'Init:Error', '0'],
    ],
    [
      'init container exit code and signal',
      pod(
        { initContainers: [{ name: 'i1' }, { name: 'i2' }] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            cs('i1', { state: { terminated: { exitCode: 2 } } }),
            cs('i2', { state: { terminated: { exitCode: 0, signal: 9 } } }),
          ],
        },
      ),
      ['0/1', 'Init:ExitCode:2', '0'],
    ],
    [
      'init container killed by a signal',
      pod(oneInit, {
        phase: 'Pending',
        initContainerStatuses: [
          cs('init', { state: { terminated: { exitCode: 137, signal: 9 } } }),
        ],
      }),
      ['0/1', 'Init:Signal:9', '0'],
    ],
    [
      'init done, app waiting: PodInitializing',
      pod(oneInit, {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [
          cs('init', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
        ],
        containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
      }),
      ['0/1', 'PodInitializing', '0'],
    ],
    [
      'sidecar started and ready counts toward READY',
      pod(
        { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
        {
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'True' },
          ],
          initContainerStatuses: [
            cs('proxy', {
              ready: true,
              started: true,
              restartCount: 2,
              state: running,
              lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * M) } },
            }),
          ],
          containerStatuses: [
            cs('app', {
              ready: true,
              restartCount: 1,
              state: running,
              lastState: { terminated: { exitCode: 1, finishedAt: ago(4 * M) } },
            }),
          ],
        },
      ),
      ['2/2', 'Running', '3 (3m ago)'],
    ],
    [
      'sidecar not started yet blocks initialization',
      pod(
        { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
        {
          phase: 'Pending',
          initContainerStatuses: [cs('proxy', { started: false, state: running })],
        },
      ),
      ['0/2', 'Init:0/1', '0'],
    ],
    [
      'some containers completed, one still running and pod ready',
      pod(two, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          cs('a', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
          cs('b', { ready: true, state: running }),
        ],
      }),
      ['1/2', 'Running', '0'],
    ],
    [
      'some containers completed, one still running, pod not ready',
      pod(two, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          cs('a', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
          cs('b', { ready: true, state: running }),
        ],
      }),
      ['1/2', 'NotReady', '0'],
    ],
    [
      'evicted: the pod reason replaces the phase',
      pod(
        {},
        {
          phase: 'Failed',
          reason: 'Evicted',
          containerStatuses: [
            cs('app', { state: { terminated: { exitCode: 137, reason: 'Error' } } }),
          ],
        },
      ),
      ['0/1', 'Error', '0'],
    ],
    [
      'evicted before any container status',
      pod({}, { phase: 'Failed', reason: 'Evicted' }),
      ['0/1', 'Evicted', '0'],
    ],
    [
      'terminating',
      pod(
        {},
        { phase: 'Running', containerStatuses: [cs('app', { ready: true, state: running })] },
        { deletionTimestamp: ago(10 * S) },
      ),
      ['1/1', 'Terminating', '0'],
    ],
    [
      'deleted on a lost node: Unknown',
      pod(
        {},
        {
          phase: 'Running',
          reason: 'NodeLost',
          containerStatuses: [cs('app', { ready: true, state: running })],
        },
        { deletionTimestamp: ago(10 * S) },
      ),
      ['1/1', 'Unknown', '0'],
    ],
    [
      'deleted after it completed stays Completed',
      pod(
        {},
        {
          phase: 'Succeeded',
          containerStatuses: [
            cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed' } } }),
          ],
        },
        { deletionTimestamp: ago(10 * S) },
      ),
      ['0/1', 'Completed', '0'],
    ],
    [
      'restarts without a known last termination have no age',
      pod(
        {},
        {
          phase: 'Running',
          containerStatuses: [cs('app', { ready: true, restartCount: 5, state: running })],
        },
      ),
      ['1/1', 'Running', '5'],
    ],
    [
      'restarts summed over containers, latest termination wins',
      pod(two, {
        phase: 'Running',
        containerStatuses: [
          cs('a', {
            ready: true,
            restartCount: 2,
            state: running,
            lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * 60 * M) } },
          }),
          cs('b', {
            ready: true,
            restartCount: 1,
            state: running,
            lastState: { terminated: { exitCode: 1, finishedAt: ago(90 * S) } },
          }),
        ],
      }),
      ['2/2', 'Running', '3 (90s ago)'],
    ],
  ];
  for (const [name, p, want] of cases) {
    it(name, () => assert.deepEqual(state(p), want));
  }

  it('prints every column, wide ones included', () => {
    const p = pod(
      {
        nodeName: 'edge-1',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      {
        phase: 'Running',
        podIP: '10.1.0.7',
        podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }],
        nominatedNodeName: 'edge-2',
        conditions: [
          { type: 'example.com/lb', status: 'True' },
          { type: 'example.com/dns', status: 'False' },
        ],
        containerStatuses: [cs('app', { ready: true, state: running })],
      },
    );
    assert.deepEqual(podPrinter.row(p, NOW), {
      cells: ['web', '1/1', 'Running', '0', '5m', '10.1.0.7', 'edge-1', 'edge-2', '1/2'],
    });
  });

  it('uses <none> for unset wide cells and falls back to status.podIP', () => {
    assert.deepEqual(podPrinter.row(pod({}, { phase: 'Pending' }), NOW).cells.slice(5), [
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
    assert.equal(
      podPrinter.row(pod({}, { phase: 'Running', podIP: '10.0.0.9' }), NOW).cells[5],
      '10.0.0.9',
    );
    assert.equal(
      podPrinter.row(pod({}, {}, { creationTimestamp: undefined }), NOW).cells[4],
      '<unknown>',
    );
  });

  it('marks finished pods Completed', () => {
    assert.deepEqual(podPrinter.row(pod({}, { phase: 'Succeeded' }), NOW).conditions, [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'Every container finished successfully.',
      },
    ]);
    assert.deepEqual(podPrinter.row(pod({}, { phase: 'Failed' }), NOW).conditions, [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Failed',
        message: 'The pod finished with a failure.',
      },
    ]);
    assert.equal(podPrinter.row(pod({}, { phase: 'Running' }), NOW).conditions, undefined);
  });

  it('has the columns of kubectl get pods -o wide', () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });

  it('does not mutate the pod', () => {
    const p = pod(
      {},
      { phase: 'Running', containerStatuses: [cs('app', { ready: true, state: running })] },
    );
    const before = structuredClone(p);
    podPrinter.row(p, NOW);
    assert.deepEqual(p, before);
  });
});

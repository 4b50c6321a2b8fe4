import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types/core.ts';
import { SchedulerCache } from './node-cache.ts';
import { podInfo } from './pod-info.ts';
import {
  numFeasibleNodesToFind,
  PodScheduler,
  unschedulableMessage,
  type ScheduleResult,
} from './schedule.ts';
import { makeNode, makePod, type NodeOptions } from './fixtures.ts';

function cacheWith(nodes: [string, NodeOptions][], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const [name, o] of nodes) cache.setNode(makeNode(name, o));
  for (const p of pods) cache.updatePod(p);
  return cache;
}

function message(cache: SchedulerCache, pod: Pod): string {
  const info = podInfo(pod);
  const result = new PodScheduler(cache, () => undefined).schedule(info);
  assert.equal(result.node, undefined, `expected no node, got ${result.node}`);
  return unschedulableMessage(
    info,
    (result as Extract<ScheduleResult, { diagnosis: unknown }>).diagnosis,
  );
}

describe('numFeasibleNodesToFind', () => {
  it('follows the adaptive percentage', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(100), 100);
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(5000), 500);
    assert.equal(numFeasibleNodesToFind(20000), 1000);
    assert.equal(numFeasibleNodesToFind(1000, 30), 300);
    assert.equal(numFeasibleNodesToFind(200, 10), 100);
  });
});

describe('the unschedulable message', () => {
  it('counts reasons per node, sorted, then the preemption summary', () => {
    const cache = cacheWith([
      ['a', { labels: { disk: 'hdd' } }],
      ['b', { ready: 'Unknown', labels: { disk: 'ssd' } }],
      ['c', { ready: 'Unknown', labels: { disk: 'ssd' } }],
    ]);
    const pod = makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } });
    assert.equal(
      message(cache, pod),
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, " +
        '2 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('says no victims were found for nodes where removing pods could help', () => {
    const cache = cacheWith(
      [
        ['a', { cpu: '1' }],
        ['b', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }],
      ],
      [makePod('x', { cpu: '800m', nodeName: 'a', phase: 'Running' })],
    );
    assert.equal(
      message(cache, makePod('p', { cpu: '500m' })),
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}. ' +
        'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, ' +
        '1 Preemption is not helpful for scheduling.',
    );
  });

  it('lists every insufficient resource of a node', () => {
    const cache = cacheWith(
      [['a', { cpu: '1', memory: '1Gi' }]],
      [makePod('x', { cpu: '800m', memory: '800Mi', nodeName: 'a', phase: 'Running' })],
    );
    assert.equal(
      message(cache, makePod('p', { cpu: '500m', memory: '500Mi' })),
      '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. ' +
        'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('sorts the histogram as strings, as kube-scheduler does', () => {
    const nodes: [string, NodeOptions][] = [];
    for (let i = 0; i < 10; i++)
      nodes.push([`t${i}`, { taints: [{ key: 'k', effect: 'NoSchedule' }] }]);
    nodes.push(['u1', { unschedulable: true }], ['u2', { unschedulable: true }]);
    assert.equal(
      message(cacheWith(nodes), makePod('p')),
      '0/12 nodes are available: 10 node(s) had untolerated taint {k: }, 2 node(s) were unschedulable. ' +
        'preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.',
    );
  });

  it('reports pinned (DaemonSet) pods against the other nodes as NodeAffinity', () => {
    const cache = cacheWith([
      ['a', { ready: 'False' }],
      ['b', {}],
      ['c', {}],
    ]);
    const pod = makePod('ds', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
              ],
            },
          },
        },
      },
    });
    assert.equal(
      message(cache, pod),
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, ' +
        "2 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
  });

  it('reports affinity to a label no node has', () => {
    const cache = cacheWith([
      ['a', {}],
      ['b', {}],
    ]);
    const pod = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }],
            },
          },
        },
      },
    });
    assert.equal(
      message(cache, pod),
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('reports contradicting name pins as a PreFilter rejection', () => {
    const cache = cacheWith([
      ['a', {}],
      ['b', {}],
    ]);
    const pod = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    { key: 'metadata.name', operator: 'In', values: ['a'] },
                    { key: 'metadata.name', operator: 'In', values: ['b'] },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    assert.equal(
      message(cache, pod),
      '0/2 nodes are available: pod affinity terms conflict. ' +
        'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('honours preemptionPolicy Never', () => {
    const cache = cacheWith([['a', { cpu: '1' }]]);
    assert.equal(
      message(cache, makePod('p', { cpu: '2', spec: { preemptionPolicy: 'Never' } })),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  it('says so when there are no nodes', () => {
    assert.equal(
      message(new SchedulerCache(), makePod('p')),
      'no nodes available to schedule pods',
    );
  });
});

describe('PodScheduler', () => {
  it('picks the only feasible node', () => {
    const cache = cacheWith([
      ['a', { unschedulable: true }],
      ['b', {}],
      ['c', { ready: 'False' }],
    ]);
    assert.deepEqual(new PodScheduler(cache, () => undefined).schedule(podInfo(makePod('p'))), {
      node: 'b',
      evaluated: 3,
      feasible: 1,
    });
  });

  it('stops filtering once enough feasible nodes are found, and rotates the start', () => {
    const nodes: [string, NodeOptions][] = [];
    for (let i = 0; i < 1000; i++) nodes.push([`n${String(i).padStart(4, '0')}`, {}]);
    const s = new PodScheduler(cacheWith(nodes), () => undefined, { random: () => 0 });
    const first = s.schedule(podInfo(makePod('p1')));
    assert.equal(first.node !== undefined && first.evaluated, 420);
    assert.equal(first.node !== undefined && first.feasible, 420);
    const second = s.schedule(podInfo(makePod('p2')));
    // The second search starts at node 420, so it cannot pick among the first 420.
    assert.ok(
      second.node !== undefined && second.node >= 'n0420' && second.node < 'n0840',
      String(second.node),
    );
  });

  it('scores every node when asked to (percentage 100)', () => {
    const nodes: [string, NodeOptions][] = [];
    for (let i = 0; i < 200; i++) nodes.push([`n${i}`, {}]);
    const s = new PodScheduler(cacheWith(nodes), () => undefined, {
      percentageOfNodesToScore: 100,
    });
    const r = s.schedule(podInfo(makePod('p')));
    assert.equal(r.node !== undefined && r.feasible, 200);
  });
});

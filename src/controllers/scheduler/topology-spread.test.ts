import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, TopologySpreadConstraint } from '../../api/types/core.ts';
import { filterNode, spreadHelpers } from './filters.ts';
import { SchedulerCache } from './node-cache.ts';
import { podInfo } from './pod-info.ts';
import { PodScheduler, unschedulableMessage } from './schedule.ts';
import { explicitSpreadRawScores, spreadPreFilter } from './topology-spread.ts';
import { makeNode, makePod, type NodeOptions } from './fixtures.ts';

const ZONE = 'topology.kubernetes.io/zone';

function cacheWith(nodes: [string, NodeOptions][], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const [name, o] of nodes) cache.setNode(makeNode(name, o));
  for (const p of pods) cache.updatePod(p);
  return cache;
}

const web = (name: string, nodeName?: string, extra: Parameters<typeof makePod>[1] = {}): Pod =>
  makePod(name, {
    labels: { app: 'web' },
    ...extra,
    ...(nodeName ? { nodeName, phase: 'Running' as const } : {}),
  });

function constrained(
  c: Partial<TopologySpreadConstraint>,
  labels: Record<string, string> = { app: 'web' },
): Pod {
  return makePod('new', {
    labels,
    spec: {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
          ...c,
        },
      ],
    },
  });
}

/** Which nodes pass the filters, by name. */
function feasible(cache: SchedulerCache, pod: Pod): string[] {
  const info = podInfo(pod);
  const spread = spreadPreFilter(info, cache, spreadHelpers);
  return cache
    .nodes()
    .filter((n) => !filterNode(info, n, { spread }))
    .map((n) => n.name);
}

describe('topology spread constraints (DoNotSchedule)', () => {
  it('keeps the skew across hostnames within maxSkew', () => {
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
        ['c', {}],
      ],
      [web('w1', 'a')],
    );
    assert.deepEqual(feasible(cache, constrained({})), ['b', 'c']);
    assert.deepEqual(feasible(cache, constrained({ maxSkew: 2 })), ['a', 'b', 'c']);
  });

  it('counts only pods the selector matches, in the same namespace, not terminating', () => {
    const terminating = web('w2', 'b');
    terminating.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
      ],
      [
        web('w1', 'a', { namespace: 'other' }),
        makePod('db', { labels: { app: 'db' }, nodeName: 'a', phase: 'Running' }),
        terminating,
      ],
    );
    assert.deepEqual(feasible(cache, constrained({})), ['a', 'b']);
  });

  it('does not count the pod itself when it does not match its own selector', () => {
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
      ],
      [web('w1', 'a')],
    );
    // 1 + 0 - 0 = 1 <= maxSkew 1.
    assert.deepEqual(feasible(cache, constrained({}, { app: 'other' })), ['a', 'b']);
  });

  it('rejects nodes without the topology key, as unresolvable', () => {
    const cache = cacheWith([
      ['a', { labels: { [ZONE]: 'z1' } }],
      ['b', {}],
    ]);
    const info = podInfo(constrained({ topologyKey: ZONE }));
    const spread = spreadPreFilter(info, cache, spreadHelpers);
    assert.deepEqual(filterNode(info, cache.node('b')!, { spread }), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"],
    });
    assert.equal(filterNode(info, cache.node('a')!, { spread }), undefined);
  });

  it('counts zones over all their nodes', () => {
    const cache = cacheWith(
      [
        ['a1', { labels: { [ZONE]: 'z1' } }],
        ['a2', { labels: { [ZONE]: 'z1' } }],
        ['b1', { labels: { [ZONE]: 'z2' } }],
      ],
      [web('w1', 'a1')],
    );
    assert.deepEqual(feasible(cache, constrained({ topologyKey: ZONE })), ['b1']);
  });

  it('treats the minimum as 0 while there are fewer domains than minDomains', () => {
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
      ],
      [web('w1', 'a'), web('w2', 'b')],
    );
    assert.deepEqual(feasible(cache, constrained({})), ['a', 'b']);
    assert.deepEqual(feasible(cache, constrained({ minDomains: 3 })), []);
  });

  it('leaves nodes the pod cannot use out of the minimum (nodeAffinityPolicy Honor)', () => {
    const cache = cacheWith(
      [
        ['a', { labels: { pool: 'x' } }],
        ['b', { labels: { pool: 'x' } }],
        ['c', {}],
      ],
      [web('w1', 'a'), web('w2', 'b')],
    );
    const pod = constrained({});
    pod.spec!.nodeSelector = { pool: 'x' };
    // Empty node c does not pull the minimum to 0: a and b stay feasible.
    assert.deepEqual(feasible(cache, pod), ['a', 'b']);
    const ignorePolicy = constrained({ nodeAffinityPolicy: 'Ignore' });
    ignorePolicy.spec!.nodeSelector = { pool: 'x' };
    const info = podInfo(ignorePolicy);
    const spread = spreadPreFilter(info, cache, spreadHelpers)!;
    assert.deepEqual(spread.min, [0]);
  });

  it('makes the FailedScheduling message', () => {
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', { unschedulable: true }],
      ],
      [web('w1', 'a')],
    );
    const info = podInfo(constrained({}));
    const result = new PodScheduler(cache, () => undefined).schedule(info);
    assert.ok(result.node === undefined);
    assert.equal(
      unschedulableMessage(info, result.diagnosis),
      "0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, " +
        '1 node(s) were unschedulable. preemption: 0/2 nodes are available: ' +
        '1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });
});

describe('topology spread constraints (ScheduleAnyway)', () => {
  it('scores emptier domains higher and ignores nodes without the key', () => {
    const cache = cacheWith(
      [
        ['a', { labels: { [ZONE]: 'z1' } }],
        ['b', { labels: { [ZONE]: 'z2' } }],
        ['c', {}],
      ],
      [web('w1', 'a'), web('w2', 'a')],
    );
    const info = podInfo(constrained({ topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway' }));
    const nodes = cache.nodes();
    // Two zones: weight ln(4); a: 2 * 1.386 + 0 = 2.77 -> 3; b: 0.
    assert.deepEqual(explicitSpreadRawScores(info, nodes, cache, spreadHelpers), {
      raw: [3, 0, 0],
      ignored: [false, false, true],
    });
    const picked = new PodScheduler(cache, () => undefined).schedule(info);
    assert.equal(picked.node, 'b');
  });

  it('replaces the default spreading (a pod with only hard constraints is not spread by owner)', () => {
    const info = podInfo(constrained({}));
    const cache = cacheWith([['a', {}]]);
    assert.equal(explicitSpreadRawScores(info, cache.nodes(), cache, spreadHelpers), undefined);
  });
});

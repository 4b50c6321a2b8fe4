import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodAffinityTerm } from '../../api/types/core.ts';
import { SchedulerCache, type NodeState } from './node-cache.ts';
import { podInfo } from './pod-info.ts';
import { PodScheduler } from './schedule.ts';
import {
  balancedAllocation,
  defaultNormalize,
  intolerablePreferNoSchedule,
  leastAllocated,
  normalizeMinMax,
  normalizeSpread,
  preferredNodeAffinity,
  scoreNodes,
  selectHost,
  spreadRawScores,
} from './scoring.ts';
import { makeNode, makePod, ownerRef, type NodeOptions } from './fixtures.ts';

function cacheWith(nodes: [string, NodeOptions][], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const [name, o] of nodes) cache.setNode(makeNode(name, o));
  for (const p of pods) cache.updatePod(p);
  return cache;
}

const running = (name: string, nodeName: string, extra: Parameters<typeof makePod>[1] = {}): Pod =>
  makePod(name, { ...extra, nodeName, phase: 'Running' });

/** A seeded [0, 1) source (mulberry32), so tie-breaks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Schedules `pods` one by one, assuming each where it lands; returns node -> count. */
function place(cache: SchedulerCache, pods: Pod[], seed = 1): Map<string, number> {
  const s = new PodScheduler(cache, () => undefined, { random: seeded(seed) });
  const counts = new Map<string, number>();
  for (const p of pods) {
    const info = podInfo(p);
    const r = s.schedule(info);
    assert.ok(r.node !== undefined, `${info.key} did not fit`);
    cache.assume(info, r.node);
    counts.set(r.node, (counts.get(r.node) ?? 0) + 1);
  }
  return counts;
}

describe('normalization', () => {
  it('defaultNormalize scales by the maximum, optionally reversed', () => {
    assert.deepEqual(defaultNormalize([0, 1, 3], false), [0, 33, 100]);
    assert.deepEqual(defaultNormalize([0, 1, 3], true), [100, 67, 0]);
    assert.deepEqual(defaultNormalize([0, 0], false), [0, 0]);
    assert.deepEqual(defaultNormalize([0, 0], true), [100, 100]);
  });

  it('normalizeSpread favours the fewest matching pods', () => {
    assert.deepEqual(normalizeSpread([2, 4, 6]), [100, 66, 33]);
    assert.deepEqual(normalizeSpread([0, 0]), [100, 100]);
  });

  it('normalizeMinMax scales between the extremes', () => {
    assert.deepEqual(normalizeMinMax([-5, 0, 5]), [0, 50, 100]);
    assert.deepEqual(normalizeMinMax([3, 3]), [0, 0]);
  });

  it('selectHost picks the maximum and breaks ties at random', () => {
    assert.equal(
      selectHost([1, 5, 3], () => 0.99),
      1,
    );
    const picks = new Set<number>();
    const rnd = seeded(7);
    for (let i = 0; i < 50; i++) picks.add(selectHost([5, 1, 5, 5], rnd));
    assert.deepEqual([...picks].sort(), [0, 2, 3]);
  });
});

describe('plugin scores', () => {
  it('counts untolerated PreferNoSchedule taints', () => {
    const cache = cacheWith([
      [
        'a',
        {
          taints: [
            { key: 'x', effect: 'PreferNoSchedule' },
            { key: 'y', effect: 'PreferNoSchedule' },
            { key: 'z', effect: 'NoSchedule' },
          ],
        },
      ],
    ]);
    const node = cache.node('a')!;
    assert.equal(intolerablePreferNoSchedule(podInfo(makePod('p')), node), 2);
    const tolerant = makePod('p', { spec: { tolerations: [{ key: 'x', operator: 'Exists' }] } });
    assert.equal(intolerablePreferNoSchedule(podInfo(tolerant), node), 1);
    const wrongEffect = makePod('p', {
      spec: { tolerations: [{ key: 'x', operator: 'Exists', effect: 'NoSchedule' }] },
    });
    assert.equal(intolerablePreferNoSchedule(podInfo(wrongEffect), node), 2);
  });

  it('sums the weights of matching preferred node affinity terms', () => {
    const cache = cacheWith([['a', { labels: { zone: 'a', disk: 'ssd' } }]]);
    const pod = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              },
              {
                weight: 5,
                preference: {
                  matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
                },
              },
              { weight: 7, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    assert.equal(preferredNodeAffinity(podInfo(pod), cache.node('a')!), 15);
  });

  it('LeastAllocated and BalancedAllocation follow Kubernetes arithmetic', () => {
    // 4 cpu / 8Gi with 1 cpu / 1Gi requested; the pod asks 1 cpu / 3Gi.
    const cache = cacheWith([['a', {}]], [running('x', 'a', { cpu: '1', memory: '1Gi' })]);
    const node = cache.node('a')!;
    const pod = podInfo(makePod('p', { cpu: '1', memory: '3Gi' }));
    // cpu: (4000-2000)*100/4000 = 50; memory: (8-4)*100/8 = 50.
    assert.equal(leastAllocated(pod, node), 50);
    assert.equal(balancedAllocation(pod, node), 100);
    const skewed = podInfo(makePod('q', { cpu: '3', memory: '1Gi' }));
    // cpu 4000/4000 = 1, memory 2/8 = 0.25: std 0.375 -> 62.
    assert.equal(balancedAllocation(skewed, node), 62);
    // cpu: 0; memory: (8-2)*100/8 = 75 -> 37.
    assert.equal(leastAllocated(skewed, node), 37);
  });

  it('LeastAllocated counts request-less pods as 100m / 200Mi', () => {
    const cache = cacheWith([['a', { cpu: '1', memory: '1000Mi' }]]);
    // cpu (1000-100)*100/1000 = 90, memory (1000-200)*100/1000 = 80.
    assert.equal(leastAllocated(podInfo(makePod('p')), cache.node('a')!), 85);
  });

  it('spreading counts pods of the same owner per node', () => {
    const rs = ownerRef('web');
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
        ['c', {}],
      ],
      [
        running('w1', 'a', { owner: rs }),
        running('w2', 'a', { owner: rs }),
        running('w3', 'b', { owner: rs }),
        running('other', 'c', { owner: ownerRef('db') }),
      ],
    );
    const nodes = cache.nodes();
    const raw = spreadRawScores(podInfo(makePod('w4', { owner: rs })), nodes, nodes)!;
    // count * ln(3 + 2) + (3 - 1), rounded: 2 -> 5.2189 + 2, 1 -> 3.6094, 0 -> 2.
    assert.deepEqual(raw, [5, 4, 2]);
    assert.deepEqual(normalizeSpread(raw), [40, 60, 100]);
    assert.equal(spreadRawScores(podInfo(makePod('bare')), nodes, nodes), undefined);
  });

  it('spreading counts zones over every node of the zone', () => {
    const rs = ownerRef('web');
    const cache = cacheWith(
      [
        ['a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }],
        ['a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }],
        ['b1', { labels: { 'topology.kubernetes.io/zone': 'b' } }],
      ],
      [running('w1', 'a1', { owner: rs }), running('w2', 'a1', { owner: rs })],
    );
    const nodes = cache.nodes();
    const raw = spreadRawScores(podInfo(makePod('w3', { owner: rs })), nodes, nodes)!;
    // a1: 2*ln5 + 2 + 2*ln4 + 4 = 11.99 -> 12; a2: 0 + 2 + 2*ln4 + 4 = 8.77 -> 9; b1: 2 + 4 = 6.
    assert.deepEqual(raw, [12, 9, 6]);
  });
});

describe('choosing a node', () => {
  it('spreads 6 pods of one owner 2-2-2 over 3 equal nodes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const cache = cacheWith([
        ['a', {}],
        ['b', {}],
        ['c', {}],
      ]);
      const rs = ownerRef('web');
      const pods = [1, 2, 3, 4, 5, 6].map((i) => makePod(`w${i}`, { owner: rs, cpu: '100m' }));
      assert.deepEqual([...place(cache, pods, seed).values()].sort(), [2, 2, 2], `seed ${seed}`);
    }
  });

  it('prefers the node with fewer untolerated PreferNoSchedule taints', () => {
    const cache = cacheWith([
      ['a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }],
      ['b', {}],
    ]);
    assert.equal(
      new PodScheduler(cache, () => undefined).schedule(podInfo(makePod('p'))).node,
      'b',
    );
  });

  it('prefers the node matching the heavier preferred affinity', () => {
    const cache = cacheWith([
      ['a', { labels: { zone: 'a' } }],
      ['b', { labels: { zone: 'b' } }],
    ]);
    const pod = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 1,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
              },
              {
                weight: 50,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
              },
            ],
          },
        },
      },
    });
    assert.equal(new PodScheduler(cache, () => undefined).schedule(podInfo(pod)).node, 'b');
  });

  it('prefers the least loaded node', () => {
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
      ],
      [running('x', 'a', { cpu: '2', memory: '4Gi' })],
    );
    assert.equal(
      new PodScheduler(cache, () => undefined).schedule(podInfo(makePod('p', { cpu: '100m' })))
        .node,
      'b',
    );
  });

  it('follows preferred pod affinity and anti-affinity', () => {
    const term = (app: string): PodAffinityTerm => ({
      labelSelector: { matchLabels: { app } },
      topologyKey: 'kubernetes.io/hostname',
    });
    const cache = cacheWith(
      [
        ['a', {}],
        ['b', {}],
        ['c', {}],
      ],
      [
        running('db', 'b', { labels: { app: 'db' } }),
        running('noisy', 'a', { labels: { app: 'noisy' } }),
      ],
    );
    const near = makePod('near', {
      spec: {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: term('db') },
            ],
          },
        },
      },
    });
    assert.equal(new PodScheduler(cache, () => undefined).schedule(podInfo(near)).node, 'b');
    const away = makePod('away', {
      spec: {
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: term('noisy') },
              { weight: 100, podAffinityTerm: term('db') },
            ],
          },
        },
      },
    });
    assert.equal(new PodScheduler(cache, () => undefined).schedule(podInfo(away)).node, 'c');
  });

  it('scoreNodes weights the plugins', () => {
    const cache = cacheWith([
      ['a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }],
      ['b', {}],
    ]);
    const nodes: readonly NodeState[] = cache.nodes();
    const scores = scoreNodes(podInfo(makePod('p', { cpu: '1', memory: '2Gi' })), nodes, {
      cache,
      namespaceLabels: () => undefined,
    });
    // taint: a 0, b 100 (x3); least allocated: 75 each; balanced: 100 each.
    assert.deepEqual(scores, [75 + 100, 300 + 75 + 100]);
  });
});

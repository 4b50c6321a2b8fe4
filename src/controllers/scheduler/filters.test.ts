import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorTerm, Pod, Toleration } from '../../api/types/core.ts';
import { filterNode, fitsResources, pinnedNodeNames, type FilterStatus } from './filters.ts';
import { interPodPreFilter } from './interpod.ts';
import { SchedulerCache, type NodeState } from './node-cache.ts';
import { podInfo } from './pod-info.ts';
import { makeNode, makePod, type NodeOptions } from './fixtures.ts';

/** A cache holding one node and `pods` (bound pods count against their node). */
function setup(
  nodeOpts: NodeOptions = {},
  pods: Pod[] = [],
  extraNodes: [string, NodeOptions][] = [],
): { cache: SchedulerCache; node: NodeState } {
  const cache = new SchedulerCache();
  cache.setNode(makeNode('n1', nodeOpts));
  for (const [name, o] of extraNodes) cache.setNode(makeNode(name, o));
  for (const p of pods) cache.updatePod(p);
  return { cache, node: cache.node('n1')! };
}

function run(pod: Pod, cache: SchedulerCache, node: NodeState): FilterStatus | undefined {
  const info = podInfo(pod);
  return filterNode(info, node, { interPod: interPodPreFilter(info, cache, () => undefined) });
}

function check(pod: Pod, nodeOpts: NodeOptions = {}, pods: Pod[] = []): FilterStatus | undefined {
  const { cache, node } = setup(nodeOpts, pods);
  return run(pod, cache, node);
}

const unresolvable = (reason: string): FilterStatus => ({
  code: 'UnschedulableAndUnresolvable',
  reasons: [reason],
});
const AFFINITY = "node(s) didn't match Pod's node affinity/selector";

describe('filters: node readiness', () => {
  it('admits a Ready node', () => {
    assert.equal(check(makePod('p')), undefined);
  });

  it('treats Ready=False as the not-ready taint', () => {
    assert.deepEqual(
      check(makePod('p'), { ready: 'False' }),
      unresolvable('node(s) had untolerated taint {node.kubernetes.io/not-ready: }'),
    );
  });

  it('treats Ready=Unknown as the unreachable taint', () => {
    assert.deepEqual(
      check(makePod('p'), { ready: 'Unknown' }),
      unresolvable('node(s) had untolerated taint {node.kubernetes.io/unreachable: }'),
    );
  });

  it('treats a node without a Ready condition as not ready', () => {
    assert.deepEqual(
      check(makePod('p'), { ready: 'missing' }),
      unresolvable('node(s) had untolerated taint {node.kubernetes.io/not-ready: }'),
    );
  });

  it('does not add a second taint when the lifecycle controller already tainted the node', () => {
    const { node } = setup({
      ready: 'Unknown',
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
    });
    assert.deepEqual(node.taints, [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ]);
  });

  it('admits a pod that tolerates not-ready, as Kubernetes does', () => {
    const pod = makePod('p', {
      spec: {
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' },
        ],
      },
    });
    assert.equal(check(pod, { ready: 'False' }), undefined);
  });
});

describe('filters: spec.unschedulable', () => {
  it('rejects a cordoned node', () => {
    assert.deepEqual(
      check(makePod('p'), { unschedulable: true }),
      unresolvable('node(s) were unschedulable'),
    );
  });

  it('admits a pod tolerating node.kubernetes.io/unschedulable', () => {
    const pod = makePod('p', {
      spec: {
        tolerations: [
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ],
      },
    });
    assert.equal(check(pod, { unschedulable: true }), undefined);
  });

  it('reports unschedulable before taints, as NodeUnschedulable runs first', () => {
    assert.deepEqual(
      check(makePod('p'), {
        unschedulable: true,
        taints: [{ key: 'a', value: 'b', effect: 'NoSchedule' }],
      }),
      unresolvable('node(s) were unschedulable'),
    );
  });
});

describe('filters: taints and tolerations', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
  const tol = (t: Toleration): Pod => makePod('p', { spec: { tolerations: [t] } });

  it('rejects an untolerated NoSchedule taint, naming key and value', () => {
    assert.deepEqual(
      check(makePod('p'), { taints: [taint] }),
      unresolvable('node(s) had untolerated taint {dedicated: gpu}'),
    );
  });

  it('rejects an untolerated NoExecute taint', () => {
    assert.deepEqual(
      check(makePod('p'), { taints: [{ key: 'k', effect: 'NoExecute' }] }),
      unresolvable('node(s) had untolerated taint {k: }'),
    );
  });

  it('ignores PreferNoSchedule taints', () => {
    assert.equal(
      check(makePod('p'), { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }),
      undefined,
    );
  });

  it('reports the first untolerated taint', () => {
    const taints = [
      { key: 'soft', effect: 'PreferNoSchedule' as const },
      { key: 'first', value: '1', effect: 'NoExecute' as const },
      { key: 'second', effect: 'NoSchedule' as const },
    ];
    assert.deepEqual(
      check(makePod('p'), { taints }),
      unresolvable('node(s) had untolerated taint {first: 1}'),
    );
  });

  it('Equal needs the same key and value; Exists any value; an empty effect every effect', () => {
    assert.equal(
      check(tol({ key: 'dedicated', operator: 'Equal', value: 'gpu' }), { taints: [taint] }),
      undefined,
    );
    assert.equal(
      check(tol({ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }), { taints: [taint] }),
      undefined,
    );
    assert.deepEqual(
      check(tol({ key: 'dedicated', operator: 'Equal', value: 'cpu' }), { taints: [taint] }),
      unresolvable('node(s) had untolerated taint {dedicated: gpu}'),
    );
    assert.equal(
      check(tol({ key: 'dedicated', operator: 'Exists' }), { taints: [taint] }),
      undefined,
    );
    assert.deepEqual(
      check(tol({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }), {
        taints: [taint],
      }),
      unresolvable('node(s) had untolerated taint {dedicated: gpu}'),
    );
  });

  it('an empty key with Exists tolerates everything', () => {
    const taints = [taint, { key: 'other', effect: 'NoExecute' as const }];
    assert.equal(check(tol({ operator: 'Exists' }), { taints, ready: 'Unknown' }), undefined);
  });
});

describe('filters: nodeSelector and required node affinity', () => {
  const labels = { zone: 'a', disk: 'ssd', cores: '8' };
  const affinity = (terms: NodeSelectorTerm[]): Pod =>
    makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
          },
        },
      },
    });

  it('nodeSelector needs every label equal', () => {
    assert.equal(
      check(makePod('p', { spec: { nodeSelector: { zone: 'a', disk: 'ssd' } } }), { labels }),
      undefined,
    );
    assert.deepEqual(
      check(makePod('p', { spec: { nodeSelector: { zone: 'a', disk: 'hdd' } } }), { labels }),
      unresolvable(AFFINITY),
    );
    assert.deepEqual(
      check(makePod('p', { spec: { nodeSelector: { gpu: 'yes' } } }), { labels }),
      unresolvable(AFFINITY),
    );
  });

  const cases: [string, NodeSelectorTerm, boolean][] = [
    [
      'In (match)',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
      true,
    ],
    [
      'In (no match)',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      false,
    ],
    [
      'In (label absent)',
      { matchExpressions: [{ key: 'gpu', operator: 'In', values: ['x'] }] },
      false,
    ],
    [
      'NotIn (match)',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] },
      true,
    ],
    [
      'NotIn (label absent)',
      { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['x'] }] },
      true,
    ],
    [
      'NotIn (no match)',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }, true],
    ['Exists (absent)', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, true],
    [
      'DoesNotExist (present)',
      { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
      false,
    ],
    ['Gt', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }, true],
    ['Gt (equal)', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }, false],
    ['Lt', { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['16'] }] }, true],
    [
      'Lt (not a number)',
      { matchExpressions: [{ key: 'zone', operator: 'Lt', values: ['16'] }] },
      false,
    ],
    [
      'expressions are ANDed',
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'disk', operator: 'In', values: ['hdd'] },
        ],
      },
      false,
    ],
    [
      'matchFields metadata.name In',
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
      true,
    ],
    [
      'matchFields metadata.name In (other)',
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
      false,
    ],
    [
      'matchFields metadata.name NotIn',
      { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] },
      false,
    ],
    ['an empty term matches nothing', {}, false],
  ];
  for (const [name, term, fits] of cases) {
    it(name, () => {
      assert.deepEqual(
        check(affinity([term]), { labels }),
        fits ? undefined : unresolvable(AFFINITY),
      );
    });
  }

  it('terms are ORed', () => {
    const pod = affinity([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
    ]);
    assert.equal(check(pod, { labels }), undefined);
  });

  it('nodeSelector and affinity must both hold', () => {
    const pod = affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]);
    pod.spec!.nodeSelector = { disk: 'hdd' };
    assert.deepEqual(check(pod, { labels }), unresolvable(AFFINITY));
  });

  it('pinnedNodeNames finds DaemonSet-style name pins', () => {
    const pin = (names: string[]): NodeSelectorTerm => ({
      matchFields: [{ key: 'metadata.name', operator: 'In', values: names }],
    });
    assert.deepEqual(pinnedNodeNames(podInfo(affinity([pin(['a'])]))), new Set(['a']));
    assert.deepEqual(
      pinnedNodeNames(podInfo(affinity([pin(['a']), pin(['b'])]))),
      new Set(['a', 'b']),
    );
    assert.equal(
      pinnedNodeNames(
        podInfo(affinity([pin(['a']), { matchExpressions: [{ key: 'x', operator: 'Exists' }] }])),
      ),
      undefined,
    );
    const conflicting: NodeSelectorTerm = {
      matchFields: [
        { key: 'metadata.name', operator: 'In', values: ['a'] },
        { key: 'metadata.name', operator: 'In', values: ['b'] },
      ],
    };
    assert.deepEqual(pinnedNodeNames(podInfo(affinity([conflicting]))), new Set());
    assert.equal(pinnedNodeNames(podInfo(makePod('p'))), undefined);
  });
});

describe('filters: resources', () => {
  const node = { cpu: '1', memory: '1Gi', pods: '3' };
  const bound = (name: string, cpu: string, memory: string, phase?: 'Succeeded'): Pod =>
    makePod(name, { cpu, memory, nodeName: 'n1', phase: phase ?? 'Running' });

  it('admits a pod that fits next to the bound pods', () => {
    assert.equal(
      check(makePod('p', { cpu: '500m', memory: '512Mi' }), node, [bound('a', '500m', '512Mi')]),
      undefined,
    );
  });

  it('reports each insufficient resource', () => {
    assert.deepEqual(
      check(makePod('p', { cpu: '600m', memory: '600Mi' }), node, [bound('a', '500m', '512Mi')]),
      {
        code: 'Unschedulable',
        reasons: ['Insufficient cpu', 'Insufficient memory'],
      },
    );
  });

  it('counts pods against the pod limit', () => {
    const pods = [bound('a', '10m', '1Mi'), bound('b', '10m', '1Mi'), bound('c', '10m', '1Mi')];
    assert.deepEqual(check(makePod('p', { cpu: '10m' }), node, pods), {
      code: 'Unschedulable',
      reasons: ['Too many pods'],
    });
  });

  it('does not count finished pods', () => {
    assert.equal(
      check(makePod('p', { cpu: '1' }), node, [bound('a', '1', '1Gi', 'Succeeded')]),
      undefined,
    );
  });

  it('is unresolvable when the request exceeds the whole node', () => {
    assert.deepEqual(check(makePod('p', { cpu: '2' }), node), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient cpu'],
    });
  });

  it('checks extended resources the node lacks', () => {
    const pod = makePod('p', {
      containers: [{ name: 'a', image: 'x', resources: { requests: { 'example.com/gpu': '1' } } }],
    });
    assert.deepEqual(check(pod, node), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient example.com/gpu'],
    });
    assert.equal(check(pod, { ...node, extra: { 'example.com/gpu': '1' } }), undefined);
  });

  it('uses the larger of the containers sum and the largest init container, plus overhead', () => {
    const pod = makePod('p', {
      cpu: '100m',
      spec: {
        initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '900m' } } }],
        overhead: { cpu: '200m' },
      },
    });
    const { node: n } = setup(node);
    assert.deepEqual(fitsResources(podInfo(pod), n), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient cpu'],
    });
  });
});

describe('filters: host ports', () => {
  const withPort = (
    name: string,
    hostPort: number,
    extra: { protocol?: 'UDP' | 'TCP'; hostIP?: string } = {},
    nodeName?: string,
  ): Pod =>
    makePod(name, {
      nodeName,
      phase: nodeName ? 'Running' : 'Pending',
      containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80, hostPort, ...extra }] }],
    });
  const PORTS = {
    code: 'Unschedulable',
    reasons: ["node(s) didn't have free ports for the requested pod ports"],
  };

  it('rejects a host port in use', () => {
    assert.deepEqual(check(withPort('p', 8080), {}, [withPort('a', 8080, {}, 'n1')]), PORTS);
  });

  it('admits another port, protocol or specific address', () => {
    assert.equal(check(withPort('p', 8081), {}, [withPort('a', 8080, {}, 'n1')]), undefined);
    assert.equal(
      check(withPort('p', 8080, { protocol: 'UDP' }), {}, [withPort('a', 8080, {}, 'n1')]),
      undefined,
    );
    assert.equal(
      check(withPort('p', 8080, { hostIP: '10.0.0.2' }), {}, [
        withPort('a', 8080, { hostIP: '10.0.0.1' }, 'n1'),
      ]),
      undefined,
    );
  });

  it('an address clashes with every address (0.0.0.0) either way', () => {
    assert.deepEqual(
      check(withPort('p', 8080, { hostIP: '10.0.0.2' }), {}, [withPort('a', 8080, {}, 'n1')]),
      PORTS,
    );
    assert.deepEqual(
      check(withPort('p', 8080), {}, [withPort('a', 8080, { hostIP: '10.0.0.1' }, 'n1')]),
      PORTS,
    );
  });
});

describe('filters: inter-pod affinity', () => {
  const hostnameTerm = (app: string) => ({
    labelSelector: { matchLabels: { app } },
    topologyKey: 'kubernetes.io/hostname',
  });
  const antiPod = (name: string, app: string, nodeName?: string): Pod =>
    makePod(name, {
      labels: { app },
      nodeName,
      phase: nodeName ? 'Running' : 'Pending',
      spec: {
        affinity: {
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [hostnameTerm(app)] },
        },
      },
    });
  const affinityPod = (name: string, app: string, labels: Record<string, string> = {}): Pod =>
    makePod(name, {
      labels,
      spec: {
        affinity: {
          podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [hostnameTerm(app)] },
        },
      },
    });

  it('anti-affinity rejects a node with a matching pod', () => {
    assert.deepEqual(
      check(antiPod('p', 'web'), {}, [
        makePod('a', { labels: { app: 'web' }, nodeName: 'n1', phase: 'Running' }),
      ]),
      {
        code: 'Unschedulable',
        reasons: ["node(s) didn't match pod anti-affinity rules"],
      },
    );
    assert.equal(
      check(antiPod('p', 'web'), {}, [
        makePod('a', { labels: { app: 'db' }, nodeName: 'n1', phase: 'Running' }),
      ]),
      undefined,
    );
  });

  it("existing pods' anti-affinity rejects the incoming pod", () => {
    assert.deepEqual(
      check(makePod('p', { labels: { app: 'web' } }), {}, [antiPod('a', 'web', 'n1')]),
      {
        code: 'Unschedulable',
        reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"],
      },
    );
  });

  it('anti-affinity only counts the same namespace by default', () => {
    const other = makePod('a', {
      namespace: 'other',
      labels: { app: 'web' },
      nodeName: 'n1',
      phase: 'Running',
    });
    assert.equal(check(antiPod('p', 'web'), {}, [other]), undefined);
  });

  it('affinity needs a matching pod in the same domain', () => {
    const { cache, node } = setup(
      {},
      [makePod('db', { labels: { app: 'db' }, nodeName: 'n2', phase: 'Running' })],
      [['n2', {}]],
    );
    assert.deepEqual(run(affinityPod('p', 'db'), cache, node), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match pod affinity rules"],
    });
    assert.equal(run(affinityPod('p', 'db'), cache, cache.node('n2')!), undefined);
  });

  it('the first pod of a self-affine group may go anywhere', () => {
    assert.equal(check(affinityPod('p', 'web', { app: 'web' })), undefined);
    assert.deepEqual(check(affinityPod('p', 'db')), {
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match pod affinity rules"],
    });
  });

  it('works on any node label as topology key', () => {
    const zoneAnti = makePod('p', {
      labels: { app: 'web' },
      spec: {
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' },
            ],
          },
        },
      },
    });
    const { cache, node } = setup(
      { labels: { zone: 'a' } },
      [makePod('a', { labels: { app: 'web' }, nodeName: 'n2', phase: 'Running' })],
      [
        ['n2', { labels: { zone: 'a' } }],
        ['n3', { labels: { zone: 'b' } }],
      ],
    );
    assert.deepEqual(run(zoneAnti, cache, node), {
      code: 'Unschedulable',
      reasons: ["node(s) didn't match pod anti-affinity rules"],
    });
    assert.equal(run(zoneAnti, cache, cache.node('n3')!), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet } from '../../api/types/apps.ts';
import type { Node, NodeSelectorTerm, PodSpec, Taint, Toleration } from '../../api/types/core.ts';
import {
  addOrUpdateToleration,
  daemonTolerations,
  matchesNodeSelector,
  nodeShouldRunDaemonPod,
  pinToNode,
  targetNodeName,
  withDaemonTolerations,
} from './eligibility.ts';

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } };
}

function ds(spec: Partial<PodSpec> = {}): DaemonSet {
  return {
    metadata: { name: 'd', namespace: 'default', uid: 'u1' },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: { containers: [{ name: 'c', image: 'i' }], ...spec },
      },
    },
  };
}

const run = { shouldRun: true, shouldContinueRunning: true };
const keep = { shouldRun: false, shouldContinueRunning: true };
const none = { shouldRun: false, shouldContinueRunning: false };

describe('DaemonSet node eligibility', () => {
  it('matches nodeSelector labels exactly', () => {
    const d = ds({ nodeSelector: { disk: 'ssd', zone: 'a' } });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', { disk: 'ssd', zone: 'a', x: 'y' }), d), run);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', { disk: 'ssd' }), d), none);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', { disk: 'hdd', zone: 'a' }), d), none);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n'), ds()), run);
  });

  it('matches required node affinity: terms are ORed, requirements ANDed', () => {
    const terms: NodeSelectorTerm[] = [
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'gpu', operator: 'DoesNotExist' },
        ],
      },
      { matchExpressions: [{ key: 'role', operator: 'Exists' }] },
    ];
    const d = ds({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms },
        },
      },
    });
    assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'b' }), d).shouldRun, true);
    assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'b', gpu: '1' }), d).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'c' }), d).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(node('n', { zone: 'c', role: '' }), d).shouldRun, true);
  });

  it('evaluates NotIn, Gt and Lt as Kubernetes does, and ignores unparsable terms', () => {
    const sel = (t: NodeSelectorTerm[]) => ({ nodeSelectorTerms: t });
    const n = node('n', { cores: '8', tier: 'x' });
    assert.equal(
      matchesNodeSelector(
        sel([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }]),
        n,
      ),
      true,
    );
    assert.equal(
      matchesNodeSelector(
        sel([{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['8'] }] }]),
        n,
      ),
      false,
    );
    assert.equal(
      matchesNodeSelector(
        sel([{ matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] }]),
        n,
      ),
      false,
    );
    assert.equal(
      matchesNodeSelector(
        sel([{ matchExpressions: [{ key: 'absent', operator: 'NotIn', values: ['x'] }] }]),
        n,
      ),
      true,
    );
    assert.equal(
      matchesNodeSelector(
        sel([{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] }]),
        n,
      ),
      false,
    );
    // Gt needs one integer; In needs values: such a term is skipped, the next one decides.
    assert.equal(
      matchesNodeSelector(
        sel([
          { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['a'] }] },
          { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] },
        ]),
        n,
      ),
      false,
    );
    // An empty term matches nothing.
    assert.equal(matchesNodeSelector(sel([{}]), n), false);
  });

  it('matches matchFields on metadata.name', () => {
    const sel = (operator: 'In' | 'NotIn', values: string[]) => ({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator, values }] }],
    });
    assert.equal(matchesNodeSelector(sel('In', ['n1']), node('n1')), true);
    assert.equal(matchesNodeSelector(sel('In', ['n1']), node('n2')), false);
    assert.equal(matchesNodeSelector(sel('NotIn', ['n1']), node('n2')), true);
    // Field terms take exactly one value.
    assert.equal(matchesNodeSelector(sel('In', ['n1', 'n2']), node('n1')), false);
  });

  it('honours a template nodeName', () => {
    const d = ds({ nodeName: 'n1' });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n1'), d), run);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n2'), d), none);
  });

  it('skips nodes with untolerated NoSchedule or NoExecute taints; PreferNoSchedule does not matter', () => {
    const noSchedule: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const noExecute: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoExecute' };
    const prefer: Taint = { key: 'dedicated', value: 'gpu', effect: 'PreferNoSchedule' };
    // A NoSchedule taint keeps new pods off, but an existing pod stays.
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [noSchedule]), ds()), keep);
    // NoExecute evicts.
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [noExecute]), ds()), none);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [prefer]), ds()), run);
    const tolerating = ds({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] });
    assert.deepEqual(
      nodeShouldRunDaemonPod(node('n', {}, [noSchedule, noExecute]), tolerating),
      run,
    );
    const onlyNoSchedule = ds({
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
    });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [noSchedule]), onlyNoSchedule), run);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [noExecute]), onlyNoSchedule), none);
    const wrongValue = ds({ tolerations: [{ key: 'dedicated', value: 'cpu' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [noSchedule]), wrongValue), keep);
  });

  it('tolerates the taints Kubernetes lets every DaemonSet pod through', () => {
    const taints: Taint[] = [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ];
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, taints), ds()), run);
    // network-unavailable only for host-network pods.
    const net: Taint = { key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' };
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [net]), ds()), keep);
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [net]), ds({ hostNetwork: true })), run);
    // A not-ready NoSchedule taint is not covered (only NoExecute is).
    const notReadyNoSchedule: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
    assert.deepEqual(nodeShouldRunDaemonPod(node('n', {}, [notReadyNoSchedule]), ds()), keep);
  });

  it('lists the default tolerations as Kubernetes adds them', () => {
    assert.deepEqual(daemonTolerations(false), [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(daemonTolerations(true).at(-1), {
      key: 'node.kubernetes.io/network-unavailable',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('merges the default tolerations: same identity replaced in place, others appended, input untouched', () => {
    const mine: Toleration[] = [
      { key: 'a', operator: 'Exists' },
      {
        key: 'node.kubernetes.io/not-ready',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    ];
    const spec: PodSpec = { containers: [], tolerations: mine };
    const before = structuredClone(spec);
    const out = withDaemonTolerations(spec);
    assert.deepEqual(spec, before);
    assert.deepEqual(out.tolerations, [
      { key: 'a', operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    // Applying twice changes nothing.
    assert.deepEqual(withDaemonTolerations(out).tolerations, out.tolerations);
    // A different operator is a different toleration.
    assert.equal(
      addOrUpdateToleration([{ key: 'k', operator: 'Equal', effect: 'NoSchedule' }], {
        key: 'k',
        operator: 'Exists',
        effect: 'NoSchedule',
      }).length,
      2,
    );
  });

  it('pins a pod to its node, replacing every required term and keeping the rest', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['a'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['old'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 1,
            preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' as const }] },
          },
        ],
      },
    };
    const before = structuredClone(affinity);
    const pinned = pinToNode(affinity, 'n7');
    assert.deepEqual(affinity, before);
    assert.deepEqual(pinned.nodeAffinity, {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution:
        before.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution,
    });
    assert.deepEqual(pinToNode(undefined, 'n1'), {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          ],
        },
      },
    });
    assert.equal(targetNodeName({ containers: [], affinity: pinned }), 'n7');
    assert.equal(targetNodeName({ containers: [], affinity: pinned, nodeName: 'bound' }), 'bound');
    assert.equal(targetNodeName({ containers: [] }), undefined);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types/core.ts';
import { SchedulerCache } from './node-cache.ts';
import { podInfo } from './pod-info.ts';
import { makeNode, makePod, ownerRef } from './fixtures.ts';

function totals(cache: SchedulerCache, node: string) {
  const n = cache.node(node)!;
  return {
    cpu: n.requested.milliCpu,
    memory: n.requested.memory,
    pods: n.podCount,
    spread: Object.fromEntries(n.spread),
  };
}

const bound = (name: string, node: string, extra: Parameters<typeof makePod>[1] = {}): Pod =>
  makePod(name, { cpu: '100m', memory: '1Mi', ...extra, nodeName: node, phase: 'Running' });

describe('SchedulerCache', () => {
  it('keeps per-node totals as pods come, change and go', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('a'));
    const rs = ownerRef('web');
    cache.updatePod(bound('p1', 'a', { owner: rs }));
    cache.updatePod(bound('p2', 'a', { owner: rs, cpu: '200m' }));
    assert.deepEqual(totals(cache, 'a'), {
      cpu: 300,
      memory: 2 * 2 ** 20,
      pods: 2,
      spread: { 'owner:uid-web': 2 },
    });
    // An update replaces the pod's contribution.
    cache.updatePod(bound('p2', 'a', { owner: rs, cpu: '500m' }));
    assert.equal(totals(cache, 'a').cpu, 600);
    // Finished pods free their node.
    cache.updatePod(makePod('p1', { nodeName: 'a', phase: 'Succeeded', owner: rs }));
    assert.deepEqual(totals(cache, 'a'), {
      cpu: 500,
      memory: 2 ** 20,
      pods: 1,
      spread: { 'owner:uid-web': 1 },
    });
    cache.removePod(bound('p2', 'a'));
    assert.deepEqual(totals(cache, 'a'), { cpu: 0, memory: 0, pods: 0, spread: {} });
  });

  it('does not count a terminating pod for spreading, but for resources', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('a'));
    const p = bound('p', 'a', { owner: ownerRef('web') });
    p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    cache.updatePod(p);
    assert.deepEqual(totals(cache, 'a'), { cpu: 100, memory: 2 ** 20, pods: 1, spread: {} });
  });

  it('counts an assumed pod at once, confirms it from the informer, forgets a failed one', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('a'));
    const pending = makePod('p', { cpu: '1' });
    cache.assume(podInfo(pending), 'a');
    assert.equal(totals(cache, 'a').cpu, 1000);
    // An informer update of the still-unbound pod (its status) keeps the assumption.
    cache.updatePod(makePod('p', { cpu: '1' }));
    assert.equal(cache.isAssumed('default/p'), true);
    assert.equal(totals(cache, 'a').cpu, 1000);
    // The informer reports the binding: confirmed, still counted once.
    cache.updatePod(makePod('p', { cpu: '1', nodeName: 'a', phase: 'Pending' }));
    assert.equal(cache.isAssumed('default/p'), false);
    assert.equal(totals(cache, 'a').pods, 1);
    // forget leaves confirmed pods alone.
    cache.forget('default/p');
    assert.equal(totals(cache, 'a').pods, 1);

    cache.assume(podInfo(makePod('q', { cpu: '1' })), 'a');
    cache.forget('default/q');
    assert.equal(totals(cache, 'a').cpu, 1000);
  });

  it('keeps pods bound to an unknown node on a placeholder that is not a candidate', () => {
    const cache = new SchedulerCache();
    cache.updatePod(bound('p', 'ghost'));
    assert.equal(cache.node('ghost'), undefined);
    assert.deepEqual(cache.nodes(), []);
    cache.setNode(makeNode('ghost'));
    assert.equal(totals(cache, 'ghost').pods, 1);
    assert.deepEqual(
      cache.nodes().map((n) => n.name),
      ['ghost'],
    );
    cache.removeNode('ghost');
    assert.deepEqual(cache.nodes(), []);
    cache.removePod(bound('p', 'ghost'));
    cache.setNode(makeNode('ghost'));
    assert.equal(totals(cache, 'ghost').pods, 0);
  });

  it('tracks host ports', () => {
    const cache = new SchedulerCache();
    cache.setNode(makeNode('a'));
    const withPort = makePod('p', {
      nodeName: 'a',
      phase: 'Running',
      containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }],
    });
    cache.updatePod(withPort);
    const n = cache.node('a')!;
    assert.equal(n.portInUse({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }), true);
    cache.removePod(withPort);
    assert.equal(n.portInUse({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }), false);
  });
});

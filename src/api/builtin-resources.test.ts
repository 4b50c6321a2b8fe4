import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { builtinRegistry } from './builtin-resources.ts';
import type { KubeObject } from './types/meta.ts';

const registry = builtinRegistry();

describe('builtin resources', () => {
  it('stores events.k8s.io/v1 Events as core/v1 Events and converts them back', () => {
    const t = registry.get('events.k8s.io', 'v1', 'events');
    assert.ok(t?.hooks.toStorage && t.hooks.fromStorage);
    assert.equal(t.storageVersion, 'v1');
    assert.equal(t.storagePrefix, '/registry/core/events/');
    const v1: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      regarding: { kind: 'Pod', name: 'p' },
      note: 'pulled',
      deprecatedCount: 3,
      reportingController: 'kubelet',
      reason: 'Pulled',
      type: 'Normal',
    };
    const stored = t.hooks.toStorage(v1);
    assert.deepEqual(stored, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p' },
      message: 'pulled',
      count: 3,
      reportingComponent: 'kubelet',
      reason: 'Pulled',
      type: 'Normal',
    });
    assert.deepEqual(t.hooks.fromStorage(stored), v1);
    assert.equal(t.hooks.fields?.(v1)['involvedObject.name'], 'p');
  });

  it('gives the storage version of every other resource as its own apiVersion', () => {
    assert.equal(registry.get('apps', 'v1', 'deployments')?.storageVersion, 'apps/v1');
    assert.equal(registry.get('', 'v1', 'pods')?.storageVersion, 'v1');
  });

  it('sets a new pod’s QoS class by comparing quantities, not their spelling', () => {
    const prepare = registry.get('', 'v1', 'pods')?.hooks.prepareForCreate;
    assert.ok(prepare);
    const pod = (resources: object): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i', resources }] },
    });
    const guaranteed = pod({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1000m', memory: '1024Mi' },
    });
    prepare(guaranteed);
    assert.deepEqual(guaranteed.status, { phase: 'Pending', qosClass: 'Guaranteed' });
    const burstable = pod({ requests: { cpu: '500m' }, limits: { cpu: '1', memory: '1Gi' } });
    prepare(burstable);
    assert.deepEqual(burstable.status, { phase: 'Pending', qosClass: 'Burstable' });
    const bestEffort = pod({ limits: { 'example.com/gpu': '1' } });
    prepare(bestEffort);
    assert.deepEqual(bestEffort.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });
});

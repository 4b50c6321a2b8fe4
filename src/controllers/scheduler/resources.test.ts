import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isScalarResource, nodeAllocatable, podRequests, quantityValue } from './resources.ts';
import { makeNode } from './fixtures.ts';
import type { PodSpec } from '../../api/types/core.ts';

const c = (name: string, requests: Record<string, string>, restartPolicy?: string) => ({
  name,
  image: 'x',
  resources: { requests },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe('quantityValue', () => {
  it('reads cpu in millicores and other resources in whole units rounded up', () => {
    assert.equal(quantityValue('cpu', '100m'), 100);
    assert.equal(quantityValue('cpu', '1.5'), 1500);
    assert.equal(quantityValue('memory', '128Mi'), 134217728);
    assert.equal(quantityValue('memory', '1.5k'), 1500);
    assert.equal(quantityValue('memory', '100m'), 1);
    assert.equal(quantityValue('pods', '110'), 110);
    assert.equal(quantityValue('memory', 'garbage'), 0);
    assert.equal(quantityValue('memory', undefined), 0);
  });
});

describe('isScalarResource', () => {
  it('covers extended, prefixed and hugepages resources, not the native ones', () => {
    assert.equal(isScalarResource('nvidia.com/gpu'), true);
    assert.equal(isScalarResource('hugepages-2Mi'), true);
    assert.equal(isScalarResource('cpu'), false);
    assert.equal(isScalarResource('requests.nvidia.com/gpu'), false);
  });
});

describe('podRequests', () => {
  it('sums containers', () => {
    const spec: PodSpec = {
      containers: [c('a', { cpu: '100m', memory: '64Mi' }), c('b', { cpu: '250m' })],
    };
    assert.deepEqual(podRequests(spec), {
      milliCpu: 350,
      memory: 64 * 2 ** 20,
      ephemeralStorage: 0,
    });
  });

  it('takes the largest init container when it is more than the sum', () => {
    const spec: PodSpec = {
      containers: [c('a', { cpu: '100m', memory: '64Mi' })],
      initContainers: [c('i1', { cpu: '1' }), c('i2', { memory: '32Mi' })],
    };
    assert.deepEqual(podRequests(spec), {
      milliCpu: 1000,
      memory: 64 * 2 ** 20,
      ephemeralStorage: 0,
    });
  });

  it('adds sidecars to the sum and to the init containers started after them', () => {
    const spec: PodSpec = {
      containers: [c('a', { cpu: '100m' })],
      initContainers: [c('side', { cpu: '200m' }, 'Always'), c('init', { cpu: '500m' })],
    };
    // main: 100 + 200 = 300; init runs beside the sidecar: 500 + 200 = 700.
    assert.equal(podRequests(spec).milliCpu, 700);
  });

  it('adds overhead and extended resources', () => {
    const spec: PodSpec = {
      containers: [c('a', { cpu: '100m', 'example.com/gpu': '2' })],
      overhead: { cpu: '50m' },
    };
    assert.deepEqual(podRequests(spec), {
      milliCpu: 150,
      memory: 0,
      ephemeralStorage: 0,
      scalar: { 'example.com/gpu': 2 },
    });
  });

  it('gives containers without requests 100m and 200Mi when asked for non-zero requests', () => {
    const spec: PodSpec = { containers: [{ name: 'a', image: 'x' }, c('b', { cpu: '1' })] };
    assert.deepEqual(podRequests(spec, true), {
      milliCpu: 1100,
      memory: 400 * 2 ** 20,
      ephemeralStorage: 0,
    });
    assert.deepEqual(podRequests(spec), { milliCpu: 1000, memory: 0, ephemeralStorage: 0 });
  });
});

describe('nodeAllocatable', () => {
  it('reads status.allocatable', () => {
    assert.deepEqual(nodeAllocatable(makeNode('n', { cpu: '4', memory: '8Gi', pods: '110' })), {
      milliCpu: 4000,
      memory: 8 * 2 ** 30,
      ephemeralStorage: 0,
      pods: 110,
    });
  });
});

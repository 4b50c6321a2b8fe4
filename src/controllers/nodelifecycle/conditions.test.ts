import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../../api/types/core.ts';
import { clone } from '../../util/objects.ts';
import { markNodeStatusUnknown, readyStatus } from './conditions.ts';

const node = (conditions?: NonNullable<Node['status']>['conditions']): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: conditions ? { conditions } : {},
});

describe('markNodeStatusUnknown', () => {
  it('turns reported conditions Unknown, keeping their heartbeat, and leaves NetworkUnavailable alone', () => {
    const input = node([
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'ok',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
        lastTransitionTime: '2026-01-01T00:00:10Z',
      },
      {
        type: 'MemoryPressure',
        status: 'False',
        reason: 'KubeletHasSufficientMemory',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
        lastTransitionTime: '2026-01-01T00:00:10Z',
      },
      {
        type: 'DiskPressure',
        status: 'Unknown',
        reason: 'Custom',
        message: 'kept',
        lastHeartbeatTime: '2026-01-01T00:00:30Z',
        lastTransitionTime: '2026-01-01T00:00:30Z',
      },
      {
        type: 'NetworkUnavailable',
        status: 'False',
        reason: 'RouteCreated',
        lastTransitionTime: '2026-01-01T00:00:05Z',
      },
    ]);
    const before = clone(input);
    const out = markNodeStatusUnknown(input, '2026-01-01T00:02:00Z')!;
    assert.deepEqual(input, before, 'input not mutated');
    assert.deepEqual(out.status?.conditions, [
      {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
        lastTransitionTime: '2026-01-01T00:02:00Z',
      },
      {
        type: 'MemoryPressure',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: '2026-01-01T00:01:00Z',
        lastTransitionTime: '2026-01-01T00:02:00Z',
      },
      {
        type: 'DiskPressure',
        status: 'Unknown',
        reason: 'Custom',
        message: 'kept',
        lastHeartbeatTime: '2026-01-01T00:00:30Z',
        lastTransitionTime: '2026-01-01T00:00:30Z',
      },
      {
        type: 'NetworkUnavailable',
        status: 'False',
        reason: 'RouteCreated',
        lastTransitionTime: '2026-01-01T00:00:05Z',
      },
      {
        type: 'PIDPressure',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:02:00Z',
      },
    ]);
    assert.equal(readyStatus(out), 'Unknown');
  });

  it('is stable: a node already all Unknown needs no write', () => {
    const once = markNodeStatusUnknown(node(), '2026-01-01T00:02:00Z')!;
    assert.equal(once.status?.conditions?.length, 4);
    assert.equal(markNodeStatusUnknown(once, '2026-01-01T00:03:00Z'), undefined);
    assert.equal(readyStatus(node()), undefined);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WireContainerStatus } from './api.ts';
import { containerStatusFromWire } from './index.ts';

const wire: WireContainerStatus = {
  id: 'c1',
  metadata: { name: 'main', attempt: 2 },
  state: 'CONTAINER_EXITED',
  createdAt: 1_700_000_000_000_000_000,
  startedAt: 1_700_000_000_500_000_000,
  finishedAt: 1_700_000_000_499_900_000,
  exitCode: 0,
  image: { image: 'verge.local/busybox:1' },
  imageRef: 'sha256:abc',
  reason: 'Completed',
  message: '',
  labels: { a: 'b' },
  annotations: {},
  logPath: '/var/log/pods/x/main/2.log',
};

test('container status: ns become ms, states map, an instant exit never finishes before it started', () => {
  const status = containerStatusFromWire(wire, 'sb1');
  assert.equal(status.state, 'exited');
  assert.equal(status.podSandboxId, 'sb1');
  assert.deepEqual(status.metadata, { name: 'main', attempt: 2 });
  assert.equal(status.createdAt, 1_700_000_000_000);
  assert.equal(status.startedAt, 1_700_000_000_500);
  // containerd's finishedAt (the shim's exit time) was 0.1 ms before its startedAt.
  assert.equal(status.finishedAt, status.startedAt);
  const running = containerStatusFromWire(
    { ...wire, state: 'CONTAINER_RUNNING', finishedAt: 0 },
    'sb1',
  );
  assert.equal(running.state, 'running');
  assert.equal(running.finishedAt, 0);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { NodeCondition } from '../api/types/core.ts';
import { readNodeStatus, type NodeProbe, type NodeStatusOptions } from './node-status.ts';

const dir = mkdtempSync(join(tmpdir(), 'verge-node-status-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/** A machine with plenty of everything, unless told otherwise. */
function probe(over: Partial<NodeProbe> = {}): NodeProbe {
  return {
    availableMemory: () => 4 * Gi,
    disk: () => ({ total: 100 * Gi, available: 50 * Gi }),
    pids: () => ({ used: 500, max: 4_194_304 }),
    ...over,
  };
}

function conditions(
  options: Partial<NodeStatusOptions>,
  previous: NodeCondition[] = [],
  now?: Date,
) {
  const status = readNodeStatus({ dataDir: dir, probe: probe(), ...options }, previous, now);
  return new Map((status.conditions ?? []).map((c) => [c.type, c]));
}

function summary(options: Partial<NodeStatusOptions>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [type, c] of conditions(options)) out[type] = `${c.status} ${c.reason}`;
  return out;
}

describe('readNodeStatus conditions', () => {
  it('reports a healthy machine as the kubelet does', () => {
    assert.deepEqual(summary({}), {
      MemoryPressure: 'False KubeletHasSufficientMemory',
      DiskPressure: 'False KubeletHasNoDiskPressure',
      PIDPressure: 'False KubeletHasSufficientPID',
      Ready: 'True KubeletReady',
    });
    const ready = conditions({}).get('Ready')!;
    assert.equal(ready.message, 'kubelet is posting ready status');
  });

  it('MemoryPressure below 100Mi available by default, or the given threshold', () => {
    const at = (bytes: number, threshold?: number): string =>
      conditions({
        probe: probe({ availableMemory: () => bytes }),
        memoryPressureBytes: threshold,
      }).get('MemoryPressure')!.status;
    assert.equal(at(100 * Mi), 'False');
    assert.equal(at(100 * Mi - 1), 'True');
    assert.equal(at(300 * Mi, 500 * Mi), 'True');
    const c = conditions({ probe: probe({ availableMemory: () => 50 * Mi }) }).get(
      'MemoryPressure',
    )!;
    assert.equal(c.reason, 'KubeletHasInsufficientMemory');
    assert.equal(
      c.message,
      'kubelet has insufficient memory available: 50Mi available, below 100Mi',
    );
  });

  it('DiskPressure below 10% or below 1Gi available on the data filesystem', () => {
    const at = (total: number, available: number, extra: Partial<NodeStatusOptions> = {}): string =>
      conditions({ probe: probe({ disk: () => ({ total, available }) }), ...extra }).get(
        'DiskPressure',
      )!.status;
    assert.equal(at(100 * Gi, 10 * Gi), 'False');
    assert.equal(at(100 * Gi, 10 * Gi - 1), 'True'); // under 10%
    assert.equal(at(4 * Gi, 1 * Gi), 'False');
    assert.equal(at(4 * Gi, 1 * Gi - 1), 'True'); // 25% free, but under 1Gi
    assert.equal(at(100 * Gi, 20 * Gi, { diskPressureRatio: 0.25 }), 'True');
    assert.equal(
      at(4 * Gi, 512 * Mi, { diskPressureBytes: 256 * Mi, diskPressureRatio: 0.1 }),
      'False',
    );
    // No reading (no data dir yet): no pressure claimed.
    assert.equal(
      conditions({ probe: probe({ disk: () => undefined }) }).get('DiskPressure')!.status,
      'False',
    );
    const c = conditions({
      probe: probe({ disk: () => ({ total: 10 * Gi, available: 512 * Mi }) }),
    }).get('DiskPressure')!;
    assert.equal(c.reason, 'KubeletHasDiskPressure');
    assert.match(c.message!, /^kubelet has disk pressure: 512Mi of 10240Mi available/);
  });

  it('PIDPressure above 90% of pid_max by default', () => {
    const at = (used: number, extra: Partial<NodeStatusOptions> = {}): NodeCondition =>
      conditions({ probe: probe({ pids: () => ({ used, max: 1000 }) }), ...extra }).get(
        'PIDPressure',
      )!;
    assert.equal(at(900).status, 'False');
    assert.equal(at(901).status, 'True');
    assert.equal(at(901).reason, 'KubeletHasInsufficientPID');
    assert.equal(at(600, { pidPressureRatio: 0.5 }).status, 'True');
    assert.equal(
      conditions({ probe: probe({ pids: () => undefined }) }).get('PIDPressure')!.status,
      'False',
    );
  });

  it('Ready is False with the reason while the runtime is not ready', () => {
    const ready = conditions({
      runtimeReady: { ok: false, message: 'containerd: connection refused' },
    }).get('Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'KubeletNotReady');
    assert.equal(ready.message, 'container runtime not ready: containerd: connection refused');
    assert.equal(conditions({ runtimeReady: { ok: true } }).get('Ready')!.status, 'True');
  });

  it('keeps lastTransitionTime while a status holds, moves it when it changes', () => {
    const t0 = new Date('2025-01-01T00:00:00Z');
    const t1 = new Date('2025-01-01T00:01:00Z');
    const t2 = new Date('2025-01-01T00:02:00Z');
    const first = [...conditions({}, [], t0).values()];
    const second = conditions({}, first, t1);
    for (const c of second.values()) {
      assert.equal(c.lastTransitionTime, '2025-01-01T00:00:00Z', c.type);
      assert.equal(c.lastHeartbeatTime, '2025-01-01T00:01:00Z', c.type);
    }
    const third = conditions(
      { probe: probe({ availableMemory: () => Mi }) },
      [...second.values()],
      t2,
    );
    assert.equal(third.get('MemoryPressure')!.status, 'True');
    assert.equal(third.get('MemoryPressure')!.lastTransitionTime, '2025-01-01T00:02:00Z');
    assert.equal(third.get('DiskPressure')!.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(third.get('Ready')!.lastTransitionTime, '2025-01-01T00:00:00Z');
  });

  it('reports the runtime version and reads the real machine by default', () => {
    const status = readNodeStatus({ dataDir: dir, runtimeVersion: 'process://0.1.0' });
    assert.equal(status.nodeInfo?.containerRuntimeVersion, 'process://0.1.0');
    assert.match(status.capacity?.['ephemeral-storage'] ?? '', /^\d+Ki$/);
    assert.equal(status.conditions?.length, 4);
    assert.equal(readNodeStatus({ dataDir: dir }).nodeInfo?.containerRuntimeVersion, 'none://');
  });
});

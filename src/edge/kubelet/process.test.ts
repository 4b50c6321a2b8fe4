/**
 * End to end with the `process` runtime: real host processes (`sh -c`), real
 * clock, the pod manager driving them from a local store.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Pod, PodStatus } from '../../api/types/core.ts';
import { silentLogger } from '../../util/log.ts';
import { LocalStore, openEdgeDatabase } from '../local-store.ts';
import { ProcessRuntime } from '../runtime/process/index.ts';
import { Kubelet } from './kubelet.ts';

const root = mkdtempSync(join(tmpdir(), 'verge-kubelet-process-'));
after(() => rmSync(root, { recursive: true, force: true }));
const log = silentLogger();

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out after ${ms} ms waiting for: ${what}`);
}

function pod(name: string, script: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1' },
    spec: {
      nodeName: 'n1',
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'main',
          image: 'sh',
          command: ['sh', '-c', script],
          env: [
            { name: 'GREETING', value: 'hello from $(POD)' },
            { name: 'POD', value: name },
          ],
        },
      ],
      ...extra,
    },
  };
}

describe('Kubelet with the process runtime', () => {
  it('runs, reports, restarts per policy and deletes real processes', async () => {
    const edb = openEdgeDatabase(join(root, 'edge.db'));
    const store = new LocalStore(edb, { log });
    const runtime = new ProcessRuntime({
      stateDir: join(root, 'runtime'),
      log,
      hostIP: '127.0.0.1',
    });
    const statuses = new Map<string, PodStatus>();
    const deleted: string[] = [];
    const abort = new AbortController();
    const kubelet = new Kubelet({
      nodeName: 'n1',
      store,
      runtime,
      rootDir: join(root, 'kubelet'),
      hostIP: () => '127.0.0.1',
      updateStatus: (p, s) => statuses.set(p.metadata.name!, s),
      deletePod: (p) => deleted.push(p.metadata.name!),
      recordEvent: () => {},
      log,
      pollIntervalMs: 100,
      resyncIntervalMs: 1000,
    });
    try {
      const web = pod('web', 'echo "$GREETING"; exec sleep 30', {
        containers: [
          {
            name: 'main',
            image: 'sh',
            command: ['sh', '-c', 'echo "$POD says $GREETING"; exec sleep 30'],
            env: [
              { name: 'POD', value: 'web' },
              { name: 'GREETING', value: 'hello from $(POD)' },
            ],
            readinessProbe: { exec: { command: ['sh', '-c', 'exit 0'] }, periodSeconds: 1 },
          },
        ],
      });
      const job = pod('job', 'echo working; exit 3', { restartPolicy: 'Never' });
      job.spec!.containers[0].terminationMessagePolicy = 'FallbackToLogsOnError';
      const crash = pod('crash', 'exit 1', { restartPolicy: 'OnFailure' });
      const missing = pod('missing', '', {
        containers: [{ name: 'main', image: 'x', command: ['/no/such/program'] }],
      });
      store.apply([
        { type: 'put', kind: 'Pod', object: web },
        { type: 'put', kind: 'Pod', object: job },
        { type: 'put', kind: 'Pod', object: crash },
        { type: 'put', kind: 'Pod', object: missing },
      ]);
      await kubelet.start(abort.signal);
      await until(() => statuses.get('job')?.phase === 'Failed', 'job Failed');
      const jt = statuses.get('job')!.containerStatuses![0].state!.terminated!;
      assert.equal(jt.exitCode, 3);
      assert.equal(jt.message, 'working\n', 'FallbackToLogsOnError: the log tail');
      assert.match(jt.containerID!, /^process:\/\//);

      await until(
        () =>
          statuses.get('crash')?.containerStatuses?.[0].state?.waiting?.reason ===
          'CrashLoopBackOff',
        'crash in CrashLoopBackOff',
      );
      const cc = statuses.get('crash')!.containerStatuses![0];
      assert.equal(cc.restartCount, 1);
      assert.equal(cc.lastState?.terminated?.exitCode, 1);
      await until(
        () =>
          statuses.get('missing')?.containerStatuses?.[0].lastState?.terminated?.reason ===
          'StartError',
        'missing program: StartError',
      );
      assert.equal(
        statuses.get('missing')!.containerStatuses![0].lastState!.terminated!.exitCode,
        128,
      );
      await until(
        () => statuses.get('web')?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
        'web Ready',
      );
      const ws = statuses.get('web')!;
      assert.equal(ws.phase, 'Running');
      assert.equal(ws.podIP, '127.0.0.1');
      const ref = await kubelet.findContainer('default', 'web', undefined, {});
      assert.equal(ref.running, true);
      await until(
        () =>
          existsSync(ref.logPath) &&
          readFileSync(ref.logPath, 'utf8').includes('web says hello from web'),
        'the log has the expanded greeting',
      );

      const deleting = structuredClone(web);
      deleting.metadata.resourceVersion = '2';
      deleting.metadata.deletionTimestamp = new Date().toISOString();
      deleting.metadata.deletionGracePeriodSeconds = 2;
      store.apply([{ type: 'put', kind: 'Pod', object: deleting }]);
      await until(() => deleted.includes('web'), 'deletePod(web)');
      const left = await runtime.listContainers({ state: 'running' });
      assert.deepEqual(left, []);
      assert.equal(
        statuses.get('web')!.containerStatuses![0].state?.terminated !== undefined,
        true,
      );
    } finally {
      abort.abort();
      await kubelet.stop();
      // Do not leave processes behind.
      for (const sb of await runtime.listPodSandboxes()) await runtime.removePodSandbox(sb.id);
      await runtime.close();
      edb.close();
    }
  });
});

/**
 * Pod manager benchmark (src/edge/kubelet): the kubelet's own cost, over the
 * in-memory fake runtime (so the runtime costs next to nothing) and a real
 * edge SQLite store. Prints one JSON object per measurement on stdout.
 *
 *   node bench/kubelet.ts [--pods N]   (default 110, the kubelet's max-pods)
 *
 * 1. start: first full sync of N pods x 2 containers (sandboxes, containers,
 *    statuses) on a fake clock.
 * 2. resync: one resync period (10 s of fake time, with its 10 polls) of the
 *    running pods, which must change nothing: wall time is the CPU the agent
 *    spends every 10 s on a steady node.
 * 3. adopt: a second Kubelet over the same runtime state (agent restart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRuntime } from '../src/edge/kubelet/fake-runtime.fixture.ts';
import { Kubelet } from '../src/edge/kubelet/kubelet.ts';
import { LocalStore, openEdgeDatabase } from '../src/edge/local-store.ts';
import { FakeClock } from '../src/util/clock.ts';
import { silentLogger } from '../src/util/log.ts';
import { machine, report } from './report.ts';

const at = process.argv.indexOf('--pods');
const pods = at > 0 ? Number(process.argv[at + 1]) : 110;
const dir = mkdtempSync(join(tmpdir(), 'verge-bench-kubelet-'));
const log = silentLogger();
try {
  const edb = openEdgeDatabase(join(dir, 'edge.db'));
  const store = new LocalStore(edb, { log });
  const clock = new FakeClock();
  const runtime = new FakeRuntime(clock);
  runtime.images.add('busybox:1');
  store.apply(
    Array.from({ length: pods }, (_, i) => ({
      type: 'put' as const,
      kind: 'Pod',
      object: {
        metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}`, resourceVersion: '1' },
        spec: {
          nodeName: 'n1',
          containers: [
            { name: 'a', image: 'busybox:1', command: ['a'] },
            { name: 'b', image: 'busybox:1', command: ['b'] },
          ],
        },
      },
    })),
  );
  let updates = 0;
  const kubelet = (): Kubelet =>
    new Kubelet({
      nodeName: 'n1',
      store,
      runtime,
      rootDir: join(dir, 'kubelet'),
      hostIP: () => '192.0.2.1',
      updateStatus: () => void updates++,
      deletePod: () => {},
      recordEvent: () => {},
      log,
      clock,
    });
  const abort = new AbortController();
  const first = kubelet();
  let t = performance.now();
  await first.start(abort.signal);
  report({
    bench: 'kubelet.start',
    pods,
    ms: performance.now() - t,
    statusUpdates: updates,
    machine: machine(),
  });
  const before = updates;
  t = performance.now();
  await clock.advance(10_000);
  report({
    bench: 'kubelet.resync',
    pods,
    ms: performance.now() - t,
    statusUpdates: updates - before,
  });
  await first.stop();
  const second = kubelet();
  const created = runtime.containers.size;
  t = performance.now();
  await second.start(abort.signal);
  report({
    bench: 'kubelet.adopt',
    pods,
    ms: performance.now() - t,
    newContainers: runtime.containers.size - created,
  });
  abort.abort();
  await second.stop();
  edb.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Scheduler benchmark: the scheduler controller against an in-process API (the
 * real REST layer, admission and validation; no sockets), once over the memory
 * store and once over the SQLite store (a temporary file, default settings:
 * WAL, synchronous=FULL), each in a fresh process (cold JIT and heap, as at
 * server start). One JSON line per figure on stdout.
 *
 *   node bench/scheduler.ts [--nodes 1000] [--pods 10000] [--store memory|sqlite|both] [--quick]
 *
 * Setup, not timed: N Ready nodes (4 cpu, 8Gi, 110 pods) and M pending pods
 * (100m cpu, 128Mi), all created before the scheduler starts.
 * Timed: from starting the controller manager until the informer has seen
 * every pod bound. `sync_ms` is the informers' initial list of nodes and pods;
 * `schedule_ms` is from synced to the last binding seen; `per_s` is pods bound
 * per second of `schedule_ms`; `decide_us` is the mean time of one decision
 * (filter and score, no I/O). The scheduler also writes one `Scheduled` event
 * per pod in the background, as Kubernetes does; those writes share the CPU
 * and the store with the bindings.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GVR } from '../src/api/client.ts';
import type { Pod } from '../src/api/types/core.ts';
import { ControllerManager } from '../src/controllers/manager.ts';
import {
  createSchedulerController,
  type SchedulerController,
} from '../src/controllers/scheduler.ts';
import { makeNode, makePod } from '../src/controllers/scheduler/fixtures.ts';
import { silentLogger } from '../src/util/log.ts';
import { machine, report } from './report.ts';
import { memoryApi, sqliteApi } from './lib/inprocess-api.ts';
import { inParallel } from './lib/parallel.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const NODES = Number(arg('--nodes', quick ? '100' : '1000'));
const PODS = Number(arg('--pods', quick ? '1000' : '10000'));
const STORES = arg('--store', 'both') === 'both' ? ['memory', 'sqlite'] : [arg('--store', '')];

async function run(storeName: string): Promise<void> {
  const api = storeName === 'sqlite' ? await sqliteApi() : await memoryApi();
  try {
    const t0 = performance.now();
    await inParallel(NODES, 32, (i) =>
      api.client.create(GVR.nodes, undefined, makeNode(`node-${String(i).padStart(5, '0')}`)),
    );
    await inParallel(PODS, 64, (i) =>
      api.client.create(GVR.pods, 'default', makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi' })),
    );
    console.error(
      `${storeName}: created ${NODES} nodes and ${PODS} pods in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const manager = new ControllerManager({ client: api.client, log: silentLogger() });
    const pods = manager.informer<Pod>(GVR.pods);
    let bound = 0;
    let lastBound = 0;
    let resolveAll!: () => void;
    const allBound = new Promise<void>((r) => (resolveAll = r));
    const count = (p: Pod): void => {
      if (!p.spec?.nodeName) return;
      bound++;
      lastBound = performance.now();
      if (bound === PODS) resolveAll();
    };
    pods.on({
      add: count,
      update: (o, n) => {
        if (!o.spec?.nodeName) count(n);
      },
    });
    const scheduler = manager.add(createSchedulerController()) as SchedulerController;
    const abort = new AbortController();
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const running = manager.run(abort.signal);
    await manager.synced();
    const synced = performance.now();
    await allBound;
    const end = lastBound;
    abort.abort();
    await running;

    const scheduleMs = end - synced;
    report({
      bench: `scheduler.${storeName}`,
      nodes: NODES,
      pods: PODS,
      per_s: PODS / (scheduleMs / 1000),
      sync_ms: synced - start,
      schedule_ms: scheduleMs,
      total_ms: end - start,
      decide_us: (scheduler.stats.decideMs * 1000) / scheduler.stats.attempts,
      rss_growth_mb: (process.memoryUsage().rss - rssBefore) / 2 ** 20,
      unit: 'pods bound/s',
    });
  } finally {
    await api.close();
  }
}

if (STORES.length === 1) {
  if (!process.env.VERGE_BENCH_CHILD) console.error(`machine: ${machine()}`);
  await run(STORES[0]);
} else {
  // Each store in a fresh process, so neither run inherits the other's warm JIT and heap.
  console.error(`machine: ${machine()}`);
  for (const s of STORES) {
    const rest = args.filter((a, i) => a !== '--store' && args[i - 1] !== '--store');
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--store', s, ...rest],
      { stdio: 'inherit', env: { ...process.env, VERGE_BENCH_CHILD: '1' } },
    );
    if (child.status !== 0) process.exitCode = child.status ?? 1;
  }
}

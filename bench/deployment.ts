/**
 * Deployment benchmark: how long a Deployment of R replicas takes to be fully
 * bound, with every controller `verge server` runs (deployment, replicaset,
 * scheduler, garbage collector, ...) against an in-process API over the SQLite
 * store (default settings), N Ready nodes created beforehand.
 *
 *   node bench/deployment.ts [--nodes 1000] [--replicas 1000] [--quick]
 *
 * Timed: from the Deployment's create call to the last pod seen bound by an
 * informer; also when the last pod was created (the ReplicaSet controller's
 * part, done in slow-start batches as Kubernetes does).
 */
import { GVR } from '../src/api/client.ts';
import type { Pod } from '../src/api/types/core.ts';
import { defaultControllers } from '../src/controllers/index.ts';
import { ControllerManager } from '../src/controllers/manager.ts';
import { makeNode } from '../src/controllers/scheduler/fixtures.ts';
import { silentLogger } from '../src/util/log.ts';
import { sqliteApi } from './lib/inprocess-api.ts';
import { inParallel } from './lib/parallel.ts';
import { machine, report } from './report.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const NODES = Number(arg('--nodes', quick ? '100' : '1000'));
const REPLICAS = Number(arg('--replicas', quick ? '200' : '1000'));

console.error(`machine: ${machine()}`);
const api = await sqliteApi();
try {
  await inParallel(NODES, 32, (i) =>
    api.client.create(GVR.nodes, undefined, makeNode(`node-${String(i).padStart(5, '0')}`)),
  );
  const manager = new ControllerManager({ client: api.client, log: silentLogger() });
  for (const f of defaultControllers()) manager.add(f);
  const pods = manager.informer<Pod>(GVR.pods);
  let created = 0;
  let bound = 0;
  let lastCreated = 0;
  let resolveAll!: () => void;
  const allBound = new Promise<void>((r) => (resolveAll = r));
  const seen = (p: Pod): void => {
    if (p.spec?.nodeName) {
      bound++;
      if (bound === REPLICAS) resolveAll();
    }
  };
  pods.on({
    add: (p) => {
      created++;
      lastCreated = performance.now();
      seen(p);
    },
    update: (o, n) => {
      if (!o.spec?.nodeName) seen(n);
    },
  });
  const abort = new AbortController();
  const running = manager.run(abort.signal);
  await manager.synced();
  const start = performance.now();
  await api.client.create(GVR.deployments, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx',
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  });
  await allBound;
  const end = performance.now();
  abort.abort();
  await running;
  report({
    bench: 'deployment.bound',
    nodes: NODES,
    replicas: REPLICAS,
    created: created,
    all_created_ms: lastCreated - start,
    all_bound_ms: end - start,
    per_s: REPLICAS / ((end - start) / 1000),
    unit: 'ms from create to every pod bound',
  });
} finally {
  await api.close();
}

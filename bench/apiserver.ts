/**
 * API server benchmark against a real `verge server` process over HTTPS with
 * keep-alive connections (one JSON line per figure on stdout).
 *
 *   node bench/apiserver.ts [--pods 10000] [--quick] [--controllers]
 *
 * 1. Idle RSS of the server with an empty store.
 * 2. Pod creates/s with 32 requests in flight, and the latency of each create.
 * 3. With the pods stored: get latency, list latency (all pods, and pages of 500),
 *    single-object update latency one at a time.
 * 4. Watch fan-out: 100 watchers on pods; latency from an update call to each
 *    watcher receiving the event.
 */
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { adminCredentials, removeDir, startServer } from '../test/helpers/cluster.ts';
import { adminApi } from './lib/admin-api.ts';
import { inParallel } from './lib/parallel.ts';
import { machine, percentile, report } from './report.ts';

const quick = process.argv.includes('--quick');
const podsArg = process.argv.indexOf('--pods');
const PODS = podsArg > 0 ? Number(process.argv[podsArg + 1]) : quick ? 1000 : 10_000;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const pod = (i: number): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'registry.local/app:1.0',
        command: ['/bin/app', '--port=8080'],
        env: [{ name: 'MODE', value: 'bench' }],
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
      },
    ],
  },
});

async function main(): Promise<void> {
  console.error(`machine: ${machine()}`);
  // The API server alone: with the controllers on, the scheduler would be busy
  // marking 10,000 node-less pods unschedulable while the requests are timed.
  const controllers = process.argv.includes('--controllers');
  const server = await startServer({
    args: controllers ? [] : ['--disable-controllers'],
    env: { VERGE_LOG_LEVEL: 'error' },
  });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    report({ bench: 'apiserver.idle_rss', mb: rssMb(server.child.pid!), unit: 'MB' });

    const api = adminApi(server.kubeconfig, 32);
    const { call } = api;
    const base = '/api/v1/namespaces/default/pods';

    // Creates, 32 in flight.
    const createMs: number[] = [];
    const t0 = performance.now();
    await inParallel(PODS, 32, async (i) => {
      const s = performance.now();
      const r = await call('POST', base, pod(i));
      createMs.push(performance.now() - s);
      if (r.code !== 201) throw new Error(`create ${i}: ${r.code} ${r.body}`);
    });
    const createSecs = (performance.now() - t0) / 1000;
    report({
      bench: 'apiserver.pod_create',
      pods: PODS,
      in_flight: 32,
      per_s: PODS / createSecs,
      ms_p50: percentile(createMs, 50),
      ms_p99: percentile(createMs, 99),
      unit: 'creates/s',
    });
    report({
      bench: 'apiserver.rss_with_pods',
      pods: PODS,
      mb: rssMb(server.child.pid!),
      unit: 'MB',
    });

    // Gets, one at a time.
    const getMs: number[] = [];
    for (let i = 0; i < (quick ? 300 : 2000); i++) {
      const s = performance.now();
      const r = await call('GET', `${base}/bench-${(i * 7919) % PODS}`);
      getMs.push(performance.now() - s);
      if (r.code !== 200) throw new Error(`get: ${r.code}`);
    }
    report({
      bench: 'apiserver.pod_get',
      ms_p50: percentile(getMs, 50),
      ms_p99: percentile(getMs, 99),
      unit: 'ms',
    });

    // Lists.
    const listMs: number[] = [];
    const pagedMs: number[] = [];
    for (let i = 0; i < (quick ? 3 : 10); i++) {
      let s = performance.now();
      const all = await call('GET', base);
      listMs.push(performance.now() - s);
      if (all.code !== 200) throw new Error(`list: ${all.code}`);
      s = performance.now();
      let cont = '';
      let pages = 0;
      do {
        const page = await call(
          'GET',
          `${base}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        );
        cont =
          (JSON.parse(page.body) as { metadata: { continue?: string } }).metadata.continue ?? '';
        pages++;
      } while (cont);
      pagedMs.push(performance.now() - s);
      if (pages < PODS / 500) throw new Error(`only ${pages} pages`);
    }
    report({
      bench: 'apiserver.pod_list_all',
      pods: PODS,
      ms_p50: percentile(listMs, 50),
      ms_p99: percentile(listMs, 99),
      unit: 'ms',
    });
    report({
      bench: 'apiserver.pod_list_paged500',
      pods: PODS,
      ms_p50: percentile(pagedMs, 50),
      ms_p99: percentile(pagedMs, 99),
      unit: 'ms',
    });

    // Single-object mutating calls, one at a time (merge patch of a label).
    const patchMs: number[] = [];
    for (let i = 0; i < (quick ? 300 : 2000); i++) {
      const s = performance.now();
      const r = await call(
        'PATCH',
        `${base}/bench-${i % PODS}`,
        { metadata: { labels: { touched: String(i) } } },
        'application/merge-patch+json',
      );
      patchMs.push(performance.now() - s);
      if (r.code !== 200) throw new Error(`patch: ${r.code} ${r.body}`);
    }
    report({
      bench: 'apiserver.pod_patch_sequential',
      ms_p50: percentile(patchMs, 50),
      ms_p99: percentile(patchMs, 99),
      unit: 'ms',
    });

    // Watch fan-out.
    const watchers = 100;
    const updates = quick ? 50 : 200;
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const creds = adminCredentials(server.kubeconfig);
    const url = new URL(creds.server);
    const watchAgent = new Agent({
      keepAlive: false,
      maxSockets: watchers + 5,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
    });
    const head = JSON.parse((await call('GET', `${base}?limit=1`)).body) as {
      metadata: { resourceVersion: string };
    };
    let ready = 0;
    const done = Promise.all(
      Array.from(
        { length: watchers },
        () =>
          new Promise<void>((resolve, reject) => {
            let seen = 0;
            let buffer = '';
            const req = request(
              {
                method: 'GET',
                hostname: url.hostname,
                port: url.port,
                path: `${base}?watch=1&resourceVersion=${head.metadata.resourceVersion}&fieldSelector=metadata.name%3Dbench-0`,
                agent: watchAgent,
              },
              (res) => {
                ready++;
                res.on('data', (c: Buffer) => {
                  buffer += c.toString();
                  let nl: number;
                  while ((nl = buffer.indexOf('\n')) >= 0) {
                    const line = buffer.slice(0, nl);
                    buffer = buffer.slice(nl + 1);
                    const e = JSON.parse(line) as {
                      object: { metadata: { labels: Record<string, string> } };
                    };
                    const at = sentAt.get(e.object.metadata.labels.wave);
                    if (at !== undefined) latencies.push(performance.now() - at);
                    if (++seen === updates) {
                      req.destroy();
                      resolve();
                    }
                  }
                });
              },
            );
            req.on('error', (err) => (seen >= updates ? resolve() : reject(err)));
            req.end();
          }),
      ),
    );
    while (ready < watchers) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < updates; i++) {
      sentAt.set(String(i), performance.now());
      await call(
        'PATCH',
        `${base}/bench-0`,
        { metadata: { labels: { wave: String(i) } } },
        'application/merge-patch+json',
      );
    }
    await done;
    report({
      bench: 'apiserver.watch_fanout',
      watchers,
      updates,
      ms_p50: percentile(latencies, 50),
      ms_p99: percentile(latencies, 99),
      unit: 'ms',
    });
    api.close();
    watchAgent.destroy();
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}

await main();

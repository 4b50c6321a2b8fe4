/**
 * Pods at the edge: a real `verge server` and a real `verge edge` on
 * 127.0.0.1, for each runtime asked for (process, and cri on a private
 * containerd from test/helpers/containerd.ts). One JSON line per figure on
 * stdout, a readable summary on stderr.
 *
 *   node bench/pods.ts [--runtimes process,cri] [--pods 100] [--idle-pods 10]
 *                      [--idle-seconds 30] [--concurrency 10] [--sequential 20]
 *
 * 0. pods.startup_sequential_ms: --sequential pods created one after another,
 *    each once the one before is Running: the latency of one pod with nothing
 *    queued in front of it.
 * 1. pods.startup_ms: --pods pods created through the API (--concurrency
 *    creates in flight); per pod, the time from sending its create to a watch
 *    on the API seeing it Running with its container running (the Kubernetes
 *    pod startup SLI, without image pulls: images are local). p50/p99/max.
 *    Beside it, in the same run, the raw cost of starting the same thing
 *    without Verge: process: spawning `sh -c` with the same script from this
 *    process until it writes its first byte; cri: `ctr run -d` of the same
 *    image and script until it returns (containerd's own client, no CRI, no
 *    pod sandbox), 20 runs each.
 * 2. pods.agent_idle_rss: with --idle-pods pods running, the agent left idle
 *    for --idle-seconds, its VmRSS (and VmHWM) from /proc.
 * 3. pods.offline_restart_ms: the server stopped, the agent killed with
 *    SIGKILL and started again with the cloud unreachable: time from the new
 *    agent's spawn until it reports every pod running (its `pods: N running`
 *    line, printed after it adopted the running containers), and a check that
 *    no container was started twice.
 * 4. pods.agent_idle_rss_restarted: the agent of 3, once the server is back and
 *    it is in sync again, left idle for --idle-seconds: the resident memory of
 *    an agent running --idle-pods pods without a burst of 100 behind it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  adminCredentials,
  removeDir,
  startServer,
  type ServerProcess,
} from '../test/helpers/cluster.ts';
import { startContainerd, TEST_IMAGE, type StartedContainerd } from '../test/helpers/containerd.ts';
import { createToken, freePort, startEdge, type EdgeProcess } from '../test/helpers/edge.ts';
import { adminApi } from './lib/admin-api.ts';
import { inParallel } from './lib/parallel.ts';
import { machine, percentile, report } from './report.ts';

const { values: flags } = parseArgs({
  options: {
    runtimes: { type: 'string', default: 'process,cri' },
    pods: { type: 'string', default: '100' },
    'idle-pods': { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '10' },
    sequential: { type: 'string', default: '20' },
  },
});
const RUNTIMES = flags.runtimes.split(',') as Array<'process' | 'cri'>;
const PODS = Number(flags.pods);
const IDLE_PODS = Number(flags['idle-pods']);
const IDLE_SECONDS = Number(flags['idle-seconds']);
const CONCURRENCY = Number(flags.concurrency);
const SEQUENTIAL = Number(flags.sequential);
const NODE = 'bench-edge';
const MARK = `verge-bench-${process.pid}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const script = (name: string): string =>
  `: ${MARK}-${name}; trap "exit 0" TERM; while :; do sleep 1 & wait; done`;

function podManifest(name: string, image: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { bench: 'pods' } },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'c', image, command: ['sh', '-c', script(name)] }],
    },
  };
}

interface PodEvent {
  type: string;
  object: {
    metadata: { name: string };
    status?: { phase?: string; containerStatuses?: Array<{ state: { running?: unknown } }> };
  };
}

/** Watches pods in default; calls `onRunning(name)` the first time each is Running. */
function watchRunning(
  server: ServerProcess,
  onRunning: (name: string, at: number) => void,
): () => void {
  const creds = adminCredentials(server.kubeconfig);
  const url = new URL(
    `${server.url}/api/v1/namespaces/default/pods?watch=1&labelSelector=bench%3Dpods`,
  );
  const seen = new Set<string>();
  const req = request(url, { ca: creds.ca, cert: creds.cert, key: creds.key }, (res) => {
    res.on('error', () => {}); // destroyed when the bench stops watching
    const lines = createInterface({ input: res });
    lines.on('error', () => {});
    lines.on('line', (line) => {
      const at = performance.now();
      const e = JSON.parse(line) as PodEvent;
      const s = e.object.status;
      const ok =
        s?.phase === 'Running' &&
        (s.containerStatuses ?? []).length > 0 &&
        s.containerStatuses!.every((c) => c.state.running !== undefined);
      if (ok && !seen.has(e.object.metadata.name)) {
        seen.add(e.object.metadata.name);
        onRunning(e.object.metadata.name, at);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return () => req.destroy();
}

/** The raw cost of starting the same workload without Verge, `runs` times. */
async function rawStarts(runtime: 'process' | 'cri', ctd?: StartedContainerd): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    if (runtime === 'process') {
      const child = spawn('sh', ['-c', `echo up; ${script(`raw-${i}`)}`], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      await new Promise((r) => child.stdout.once('data', r));
      times.push(performance.now() - t0);
      child.kill('SIGKILL');
    } else {
      const id = `${MARK}-raw-${i}`;
      const r = spawnSync(
        'ctr',
        ['-a', ctd!.socket, '-n', 'k8s.io', 'run', '-d', TEST_IMAGE, id, 'sh', '-c', script(id)],
        { encoding: 'utf8' },
      );
      times.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`ctr run failed: ${r.stderr}`);
      spawnSync('ctr', ['-a', ctd!.socket, '-n', 'k8s.io', 'task', 'kill', '-s', 'SIGKILL', id]);
      await sleep(200);
      spawnSync('ctr', ['-a', ctd!.socket, '-n', 'k8s.io', 'task', 'delete', '-f', id]);
      spawnSync('ctr', ['-a', ctd!.socket, '-n', 'k8s.io', 'container', 'delete', id]);
    }
  }
  return times;
}

function rss(pid: number): { rssMb: number; hwmMb: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function benchRuntime(runtime: 'process' | 'cri'): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), `verge-bench-pods-${runtime}-`));
  let ctd: StartedContainerd | undefined;
  let server: ServerProcess | undefined;
  let edge: EdgeProcess | undefined;
  try {
    if (runtime === 'cri') ctd = await startContainerd(join(work, 'containerd'));
    const image = runtime === 'cri' ? TEST_IMAGE : 'busybox';
    const hubPort = await freePort();
    const serverArgs = ['--hub-port', String(hubPort)];
    server = await startServer({ dataDir: join(work, 'server'), args: serverArgs });
    const edgeArgs = [
      '--server',
      `https://127.0.0.1:${hubPort}`,
      '--node-name',
      NODE,
      '--data-dir',
      join(work, 'edge'),
      '--runtime',
      runtime,
      '--local-api-port',
      'off',
      '--backoff-base',
      '200ms',
      ...(ctd ? ['--cri-endpoint', ctd.endpoint] : []),
    ];
    edge = startEdge([...edgeArgs, '--token', createToken(server.dataDir, ['--node', NODE])]);
    await edge.waitFor(/in sync/, 60_000);
    const api = adminApi(server.kubeconfig);
    for (;;) {
      const r = await api.call('GET', `/api/v1/nodes/${NODE}`);
      if (r.code === 200 && /"type":"Ready","status":"True"/.test(r.body)) break;
      await sleep(100);
    }

    // 0. startup latency of one pod at a time (no queue in front of it)
    {
      const waiting = new Map<string, (at: number) => void>();
      const stop = watchRunning(server, (name, at) => waiting.get(name)?.(at));
      await sleep(300);
      const one: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        const name = `s${i}`;
        const running = new Promise<number>((r) => waiting.set(name, r));
        const t = performance.now();
        await api.json('POST', '/api/v1/namespaces/default/pods', podManifest(name, image), 201);
        one.push((await running) - t);
      }
      stop();
      report({
        bench: 'pods.startup_sequential_ms',
        runtime,
        pods: SEQUENTIAL,
        p50: percentile(one, 50),
        p99: percentile(one, 99),
        max: Math.max(...one),
      });
      for (let i = 0; i < SEQUENTIAL; i++) {
        await api.call('DELETE', `/api/v1/namespaces/default/pods/s${i}`);
      }
      for (;;) {
        const list = await api.json<{ items: unknown[] }>('GET', '/api/v1/namespaces/default/pods');
        if (list.items.length === 0) break;
        await sleep(200);
      }
    }

    // 1. startup latency
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    let done!: () => void;
    const allRunning = new Promise<void>((r) => (done = r));
    const stopWatch = watchRunning(server, (name, at) => {
      const t0 = sent.get(name);
      if (t0 === undefined) return;
      latencies.push(at - t0);
      if (latencies.length === PODS) done();
    });
    await sleep(300);
    const names = Array.from({ length: PODS }, (_, i) => `p${i}`);
    const t0 = performance.now();
    await inParallel(names.length, CONCURRENCY, async (i) => {
      const name = names[i]!;
      sent.set(name, performance.now());
      await api.json('POST', '/api/v1/namespaces/default/pods', podManifest(name, image), 201);
    });
    await Promise.race([
      allRunning,
      sleep(300_000).then(() => {
        throw new Error(`only ${latencies.length}/${PODS} pods Running after 300 s`);
      }),
    ]);
    const wall = performance.now() - t0;
    stopWatch();
    const raw = await rawStarts(runtime, ctd);
    report({
      bench: 'pods.startup_ms',
      runtime,
      pods: PODS,
      concurrency: CONCURRENCY,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      all_running_s: wall / 1000,
      raw_start_p50: percentile(raw, 50),
      raw_start_p99: percentile(raw, 99),
      raw_what: runtime === 'process' ? 'spawn sh -c to first output byte' : 'ctr run -d',
    });

    // Down to --idle-pods pods.
    await inParallel(PODS - IDLE_PODS, CONCURRENCY, async (i) => {
      await api.call('DELETE', `/api/v1/namespaces/default/pods/${names[IDLE_PODS + i]}`);
    });
    for (;;) {
      const list = await api.json<{ items: unknown[] }>('GET', '/api/v1/namespaces/default/pods');
      if (list.items.length === IDLE_PODS) break;
      await sleep(500);
    }

    // 2. idle RSS
    await sleep(IDLE_SECONDS * 1000);
    report({
      bench: 'pods.agent_idle_rss',
      runtime,
      pods: IDLE_PODS,
      idle_s: IDLE_SECONDS,
      ...rss(edge.child.pid!),
    });

    // 3. offline restart
    api.close();
    await server.stop();
    await edge.waitFor(/offline/, 30_000);
    // pgrep -c prints the count (0 included).
    const countMarked = (): number =>
      Number(spawnSync('pgrep', ['-fc', `${MARK}-p`], { encoding: 'utf8' }).stdout.trim() || 0);
    const before = countMarked();
    edge.child.kill('SIGKILL');
    await edge.exited;
    const t1 = performance.now();
    edge = startEdge(edgeArgs);
    const line = await edge.waitFor(new RegExp(`pods: ${IDLE_PODS} running`), 60_000);
    const restart = performance.now() - t1;
    report({
      bench: 'pods.offline_restart_ms',
      runtime,
      pods: IDLE_PODS,
      ms: restart,
      agent_line: line.replace(/^.*?pods:/, 'pods:'),
      processes_before: before,
      processes_after: countMarked(),
    });

    // 4. The restarted agent (no burst behind it), back in sync, left idle.
    server = await startServer({ dataDir: server.dataDir, args: serverArgs });
    await edge.waitFor(/in sync/, 60_000);
    await sleep(IDLE_SECONDS * 1000);
    report({
      bench: 'pods.agent_idle_rss_restarted',
      runtime,
      pods: IDLE_PODS,
      idle_s: IDLE_SECONDS,
      ...rss(edge.child.pid!),
    });
  } finally {
    // Containers outlive the agent by design: clean them up here.
    await edge?.stop();
    spawnSync('pkill', ['-9', '-f', MARK]);
    await ctd?.stop();
    await server?.stop();
    removeDir(work);
    rmSync(work, { recursive: true, force: true });
  }
}

console.error(`machine: ${machine()}`);
for (const runtime of RUNTIMES) await benchRuntime(runtime);

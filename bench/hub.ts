/**
 * Cloud-edge link benchmark: a real `verge server` and real `verge edge`
 * processes on 127.0.0.1, each edge dialing the hub through a counting TCP
 * proxy (./lib/counting-proxy.ts), so bytes are the bytes on the wire: TLS
 * records carrying HTTP (join) and WebSocket frames (permessage-deflate), both
 * directions, TCP/IP headers excluded. One JSON line per figure on stdout, a
 * readable summary on stderr.
 *
 *   node bench/hub.ts [--quick] [--idle-seconds 180] [--objects 1000] [--pods 10]
 *                     [--changes 0,10,1000] [--join-runs 3]
 *
 * 1. hub.join_first_sync_ms: spawn of `verge edge --token` on an empty data dir
 *    to the edge printing `in sync` and its Node Ready in the API (polled every
 *    50 ms), median of --join-runs runs (fresh node names and data dirs), split
 *    into spawn -> `connecting...` (process start, key generation, CA download,
 *    join), -> `in sync`, -> Ready.
 * 2. hub.idle_bytes_per_hour: the last joined node left idle with the default
 *    intervals (heartbeat 10 s, status every 60 s) for --idle-seconds, bytes up
 *    and down extrapolated to an hour, and kbit/s; with the sizes of what was
 *    read, so each periodic message can be told apart.
 * 3. hub.reconnect_catchup: a node whose view is --objects ConfigMaps (~1 KiB
 *    each: lines of random hex, about 2.8:1 under the link's deflate) referenced by --pods
 *    pods bound to it. For each C in --changes: the proxy cuts the link, the
 *    edge goes offline, C ConfigMaps are patched, the proxy forwards the
 *    edge's next connection; time from that restore to the edge printing
 *    `in sync`, and bytes up (TLS handshake, upgrade, hello with the inventory,
 *    acks) and down (welcome, the C changed objects, ready). What the edge
 *    sends after `in sync` (its reconnect event and status) is reported apart.
 *    The edge runs with --backoff-base 200ms and the proxy holds its retry
 *    while cut, so the figure does not include a backoff wait.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { removeDir, startServer, type ServerProcess } from '../test/helpers/cluster.ts';
import { createToken, edgeInventory, startEdge, type EdgeProcess } from '../test/helpers/edge.ts';
import { PROTOCOL_VERSION } from '../src/hub/protocol.ts';
import { VERGE_VERSION } from '../src/util/version.ts';
import { adminApi, type AdminApi } from './lib/admin-api.ts';
import { CountingProxy, type Chunk, type Traffic } from './lib/counting-proxy.ts';
import { inParallel } from './lib/parallel.ts';
import { machine, report } from './report.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'idle-seconds': { type: 'string' },
    objects: { type: 'string' },
    pods: { type: 'string' },
    changes: { type: 'string' },
    'join-runs': { type: 'string' },
  },
});
const quick = flags.quick;
const IDLE_SECONDS = Number(flags['idle-seconds'] ?? (quick ? 30 : 180));
const OBJECTS = Number(flags.objects ?? (quick ? 200 : 1000));
const PODS = Number(flags.pods ?? (quick ? 4 : 10));
const CHANGES = (flags.changes ?? (quick ? '0,10,200' : '0,10,1000')).split(',').map(Number);
const JOIN_RUNS = Number(flags['join-runs'] ?? 3);
/** KubeEdge's reported uplink per idle edge node, for comparison (kbit/s). */
const KUBEEDGE_UP_KBIT_S = 0.25;
const NS = 'default';

for (const [name, v] of Object.entries({ IDLE_SECONDS, OBJECTS, PODS, JOIN_RUNS })) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: want a positive integer`);
}
if (CHANGES.some((c) => !Number.isInteger(c) || c < 0 || c > OBJECTS)) {
  throw new Error(`--changes: want integers between 0 and --objects (${OBJECTS})`);
}

/** IPv4 (20) + TCP (20) + timestamp option (12) bytes per segment, for an estimate. */
const TCP_IP_HEADER_BYTES = 52;
/** Lines of the human summary printed at the end. */
const summary: string[] = [];
const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const minus = (a: Traffic, b: Traffic): Traffic => ({
  up: a.up - b.up,
  down: a.down - b.down,
  upReads: a.upReads - b.upReads,
  downReads: a.downReads - b.downReads,
});

interface Edge {
  name: string;
  dataDir: string;
  proxy: CountingProxy;
  process: EdgeProcess;
  /** performance.now() at spawn. */
  spawnedAt: number;
}

interface NodeObject {
  metadata: { resourceVersion: string; managedFields?: unknown };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

class Bench {
  readonly server: ServerProcess;
  readonly api: AdminApi;
  readonly hubPort: number;
  readonly work = mkdtempSync(join(tmpdir(), 'verge-bench-hub-'));
  readonly edges: Edge[] = [];

  constructor(server: ServerProcess) {
    this.server = server;
    this.api = adminApi(server.kubeconfig);
    this.hubPort = Number(new URL(server.hubUrl).port);
  }

  /** Starts `verge edge` for a fresh node, dialing the hub through its own proxy. */
  async startEdge(name: string, extra: string[] = [], logLevel = 'warn'): Promise<Edge> {
    const token = createToken(this.server.dataDir, ['--node', name, '--ttl', '1h']);
    const proxy = new CountingProxy({ host: '127.0.0.1', port: this.hubPort });
    const port = await proxy.listen();
    const dataDir = join(this.work, name);
    const spawnedAt = performance.now();
    const process = startEdge(
      [
        '--server',
        `https://127.0.0.1:${port}`,
        '--node-name',
        name,
        '--data-dir',
        dataDir,
        '--token',
        token,
        ...extra,
      ],
      { VERGE_LOG_LEVEL: logLevel },
    );
    const edge = { name, dataDir, proxy, process, spawnedAt };
    this.edges.push(edge);
    return edge;
  }

  /** Polls the Node every 50 ms until its Ready condition is True; resolves with the time. */
  async nodeReady(edge: Edge, timeoutMs = 120_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (edge.process.child.exitCode !== null) {
        throw new Error(
          `verge edge ${edge.name} exited:\n${edge.process.output.slice(-20).join('\n')}`,
        );
      }
      const r = await this.api.call('GET', `/api/v1/nodes/${edge.name}`);
      if (r.code === 200) {
        const node = JSON.parse(r.body) as NodeObject;
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status === 'True') return performance.now();
      }
      await sleep(50);
    }
    throw new Error(`node ${edge.name} not Ready within ${timeoutMs} ms`);
  }

  async close(): Promise<void> {
    for (const e of this.edges) {
      await e.process.stop();
      await e.proxy.close();
    }
    this.api.close();
    await this.server.stop();
    removeDir(this.server.dataDir);
    rmSync(this.work, { recursive: true, force: true });
  }
}

// ---- 1. join to first sync ----
interface JoinRun {
  totalMs: number;
  toJoiningMs: number;
  toConnectingMs: number;
  toInSyncMs: number;
  toReadyMs: number;
  bytes: Traffic;
}

async function joinOnce(b: Bench, name: string): Promise<{ run: JoinRun; edge: Edge }> {
  const edge = await b.startEdge(name);
  const since = (re: RegExp): Promise<number> =>
    edge.process.waitFor(re, 120_000).then(() => performance.now() - edge.spawnedAt);
  const [joining, connecting, inSync, ready] = await Promise.all([
    since(/verge edge: joining /),
    since(/verge edge: connecting\.\.\./),
    since(/verge edge: in sync/),
    b.nodeReady(edge).then((t) => t - edge.spawnedAt),
  ]);
  const bytes = edge.proxy.snapshot();
  return {
    edge,
    run: {
      totalMs: Math.max(inSync, ready),
      toJoiningMs: joining,
      toConnectingMs: connecting,
      toInSyncMs: inSync - connecting,
      toReadyMs: Math.max(0, ready - inSync),
      bytes,
    },
  };
}

async function joinBench(b: Bench): Promise<Edge> {
  const runs: JoinRun[] = [];
  let last: Edge | undefined;
  for (let i = 1; i <= JOIN_RUNS; i++) {
    const { run, edge } = await joinOnce(b, `bench-join-${i}`);
    runs.push(run);
    report({
      bench: 'hub.join_first_sync_run',
      run: i,
      ms: run.totalMs,
      processStartMs: run.toJoiningMs,
      spawnToConnectingMs: run.toConnectingMs,
      connectingToInSyncMs: run.toInSyncMs,
      inSyncToReadyMs: run.toReadyMs,
      upBytes: run.bytes.up,
      downBytes: run.bytes.down,
    });
    // The last one stays up for the idle measurement.
    if (last) await last.process.stop();
    last = edge;
  }
  const median = [...runs].sort((x, y) => x.totalMs - y.totalMs)[Math.floor(runs.length / 2)];
  report({
    bench: 'hub.join_first_sync_ms',
    runs: runs.length,
    ms: median.totalMs,
    // The split of the median run (so that it adds up).
    spawnToConnectingMs: median.toConnectingMs,
    connectingToInSyncMs: median.toInSyncMs,
    inSyncToReadyMs: median.toReadyMs,
    minMs: Math.min(...runs.map((r) => r.totalMs)),
    maxMs: Math.max(...runs.map((r) => r.totalMs)),
    upBytes: median.bytes.up,
    downBytes: median.bytes.down,
  });
  summary.push(
    `join to in sync and Ready: ${Math.round(median.totalMs)} ms (median of ${runs.length}): ${Math.round(median.toJoiningMs)} ms process start, ${Math.round(median.toConnectingMs - median.toJoiningMs)} ms CA + key + certificate, ${Math.round(median.toInSyncMs)} ms to in sync, ${Math.round(median.toReadyMs)} ms to Ready`,
  );
  return last!;
}

// ---- 2. idle link ----
/** `count x bytes` for the most frequent chunk sizes, largest sizes first. */
function sizes(chunks: Chunk[], dir: 'up' | 'down'): string {
  const counts = new Map<number, number>();
  for (const c of chunks) if (c.dir === dir) counts.set(c.bytes, (counts.get(c.bytes) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[0] - x[0])
    .map(([bytes, n]) => `${n}x${bytes}`)
    .join(' ');
}

async function idleBench(b: Bench, edge: Edge): Promise<void> {
  // Let the join's own traffic (registration, events) finish first.
  await edge.proxy.quiet(3000);
  const proxy = edge.proxy;
  proxy.record();
  const start = proxy.snapshot();
  const t0 = performance.now();
  await sleep(IDLE_SECONDS * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const w = minus(proxy.snapshot(), start);
  const chunks = proxy.chunks ?? [];
  proxy.chunks = undefined;
  const kbit = (bytes: number): number => (bytes * 8) / 1000 / seconds;
  // What a status report's answer would carry: the Node as the API returns it.
  const node = await b.api.json<NodeObject>('GET', `/api/v1/nodes/${edge.name}`);
  const nodeJson = JSON.stringify(node);
  const { managedFields: _, ...withoutManaged } = node.metadata;
  report({
    bench: 'hub.idle_bytes_per_hour',
    windowSeconds: seconds,
    heartbeatSeconds: 10,
    statusIntervalSeconds: 60,
    upBytes: w.up,
    downBytes: w.down,
    upPerHour: Math.round((w.up * 3600) / seconds),
    downPerHour: Math.round((w.down * 3600) / seconds),
    upKbitPerSec: kbit(w.up),
    downKbitPerSec: kbit(w.down),
    upReads: w.upReads,
    downReads: w.downReads,
    // An estimate: one segment per read, pure ACKs not counted.
    upKbitPerSecWithTcpIp: kbit(w.up + w.upReads * TCP_IP_HEADER_BYTES),
    kubeEdgeUpKbitPerSec: KUBEEDGE_UP_KBIT_S,
    upVsKubeEdge: kbit(w.up) / KUBEEDGE_UP_KBIT_S,
  });
  report({
    bench: 'hub.idle_node_object',
    nodeJsonBytes: nodeJson.length,
    nodeJsonDeflatedBytes: deflateRawSync(nodeJson).length,
    nodeWithoutManagedFieldsBytes: JSON.stringify({ ...node, metadata: withoutManaged }).length,
  });
  summary.push(
    `idle node (${Math.round(seconds)} s window): up ${kb((w.up * 3600) / seconds)}/h = ${kbit(w.up).toFixed(3)} kbit/s (${(kbit(w.up) / KUBEEDGE_UP_KBIT_S).toFixed(2)}x KubeEdge's ${KUBEEDGE_UP_KBIT_S}), down ${kb((w.down * 3600) / seconds)}/h = ${kbit(w.down).toFixed(3)} kbit/s`,
  );
  process.stderr.write(`  idle reads up   (count x bytes): ${sizes(chunks, 'up')}\n`);
  process.stderr.write(`  idle reads down (count x bytes): ${sizes(chunks, 'down')}\n`);
}

// ---- 3. reconnect catch-up ----
const cmName = (i: number): string => `bench-cm-${String(i).padStart(5, '0')}`;

/** ~820 bytes of `param_NN=<16 random hex>` lines: a config file that deflates about 2:1. */
function configText(): string {
  const lines: string[] = [];
  for (let j = 0; lines.join('').length < 800; j++) {
    lines.push(`param_${String(j).padStart(2, '0')}=${randomBytes(8).toString('hex')}\n`);
  }
  return lines.join('');
}

function podManifest(node: string, index: number, perPod: number): unknown {
  const first = index * perPod;
  const refs = Array.from({ length: perPod }, (_, j) => cmName(first + j));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `bench-pod-${index}`, namespace: NS },
    spec: {
      nodeName: node,
      containers: [{ name: 'app', image: 'registry.local/app:1.0' }],
      volumes: refs.map((name, j) => ({ name: `cm-${j}`, configMap: { name } })),
    },
  };
}

interface Cycle {
  changed: number;
  objects: number;
  /** Objects the edge applied from the cut until the link went quiet, by kind. */
  applied: Record<string, number>;
  offlineMs: number;
  patchMs: number;
  restoreToConnectMs: number;
  restoreToInSyncMs: number;
  catchUp: Traffic;
  afterSync: Traffic;
}

/** Counts the objects in the edge's `applied sync batch` debug lines, by kind. */
function appliedKinds(lines: string[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const line of lines) {
    if (!line.includes('applied sync batch')) continue;
    const { keys } = JSON.parse(line) as { keys: string[] };
    for (const key of keys) {
      const kind = key.split('/')[0];
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  return kinds;
}

/** Cuts the link, patches `changed` ConfigMaps, restores it, and measures the catch-up. */
async function cycle(b: Bench, edge: Edge, changed: number): Promise<Cycle> {
  const { proxy, process: p } = edge;
  const mark = p.output.length;
  const tCut = performance.now();
  proxy.cut();
  await p.waitFor(/verge edge: offline \(/, 30_000, mark);
  const tPatch = performance.now();
  await inParallel(changed, 32, async (i) => {
    const path = `/api/v1/namespaces/${NS}/configmaps/${cmName(i)}`;
    const body = { data: { 'app.conf': configText() } };
    const r = await b.api.call('PATCH', path, body, 'application/merge-patch+json');
    if (r.code !== 200) throw new Error(`patch ${cmName(i)}: ${r.code} ${r.body}`);
  });
  const patchMs = performance.now() - tPatch;
  // The hub learns of the patches through its informers' watch (well under a
  // millisecond each); a change it had not seen yet at the restore would come
  // after `in sync` and show in afterSync's down bytes.
  await sleep(1000);
  await proxy.waitHeld(8000);
  const before = proxy.snapshot();
  const forwarded = proxy.nextForward();
  const tRestore = performance.now();
  proxy.restore(10_000);
  const line = await p.waitFor(/verge edge: in sync \(\d+ objects\)/, 120_000, mark);
  const tSync = performance.now();
  const atSync = proxy.snapshot();
  await proxy.quiet(2000);
  const after = proxy.snapshot();
  return {
    changed,
    objects: Number(/\((\d+) objects\)/.exec(line)![1]),
    // Through the quiet point: stderr (the log) and stdout are read apart.
    applied: appliedKinds(p.output.slice(mark)),
    offlineMs: tRestore - tCut,
    patchMs,
    restoreToConnectMs: (await forwarded) - tRestore,
    restoreToInSyncMs: tSync - tRestore,
    catchUp: minus(atSync, before),
    afterSync: minus(after, atSync),
  };
}

async function catchUpBench(b: Bench): Promise<void> {
  // Debug level: the edge logs the keys of each batch it applies.
  const edge = await b.startEdge('bench-view', ['--backoff-base', '200ms'], 'debug');
  await edge.process.waitFor(/verge edge: in sync/, 120_000);
  await b.nodeReady(edge);

  // The view: OBJECTS ConfigMaps, then PODS pods bound to the node referencing them.
  const t0 = performance.now();
  await inParallel(OBJECTS, 32, async (i) => {
    await b.api.json(
      'POST',
      `/api/v1/namespaces/${NS}/configmaps`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: cmName(i), namespace: NS },
        data: { 'app.conf': configText() },
      },
      201,
    );
  });
  const perPod = Math.ceil(OBJECTS / PODS);
  for (let i = 0; i < PODS; i++) {
    await b.api.json(
      'POST',
      `/api/v1/namespaces/${NS}/pods`,
      podManifest(edge.name, i, perPod),
      201,
    );
  }
  process.stderr.write(
    `  created ${OBJECTS} ConfigMaps and ${PODS} pods in ${Math.round(performance.now() - t0)} ms\n`,
  );
  await edge.proxy.quiet(2000);
  const sample = await b.api.json<{ metadata: Record<string, unknown> }>(
    'GET',
    `/api/v1/namespaces/${NS}/configmaps/${cmName(0)}`,
  );
  delete sample.metadata.managedFields;
  const objectBytes = JSON.stringify(sample).length;

  // A first cut and restore with no changes settles the edge (whatever of the
  // live stream it still lacked comes in its diff) and tells the view's size.
  const settle = await cycle(b, edge, 0);
  process.stderr.write(
    `  settled: the edge holds ${settle.objects} objects (${settle.catchUp.down} bytes down to settle: ${JSON.stringify(settle.applied)})\n`,
  );
  let base: Cycle | undefined;
  for (const changed of CHANGES) {
    const c = await cycle(b, edge, changed);
    if (changed === 0) base = c;
    report({
      bench: 'hub.reconnect_catchup',
      viewObjects: c.objects,
      changed: c.changed,
      sent: Object.entries(c.applied)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', '),
      restoreToInSyncMs: c.restoreToInSyncMs,
      restoreToConnectMs: c.restoreToConnectMs,
      upBytes: c.catchUp.up,
      downBytes: c.catchUp.down,
      changedJsonBytes: c.changed * objectBytes,
      // Down bytes per changed object beyond the run with no changes.
      downBytesPerChange:
        base && c.changed > 0 ? (c.catchUp.down - base.catchUp.down) / c.changed : undefined,
      afterSyncUpBytes: c.afterSync.up,
      afterSyncDownBytes: c.afterSync.down,
      offlineMs: c.offlineMs,
      patchMs: c.patchMs,
    });
    summary.push(
      `reconnect, view of ${c.objects}, ${c.changed} changed: ${Math.round(c.restoreToInSyncMs)} ms to in sync, up ${kb(c.catchUp.up)}, down ${kb(c.catchUp.down)}`,
    );
    if (c.offlineMs > 35_000) {
      process.stderr.write(
        `  warning: offline ${Math.round(c.offlineMs / 1000)} s, near the node grace period (40 s): node-lifecycle taints may be in the catch-up\n`,
      );
    }
  }

  // The inventory the edge sends in hello, and a check that it holds exactly
  // the cloud's ConfigMaps (the agent must be stopped to read its database).
  await edge.process.stop();
  const have = edgeInventory(edge.dataDir);
  const inventory = [...have].map(([key, rv]) => [...key.split('/'), rv]);
  const hello = JSON.stringify({
    t: 'hello',
    v: PROTOCOL_VERSION,
    node: edge.name,
    agentVersion: VERGE_VERSION,
    inventory,
  });
  report({
    bench: 'hub.inventory',
    objects: inventory.length,
    helloJsonBytes: hello.length,
    helloDeflatedBytes: deflateRawSync(hello).length,
    objectJsonBytes: objectBytes,
  });
  summary.push(
    `inventory of ${inventory.length} objects: ${kb(hello.length)} of JSON, ${kb(deflateRawSync(hello).length)} deflated`,
  );
  const cms = await b.api.json<{
    items: Array<{ metadata: { name: string; resourceVersion: string } }>;
  }>('GET', `/api/v1/namespaces/${NS}/configmaps`);
  const wrong = cms.items
    .filter((cm) => cm.metadata.name.startsWith('bench-cm-'))
    .filter(
      (cm) => have.get(`ConfigMap/${NS}/${cm.metadata.name}`) !== cm.metadata.resourceVersion,
    );
  if (wrong.length > 0) {
    throw new Error(
      `the edge's store differs from the cloud for ${wrong.length} ConfigMaps, e.g. ${wrong[0].metadata.name}`,
    );
  }
}

async function main(): Promise<void> {
  process.stderr.write(
    `machine: ${machine()}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const server = await startServer({ env: { VERGE_LOG_LEVEL: 'error' } });
  const b = new Bench(server);
  try {
    const idle = await joinBench(b);
    await idleBench(b, idle);
    await idle.process.stop();
    await catchUpBench(b);
    process.stderr.write(`\nsummary:\n${summary.map((l) => `  ${l}\n`).join('')}`);
  } finally {
    await b.close();
    process.stderr.write(
      `load average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
  }
}

await main();

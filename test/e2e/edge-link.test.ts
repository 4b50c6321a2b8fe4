/**
 * The cloud-edge link end to end: a real `verge server` and a real `verge edge`
 * process on 127.0.0.1, a join token from `verge token create`, kubectl for the
 * cloud side, and the edge's SQLite file for what it stored. Then the bad
 * input: wrong CA hash, revoked and bound tokens, a node certificate used for
 * another node's data, malformed, oversized and flooding messages, and a
 * half-open connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import {
  Kubectl,
  eventually,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';
import {
  createToken,
  edgeInventory,
  edgeObject,
  freePort,
  runEdge,
  startEdge,
  type EdgeProcess,
  verge,
} from '../helpers/edge.ts';

const NODE = 'edge-a';
const DEBUG = { VERGE_LOG_LEVEL: 'debug' };

const pod = (name: string, cm: string, secret: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${NODE}
  containers:
  - name: c
    image: busybox
    env:
    - name: S
      valueFrom: {secretKeyRef: {name: ${secret}, key: k}}
  volumes:
  - name: v
    configMap: {name: ${cm}}
`;

interface Item {
  metadata: { name: string; namespace?: string; resourceVersion: string };
}

/** The cloud's view of NODE, `Kind/ns/name` -> resourceVersion, from kubectl. */
async function cloudView(k: Kubectl): Promise<Map<string, string>> {
  const view = new Map<string, string>();
  const node = await k.json<Item>(['get', 'node', NODE, '-o', 'json']);
  view.set(`Node//${NODE}`, node.metadata.resourceVersion);
  const pods = await k.json<{ items: Array<Item & { spec: Record<string, unknown> }> }>([
    'get',
    'pods',
    '-A',
    '--field-selector',
    `spec.nodeName=${NODE}`,
    '-o',
    'json',
  ]);
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const p of pods.items) {
    view.set(`Pod/${p.metadata.namespace}/${p.metadata.name}`, p.metadata.resourceVersion);
    const text = JSON.stringify(p.spec);
    for (const m of text.matchAll(/"configMap":\{[^}]*"name":"([^"]+)"/g))
      cms.add(`${p.metadata.namespace}/${m[1]}`);
    for (const m of text.matchAll(/"secretKeyRef":\{[^}]*"name":"([^"]+)"/g))
      secrets.add(`${p.metadata.namespace}/${m[1]}`);
  }
  for (const [kind, set, res] of [
    ['ConfigMap', cms, 'configmap'],
    ['Secret', secrets, 'secret'],
  ] as const) {
    for (const key of set) {
      const [ns, name] = key.split('/');
      const r = await k.run(['get', res, '-n', ns!, name!, '-o', 'json']);
      if (r.code === 0)
        view.set(`${kind}/${key}`, (JSON.parse(r.stdout) as Item).metadata.resourceVersion);
    }
  }
  return view;
}

describe('edge nodes join and stay in sync', { timeout: 300_000 }, () => {
  let server: ServerProcess;
  let k: Kubectl;
  let hubPort: number;
  let edge: EdgeProcess | undefined;
  const edgeDir = mkdtempSync(join(tmpdir(), 'verge-edge-'));
  const serverArgs = (): string[] => ['--hub-port', String(hubPort), '--hub-heartbeat', '1s'];
  const edgeArgs = (): string[] => [
    '--server',
    `https://127.0.0.1:${hubPort}`,
    '--node-name',
    NODE,
    '--data-dir',
    edgeDir,
    '--status-interval',
    '2s',
    '--labels',
    'site=shop-1',
    '--taints',
    'edge=true:NoSchedule',
  ];

  before(async () => {
    hubPort = await freePort();
    server = await startServer({ args: serverArgs() });
    k = new Kubectl(server.kubeconfig);
  });
  after(async () => {
    await edge?.stop();
    await server?.stop();
    removeDir(server?.dataDir ?? '');
    removeDir(edgeDir);
  });

  it('joins with a token and shows Ready in kubectl get nodes', async () => {
    const token = createToken(server.dataDir, ['--node', NODE, '--ttl', '1h']);
    assert.match(token, /^V1\.[0-9a-f]{64}\.[a-z0-9]{6}\.[a-z0-9]{16}$/);
    edge = startEdge([...edgeArgs(), '--token', token], DEBUG);
    await edge.waitFor(/joined: certificate for system:node:edge-a/);
    await edge.waitFor(/connected/);
    const line = await eventually('edge-a Ready in kubectl get nodes', async () => {
      const out = await k.ok(['get', 'nodes']);
      return out.split('\n').find((l) => l.startsWith(`${NODE} `) && / Ready /.test(l));
    });
    assert.match(line, /v1\.\d+\.\d+/);
    const node = await k.json<{
      metadata: { labels: Record<string, string> };
      spec: { taints: unknown[] };
    }>(['get', 'node', NODE, '-o', 'json']);
    assert.equal(node.metadata.labels.site, 'shop-1');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
    assert.deepEqual(node.spec.taints, [{ key: 'edge', value: 'true', effect: 'NoSchedule' }]);
    const lease = await k.json<{ spec: { holderIdentity: string } }>([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      NODE,
      '-o',
      'json',
    ]);
    assert.equal(lease.spec.holderIdentity, NODE);
    // The token was bound and single-node: it shows as used in the list.
    const list = verge(['token', 'list', '--data-dir', server.dataDir]);
    assert.match(list, new RegExp(NODE));
  });

  it('objects for the node reach its local store; others do not', async () => {
    await k.ok(['create', 'configmap', 'cm1', '--from-literal=a=1']);
    await k.ok(['create', 'configmap', 'unrelated', '--from-literal=a=1']);
    await k.ok(['create', 'secret', 'generic', 's1', '--from-literal=k=v']);
    await k.ok(['create', 'secret', 'generic', 'other-secret', '--from-literal=k=v']);
    await k.ok(['apply', '-f', '-'], pod('p1', 'cm1', 's1'));
    await k.ok(['apply', '-f', '-'], pod('p3', 'cm1', 's1'));
    const want = await cloudView(k);
    assert.equal(want.size, 5, [...want.keys()].join(', '));
    // The agent holds its database exclusively: stop it to look, then start it again
    // (a later start needs no token).
    // The agent logs each applied batch at debug level, with the keys.
    await edge!.waitFor(/Pod\/default\/p3.*applied sync batch/);
    await edge!.stop();
    const have = edgeInventory(edgeDir);
    for (const [key, rv] of want) {
      if (key.startsWith('Node/')) continue; // the node status moves on its own
      assert.equal(have.get(key), rv, `${key} at ${rv} in the edge store`);
    }
    assert.ok(have.has(`Node//${NODE}`));
    assert.ok(!have.has('ConfigMap/default/unrelated'));
    assert.ok(!have.has('Secret/default/other-secret'));
    const secret = edgeObject(edgeDir, 'Secret/default/s1') as { data: { k: string } };
    assert.equal(Buffer.from(secret.data.k, 'base64').toString(), 'v');
    edge = startEdge(edgeArgs(), DEBUG);
    await edge.waitFor(/in sync/);
  });

  it('converges to exactly the cloud view after a server restart with changes it missed; offline status arrives', async () => {
    await server.stop();
    await edge!.waitFor(/offline/, 30_000);
    // The same data dir served on another hub port: the edge cannot reach it
    // while the objects change.
    const other = await startServer({ dataDir: server.dataDir, args: ['--hub-port', '0'] });
    try {
      const k2 = new Kubectl(other.kubeconfig);
      await k2.ok(['create', 'configmap', 'cm2', '--from-literal=b=2']);
      await k2.ok(['create', 'secret', 'generic', 's2', '--from-literal=k=w']);
      await k2.ok(['apply', '-f', '-'], pod('p2', 'cm2', 's2'));
      await k2.ok(['patch', 'configmap', 'cm1', '-p', '{"data":{"a":"changed"}}']);
      await k2.ok(['delete', 'secret', 's1']);
      await k2.ok(['delete', 'pod', 'p3', '--grace-period=0', '--force']);
    } finally {
      await other.stop();
    }
    // The edge recorded CloudUnreachable when it went offline (waited for above);
    // it must arrive with a timestamp from before the restart.
    const restartedAt = Date.now();
    const mark = edge!.output.length;
    server = await startServer({ dataDir: server.dataDir, args: serverArgs() });
    k = new Kubectl(server.kubeconfig);
    await edge!.waitFor(/in sync/, 90_000, mark);
    const events = await eventually(
      'the offline event to arrive',
      async () => {
        const out = await k.ok([
          'get',
          'events',
          '--field-selector',
          `involvedObject.name=${NODE}`,
        ]);
        return /CloudUnreachable/.test(out) && /CloudReachable/.test(out) ? out : undefined;
      },
      30_000,
    );
    assert.match(events, /lost the connection to the cloud/);
    const list = await k.json<{ items: Array<{ reason: string; firstTimestamp: string }> }>([
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${NODE}`,
      '-o',
      'json',
    ]);
    const unreachable = list.items.filter((e) => e.reason === 'CloudUnreachable');
    assert.ok(unreachable.length > 0);
    for (const e of unreachable) {
      assert.ok(
        Date.parse(e.firstTimestamp) < restartedAt,
        `${e.firstTimestamp} written while offline`,
      );
    }
    await edge!.stop();
    const want = await cloudView(k);
    const have = edgeInventory(edgeDir);
    have.delete(`Node//${NODE}`);
    want.delete(`Node//${NODE}`);
    assert.deepEqual(new Map([...have].sort()), new Map([...want].sort()));
    assert.ok(!have.has('Secret/default/s1'), 'a deleted secret is gone from the edge');
    assert.ok(!have.has('Pod/default/p3'), 'a deleted pod is gone from the edge');
    const cm1 = edgeObject(edgeDir, 'ConfigMap/default/cm1') as { data: { a: string } };
    assert.equal(cm1.data.a, 'changed');
    edge = startEdge(edgeArgs());
    await edge.waitFor(/in sync/);
  });

  it('refuses a wrong CA hash, a revoked token and a token bound to another name', async () => {
    const dir = (): string => mkdtempSync(join(tmpdir(), 'verge-edge-bad-'));
    const token = createToken(server.dataDir, ['--node', 'edge-b']);
    const wrongHash = token.replace(
      /^V1\.([0-9a-f])/,
      (_, c: string) => `V1.${c === '0' ? '1' : '0'}`,
    );
    const args = (name: string, t: string, d: string): string[] => [
      '--server',
      `https://127.0.0.1:${hubPort}`,
      '--node-name',
      name,
      '--data-dir',
      d,
      '--token',
      t,
    ];
    let r = runEdge(args('edge-b', wrongHash, dir()));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /does not match the token's hash/);
    r = runEdge(args('edge-c', token, dir()));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /bound to node "edge-b"|another node|edge-b/);
    const id = token.split('.')[2]!;
    verge(['token', 'delete', '--data-dir', server.dataDir, id]);
    r = runEdge(args('edge-b', token, dir()));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /unknown|revoked|not found|invalid/i);
    // A name already held by another key cannot be taken over while the Node exists.
    const t2 = createToken(server.dataDir);
    r = runEdge(args(NODE, t2, dir()));
    assert.notEqual(r.code, 0);
    assert.match(r.output, /already joined with another key/);
  });

  it("a node certificate cannot read another node's data or claim its name over the hub", async () => {
    // The test plays the node itself; the real agent would take the session back.
    await edge!.stop();
    await k.ok(['create', 'secret', 'generic', 'sb', '--from-literal=k=b']);
    const creds = nodeCredentials(edgeDir);
    const ws = await openHub(hubPort, creds);
    const closed = closedWith(ws);
    send(ws, { t: 'hello', v: 1, node: NODE, agentVersion: 'test', inventory: [] });
    const res = await requestOver(ws, {
      t: 'req',
      id: 1,
      verb: 'get',
      resource: { group: '', version: 'v1', resource: 'secrets' },
      namespace: 'default',
      name: 'sb',
    });
    assert.equal(res.ok, false);
    assert.equal((res.error as { code: number }).code, 403);
    assert.match((res.error as { message: string }).message, /system:node:edge-a/);
    const list = await requestOver(ws, {
      t: 'req',
      id: 2,
      verb: 'list',
      resource: { group: '', version: 'v1', resource: 'pods' },
    });
    assert.equal(list.ok, false);
    const own = await requestOver(ws, {
      t: 'req',
      id: 3,
      verb: 'get',
      resource: { group: '', version: 'v1', resource: 'nodes' },
      name: NODE,
    });
    assert.equal(own.ok, true);
    ws.close();
    await closed;
    // Claiming another node's name with this certificate is refused.
    const ws2 = await openHub(hubPort, creds);
    send(ws2, { t: 'hello', v: 1, node: 'edge-b', agentVersion: 'test', inventory: [] });
    const { code, reason } = await closedWith(ws2);
    assert.equal(code, 4403);
    assert.match(reason, /not "edge-b"/);
    // No certificate at all: refused at the upgrade.
    await assert.rejects(openHub(hubPort, { ...creds, cert: undefined, key: undefined }), /401/);
  });

  it('malformed, oversized and flooding messages and a half-open connection close only that connection', async () => {
    const creds = nodeCredentials(edgeDir);
    let ws = await openHub(hubPort, creds);
    ws.send('this is not json');
    let c = await closedWith(ws);
    assert.equal(c.code, 1002);
    assert.match(c.reason, /not JSON/);

    ws = await openHub(hubPort, creds);
    ws.send(JSON.stringify({ t: 'hello', v: 1, node: NODE, agentVersion: 'x', inventory: 'nope' }));
    c = await closedWith(ws);
    assert.equal(c.code, 1002);
    assert.match(c.reason, /inventory/);

    ws = await openHub(hubPort, creds);
    ws.send(Buffer.alloc(9 * 1024 * 1024, 0x20).toString());
    c = await closedWith(ws);
    assert.equal(c.code, 1009);

    ws = await openHub(hubPort, creds);
    send(ws, { t: 'hello', v: 1, node: NODE, agentVersion: 'test', inventory: [] });
    const flood = closedWith(ws);
    const said: string[] = [];
    ws.on('message', (d: WebSocket.RawData) => said.push(d.toString()));
    for (let i = 0; i < 5000 && ws.readyState === WebSocket.OPEN; i++) ws.send('{"t":"hb"}');
    c = await flood;
    // The server says why and closes; with frames still arriving it may have to cut the socket.
    assert.ok(c.code === 4029 || c.code === 1006, `closed with ${c.code}`);
    assert.ok(
      said.some((m) => /rate limit exceeded/.test(m)),
      `the server said why: ${said.slice(-2).join(' | ')}`,
    );

    // Half-open: says hello, then nothing (and does not answer pings).
    ws = await openHub(hubPort, creds, { autoPong: false });
    send(ws, { t: 'hello', v: 1, node: NODE, agentVersion: 'test', inventory: [] });
    const t0 = Date.now();
    c = await closedWith(ws, 20_000);
    assert.ok(c.code === 4000 || c.code === 1006, `closed with ${c.code}`);
    assert.ok(Date.now() - t0 >= 2000, 'not before 3 heartbeats (1 s each) were missed');

    // The server is fine, and the real agent (restarted, no token) syncs again.
    await k.ok(['get', 'nodes']);
    edge = startEdge(edgeArgs());
    await edge.waitFor(/in sync/, 60_000);
  });

  it('a server killed in the middle of a sync loses nothing: the edge converges after it restarts', async () => {
    await edge!.stop();
    // 30 ConfigMaps of 1 MiB referenced by one pod: about 30 batches to send, so a kill at the first one lands mid-sync.
    const file = join(edgeDir, '..', `big-${process.pid}.txt`);
    writeFileSync(file, 'x'.repeat(1024 * 1024));
    try {
      const names = Array.from({ length: 30 }, (_, i) => `big-${i}`);
      for (const n of names) await k.ok(['create', 'configmap', n, `--from-file=data=${file}`]);
      const volumes = names.map((n) => `  - name: ${n}\n    configMap: {name: ${n}}`).join('\n');
      await k.ok(
        ['apply', '-f', '-'],
        `apiVersion: v1\nkind: Pod\nmetadata: {name: bigpod, namespace: default}\nspec:\n  nodeName: ${NODE}\n  containers: [{name: c, image: busybox}]\n  volumes:\n${volumes}\n`,
      );
    } finally {
      rmSync(file, { force: true });
    }
    edge = startEdge(edgeArgs(), DEBUG);
    await edge.waitFor(/ConfigMap\/default\/big-.*applied sync batch/, 60_000);
    await server.kill();
    assert.equal(
      edge.output.filter((l) => /in sync/.test(l)).length,
      0,
      'killed before the sync ended',
    );
    await edge.waitFor(/offline/, 30_000);
    const mark = edge.output.length;
    server = await startServer({ dataDir: server.dataDir, args: serverArgs() });
    k = new Kubectl(server.kubeconfig);
    await edge.waitFor(/in sync/, 90_000, mark);
    await edge.stop();
    const want = await cloudView(k);
    const have = edgeInventory(edgeDir);
    want.delete(`Node//${NODE}`);
    have.delete(`Node//${NODE}`);
    assert.equal(have.size, want.size);
    assert.deepEqual(new Map([...have].sort()), new Map([...want].sort()));
    const big = edgeObject(edgeDir, 'ConfigMap/default/big-29') as { data: { data: string } };
    assert.equal(big.data.data.length, 1024 * 1024);
    edge = startEdge(edgeArgs());
    await edge.waitFor(/in sync/, 60_000);
  });
});

interface Creds {
  cert?: string;
  key?: string;
  ca: string;
}

function nodeCredentials(dir: string): Creds {
  const pem = readFileSync(join(dir, 'pki', 'node.pem'), 'utf8');
  return {
    cert: /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)![0],
    key: /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)![0],
    ca: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'),
  };
}

function openHub(port: number, c: Creds, extra: { autoPong?: boolean } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/hub/v1/connect`, 'verge-hub.v1', {
      cert: c.cert,
      key: c.key,
      ca: c.ca,
      maxPayload: 16 * 1024 * 1024,
      ...extra,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
    ws.once('error', reject);
  });
}

function send(ws: WebSocket, m: unknown): void {
  ws.send(JSON.stringify(m));
}

function closedWith(ws: WebSocket, timeoutMs = 30_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connection not closed in time')), timeoutMs);
    ws.once('close', (code, reason) => {
      clearTimeout(t);
      resolve({ code, reason: reason.toString() });
    });
    ws.on('error', () => {});
  });
}

function requestOver(
  ws: WebSocket,
  m: { id: number } & Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer to request ${m.id}`)), 10_000);
    const onMessage = (data: WebSocket.RawData): void => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if (msg.t === 'res' && msg.id === m.id) {
        clearTimeout(t);
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    send(ws, m);
  });
}

describe('node certificates rotate over the link', { timeout: 120_000 }, () => {
  it('renews at 80% of its life without a token, and the next connection uses the new certificate', async () => {
    // A 60 s certificate (with the CA's clock-skew allowance before now) is due for
    // renewal at once; the agent checks every 10 s.
    const server = await startServer({
      args: ['--node-cert-validity', '60s', '--hub-heartbeat', '1s'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'verge-edge-rot-'));
    const args = ['--server', server.hubUrl, '--node-name', 'rot', '--data-dir', dir];
    let edge = startEdge([...args, '--token', createToken(server.dataDir, ['--node', 'rot'])]);
    try {
      await edge.waitFor(/in sync/);
      const before = nodeCredentials(dir).cert!;
      await edge.waitFor(/certificate renewed/, 40_000);
      const renewed = nodeCredentials(dir).cert!;
      assert.notEqual(renewed, before);
      await edge.stop();
      edge = startEdge(args);
      await edge.waitFor(/in sync/, 30_000);
      const k = new Kubectl(server.kubeconfig);
      await eventually('node rot Ready', async () =>
        / Ready /.test(await k.ok(['get', 'node', 'rot'])),
      );
    } finally {
      await edge.stop();
      await server.stop();
      removeDir(server.dataDir);
      removeDir(dir);
    }
  });
});

describe('load shedding', { timeout: 60_000 }, () => {
  it('a server at its limit of syncing nodes tells a joining node to retry later, and it does', async () => {
    const server = await startServer({ args: ['--hub-max-syncing', '0'] });
    const dir = mkdtempSync(join(tmpdir(), 'verge-edge-shed-'));
    const edge = startEdge([
      ...['--server', server.hubUrl, '--node-name', 'shed', '--data-dir', dir],
      ...['--token', createToken(server.dataDir)],
    ]);
    try {
      const line = await edge.waitFor(/offline/);
      assert.match(line, /503: too many nodes are connecting; retry later/);
      const wait = Number(/retrying in ([\d.]+)s/.exec(line)?.[1]);
      assert.ok(wait >= 5, `waits at least the Retry-After (5 s or more), not ${wait}s`);
    } finally {
      await edge.stop();
      await server.stop();
      removeDir(server.dataDir);
      removeDir(dir);
    }
  });
});

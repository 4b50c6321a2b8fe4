/**
 * Pods at the edge on containerd: a private containerd (test/helpers/containerd.ts,
 * with the locally built busybox and pause images and a CNI bridge), a real
 * `verge server` and `verge edge --runtime cri`, and the system kubectl.
 * A 3-replica Deployment runs in containers with pod IPs from the bridge; a
 * rolling update replaces the containers; logs, exec and port-forward work
 * into a container's own network namespace; a missing image shows
 * ErrImagePull then ImagePullBackOff. CI installs containerd, so nothing here
 * is skipped there (VERGE_REQUIRE_ALL).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Kubectl,
  eventually,
  httpGet,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';
import {
  containerdAvailable,
  startContainerd,
  TEST_IMAGE,
  type StartedContainerd,
} from '../helpers/containerd.ts';
import { createToken, freePort, startEdge, type EdgeProcess } from '../helpers/edge.ts';
import { skipUnless } from '../helpers/require.ts';

const NODE = 'edge-cri';

interface PodItem {
  metadata: { name: string };
  status: {
    phase?: string;
    podIP?: string;
    containerStatuses?: Array<{
      ready: boolean;
      restartCount: number;
      containerID?: string;
      imageID?: string;
      state: Record<string, { reason?: string; message?: string }>;
    }>;
  };
}

const deployment = (version: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeName: ${NODE}
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: ${TEST_IMAGE}
        env: [{name: VERSION, value: ${version}}]
        command: [sh, -c, 'mkdir -p /www && echo "web $VERSION" > /www/index.html && echo "serving $VERSION" && exec httpd -f -p 8080 -h /www']
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /index.html, port: 8080}
          periodSeconds: 1
`;

function running(p: PodItem): boolean {
  return (
    p.status.phase === 'Running' &&
    (p.status.containerStatuses ?? []).every((c) => c.state.running !== undefined && c.ready)
  );
}

describe('pods on an edge node with containerd', { timeout: 600_000 }, () => {
  let ctd: StartedContainerd | undefined;
  let server: ServerProcess | undefined;
  let k: Kubectl;
  let edge: EdgeProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'verge-edge-cri-'));

  before(async () => {
    if (!containerdAvailable()) return;
    ctd = await startContainerd(join(work, 'containerd'));
    const hubPort = await freePort();
    server = await startServer({ args: ['--hub-port', String(hubPort), '--hub-heartbeat', '1s'] });
    k = new Kubectl(server.kubeconfig);
    edge = startEdge([
      '--server',
      `https://127.0.0.1:${hubPort}`,
      '--node-name',
      NODE,
      '--data-dir',
      join(work, 'edge'),
      '--runtime',
      'cri',
      '--cri-endpoint',
      ctd.endpoint,
      '--status-interval',
      '2s',
      '--local-api-port',
      'off',
      '--token',
      createToken(server.dataDir, ['--node', NODE]),
    ]);
    await edge.waitFor(/runtime: cri/);
    await edge.waitFor(/in sync/);
  });

  after(async () => {
    if (server && edge) {
      await k.run(['delete', 'deployments,pods', '--all', '--wait=false']);
      await eventually(
        'every pod gone',
        async () => (await k.ok(['get', 'pods', '-o', 'name'])).trim() === '',
        60_000,
      ).catch(() => {});
    }
    await edge?.stop();
    await ctd?.stop();
    await server?.stop();
    k?.cleanup();
    removeDir(server?.dataDir ?? '');
    removeDir(work);
  });

  it('runs a 3-replica Deployment in containers, rolls it and serves logs, exec and port-forward', async (t) => {
    if (skipUnless(t, containerdAvailable(), 'containerd, runc, umoci or busybox not installed'))
      return;
    const node = await k.json<{ status: { nodeInfo: { containerRuntimeVersion: string } } }>([
      'get',
      'node',
      NODE,
    ]);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/\d/);
    await k.ok(['apply', '-f', '-'], deployment('v1'));
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    const v1 = await eventually(
      '3 pods Running and Ready',
      async () => {
        const list = (await k.json<{ items: PodItem[] }>(['get', 'pods', '-l', 'app=web'])).items;
        return list.length === 3 && list.every(running) && list;
      },
      60_000,
    );
    const ips = new Set(v1.map((p) => p.status.podIP));
    assert.equal(ips.size, 3, 'each pod has its own IP');
    for (const p of v1) {
      assert.match(
        p.status.podIP!,
        new RegExp(`^${ctd!.subnet.split('.').slice(0, 3).join('\\.')}\\.`),
      );
      assert.match(p.status.containerStatuses![0]!.containerID ?? '', /^containerd:\/\//);
      // The pod network is routable from the host through the bridge.
      assert.equal((await httpGet(p.status.podIP!, 8080, '/index.html')).body.trim(), 'web v1');
    }
    const name = v1[0]!.metadata.name;
    assert.match(await k.ok(['logs', name]), /serving v1/);
    const hi = await k.run(['exec', '-it', name, '--', 'sh', '-c', 'echo hi; hostname'], '');
    assert.equal(hi.code, 0, hi.stderr);
    assert.match(hi.stdout, /^hi\r?$/m);
    assert.match(hi.stdout, new RegExp(`^${name}\\r?$`, 'm'));

    // port-forward reaches the container's own loopback.
    const local = await freePort();
    const pf = k.watch(['port-forward', `pod/${name}`, `${local}:8080`]);
    try {
      await eventually('port-forward listening', () =>
        pf.lines.some((l) => /Forwarding from/.test(l)),
      );
      assert.equal((await httpGet('127.0.0.1', local, '/index.html')).body.trim(), 'web v1');
    } finally {
      pf.stop();
    }

    await k.ok(['apply', '-f', '-'], deployment('v2'));
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    const v2 = await eventually(
      '3 new pods serving v2',
      async () => {
        const list = (await k.json<{ items: PodItem[] }>(['get', 'pods', '-l', 'app=web'])).items;
        return (
          list.length === 3 &&
          list.every((p) => running(p) && !v1.some((o) => o.metadata.name === p.metadata.name)) &&
          list
        );
      },
      90_000,
    );
    for (const p of v2) {
      assert.equal((await httpGet(p.status.podIP!, 8080, '/index.html')).body.trim(), 'web v2');
    }
  });

  it('a missing image shows ErrImagePull, then ImagePullBackOff', async (t) => {
    if (skipUnless(t, containerdAvailable(), 'containerd, runc, umoci or busybox not installed'))
      return;
    await k.ok([
      'run',
      'noimage',
      '--image=verge.local/does-not-exist:1',
      '--restart=Never',
      '--overrides',
      JSON.stringify({ spec: { nodeName: NODE } }),
    ]);
    const seen = new Set<string>();
    await eventually(
      'ErrImagePull and ImagePullBackOff',
      async () => {
        const p = await k.json<PodItem>(['get', 'pod', 'noimage']);
        const reason = p.status.containerStatuses?.[0]?.state.waiting?.reason;
        if (reason) seen.add(reason);
        return seen.has('ErrImagePull') && seen.has('ImagePullBackOff');
      },
      90_000,
    );
    const describe = await k.ok(['describe', 'pod', 'noimage']);
    assert.match(describe, /Failed to pull image "verge\.local\/does-not-exist:1"/);
    assert.match(describe, /Back-off pulling image/);
    await k.ok(['delete', 'pod', 'noimage', '--wait=false']);
  });
});

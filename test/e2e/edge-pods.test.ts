/**
 * Pods at the edge, end to end with the system kubectl, a real `verge server`
 * and a real `verge edge --runtime process` (the containers are host
 * processes, so this runs on any machine; test/e2e/edge-pods-cri.test.ts runs
 * the same kind of checks on containerd).
 *
 * One story, in order: a 3-replica Deployment runs; a rolling update replaces
 * the processes; logs -f, exec -it and port-forward work; a ConfigMap update
 * reaches the mounted file; then the server goes away for minutes while a
 * container crashes and is restarted and the agent is killed with SIGKILL and
 * started again offline; every pod comes back without duplicates, and once the
 * server returns kubectl shows the true status and restart counts. Then the
 * bad input, each as kubectl get/describe shows it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
import { createToken, freePort, startEdge, type EdgeProcess } from '../helpers/edge.ts';

const NODE = 'edge-pods';
/** Every process this file starts carries it in its command line (cleanup, counting). */
const MARK = `verge-e2e-${process.pid}`;

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      restartCount: number;
      containerID?: string;
      state: Record<string, { reason?: string; exitCode?: number; message?: string }>;
      lastState: Record<string, { reason?: string; exitCode?: number }>;
    }>;
  };
}

/**
 * Host processes whose command line contains `text`: with `containers`, only
 * the containers' own commands (`sh -c : MARK...`), not the process runtime's
 * wrapper shells around them.
 */
function processesWith(text: string, containers = true): number[] {
  const pattern = containers ? `^sh -c : ${text}` : text;
  const r = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function deployment(name: string, version: string): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeName: ${NODE}
      terminationGracePeriodSeconds: 5
      containers:
      - name: app
        image: busybox
        command: [sh, -c, ': ${MARK}-${name}-${version}; echo "${name} ${version} up"; trap "exit 0" TERM; while :; do sleep 1 & wait; done']
        readinessProbe:
          exec: {command: [sh, -c, 'true']}
          periodSeconds: 1
`;
}

async function pods(k: Kubectl, selector: string): Promise<PodItem[]> {
  const list = await k.json<{ items: PodItem[] }>(['get', 'pods', '-l', selector]);
  return list.items;
}

function running(p: PodItem): boolean {
  return (
    p.status.phase === 'Running' &&
    (p.status.containerStatuses ?? []).every((c) => c.state.running !== undefined)
  );
}

describe('pods on an edge node (process runtime)', { timeout: 900_000 }, () => {
  let server: ServerProcess;
  let k: Kubectl;
  let hubPort: number;
  let edge: EdgeProcess | undefined;
  const edgeDir = mkdtempSync(join(tmpdir(), 'verge-edge-pods-'));
  const edgeArgs = (): string[] => [
    '--server',
    `https://127.0.0.1:${hubPort}`,
    '--node-name',
    NODE,
    '--data-dir',
    edgeDir,
    '--runtime',
    'process',
    '--status-interval',
    '2s',
    '--backoff-base',
    '200ms',
    '--local-api-port',
    '0',
  ];

  before(async () => {
    hubPort = await freePort();
    server = await startServer({ args: ['--hub-port', String(hubPort), '--hub-heartbeat', '1s'] });
    k = new Kubectl(server.kubeconfig);
    const token = createToken(server.dataDir, ['--node', NODE, '--ttl', '1h']);
    edge = startEdge([...edgeArgs(), '--token', token]);
    await edge.waitFor(/runtime: process/);
    await edge.waitFor(/in sync/);
    await eventually(
      'the node Ready',
      async () => / Ready /.test(await k.ok(['get', 'node', NODE])),
      30_000,
    );
  });

  after(async () => {
    // Containers outlive a stopped agent (as with a kubelet): delete them first.
    await k?.run(['delete', 'deployments,pods', '--all', '--wait=false']);
    if (edge && edge.child.exitCode === null) {
      await eventually(
        'every pod gone',
        async () => (await k.ok(['get', 'pods', '-o', 'name'])).trim() === '',
        60_000,
      ).catch(() => {});
    }
    await edge?.stop();
    for (const pid of processesWith(MARK, false)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await server?.stop();
    k?.cleanup();
    removeDir(server?.dataDir ?? '');
    removeDir(edgeDir);
  });

  it('runs a 3-replica Deployment and reports the status kubectl expects', async () => {
    await k.ok(['apply', '-f', '-'], deployment('web', 'v1'));
    const ps = await eventually(
      '3 web pods Running and Ready',
      async () => {
        const list = await pods(k, 'app=web');
        return (
          list.length === 3 &&
          list.every(
            (p) =>
              running(p) &&
              p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          ) &&
          list
        );
      },
      60_000,
    );
    for (const p of ps) {
      assert.equal(p.spec.nodeName, NODE);
      assert.ok(p.status.hostIP, 'hostIP');
      assert.ok(p.status.podIP, 'podIP');
      assert.ok(p.status.startTime, 'startTime');
      const c = p.status.containerStatuses![0]!;
      assert.equal(c.ready, true);
      assert.equal(c.restartCount, 0);
      assert.match(c.containerID ?? '', /^process:\/\//);
    }
    assert.equal(processesWith(`${MARK}-web-v1`).length, 3);
    const table = await k.ok(['get', 'deploy', 'web']);
    assert.match(table, /web\s+3\/3\s+3\s+3/);
    const wide = await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'wide']);
    assert.equal(wide.split('\n').filter((l) => / 1\/1 +Running +0 /.test(l)).length, 3, wide);
  });

  it('a rolling update replaces the processes', async () => {
    const before = (await pods(k, 'app=web')).map((p) => p.metadata.name);
    await k.ok(['apply', '-f', '-'], deployment('web', 'v2'));
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    await eventually(
      'old pods gone and 3 new ones Running',
      async () => {
        const list = await pods(k, 'app=web');
        return (
          list.length === 3 &&
          list.every((p) => !before.includes(p.metadata.name) && running(p)) &&
          processesWith(`${MARK}-web-v1`).length === 0
        );
      },
      60_000,
    );
    assert.equal(processesWith(`${MARK}-web-v2`).length, 3);
  });

  it('kubectl logs -f, exec -it and port-forward work', async () => {
    const [p] = await pods(k, 'app=web');
    const name = p!.metadata.name;
    assert.match(await k.ok(['logs', name]), /web v2 up/);
    assert.match(await k.ok(['logs', name, '--timestamps']), /^\d{4}-\d\d-\d\dT\S+Z web v2 up$/m);
    const follow = k.watch(['logs', '-f', name]);
    try {
      await eventually('logs -f prints the line', () => follow.lines.includes('web v2 up'), 20_000);
    } finally {
      follow.stop();
    }
    // -it with a pipe for stdin: kubectl warns that it cannot use a TTY and goes on.
    const hi = await k.run(['exec', '-it', name, '--', 'sh', '-c', 'echo hi'], '');
    assert.equal(hi.code, 0, hi.stderr);
    assert.match(hi.stdout, /^hi\r?$/m);
    const exit = await k.run(['exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(exit.code, 3, exit.stderr);
    assert.match(exit.stdout, /out/);
    assert.match(exit.stderr, /err/);

    // port-forward to a pod serving HTTP on a port of the host (process runtime).
    const podPort = await freePort();
    await k.ok(
      ['apply', '-f', '-'],
      `
apiVersion: v1
kind: Pod
metadata: {name: http, namespace: default}
spec:
  nodeName: ${NODE}
  containers:
  - name: http
    image: busybox
    command: [sh, -c, ': ${MARK}; mkdir -p /tmp/${MARK}-www && echo hello-from-pod > /tmp/${MARK}-www/index.html && exec busybox httpd -f -p ${podPort} -h /tmp/${MARK}-www']
    readinessProbe:
      tcpSocket: {port: ${podPort}}
      periodSeconds: 1
`,
    );
    await k.ok(['wait', '--for=condition=Ready', 'pod/http', '--timeout=60s']);
    const localPort = await freePort();
    const pf = k.watch(['port-forward', 'pod/http', `${localPort}:${podPort}`]);
    try {
      await eventually('port-forward listening', () =>
        pf.lines.some((l) => /Forwarding from/.test(l)),
      );
      const r = await httpGet('127.0.0.1', localPort, '/index.html');
      assert.equal(r.status, 200);
      assert.equal(r.body.trim(), 'hello-from-pod');
    } finally {
      pf.stop();
    }
  });

  it('a ConfigMap update reaches the mounted file', async () => {
    await k.ok(['create', 'configmap', 'settings', '--from-literal=mode=one']);
    await k.ok(
      ['apply', '-f', '-'],
      `
apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: default}
spec:
  nodeName: ${NODE}
  containers:
  - name: reader
    image: busybox
    command: [sh, -c, ': ${MARK}; trap "exit 0" TERM; while :; do sleep 1 & wait; done']
    volumeMounts:
    - {name: cfg, mountPath: /etc/settings}
  volumes:
  - name: cfg
    configMap: {name: settings}
`,
    );
    await k.ok(['wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s']);
    // The process runtime shows volumes under $VERGE_ROOT (it has no mount namespace).
    const read = (): Promise<string> =>
      k.ok(['exec', 'reader', '--', 'sh', '-c', 'cat ${VERGE_ROOT:-}/etc/settings/mode']);
    assert.equal((await read()).trim(), 'one');
    await k
      .ok(
        [
          'create',
          'configmap',
          'settings',
          '--from-literal=mode=two',
          '--dry-run=client',
          '-o',
          'yaml',
        ],
        undefined,
      )
      .then((y) => k.ok(['apply', '-f', '-'], y));
    await eventually(
      'the file shows the new value',
      async () => (await read()).trim() === 'two',
      60_000,
    );
  });

  it('survives minutes without the server, a crash and a kill -9 of the agent', async () => {
    await k.ok(
      ['apply', '-f', '-'],
      `
apiVersion: v1
kind: Pod
metadata: {name: crasher, namespace: default}
spec:
  nodeName: ${NODE}
  restartPolicy: Always
  containers:
  - name: c
    image: busybox
    command: [sh, -c, ': ${MARK}-crasher; echo crashing soon; sleep 4; exit 3']
`,
    );
    await eventually(
      'crasher Running',
      async () => running(await k.json<PodItem>(['get', 'pod', 'crasher'])),
      60_000,
    );
    const webBefore = processesWith(`${MARK}-web-v2`).sort();
    assert.equal(webBefore.length, 3);

    const offlineAt = Date.now();
    await server.stop();
    await edge!.waitFor(/offline/, 30_000);
    // While offline the crasher exits (3) and is restarted with back-off 10 s,
    // 20 s...: wait until three of its processes (two restarts) have been seen.
    const crasherPids = new Set<number>();
    await eventually(
      'the crasher restarted twice while offline',
      () => {
        for (const pid of processesWith(`${MARK}-crasher`)) crasherPids.add(pid);
        return crasherPids.size >= 3;
      },
      90_000,
    );
    // kill -9 the agent and start it again, still offline.
    edge!.child.kill('SIGKILL');
    await edge!.exited;
    const restartAt = Date.now();
    edge = startEdge(edgeArgs());
    await edge.waitFor(/pods: \d+ running of 6 /, 30_000);
    const readyIn = Date.now() - restartAt;
    // Nothing duplicated: the same three web processes, still running.
    assert.deepEqual(processesWith(`${MARK}-web-v2`).sort(), webBefore);
    assert.ok(readyIn < 30_000, `agent back in ${readyIn} ms`);
    // Workloads on the node can still read its view through the local API.
    const local = await edge.waitFor(/local API \(read-only\) on http:\/\/127\.0\.0\.1:\d+/);
    const localPort = Number(/:(\d+)$/.exec(local)![1]);
    const localPods = await httpGet(
      '127.0.0.1',
      localPort,
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb',
    );
    assert.equal(localPods.status, 200);
    const items = (JSON.parse(localPods.body) as { items: PodItem[] }).items;
    assert.equal(items.length, 3);
    // Keep the server away for minutes in all.
    const rest = 150_000 - (Date.now() - offlineAt);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));

    server = await startServer({
      dataDir: server.dataDir,
      args: ['--hub-port', String(hubPort), '--hub-heartbeat', '1s'],
    });
    k = new Kubectl(server.kubeconfig);
    await edge.waitFor(/in sync/, 60_000);
    const crasher = await eventually(
      'the crasher shows its restarts',
      async () => {
        const p = await k.json<PodItem>(['get', 'pod', 'crasher']);
        const c = p.status.containerStatuses?.[0];
        return c && c.restartCount >= 2 && c.lastState.terminated?.exitCode === 3 && p;
      },
      60_000,
    );
    assert.ok(crasher.status.containerStatuses![0]!.restartCount >= 2);
    const web = await eventually(
      'web pods Running with no restarts',
      async () => {
        const list = await pods(k, 'app=web');
        return list.length === 3 && list.every(running) && list;
      },
      60_000,
    );
    for (const p of web) assert.equal(p.status.containerStatuses![0]!.restartCount, 0);
    const table = await k.ok(['get', 'pods']);
    assert.match(table, /crasher\s+\S+\s+\S+\s+[2-9]\d* /);
  });

  it('bad input shows in kubectl get and describe as Kubernetes shows it', async () => {
    const pod = (name: string, spec: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
  nodeName: ${NODE}
${spec}`;
    await k.ok(
      ['apply', '-f', '-'],
      [
        pod(
          'nocmd',
          `  containers:\n  - {name: c, image: busybox, command: [/nonexistent/${MARK}]}`,
        ),
        pod(
          'quick',
          `  containers:\n  - {name: c, image: busybox, command: [sh, -c, ': ${MARK}; exit 1']}`,
        ),
        pod(
          'hang',
          `  containers:
  - name: c
    image: busybox
    command: [sh, -c, ': ${MARK}; trap "exit 0" TERM; while :; do sleep 1 & wait; done']
    livenessProbe:
      exec: {command: [sh, -c, ': ${MARK}; sleep 30']}
      timeoutSeconds: 1
      periodSeconds: 2
      failureThreshold: 100`,
        ),
        pod(
          'nocm',
          `  containers:
  - {name: c, image: busybox, command: [sh, -c, ': ${MARK}; sleep 1000'], volumeMounts: [{name: v, mountPath: /cfg}]}
  volumes:
  - {name: v, configMap: {name: does-not-exist}}`,
        ),
        pod(
          'done',
          `  restartPolicy: Never\n  containers:\n  - {name: c, image: busybox, command: [sh, -c, ': ${MARK}; echo bye']}`,
        ),
      ].join('\n---\n'),
    );
    const status = async (name: string): Promise<string> => {
      const out = await k.ok(['get', 'pod', name, '--no-headers']);
      return out.trim().split(/\s+/)[2]!;
    };
    await eventually(
      'nocmd fails to start',
      async () => /StartError|RunContainerError|CrashLoopBackOff/.test(await status('nocmd')),
      60_000,
    );
    assert.match(await k.ok(['describe', 'pod', 'nocmd']), /nonexistent/);
    await eventually(
      'quick in CrashLoopBackOff',
      async () => (await status('quick')) === 'CrashLoopBackOff',
      60_000,
    );
    assert.match(
      await k.ok(['describe', 'pod', 'quick']),
      /Back-off restarting failed container c/,
    );
    await eventually(
      'the hanging probe times out',
      async () =>
        /Liveness probe (errored|failed).*(timed out|timeout)/i.test(
          await k.ok(['describe', 'pod', 'hang']),
        ),
      60_000,
    );
    assert.equal(await status('nocm'), 'ContainerCreating');
    await eventually(
      'FailedMount for the missing ConfigMap',
      async () =>
        /FailedMount.*configmap "does-not-exist" not found/.test(
          await k.ok(['describe', 'pod', 'nocm']),
        ),
      60_000,
    );
    const logs = await k.fails(['logs', 'nocm']);
    assert.match(logs, /container "c" in pod "nocm" is waiting to start: ContainerCreating/);
    await eventually('done Completed', async () => (await status('done')) === 'Completed', 60_000);
    assert.match(await k.ok(['logs', 'done']), /bye/);
    // exec into a container that is not running (kubectl checks the phase of a finished pod itself).
    const crashing = await k.fails(['exec', 'quick', '--', 'true']);
    assert.match(crashing, /not running|container not found|unable to upgrade/i);
    assert.match(await k.fails(['exec', 'done', '--', 'true']), /completed pod|Succeeded/);
    await k.ok(['delete', 'pod', 'nocmd', 'quick', 'hang', 'nocm', 'done', '--wait=false']);
  });
});

/**
 * Controllers and scheduler end to end with kubectl, against `verge server`
 * with Node objects played by the test (FakeNodes: heartbeats, and pods marked
 * Running/Ready as a kubelet would; the real edge agent comes later).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Kubectl,
  eventually,
  removeDir,
  startServer,
  type ServerProcess,
} from '../helpers/cluster.ts';
import { FakeNodes } from '../helpers/fake-nodes.ts';

const deployment = (
  name: string,
  image: string,
  replicas: number,
  extra = '',
): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${extra}      containers:
      - name: app
        image: ${image}
        resources:
          requests: {cpu: 100m, memory: 64Mi}
`;

interface PodView {
  metadata: {
    name: string;
    ownerReferences?: { kind: string; name: string }[];
    deletionTimestamp?: string;
  };
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

describe('controllers and scheduler with kubectl', () => {
  let server: ServerProcess;
  let k: Kubectl;
  let nodes: FakeNodes;

  const pods = async (selector: string, ns = 'default'): Promise<PodView[]> =>
    (await k.json<{ items: PodView[] }>(['get', 'pods', '-n', ns, '-l', selector])).items;

  before(async () => {
    server = await startServer({ args: ['--node-monitor-grace-period', '4s'] });
    k = new Kubectl(server.kubeconfig);
    nodes = new FakeNodes(server.kubeconfig);
    await nodes.add({ name: 'edge-a', labels: { zone: 'north', disk: 'ssd' } });
    await nodes.add({ name: 'edge-b', labels: { zone: 'south', disk: 'ssd' } });
    await nodes.add({
      name: 'edge-c',
      labels: { zone: 'south' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    });
    nodes.start(300);
    await eventually(
      'nodes Ready',
      async () =>
        (await k.ok(['get', 'nodes'])).split('\n').filter((l) => /\sReady\s/.test(l)).length === 3,
    );
  });

  after(async () => {
    nodes?.stop();
    k?.cleanup();
    await server?.stop();
    removeDir(server?.dataDir);
  });

  it('a Deployment scales up and down; its pods are bound and spread over the nodes', async () => {
    await k.ok(['apply', '-f', '-'], deployment('web', 'nginx:1.25', 3));
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    let list = await pods('app=web');
    assert.equal(list.length, 3);
    // Spread: the untainted nodes each get some; the tainted one none.
    const byNode = new Map<string, number>();
    for (const p of list) byNode.set(p.spec.nodeName!, (byNode.get(p.spec.nodeName!) ?? 0) + 1);
    assert.equal(byNode.get('edge-c'), undefined, 'no pod on the tainted node');
    assert.equal(
      byNode.size,
      2,
      `spread over both untainted nodes: ${JSON.stringify([...byNode])}`,
    );
    assert.match(await k.ok(['get', 'deployment', 'web']), /^web\s+3\/3\s+3\s+3\s/m);
    await k.ok(['scale', 'deployment', 'web', '--replicas=5']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await eventually(
      '5 pods',
      async () => (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp).length === 5,
    );
    await k.ok(['scale', 'deployment', 'web', '--replicas=1']);
    await eventually('1 pod', async () => (await pods('app=web')).length === 1);
    list = await pods('app=web');
    assert.equal(list[0].metadata.ownerReferences?.[0].kind, 'ReplicaSet');
    const described = await k.ok(['describe', 'deployment', 'web']);
    assert.match(described, /ScalingReplicaSet\s+.*Scaled (up|down) replica set web-/);
  });

  it('rolls out a new image within maxUnavailable, as seen by kubectl get -w; history and undo', async () => {
    await k.ok(['scale', 'deployment', 'web', '--replicas=4']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const watch = k.watch([
      'get',
      'deployment',
      'web',
      '-w',
      '-o',
      'jsonpath={.spec.replicas} {.status.availableReplicas} {.status.replicas}{"\\n"}',
    ]);
    try {
      await eventually('the watch to start', () => watch.lines.length > 0);
      await k.ok(['set', 'image', 'deployment/web', 'app=nginx:1.26']);
      await k.ok(['annotate', 'deployment/web', 'kubernetes.io/change-cause=upgrade to 1.26']);
      await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    } finally {
      watch.stop();
    }
    const states = watch.lines.map((l) => l.trim().split(/\s+/).map(Number));
    assert.ok(states.length >= 3, `saw ${states.length} states`);
    for (const [replicas, available, total] of states) {
      // maxUnavailable 1, maxSurge 1: never fewer than 3 available, never more than 5 pods.
      assert.ok(
        (available || 0) >= replicas - 1,
        `available ${available} < ${replicas - 1}: ${JSON.stringify(states)}`,
      );
      assert.ok(
        total <= replicas + 1,
        `total ${total} > ${replicas + 1}: ${JSON.stringify(states)}`,
      );
    }
    const images = (await pods('app=web'))
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.spec.containers[0].image);
    assert.deepEqual([...new Set(images)], ['nginx:1.26']);
    const history = await k.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+upgrade to 1\.26$/m);
    await k.ok(['rollout', 'undo', 'deployment/web']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    assert.equal(
      await k.ok([
        'get',
        'deployment',
        'web',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ]),
      'nginx:1.25',
    );
    assert.match(await k.ok(['rollout', 'history', 'deployment/web']), /^3\s/m);
  });

  it('pause, resume and restart', async () => {
    await k.ok(['rollout', 'pause', 'deployment/web']);
    await k.ok(['set', 'image', 'deployment/web', 'app=nginx:1.27']);
    // Once the controller has seen the change (observedGeneration caught up), a
    // paused Deployment must still have no pod of the new template.
    await eventually('the controller to observe the change', async () => {
      const d = await k.json<{
        metadata: { generation: number };
        status: { observedGeneration?: number };
      }>(['get', 'deployment', 'web']);
      return d.status.observedGeneration === d.metadata.generation;
    });
    assert.ok(
      (await pods('app=web')).every((p) => p.spec.containers[0].image === 'nginx:1.25'),
      'paused: no new pods',
    );
    await k.ok(['rollout', 'resume', 'deployment/web']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const before = new Set((await pods('app=web')).map((p) => p.metadata.name));
    await k.ok(['rollout', 'restart', 'deployment/web']);
    await k.ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    await eventually('all pods replaced', async () =>
      (await pods('app=web')).every((p) => !before.has(p.metadata.name)),
    );
  });

  it('a DaemonSet covers exactly the matching nodes', async () => {
    await k.ok(
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeSelector: {disk: ssd}
      containers:
      - name: agent
        image: busybox
`,
    );
    await k.ok(['rollout', 'status', 'daemonset/agent', '--timeout=60s']);
    const placed = (await pods('app=agent')).map((p) => p.spec.nodeName).sort();
    assert.deepEqual(placed, ['edge-a', 'edge-b']);
    assert.match(
      await k.ok(['get', 'daemonset', 'agent']),
      /^agent\s+2\s+2\s+2\s+2\s+2\s+disk=ssd\s/m,
    );
  });

  it('taints, tolerations, node affinity and nodeSelector steer placement; impossible pods say why', async () => {
    await k.ok([
      'run',
      'on-gpu',
      '--image=busybox',
      '--overrides',
      JSON.stringify({
        spec: {
          tolerations: [
            { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
          ],
          nodeSelector: { 'kubernetes.io/hostname': 'edge-c' },
        },
      }),
    ]);
    await eventually(
      'on-gpu bound to edge-c',
      async () =>
        (await k.ok(['get', 'pod', 'on-gpu', '-o', 'jsonpath={.spec.nodeName}'])) === 'edge-c',
    );
    await k.ok([
      'run',
      'north',
      '--image=busybox',
      '--overrides',
      JSON.stringify({
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'zone', operator: 'In', values: ['north'] }] },
                ],
              },
            },
          },
        },
      }),
    ]);
    await eventually(
      'north bound to edge-a',
      async () =>
        (await k.ok(['get', 'pod', 'north', '-o', 'jsonpath={.spec.nodeName}'])) === 'edge-a',
    );
    await k.ok([
      'run',
      'nowhere',
      '--image=busybox',
      '--overrides',
      JSON.stringify({ spec: { nodeSelector: { zone: 'mars' } } }),
    ]);
    const message = await eventually('the PodScheduled=False condition', async () => {
      const pod = await k.json<PodView>(['get', 'pod', 'nowhere']);
      const c = pod.status?.conditions?.find(
        (x) => x.type === 'PodScheduled' && x.status === 'False',
      );
      return c?.message;
    });
    assert.match(
      message,
      /^0\/3 nodes are available: .*node\(s\) didn't match Pod's node affinity\/selector/,
    );
    assert.match(await k.ok(['describe', 'pod', 'nowhere']), /FailedScheduling/);
  });

  it('cascading deletes: background, foreground and orphan', async () => {
    for (const mode of ['background', 'foreground', 'orphan']) {
      const name = `cascade-${mode}`;
      await k.ok(['apply', '-f', '-'], deployment(name, 'nginx', 2));
      await k.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s']);
      const rs = (await k.ok(['get', 'rs', '-l', `app=${name}`, '-o', 'name'])).trim();
      await k.ok(['delete', 'deployment', name, `--cascade=${mode}`, '--timeout=60s']);
      if (mode === 'orphan') {
        // The ReplicaSet and its pods stay, without the owner reference.
        const owners = await k.ok(['get', rs, '-o', 'jsonpath={.metadata.ownerReferences}']);
        assert.equal(owners, '', `orphaned ${rs} still has owners: ${owners}`);
        assert.equal((await pods(`app=${name}`)).length, 2);
        await k.ok(['delete', rs]);
        await eventually(
          'the orphan pods to go with their ReplicaSet',
          async () => (await pods(`app=${name}`)).length === 0,
        );
      } else {
        await eventually(
          `${mode}: ReplicaSet and pods gone`,
          async () =>
            (await k.run(['get', rs])).code !== 0 && (await pods(`app=${name}`)).length === 0,
        );
      }
    }
  });

  it('namespace deletion removes everything in it, then the namespace', async () => {
    await k.ok(['create', 'namespace', 'doomed']);
    await eventually(
      'the default ServiceAccount',
      async () => (await k.run(['get', 'serviceaccount', 'default', '-n', 'doomed'])).code === 0,
    );
    await k.ok(['create', 'configmap', 'c', '-n', 'doomed']);
    await k.ok(['apply', '-n', 'doomed', '-f', '-'], deployment('inner', 'nginx', 1));
    await k.ok(['delete', 'namespace', 'doomed', '--timeout=60s']);
    assert.notEqual((await k.run(['get', 'namespace', 'doomed'])).code, 0);
  });

  it('a node that stops heartbeating turns Unknown and keeps its pods unless they tolerate for a time', async () => {
    await k.ok([
      'run',
      'stays',
      '--image=busybox',
      '--overrides',
      JSON.stringify({ spec: { nodeSelector: { 'kubernetes.io/hostname': 'edge-b' } } }),
    ]);
    await k.ok([
      'run',
      'leaves',
      '--image=busybox',
      '--overrides',
      JSON.stringify({
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': 'edge-b' },
          tolerations: [
            {
              key: 'node.kubernetes.io/unreachable',
              operator: 'Exists',
              effect: 'NoExecute',
              tolerationSeconds: 2,
            },
          ],
        },
      }),
    ]);
    await eventually('both running on edge-b', async () => {
      const p = await k
        .json<{ items: PodView[] }>(['get', 'pods', 'stays', 'leaves'])
        .catch(() => undefined);
      return p?.items.every((x) => x.status?.phase === 'Running');
    });
    nodes.cutOff('edge-b');
    await eventually(
      'edge-b Unknown',
      async () =>
        /Unknown/.test(
          await k.ok([
            'get',
            'node',
            'edge-b',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]),
        ),
      30_000,
    );
    const taints = await k.ok(['get', 'node', 'edge-b', '-o', 'jsonpath={.spec.taints[*].key}']);
    assert.match(taints, /node\.kubernetes\.io\/unreachable/);
    assert.match(await k.ok(['get', 'nodes']), /^edge-b\s+NotReady\s/m);
    await eventually(
      'the tolerating pod evicted',
      async () =>
        (await k.run(['get', 'pod', 'leaves'])).code !== 0 ||
        /deletionTimestamp/.test(await k.ok(['get', 'pod', 'leaves', '-o', 'json'])),
      30_000,
    );
    const stays = await k.json<PodView>(['get', 'pod', 'stays']);
    assert.equal(
      stays.metadata.deletionTimestamp,
      undefined,
      'a pod without tolerationSeconds is not evicted at the edge',
    );
    assert.equal(stays.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    nodes.restore('edge-b');
    await eventually(
      'edge-b Ready again',
      async () =>
        (await k.ok([
          'get',
          'node',
          'edge-b',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ])) === 'True',
      30_000,
    );
    await eventually(
      'taints removed',
      async () =>
        !/unreachable/.test(
          await k.ok(['get', 'node', 'edge-b', '-o', 'jsonpath={.spec.taints[*].key}']),
        ),
    );
  });

  it('a deleted Node takes its pods with it', async () => {
    await k.ok(['delete', 'node', 'edge-c']);
    // Pod GC waits out a 40 s quarantine first, as Kubernetes does.
    await eventually(
      'on-gpu deleted with its node',
      async () => (await k.run(['get', 'pod', 'on-gpu'])).code !== 0,
      90_000,
    );
  });
});

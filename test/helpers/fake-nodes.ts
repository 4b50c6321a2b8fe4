/**
 * Stand-ins for node agents in end-to-end tests of the control plane, over real
 * HTTPS with the admin credentials: registers Nodes, renews their Leases and
 * Ready condition, marks pods bound to them Running and Ready, and completes
 * graceful deletion (as a kubelet does once containers stopped). A node can be
 * "cut off" (stops heartbeating and stops touching its pods) and restored.
 *
 * Only for tests of issue 5's controllers; the real edge agent replaces it.
 */
import { Agent } from 'node:https';
import { adminCredentials, httpsCall, type Credentials } from './cluster.ts';

export interface FakeNodeSpec {
  name: string;
  labels?: Record<string, string>;
  taints?: {
    key: string;
    value?: string;
    effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
  cpu?: string;
  memory?: string;
  pods?: string;
}

type Json = Record<string, unknown>;

export class FakeNodes {
  readonly #creds: Credentials;
  readonly #agent: Agent;
  readonly #nodes = new Map<string, { spec: FakeNodeSpec; online: boolean }>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(kubeconfig: string) {
    this.#creds = adminCredentials(kubeconfig);
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: this.#creds.ca,
      cert: this.#creds.cert,
      key: this.#creds.key,
    });
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ code: number; json: Json }> {
    const r = await httpsCall(this.#creds, method, path, {
      agent: this.#agent,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers:
        body === undefined
          ? { 'User-Agent': 'fake-kubelet/test' }
          : { 'Content-Type': contentType, 'User-Agent': 'fake-kubelet/test' },
    });
    return { code: r.code, json: r.body ? (JSON.parse(r.body) as Json) : {} };
  }

  #status(spec: FakeNodeSpec, now: string): Json {
    const capacity = {
      cpu: spec.cpu ?? '4',
      memory: spec.memory ?? '8Gi',
      pods: spec.pods ?? '110',
    };
    const cond = (type: string, status: string, reason: string): Json => ({
      type,
      status,
      reason,
      message: reason,
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    });
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('Ready', 'True', 'KubeletReady'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: spec.name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.33.0-fake',
        osImage: 'fake',
        kernelVersion: '6.0',
        containerRuntimeVersion: 'fake://1',
        operatingSystem: 'linux',
        architecture: 'amd64',
        machineID: '',
        systemUUID: '',
        bootID: '',
        kubeProxyVersion: '',
      },
    };
  }

  /** Registers a node (Ready) with its Lease. */
  async add(spec: FakeNodeSpec): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: spec.name,
        labels: {
          'kubernetes.io/hostname': spec.name,
          'kubernetes.io/os': 'linux',
          ...spec.labels,
        },
      },
      spec: { taints: spec.taints?.map((t) => ({ ...t, value: t.value })) },
      status: this.#status(spec, now),
    };
    const r = await this.call('POST', '/api/v1/nodes', node);
    if (r.code !== 201)
      throw new Error(`creating node ${spec.name}: ${r.code} ${JSON.stringify(r.json)}`);
    this.#nodes.set(spec.name, { spec, online: true });
    await this.#heartbeat(spec.name);
  }

  /** Stops heartbeating (and acting on pods) for `name`, as a node cut off from the cloud. */
  cutOff(name: string): void {
    this.#nodes.get(name)!.online = false;
  }

  restore(name: string): void {
    this.#nodes.get(name)!.online = true;
  }

  async #heartbeat(name: string): Promise<void> {
    const { spec } = this.#nodes.get(name)!;
    const now = new Date();
    const micro = now.toISOString().replace('Z', '000Z');
    const lease = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro },
    };
    const r = await this.call('PUT', lease, body);
    if (r.code === 404)
      await this.call(
        'POST',
        '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
        body,
      );
    await this.call(
      'PATCH',
      `/api/v1/nodes/${name}/status`,
      { status: this.#status(spec, now.toISOString().replace(/\.\d+Z$/, 'Z')) },
      'application/merge-patch+json',
    );
  }

  /** Marks pods bound to online nodes Running and Ready; finishes their graceful deletion. */
  async #tendPods(): Promise<void> {
    const r = await this.call('GET', '/api/v1/pods');
    const items = (r.json.items ?? []) as {
      metadata: { name: string; namespace: string; deletionTimestamp?: string };
      spec: { nodeName?: string; containers: { name: string; image: string }[] };
      status?: { phase?: string; conditions?: { type: string; status: string }[] };
    }[];
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const pod of items) {
      const node = pod.spec.nodeName && this.#nodes.get(pod.spec.nodeName);
      if (!node || !node.online) continue;
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
      if (pod.metadata.deletionTimestamp) {
        await this.call('DELETE', `${path}?gracePeriodSeconds=0`, {});
        continue;
      }
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (pod.status?.phase === 'Running' && ready) continue;
      await this.call(
        'PATCH',
        `${path}/status`,
        {
          status: {
            phase: 'Running',
            podIP: '10.42.0.10',
            startTime: now,
            conditions: [
              'PodReadyToStartContainers',
              'Initialized',
              'ContainersReady',
              'Ready',
              'PodScheduled',
            ].map((type) => ({
              type,
              status: 'True',
              lastProbeTime: null,
              lastTransitionTime: now,
            })),
            containerStatuses: pod.spec.containers.map((c) => ({
              name: c.name,
              image: c.image,
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
            })),
          },
        },
        'application/merge-patch+json',
      );
    }
  }

  /** Heartbeats and tends pods every `intervalMs` until stop(). */
  start(intervalMs = 500): void {
    let beats = 0;
    this.#timer = setInterval(() => {
      if (this.#busy) return;
      this.#busy = true;
      const work = async (): Promise<void> => {
        // Heartbeat every 2 s; tend pods every tick.
        if (beats++ % Math.max(1, Math.round(2000 / intervalMs)) === 0) {
          for (const [name, n] of this.#nodes) if (n.online) await this.#heartbeat(name);
        }
        await this.#tendPods();
      };
      work()
        .catch(() => undefined)
        .finally(() => (this.#busy = false));
    }, intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#agent.destroy();
  }
}

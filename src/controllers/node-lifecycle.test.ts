import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GVR } from '../api/client.ts';
import type { Lease } from '../api/types/coordination.ts';
import type { Event, Node, NodeCondition, Pod, Toleration } from '../api/types/core.ts';
import { isNotFound } from '../util/errors.ts';
import { FakeClock, settle } from '../util/clock.ts';
import type { ControllerManager } from './manager.ts';
import {
  EVICTION_ANNOTATION,
  nodeLifecycleControllerWith,
  type NodeLifecycleOptions,
} from './node-lifecycle.ts';
import { rfc3339 } from './time.ts';
import { testApi, type TestApi } from './testing.ts';

const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number): string => rfc3339(T0 + seconds * 1000);
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

/** A cluster with the controller running, and the node agent's side of the conversation played by hand. */
class Harness {
  readonly clock = new FakeClock(T0);
  api!: TestApi;
  manager!: ControllerManager;
  #abort = new AbortController();
  #running: Promise<void> = Promise.resolve();

  static async create(): Promise<Harness> {
    const h = new Harness();
    h.api = await testApi({ clock: h.clock });
    return h;
  }

  /** Starts a (new) controller instance and waits until its informers have synced. */
  async start(options: NodeLifecycleOptions = {}): Promise<void> {
    this.#abort = new AbortController();
    this.manager = this.api.manager();
    this.manager.add(nodeLifecycleControllerWith(options));
    this.#running = this.manager.run(this.#abort.signal);
    await this.manager.synced();
    await settle();
  }

  /** Stops the controller instance (the store stays). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
    if (this.manager) await this.flushEvents();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.api.close();
  }

  async flushEvents(): Promise<void> {
    await this.manager.recorder('node-controller').flush();
    await this.manager.recorder('taint-eviction-controller').flush();
  }

  /** Moves time forward, then lets the controller catch up. */
  async advance(ms: number): Promise<void> {
    // Whatever was written before time moves is seen at the time it was written.
    await settle();
    await this.clock.advance(ms);
    await settle();
  }

  /** Moves time to `seconds` after T0. */
  async advanceTo(seconds: number): Promise<void> {
    const ms = T0 + seconds * 1000 - this.clock.now();
    assert.ok(ms >= 0, `time ${seconds}s is in the past`);
    await this.advance(ms);
  }

  conditions(ready: NodeCondition['status'] | undefined): NodeCondition[] {
    if (ready === undefined) return [];
    const now = rfc3339(this.clock.now());
    const c = (type: string, status: NodeCondition['status'], reason: string): NodeCondition => ({
      type,
      status,
      reason,
      message: reason,
      lastHeartbeatTime: now,
      lastTransitionTime: at(0),
    });
    return [
      c('Ready', ready, ready === 'True' ? 'KubeletReady' : 'KubeletNotReady'),
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
    ];
  }

  async addNode(
    name: string,
    opts: { ready?: NodeCondition['status'] | null; annotations?: Record<string, string> } = {},
  ): Promise<void> {
    const ready = opts.ready === null ? undefined : (opts.ready ?? 'True');
    await this.api.client.create<Node>(GVR.nodes, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: opts.annotations ? { name, annotations: opts.annotations } : { name },
      status: { conditions: this.conditions(ready) },
    });
    await this.renewLease(name);
  }

  async renewLease(name: string): Promise<void> {
    const renewTime = new Date(this.clock.now()).toISOString().replace('Z', '000Z');
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    };
    try {
      await this.api.client.update(GVR.leases, 'kube-node-lease', lease);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.api.client.create(GVR.leases, 'kube-node-lease', lease);
    }
  }

  /** What a node agent does when it reports: posts its conditions (fresh heartbeat). */
  async postStatus(name: string, ready: NodeCondition['status'] = 'True'): Promise<void> {
    await this.api.client.patch(
      GVR.nodes,
      undefined,
      name,
      'merge',
      { status: { conditions: this.conditions(ready) } },
      { subresource: 'status' },
    );
  }

  /** A pod bound to `node`, Running and Ready as its agent reported it. */
  async addPod(name: string, node: string, tolerations?: Toleration[]): Promise<void> {
    await this.api.client.create<Pod>(GVR.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        nodeName: node,
        containers: [{ name: 'app', image: 'busybox' }],
        ...(tolerations ? { tolerations } : {}),
      },
    });
    const t = rfc3339(this.clock.now());
    await this.api.client.patch(
      GVR.pods,
      'default',
      name,
      'merge',
      {
        status: {
          phase: 'Running',
          conditions: ['Initialized', 'ContainersReady', 'Ready', 'PodScheduled'].map((type) => ({
            type,
            status: 'True',
            lastTransitionTime: t,
          })),
        },
      },
      { subresource: 'status' },
    );
    await settle();
  }

  node(name: string): Promise<Node> {
    return this.api.client.get<Node>(GVR.nodes, undefined, name);
  }

  pod(name: string): Promise<Pod> {
    return this.api.client.get<Pod>(GVR.pods, 'default', name);
  }

  async ready(name: string): Promise<NodeCondition | undefined> {
    return (await this.node(name)).status?.conditions?.find((c) => c.type === 'Ready');
  }

  async taints(name: string): Promise<string[]> {
    return ((await this.node(name)).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
  }

  async podCondition(pod: string, type: string): Promise<string | undefined> {
    return (await this.pod(pod)).status?.conditions?.find((c) => c.type === type)?.status;
  }

  async evicted(pod: string): Promise<boolean> {
    try {
      return (await this.pod(pod)).metadata.deletionTimestamp !== undefined;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  async events(reason: string): Promise<Event[]> {
    await this.flushEvents();
    const list = await this.api.client.list<Event>(GVR.events);
    return list.items.filter((e) => e.reason === reason);
  }
}

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.create();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const tolerate = (key: string, tolerationSeconds?: number): Toleration => ({
  key,
  operator: 'Exists',
  effect: 'NoExecute',
  ...(tolerationSeconds === undefined ? {} : { tolerationSeconds }),
});

describe('node lifecycle controller', () => {
  it('turns a node that stops renewing Unknown after the grace period, taints it, marks its pods not ready', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.addNode('edge-2');
      await h.start();
      await h.addPod('web', 'edge-1');
      await h.addPod('other', 'edge-2');

      // edge-1 renews at 10 s, then falls silent; edge-2 keeps renewing.
      await h.advanceTo(10);
      await h.renewLease('edge-1');
      for (const s of [10, 20, 30, 40]) {
        await h.advanceTo(s);
        await h.renewLease('edge-2');
      }
      await h.advanceTo(49); // the grace period less a second after the last renewal
      assert.equal((await h.ready('edge-1'))?.status, 'True');
      assert.deepEqual(await h.taints('edge-1'), []);
      assert.equal(await h.podCondition('web', 'Ready'), 'True');
      await h.advanceTo(50);
      await h.renewLease('edge-2');
      assert.equal((await h.ready('edge-1'))?.status, 'True', 'exactly the grace period');
      await h.advance(1);

      const node = await h.node('edge-1');
      const byType = Object.fromEntries(node.status!.conditions!.map((c) => [c.type, c]));
      for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
        assert.deepEqual(
          byType[type],
          {
            type,
            status: 'Unknown',
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
            lastHeartbeatTime: at(0),
            lastTransitionTime: at(50),
          },
          type,
        );
      }
      assert.deepEqual(node.spec?.taints, [
        { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: at(50) },
        { key: UNREACHABLE, effect: 'NoExecute', timeAdded: at(50) },
      ]);
      const pod = await h.pod('web');
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.lastTransitionTime, at(50));
      // Only Ready, as Kubernetes' MarkPodsNotReady.
      assert.equal(await h.podCondition('web', 'ContainersReady'), 'True');
      // The healthy node and its pod are untouched.
      assert.equal((await h.ready('edge-2'))?.status, 'True');
      assert.deepEqual(await h.taints('edge-2'), []);
      assert.equal(await h.podCondition('other', 'Ready'), 'True');

      const nodeEvents = await h.events('NodeNotReady');
      assert.deepEqual(
        nodeEvents
          .map((e) => [e.involvedObject.kind, e.involvedObject.name, e.type, e.message])
          .sort(),
        [
          ['Node', 'edge-1', 'Normal', 'Node edge-1 status is now: NodeNotReady'],
          ['Pod', 'web', 'Warning', 'Node is not ready'],
        ],
      );
      assert.equal(nodeEvents[0].source?.component, 'node-controller');
    }));

  it('keeps pods without a toleration, or tolerating forever, however long the node is away', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.start();
      await h.addPod('plain', 'edge-1');
      await h.addPod('forever', 'edge-1', [tolerate(UNREACHABLE)]);
      await h.addPod('other-key', 'edge-1', [tolerate('example.com/other', 1)]);
      await h.advance(41_000);
      assert.equal((await h.ready('edge-1'))?.status, 'Unknown');
      await h.advance(3 * 3600_000);
      for (const pod of ['plain', 'forever', 'other-key']) {
        assert.equal(await h.evicted(pod), false, pod);
      }
      assert.deepEqual(await h.events('TaintManagerEviction'), []);
    }));

  it('evicts a pod tolerationSeconds after the taint was added, not a second before', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.start();
      await h.addPod('leaves', 'edge-1', [tolerate(UNREACHABLE, 60)]);
      await h.addPod('any-taint', 'edge-1', [
        { operator: 'Exists', tolerationSeconds: 90, effect: 'NoExecute' },
      ]);
      await h.addPod('stays', 'edge-1');
      await h.advance(40_001);
      const taint = (await h.node('edge-1')).spec!.taints!.find((t) => t.effect === 'NoExecute')!;
      assert.equal(taint.timeAdded, at(40));

      await h.advanceTo(40 + 59);
      assert.equal(await h.evicted('leaves'), false, 'not at 59 s');
      await h.advanceTo(40 + 60);
      assert.equal(await h.evicted('leaves'), true, 'at 60 s');
      const pod = await h.pod('leaves');
      // Graceful: the pod's own (default) grace period.
      assert.equal(pod.metadata.deletionGracePeriodSeconds, 30);
      assert.deepEqual(
        pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget'),
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
          lastTransitionTime: at(100),
        },
      );
      assert.equal(await h.evicted('any-taint'), false);
      await h.advanceTo(40 + 90);
      assert.equal(await h.evicted('any-taint'), true);
      await h.advance(3600_000);
      assert.equal(await h.evicted('stays'), false);

      const events = await h.events('TaintManagerEviction');
      assert.deepEqual(
        events.map((e) => [e.involvedObject.name, e.type, e.message, e.source?.component]).sort(),
        [
          [
            'any-taint',
            'Normal',
            'Marking for deletion Pod default/any-taint',
            'taint-eviction-controller',
          ],
          [
            'leaves',
            'Normal',
            'Marking for deletion Pod default/leaves',
            'taint-eviction-controller',
          ],
        ],
      );
    }));

  it('evicts pods without a toleration when the node opts in by annotation', () =>
    withHarness(async (h) => {
      await h.addNode('opted-in', { annotations: { [EVICTION_ANNOTATION]: '2m' } });
      await h.addNode('never', { annotations: { [EVICTION_ANNOTATION]: 'never' } });
      await h.start();
      await h.addPod('plain', 'opted-in');
      await h.addPod('own-toleration', 'opted-in', [tolerate(UNREACHABLE, 600)]);
      await h.addPod('forever', 'opted-in', [tolerate(UNREACHABLE)]);
      await h.addPod('plain-never', 'never');
      await h.advance(40_001);
      await h.advanceTo(40 + 119);
      assert.equal(await h.evicted('plain'), false, 'not at 1m59s');
      await h.advanceTo(40 + 120);
      assert.equal(await h.evicted('plain'), true, 'at 2m');
      // A pod's own toleration wins over the node's setting.
      assert.equal(await h.evicted('own-toleration'), false);
      await h.advanceTo(40 + 600);
      assert.equal(await h.evicted('own-toleration'), true);
      await h.advance(3600_000);
      assert.equal(await h.evicted('forever'), false);
      assert.equal(await h.evicted('plain-never'), false);
    }));

  it('treats an unreadable annotation as never, and says so on the node', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1', { annotations: { [EVICTION_ANNOTATION]: 'soon' } });
      await h.start();
      await h.addPod('plain', 'edge-1');
      await h.advance(41_000);
      await h.advance(3600_000);
      assert.equal(await h.evicted('plain'), false);
      const events = await h.events('InvalidAnnotation');
      assert.ok(events.length >= 1);
      assert.equal(events[0].type, 'Warning');
      assert.match(
        events[0].message ?? '',
        /node\.verge\.io\/unreachable-eviction: not a duration: "soon"/,
      );
    }));

  it('removes the taints when the node reports Ready again, and leaves pod readiness to the agent', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.start();
      await h.addPod('web', 'edge-1', [tolerate(UNREACHABLE, 300)]);
      await h.advance(40_001);
      assert.deepEqual(await h.taints('edge-1'), [
        `${UNREACHABLE}:NoExecute`,
        `${UNREACHABLE}:NoSchedule`,
      ]);
      await h.advance(60_000);
      await h.renewLease('edge-1');
      await h.postStatus('edge-1', 'True');
      await settle();
      assert.equal((await h.ready('edge-1'))?.status, 'True');
      assert.deepEqual(await h.taints('edge-1'), []);
      // The agent, not the controller, reports the pod Ready again.
      assert.equal(await h.podCondition('web', 'Ready'), 'False');
      // The eviction countdown (due at 340 s) is gone with the taint.
      for (let s = 110; s <= 400; s += 10) {
        await h.advanceTo(s);
        await h.renewLease('edge-1');
      }
      assert.equal((await h.ready('edge-1'))?.status, 'True');
      assert.equal(await h.evicted('web'), false);
    }));

  it('gives a node that reports Ready=False the not-ready taints, and swaps them when it goes silent', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.start();
      await h.addPod('web', 'edge-1', [tolerate(NOT_READY, 30)]);
      await h.addPod('waits', 'edge-1', [tolerate(UNREACHABLE, 30)]);
      await h.advance(10_000);
      await h.renewLease('edge-1');
      await h.postStatus('edge-1', 'False');
      await settle();
      const node = await h.node('edge-1');
      assert.deepEqual(node.spec?.taints, [
        { key: NOT_READY, effect: 'NoSchedule', timeAdded: at(10) },
        { key: NOT_READY, effect: 'NoExecute', timeAdded: at(10) },
      ]);
      // The agent's own condition is left as it wrote it.
      assert.equal(
        node.status?.conditions?.find((c) => c.type === 'Ready')?.reason,
        'KubeletNotReady',
      );
      await h.advanceTo(39);
      assert.equal(await h.evicted('web'), false);
      await h.advanceTo(40);
      assert.equal(await h.evicted('web'), true);
      assert.equal(await h.evicted('waits'), false);
      // Silent from 10 s: Unknown past 50 s, and the taints swap.
      await h.advanceTo(50);
      await h.advance(1);
      assert.equal((await h.ready('edge-1'))?.status, 'Unknown');
      assert.deepEqual(await h.taints('edge-1'), [
        `${UNREACHABLE}:NoExecute`,
        `${UNREACHABLE}:NoSchedule`,
      ]);
      await h.advanceTo(50 + 29);
      assert.equal(await h.evicted('waits'), false);
      await h.advanceTo(50 + 30);
      assert.equal(await h.evicted('waits'), true);
      // No NodeNotReady from the controller: the node was not Ready when it went silent.
      assert.deepEqual(
        (await h.events('NodeNotReady')).filter((e) => e.involvedObject.kind === 'Node'),
        [],
      );
    }));

  it('counts a Ready heartbeat without a Lease as a sign of life', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.api.client.delete(GVR.leases, 'kube-node-lease', 'edge-1');
      await h.start();
      for (let s = 30; s <= 300; s += 30) {
        await h.advanceTo(s);
        await h.postStatus('edge-1', 'True');
      }
      await h.advanceTo(340);
      assert.equal((await h.ready('edge-1'))?.status, 'True');
      await h.advance(1);
      assert.equal((await h.ready('edge-1'))?.status, 'Unknown');
    }));

  it('marks a node that never reported after the startup grace period', () =>
    withHarness(async (h) => {
      await h.addNode('new', { ready: null });
      await h.api.client.delete(GVR.leases, 'kube-node-lease', 'new');
      await h.start();
      await h.advanceTo(60);
      assert.deepEqual((await h.node('new')).status?.conditions ?? [], []);
      await h.advance(1);
      const node = await h.node('new');
      assert.deepEqual(
        node.status?.conditions?.map((c) => [
          c.type,
          c.status,
          c.reason,
          c.message,
          c.lastHeartbeatTime,
        ]),
        ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => [
          type,
          'Unknown',
          'NodeStatusNeverUpdated',
          'Kubelet never posted node status.',
          node.metadata.creationTimestamp,
        ]),
      );
      assert.deepEqual(await h.taints('new'), [
        `${UNREACHABLE}:NoExecute`,
        `${UNREACHABLE}:NoSchedule`,
      ]);
      // Its own write is not mistaken for a heartbeat: the conditions stay as written.
      const before = node.metadata.resourceVersion;
      await h.advance(600_000);
      assert.equal((await h.node('new')).metadata.resourceVersion, before);
      assert.deepEqual((await h.events('NodeNotReady')).length, 0);
    }));

  it('after a restart, neither evicts a pod twice nor restarts a countdown', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.start();
      await h.addPod('first', 'edge-1', [tolerate(UNREACHABLE, 60)]);
      await h.addPod('second', 'edge-1', [tolerate(UNREACHABLE, 120)]);
      await h.addPod('plain', 'edge-1');
      await h.advance(40_001); // tainted at 40 s
      await h.advanceTo(100);
      assert.equal(await h.evicted('first'), true);
      const firstDeletion = (await h.pod('first')).metadata.deletionTimestamp;
      const nodeBefore = await h.node('edge-1');
      await h.stop();

      await h.advanceTo(130);
      await h.start();
      await h.advanceTo(159);
      assert.equal(await h.evicted('second'), false, 'not before 120 s after timeAdded');
      const nodeAfter = await h.node('edge-1');
      assert.deepEqual(
        nodeAfter.spec?.taints,
        nodeBefore.spec?.taints,
        'taints (and timeAdded) kept',
      );
      assert.deepEqual(nodeAfter.status?.conditions, nodeBefore.status?.conditions);
      await h.advanceTo(160);
      assert.equal(await h.evicted('second'), true, '120 s after timeAdded, not after the restart');
      assert.equal((await h.pod('first')).metadata.deletionTimestamp, firstDeletion);
      await h.advance(3600_000);
      assert.equal(await h.evicted('plain'), false);
      const events = await h.events('TaintManagerEviction');
      assert.deepEqual(events.map((e) => [e.involvedObject.name, e.count]).sort(), [
        ['first', 1],
        ['second', 1],
      ]);
    }));

  it('rate-limits evictions', () =>
    withHarness(async (h) => {
      await h.addNode('edge-1');
      await h.addNode('edge-2');
      await h.start({ evictionsPerSecond: 1, evictionBurst: 10 });
      for (let i = 0; i < 12; i++)
        await h.addPod(`p${String(i).padStart(2, '0')}`, 'edge-1', [tolerate(UNREACHABLE, 0)]);
      const evictedCount = async (): Promise<number> => {
        let n = 0;
        for (let i = 0; i < 12; i++) if (await h.evicted(`p${String(i).padStart(2, '0')}`)) n++;
        return n;
      };
      // edge-2 stays healthy.
      for (let s = 10; s <= 40; s += 10) {
        await h.advanceTo(s);
        await h.renewLease('edge-2');
      }
      await h.advance(1);
      assert.equal((await h.ready('edge-1'))?.status, 'Unknown');
      assert.equal(await evictedCount(), 10);
      await h.advance(999);
      assert.equal(await evictedCount(), 10);
      await h.advance(1);
      assert.equal(await evictedCount(), 11);
      await h.advance(1000);
      assert.equal(await evictedCount(), 12);
    }));

  it('pauses evictions while most nodes are unreachable, and resumes when enough come back', () =>
    withHarness(async (h) => {
      for (const n of ['a', 'b', 'c', 'd']) await h.addNode(n);
      await h.start();
      for (const n of ['a', 'b', 'c', 'd'])
        await h.addPod(`on-${n}`, n, [tolerate(UNREACHABLE, 10)]);
      // Only d keeps renewing: 3 of 4 unhealthy.
      for (let s = 10; s <= 600; s += 10) {
        await h.advanceTo(s);
        await h.renewLease('d');
      }
      for (const n of ['a', 'b', 'c']) {
        assert.equal((await h.ready(n))?.status, 'Unknown', n);
        assert.deepEqual(await h.taints(n), [
          `${UNREACHABLE}:NoExecute`,
          `${UNREACHABLE}:NoSchedule`,
        ]);
        assert.equal(await h.evicted(`on-${n}`), false, `on-${n} kept during the mass outage`);
      }
      // c comes back: 2 of 4 unhealthy, so evictions resume for a and b.
      await h.renewLease('c');
      await h.postStatus('c', 'True');
      await h.advance(5_000);
      assert.equal(await h.evicted('on-a'), true);
      assert.equal(await h.evicted('on-b'), true);
      assert.equal(await h.evicted('on-c'), false);
      assert.equal(await h.evicted('on-d'), false);
    }));
});

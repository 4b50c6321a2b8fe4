/**
 * The DaemonSet controller end to end over the real REST layer (testApi) with a
 * fake clock. The tests play scheduler and kubelet: they bind pods to the node
 * their affinity names, mark them Running and Ready, and finish graceful
 * deletions, one pass at a time, so every intermediate state can be checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  GVR,
  gvrKey,
  type Client,
  type ClientWatch,
  type ClientWatchOptions,
  type GroupVersionResource,
} from '../../api/client.ts';
import type {
  ControllerRevision,
  DaemonSet,
  DaemonSetUpdateStrategy,
} from '../../api/types/apps.ts';
import type { Event, Node, Pod, PodSpec, Taint } from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { isNotFound } from '../../util/errors.ts';
import { FakeClock, settle } from '../../util/clock.ts';
import { daemonSetController } from '../daemonset.ts';
import { ControllerManager } from '../manager.ts';
import { testApi, type TestApi } from '../testing.ts';
import { rfc3339 } from '../time.ts';
import { targetNodeName } from './eligibility.ts';
import { templatePatch } from './history.ts';

const NS = 'default';
const HASH = 'controller-revision-hash';

interface Harness {
  api: TestApi;
  clock: FakeClock;
  stop(): Promise<void>;
}

async function start(): Promise<Harness> {
  const clock = new FakeClock();
  const api = await testApi({ clock });
  const manager = api.manager();
  manager.add(daemonSetController);
  const ac = new AbortController();
  const running = manager.run(ac.signal);
  await manager.synced();
  return {
    api,
    clock,
    async stop() {
      ac.abort();
      await running;
      await api.close();
    },
  };
}

/** Lets the controller react until the store stops changing. */
async function quiesce(api: TestApi): Promise<void> {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 500; i++) {
    await settle();
    const rev = await api.store.revision();
    if (rev === last) {
      if (++stable >= 3) return;
    } else {
      stable = 0;
      last = rev;
    }
  }
  assert.fail('the controller kept writing: the system never settled');
}

async function addNode(
  api: TestApi,
  name: string,
  labels: Record<string, string> = {},
  taints: Taint[] = [],
): Promise<void> {
  await api.client.create<Node>(GVR.nodes, undefined, {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: { taints },
  });
}

function daemonSet(
  spec: Partial<PodSpec> = {},
  strategy?: DaemonSetUpdateStrategy,
  extra: Partial<NonNullable<DaemonSet['spec']>> = {},
): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: NS },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent', image: 'agent:v1' }], ...spec },
      },
      ...(strategy ? { updateStrategy: strategy } : {}),
      ...extra,
    },
  };
}

async function getDs(api: TestApi): Promise<DaemonSet> {
  return api.client.get<DaemonSet>(GVR.daemonsets, NS, 'agent');
}

async function pods(api: TestApi): Promise<Pod[]> {
  return (await api.client.list<Pod>(GVR.pods, NS, { labelSelector: 'app=agent' })).items;
}

async function revisions(api: TestApi): Promise<ControllerRevision[]> {
  const items = (await api.client.list<ControllerRevision>(GVR.controllerrevisions, NS)).items;
  return items.sort((a, b) => a.revision - b.revision);
}

async function events(api: TestApi, reason: string): Promise<string[]> {
  const items = (await api.client.list<Event>(GVR.events, NS)).items;
  return items.filter((e) => e.reason === reason).map((e) => e.message ?? '');
}

/** Node -> names of its pods, from the pods' target nodes. */
function placement(list: Pod[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of list) (out[targetNodeName(p.spec) ?? '?'] ??= []).push(p.metadata.name!);
  return out;
}

function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function setReady(api: TestApi, clock: FakeClock, p: Pod): Promise<void> {
  await api.client.patch(
    GVR.pods,
    NS,
    p.metadata.name!,
    'strategic',
    {
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastTransitionTime: rfc3339(clock.now()),
          },
        ],
      },
    },
    { subresource: 'status' },
  );
}

async function setPhase(api: TestApi, name: string, phase: 'Failed' | 'Succeeded'): Promise<void> {
  await api.client.patch(
    GVR.pods,
    NS,
    name,
    'strategic',
    { status: { phase, conditions: [{ type: 'Ready', status: 'False' }] } },
    { subresource: 'status' },
  );
}

/**
 * One pass of scheduler and kubelet: finishes graceful deletions, binds
 * unbound pods to the node they are pinned to, marks bound pods Ready.
 */
async function kubelet(h: Harness): Promise<void> {
  const { api, clock } = h;
  for (const p of await pods(api)) {
    const name = p.metadata.name!;
    try {
      if (p.metadata.deletionTimestamp) {
        await api.client.delete(GVR.pods, NS, name, { gracePeriodSeconds: 0 });
        continue;
      }
      if (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') continue;
      if (!p.spec?.nodeName) {
        const node = targetNodeName(p.spec);
        assert.ok(node, `pod ${name} names no node`);
        await api.client.createSubresource(GVR.pods, NS, name, 'binding', {
          target: { kind: 'Node', name: node },
        });
      }
      if (!isReady(p)) await setReady(api, clock, p);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** What `kubectl rollout status daemonset/agent` prints for this object (kubectl's DaemonSetStatusViewer). */
function rolloutStatus(ds: DaemonSet): { message: string; done: boolean } {
  const s = ds.status!;
  if ((ds.metadata.generation ?? 0) <= (s?.observedGeneration ?? 0)) {
    if ((s.updatedNumberScheduled ?? 0) < s.desiredNumberScheduled) {
      return {
        message: `Waiting for daemon set "${ds.metadata.name}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${s.desiredNumberScheduled} new pods have been updated...`,
        done: false,
      };
    }
    if ((s.numberAvailable ?? 0) < s.desiredNumberScheduled) {
      return {
        message: `Waiting for daemon set "${ds.metadata.name}" rollout to finish: ${s.numberAvailable ?? 0} of ${s.desiredNumberScheduled} updated pods are available...`,
        done: false,
      };
    }
    return { message: `daemon set "${ds.metadata.name}" successfully rolled out`, done: true };
  }
  return { message: 'Waiting for daemon set spec update to be observed...', done: false };
}

/** Runs scheduler/kubelet passes until every eligible node runs one ready pod of the current revision. */
async function converge(h: Harness): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await quiesce(h.api);
    if (
      rolloutStatus(await getDs(h.api)).done &&
      (await pods(h.api)).every((p) => isReady(p) && !p.metadata.deletionTimestamp)
    )
      return;
    await kubelet(h);
  }
  assert.fail(`no convergence: ${JSON.stringify((await getDs(h.api)).status)}`);
}

/** Holds back watch events while closed. */
class Gate {
  #open = true;
  #waiters: (() => void)[] = [];
  close(): void {
    this.#open = false;
  }
  open(): void {
    this.#open = true;
    for (const w of this.#waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }
}

/** `inner`, except that pod watch events wait for `gate`: a watch as slow as we like. */
function slowPodWatch(inner: Client, gate: Gate): Client {
  return {
    get: (gvr, ns, name) => inner.get(gvr, ns, name),
    list: (gvr, ns, o) => inner.list(gvr, ns, o),
    create: (gvr, ns, obj, o) => inner.create(gvr, ns, obj, o),
    update: (gvr, ns, obj, o) => inner.update(gvr, ns, obj, o),
    patch: (gvr, ns, name, type, patch, o) => inner.patch(gvr, ns, name, type, patch, o),
    delete: (gvr, ns, name, o) => inner.delete(gvr, ns, name, o),
    createSubresource: (gvr, ns, name, sub, body) =>
      inner.createSubresource(gvr, ns, name, sub, body),
    discover: () => inner.discover(),
    async watch<T extends KubeObject = KubeObject>(
      gvr: GroupVersionResource,
      ns?: string,
      o?: ClientWatchOptions,
    ): Promise<ClientWatch<T>> {
      const w = await inner.watch<T>(gvr, ns, o);
      if (gvrKey(gvr) !== gvrKey(GVR.pods)) return w;
      const slow: ClientWatch<T> = {
        close: () => w.close(),
        async *[Symbol.asyncIterator]() {
          for await (const ev of w) {
            await gate.wait();
            yield ev;
          }
        },
      };
      return slow;
    },
  };
}

describe('DaemonSet controller', () => {
  it('never creates a second pod for a node whose first one the cache does not show yet', async () => {
    const clock = new FakeClock();
    const api = await testApi({ clock });
    const gate = new Gate();
    const manager = new ControllerManager({
      client: slowPodWatch(api.client, gate),
      log: api.log,
      clock,
    });
    manager.add(daemonSetController);
    const ac = new AbortController();
    const running = manager.run(ac.signal);
    try {
      await manager.synced();
      await addNode(api, 'n1');
      await addNode(api, 'n2');
      gate.close();
      await api.client.create(GVR.daemonsets, NS, daemonSet());
      await quiesce(api);
      assert.equal((await pods(api)).length, 2);
      // The DaemonSet changes while its pods are still invisible to the controller.
      await api.client.patch(GVR.daemonsets, NS, 'agent', 'merge', {
        metadata: { annotations: { poke: '1' } },
      });
      await api.client.patch(GVR.daemonsets, NS, 'agent', 'merge', {
        metadata: { annotations: { poke: '2' } },
      });
      await quiesce(api);
      assert.equal((await pods(api)).length, 2, 'no duplicates while the cache lags');
      gate.open();
      await quiesce(api);
      assert.deepEqual(
        Object.values(placement(await pods(api))).map((ps) => ps.length),
        [1, 1],
      );
    } finally {
      gate.open();
      ac.abort();
      await running;
      await api.close();
    }
  });

  it('runs one pod on exactly the matching nodes, pinned by affinity, with the default tolerations', async () => {
    const h = await start();
    const { api } = h;
    try {
      await addNode(api, 'n1', { disk: 'ssd' });
      await addNode(api, 'n2', { disk: 'ssd' });
      await addNode(api, 'n3', { disk: 'hdd' });
      const created = await api.client.create(
        GVR.daemonsets,
        NS,
        daemonSet({ nodeSelector: { disk: 'ssd' } }),
      );
      await quiesce(api);

      const [rev] = await revisions(api);
      const hash = rev.metadata.labels![HASH];
      const ds = await getDs(api);
      assert.equal(rev.metadata.name, `agent-${hash}`);
      assert.equal(rev.revision, 1);
      assert.deepEqual(rev.data, templatePatch(ds));
      assert.deepEqual(rev.metadata.labels, { app: 'agent', [HASH]: hash });
      assert.deepEqual(rev.metadata.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: 'agent',
          uid: created.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);

      const list = await pods(api);
      assert.deepEqual(Object.keys(placement(list)).sort(), ['n1', 'n2']);
      for (const p of list) {
        assert.equal(p.metadata.generateName, 'agent-');
        assert.match(p.metadata.name!, /^agent-[a-z0-9]{5}$/);
        assert.deepEqual(p.metadata.labels, { app: 'agent', [HASH]: hash });
        assert.deepEqual(p.metadata.ownerReferences, rev.metadata.ownerReferences);
        assert.equal(p.spec!.nodeName, undefined, 'the scheduler binds, not the controller');
        assert.deepEqual(
          p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution,
          {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: [targetNodeName(p.spec)!] },
                ],
              },
            ],
          },
        );
        assert.deepEqual(p.spec!.tolerations, [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
          { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
        ]);
      }
      assert.deepEqual(
        (await events(api, 'SuccessfulCreate')).sort(),
        list.map((p) => `Created pod: ${p.metadata.name}`).sort(),
      );
      // Created but not yet running: scheduled by affinity, nothing ready.
      assert.deepEqual(ds.status, {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberMisscheduled: 0,
        numberReady: 0,
        updatedNumberScheduled: 2,
        numberUnavailable: 2,
        observedGeneration: 1,
      });
      assert.equal(
        rolloutStatus(ds).message,
        'Waiting for daemon set "agent" rollout to finish: 0 of 2 updated pods are available...',
      );

      await kubelet(h);
      await quiesce(api);
      const done = await getDs(api);
      assert.deepEqual(done.status, {
        desiredNumberScheduled: 2,
        currentNumberScheduled: 2,
        numberMisscheduled: 0,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
        observedGeneration: 1,
      });
      assert.deepEqual(rolloutStatus(done), {
        message: 'daemon set "agent" successfully rolled out',
        done: true,
      });
      assert.equal((await pods(api)).length, 2);

      // Nothing changed: a resync writes nothing.
      const before = done.metadata.resourceVersion;
      await api.client.patch(GVR.pods, NS, list[0].metadata.name!, 'merge', {
        metadata: { annotations: { poke: '1' } },
      });
      await quiesce(api);
      assert.equal((await getDs(api)).metadata.resourceVersion, before);
    } finally {
      await h.stop();
    }
  });

  it('follows node label changes, new nodes and deleted nodes', async () => {
    const h = await start();
    const { api } = h;
    try {
      await addNode(api, 'n1', { disk: 'ssd' });
      await addNode(api, 'n2', { disk: 'ssd' });
      await addNode(api, 'n3');
      await api.client.create(GVR.daemonsets, NS, daemonSet({ nodeSelector: { disk: 'ssd' } }));
      await converge(h);
      const onN1 = placement(await pods(api)).n1[0];

      // n1 loses the label: its pod goes (gracefully: it is bound).
      await api.client.patch(GVR.nodes, undefined, 'n1', 'merge', {
        metadata: { labels: { disk: null } },
      });
      await quiesce(api);
      const leaving = await api.client.get<Pod>(GVR.pods, NS, onN1);
      assert.ok(leaving.metadata.deletionTimestamp, 'the pod on n1 is being deleted');
      assert.deepEqual(await events(api, 'SuccessfulDelete'), [`Deleted pod: ${onN1}`]);
      assert.equal((await getDs(api)).status!.desiredNumberScheduled, 1);
      await converge(h);
      assert.deepEqual(Object.keys(placement(await pods(api))), ['n2']);

      // n3 gains it: a pod appears there.
      await api.client.patch(GVR.nodes, undefined, 'n3', 'merge', {
        metadata: { labels: { disk: 'ssd' } },
      });
      await quiesce(api);
      assert.deepEqual(Object.keys(placement(await pods(api))).sort(), ['n2', 'n3']);
      await converge(h);

      // A new matching node gets one.
      await addNode(api, 'n4', { disk: 'ssd' });
      await converge(h);
      assert.deepEqual(Object.keys(placement(await pods(api))).sort(), ['n2', 'n3', 'n4']);
      // A deleted node no longer counts; its bound pod is the pod GC's to remove
      // (as in Kubernetes), while a never-bound pod pinned to it goes at once.
      await api.client.create(GVR.pods, NS, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'stuck',
          namespace: NS,
          labels: { app: 'agent', [HASH]: (await revisions(api))[0].metadata.labels![HASH] },
        },
        spec: {
          containers: [{ name: 'agent', image: 'agent:v1' }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gone'] }] },
                ],
              },
            },
          },
        },
      });
      const onN2 = placement(await pods(api)).n2;
      await api.client.delete(GVR.nodes, undefined, 'n2');
      await quiesce(api);
      const left = placement(await pods(api));
      assert.deepEqual(Object.keys(left).sort(), ['n2', 'n3', 'n4']);
      assert.deepEqual(left.n2, onN2);
      const status = (await getDs(api)).status!;
      assert.equal(status.desiredNumberScheduled, 2);
      assert.equal(status.currentNumberScheduled, 2);
      assert.equal(status.numberAvailable, 2);
    } finally {
      await h.stop();
    }
  });

  it('skips tainted nodes unless the template tolerates the taint, and leaves on NoExecute', async () => {
    const h = await start();
    const { api } = h;
    try {
      await addNode(api, 'gpu', {}, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
      await addNode(api, 'cordoned', {}, [
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      ]);
      await addNode(api, 'plain');
      await api.client.create(GVR.daemonsets, NS, daemonSet());
      await converge(h);
      assert.deepEqual(Object.keys(placement(await pods(api))).sort(), ['cordoned', 'plain']);

      await api.client.patch(GVR.daemonsets, NS, 'agent', 'strategic', {
        spec: {
          template: {
            spec: {
              tolerations: [
                { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
              ],
            },
          },
        },
      });
      await converge(h);
      const list = await pods(api);
      assert.deepEqual(Object.keys(placement(list)).sort(), ['cordoned', 'gpu', 'plain']);
      assert.equal(list.length, 3);
      assert.deepEqual(list.find((p) => p.spec!.nodeName === 'gpu')!.spec!.tolerations![0], {
        key: 'dedicated',
        operator: 'Equal',
        value: 'gpu',
        effect: 'NoSchedule',
      });

      // A NoExecute taint nobody tolerates evicts the daemon.
      await api.client.patch(GVR.nodes, undefined, 'plain', 'merge', {
        spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] },
      });
      await converge(h);
      assert.deepEqual(Object.keys(placement(await pods(api))).sort(), ['cordoned', 'gpu']);
      assert.equal((await getDs(api)).status!.desiredNumberScheduled, 2);
    } finally {
      await h.stop();
    }
  });

  for (const maxUnavailable of [1, '50%'] as const) {
    it(`rolls a template change node by node within maxUnavailable ${maxUnavailable}, and undo reuses the old revision`, async () => {
      const h = await start();
      const { api } = h;
      const budget = maxUnavailable === 1 ? 1 : 2;
      try {
        for (const n of ['n1', 'n2', 'n3', 'n4']) await addNode(api, n);
        await api.client.create(
          GVR.daemonsets,
          NS,
          daemonSet({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge: 0 } }),
        );
        await converge(h);
        const [v1] = await revisions(api);
        const v1Hash = v1.metadata.labels![HASH];

        /** Rolls out, asserting after every move of controller or kubelet that at most `budget` nodes lack an available pod. */
        const roll = async (targetHash: () => Promise<string>): Promise<string[][]> => {
          const order: string[][] = [];
          let worst = 0;
          const check = async (): Promise<void> => {
            const list = (await pods(api)).filter((p) => !p.metadata.deletionTimestamp);
            const byNode = placement(list);
            for (const [n, ps] of Object.entries(byNode))
              assert.ok(ps.length <= 1, `two live pods on ${n}`);
            const unavailable = ['n1', 'n2', 'n3', 'n4'].filter(
              (n) => !list.some((p) => p.spec?.nodeName === n && isReady(p)),
            ).length;
            assert.ok(unavailable <= budget, `${unavailable} nodes unavailable, budget ${budget}`);
            const status = (await getDs(api)).status!;
            assert.ok(
              (status.numberUnavailable ?? 0) <= budget,
              `status says ${status.numberUnavailable} unavailable`,
            );
            worst = Math.max(worst, unavailable);
            const wave = (await pods(api))
              .filter((p) => p.metadata.deletionTimestamp)
              .map((p) => p.spec?.nodeName ?? targetNodeName(p.spec)!)
              .filter((n) => !order.flat().includes(n))
              .sort();
            if (wave.length > 0) order.push(wave);
          };
          for (let i = 0; ; i++) {
            assert.ok(i < 40, 'the rollout did not finish');
            await quiesce(api);
            await check();
            const hash = await targetHash();
            const list = await pods(api);
            const ds = await getDs(api);
            if (
              rolloutStatus(ds).done &&
              list.length === 4 &&
              list.every((p) => p.metadata.labels![HASH] === hash && isReady(p))
            )
              break;
            await kubelet(h);
            await check();
          }
          assert.equal(worst, budget, 'the budget is used, not just respected');
          return order;
        };

        // Change the image: a new revision, and a rollout.
        await api.client.patch(GVR.daemonsets, NS, 'agent', 'strategic', {
          spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:v2' }] } } },
        });
        await quiesce(api);
        const afterChange = await getDs(api);
        assert.equal(afterChange.status!.observedGeneration, 2);
        assert.equal(
          rolloutStatus(afterChange).message,
          'Waiting for daemon set "agent" rollout to finish: 0 out of 4 new pods have been updated...',
        );
        const revs = await revisions(api);
        assert.deepEqual(
          revs.map((r) => [r.metadata.name, r.revision]),
          [
            [v1.metadata.name, 1],
            [revs[1].metadata.name, 2],
          ],
        );
        const v2Hash = revs[1].metadata.labels![HASH];
        assert.notEqual(v2Hash, v1Hash);
        const order = await roll(async () => v2Hash);
        // Old pods go in waves of `budget` nodes, in node name order.
        assert.deepEqual(
          order,
          budget === 1
            ? [['n1'], ['n2'], ['n3'], ['n4']]
            : [
                ['n1', 'n2'],
                ['n3', 'n4'],
              ],
        );
        assert.ok((await pods(api)).every((p) => p.spec!.containers[0].image === 'agent:v2'));

        // Undo as kubectl does: the old revision's data as a strategic merge patch.
        await api.client.patch(GVR.daemonsets, NS, 'agent', 'strategic', v1.data);
        await quiesce(api);
        const back = await revisions(api);
        assert.deepEqual(
          back.map((r) => [r.metadata.name, r.revision]),
          [
            [revs[1].metadata.name, 2],
            [v1.metadata.name, 3],
          ],
          'the v1 revision is reused with the next number',
        );
        await roll(async () => v1Hash);
        const final = await getDs(api);
        assert.equal(final.metadata.generation, 3);
        assert.deepEqual(final.status, {
          desiredNumberScheduled: 4,
          currentNumberScheduled: 4,
          numberMisscheduled: 0,
          numberReady: 4,
          updatedNumberScheduled: 4,
          numberAvailable: 4,
          observedGeneration: 3,
        });
        assert.ok(
          (await pods(api)).every(
            (p) =>
              p.spec!.containers[0].image === 'agent:v1' && p.metadata.labels![HASH] === v1Hash,
          ),
        );
      } finally {
        await h.stop();
      }
    });
  }

  it('surges new pods beside old ones when maxSurge is set', async () => {
    const h = await start();
    const { api } = h;
    try {
      for (const n of ['n1', 'n2', 'n3']) await addNode(api, n);
      await api.client.create(
        GVR.daemonsets,
        NS,
        daemonSet({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }),
      );
      await converge(h);
      await api.client.patch(GVR.daemonsets, NS, 'agent', 'strategic', {
        spec: { template: { spec: { containers: [{ name: 'agent', image: 'agent:v2' }] } } },
      });
      for (let i = 0; ; i++) {
        assert.ok(i < 40, 'the rollout did not finish');
        await quiesce(api);
        const live = (await pods(api)).filter((p) => !p.metadata.deletionTimestamp);
        // Every node keeps a ready pod throughout, and at most one node has two.
        for (const n of ['n1', 'n2', 'n3'])
          assert.ok(
            live.some((p) => p.spec?.nodeName === n && isReady(p)),
            `${n} lost its ready pod`,
          );
        assert.ok(live.length <= 4, `${live.length} live pods`);
        const ds = await getDs(api);
        if (
          rolloutStatus(ds).done &&
          live.length === 3 &&
          live.every((p) => p.spec!.containers[0].image === 'agent:v2')
        )
          break;
        await kubelet(h);
      }
    } finally {
      await h.stop();
    }
  });

  it('replaces failed pods with a backoff that doubles', async () => {
    const h = await start();
    const { api, clock } = h;
    try {
      await addNode(api, 'n1');
      await api.client.create(GVR.daemonsets, NS, daemonSet());
      await converge(h);
      const [first] = await pods(api);
      await setPhase(api, first.metadata.name!, 'Failed');
      await quiesce(api);
      let list = await pods(api);
      assert.equal(list.length, 1);
      const second = list[0];
      assert.notEqual(
        second.metadata.name,
        first.metadata.name,
        'the failed pod was replaced at once',
      );
      assert.deepEqual(await events(api, 'FailedDaemonPod'), [
        `Found failed daemon pod default/${first.metadata.name} on node n1, will try to kill it`,
      ]);

      // It fails again straight away: it stays for 1 s.
      await kubelet(h);
      await setPhase(api, second.metadata.name!, 'Failed');
      await quiesce(api);
      await clock.advance(999);
      await quiesce(api);
      assert.deepEqual(
        (await pods(api)).map((p) => p.metadata.name),
        [second.metadata.name],
      );
      await clock.advance(1);
      await quiesce(api);
      list = await pods(api);
      assert.equal(list.length, 1);
      const third = list[0];
      assert.notEqual(third.metadata.name, second.metadata.name);

      // And again: now 2 s.
      await kubelet(h);
      await setPhase(api, third.metadata.name!, 'Failed');
      await quiesce(api);
      await clock.advance(1999);
      await quiesce(api);
      assert.deepEqual(
        (await pods(api)).map((p) => p.metadata.name),
        [third.metadata.name],
      );
      await clock.advance(1);
      await quiesce(api);
      assert.notEqual((await pods(api))[0].metadata.name, third.metadata.name);
    } finally {
      await h.stop();
    }
  });

  it('adopts a matching orphan instead of creating, and deletes extra pods on a node keeping the oldest', async () => {
    const h = await start();
    const { api, clock } = h;
    try {
      await addNode(api, 'n1');
      await addNode(api, 'n2');
      const pinned = (name: string, node: string): Pod => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS, labels: { app: 'agent' } },
        spec: {
          containers: [{ name: 'agent', image: 'agent:v1' }],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
                ],
              },
            },
          },
        },
      });
      await api.client.create(GVR.pods, NS, pinned('orphan', 'n1'));
      // OnDelete, or the rolling update would replace the adopted pod (it lacks the current hash).
      const ds = await api.client.create(GVR.daemonsets, NS, daemonSet({}, { type: 'OnDelete' }));
      await quiesce(api);
      await kubelet(h);
      await quiesce(api);
      const list = await pods(api);
      assert.deepEqual(placement(list).n1, ['orphan']);
      assert.equal(list.length, 2);
      const orphan = list.find((p) => p.metadata.name === 'orphan')!;
      assert.equal(orphan.metadata.ownerReferences?.[0].uid, ds.metadata.uid, 'adopted');

      await clock.advance(2000);
      await api.client.create(GVR.pods, NS, pinned('extra', 'n1'));
      await quiesce(api);
      assert.deepEqual(placement(await pods(api)).n1, ['orphan']);
      assert.ok((await events(api, 'SuccessfulDelete')).includes('Deleted pod: extra'));

      // A pod whose labels stop matching is released, and replaced.
      await api.client.patch(GVR.pods, NS, 'orphan', 'merge', {
        metadata: { labels: { app: 'elsewhere' } },
      });
      await quiesce(api);
      const released = await api.client.get<Pod>(GVR.pods, NS, 'orphan');
      assert.deepEqual(released.metadata.ownerReferences ?? [], []);
      assert.equal(placement(await pods(api)).n1.length, 1);
    } finally {
      await h.stop();
    }
  });

  it('OnDelete: a template change replaces pods only as they are deleted; history is pruned to the limit', async () => {
    const h = await start();
    const { api } = h;
    try {
      await addNode(api, 'n1');
      await addNode(api, 'n2');
      await api.client.create(
        GVR.daemonsets,
        NS,
        daemonSet({}, { type: 'OnDelete' }, { revisionHistoryLimit: 1 }),
      );
      await converge(h);
      const [v1] = await revisions(api);
      for (const image of ['agent:v2', 'agent:v3', 'agent:v4']) {
        await api.client.patch(GVR.daemonsets, NS, 'agent', 'strategic', {
          spec: { template: { spec: { containers: [{ name: 'agent', image }] } } },
        });
        await quiesce(api);
      }
      const list = await pods(api);
      assert.ok(
        list.every(
          (p) =>
            p.metadata.labels![HASH] === v1.metadata.labels![HASH] && !p.metadata.deletionTimestamp,
        ),
        'no pod was touched',
      );
      const ds = await getDs(api);
      assert.equal(ds.status!.updatedNumberScheduled, undefined);
      assert.equal(ds.status!.observedGeneration, 4);
      // v1 survives (live pods use it), v2 and v3 are pruned, v4 is current.
      const revs = await revisions(api);
      assert.deepEqual(
        revs.map((r) => r.revision),
        [1, 4],
      );
      assert.equal(revs[0].metadata.name, v1.metadata.name);
      const v4Hash = revs[1].metadata.labels![HASH];

      await api.client.delete(GVR.pods, NS, list[0].metadata.name!);
      for (let i = 0; i < 3; i++) {
        await quiesce(api);
        await kubelet(h);
      }
      await quiesce(api);
      const after = await pods(api);
      assert.equal(after.length, 2);
      assert.deepEqual(
        after.map((p) => p.metadata.labels![HASH]).sort(),
        [v1.metadata.labels![HASH], v4Hash].sort(),
      );
      assert.equal((await getDs(api)).status!.updatedNumberScheduled, 1);
    } finally {
      await h.stop();
    }
  });
});

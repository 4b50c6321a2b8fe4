import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GVR, type Client } from '../api/client.ts';
import type { Event, Node, Pod, PodAffinityTerm } from '../api/types/core.ts';
import { UnavailableError } from '../util/errors.ts';
import { FakeClock, settle } from '../util/clock.ts';
import { ControllerManager } from './manager.ts';
import { testApi, type TestApi } from './testing.ts';
import {
  createSchedulerController,
  isSchedulable,
  nodeChangeMatters,
  truncateMessage,
} from './scheduler.ts';
import { makeNode, makePod, ownerRef, type NodeOptions } from './scheduler/fixtures.ts';

let clock: FakeClock;
let api: TestApi;
let abort: AbortController;
let running: Promise<void>;

/** Lets promises and immediates run until `cond` holds; fails naming `what` otherwise. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await cond()) return;
    await settle();
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function start(client?: Client): Promise<void> {
  const manager = client ? new ControllerManager({ client, log: api.log, clock }) : api.manager();
  manager.add(createSchedulerController({ random: () => 0.5 }));
  running = manager.run(abort.signal);
  await manager.synced();
}

async function addNode(name: string, o: NodeOptions = {}): Promise<void> {
  await api.client.create(GVR.nodes, undefined, makeNode(name, o));
}

async function addPod(pod: Pod): Promise<void> {
  await api.client.create(GVR.pods, pod.metadata.namespace, pod);
}

async function pods(): Promise<Pod[]> {
  return (await api.client.list<Pod>(GVR.pods)).items;
}

async function nodeOf(name: string, namespace = 'default'): Promise<string | undefined> {
  return (await api.client.get<Pod>(GVR.pods, namespace, name)).spec?.nodeName;
}

async function perNode(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const p of await pods()) {
    const n = p.spec?.nodeName;
    if (n) out[n] = (out[n] ?? 0) + 1;
  }
  return out;
}

async function events(reason: string): Promise<Event[]> {
  return (await api.client.list<Event>(GVR.events)).items.filter((e) => e.reason === reason);
}

function scheduledCondition(p: Pod) {
  return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
}

beforeEach(async () => {
  clock = new FakeClock();
  api = await testApi({ clock });
  abort = new AbortController();
});

afterEach(async () => {
  abort.abort();
  await running;
  await api.close();
});

describe('scheduler controller', () => {
  it('binds pods to the nodes that fit them', async () => {
    await addNode('ssd', { labels: { disk: 'ssd' } });
    await addNode('hdd', { labels: { disk: 'hdd' } });
    await addNode('tainted', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    await start();
    await addPod(makePod('wants-ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
    await addPod(makePod('wants-hdd', { spec: { nodeSelector: { disk: 'hdd' } } }));
    await addPod(
      makePod('tolerant', {
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': 'tainted' },
          tolerations: [{ key: 'dedicated', operator: 'Exists' }],
        },
      }),
    );
    await until(async () => (await pods()).every((p) => p.spec?.nodeName), 'all pods bound');
    assert.equal(await nodeOf('wants-ssd'), 'ssd');
    assert.equal(await nodeOf('wants-hdd'), 'hdd');
    assert.equal(await nodeOf('tolerant'), 'tainted');
    const p = await api.client.get<Pod>(GVR.pods, 'default', 'wants-ssd');
    assert.equal(scheduledCondition(p)?.status, 'True');
    await until(async () => (await events('Scheduled')).length === 3, 'three Scheduled events');
    const messages = (await events('Scheduled')).map((e) => e.message).sort();
    assert.deepEqual(messages, [
      'Successfully assigned default/tolerant to tainted',
      'Successfully assigned default/wants-hdd to hdd',
      'Successfully assigned default/wants-ssd to ssd',
    ]);
    assert.equal((await events('Scheduled'))[0].source?.component, 'default-scheduler');
  });

  it('never overcommits a node in a burst', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await addNode(n, { cpu: '1' });
    // 55 pods of 100m onto 5 nodes of 1 cpu: 10 fit on each, 5 cannot.
    for (let i = 0; i < 55; i++) await addPod(makePod(`p${i}`, { cpu: '100m' }));
    await start();
    await until(
      async () => (await pods()).filter((p) => p.spec?.nodeName).length === 50,
      '50 pods bound',
    );
    await until(
      async () =>
        (await pods()).filter((p) => scheduledCondition(p)?.reason === 'Unschedulable').length ===
        5,
      '5 pods marked unschedulable',
    );
    assert.deepEqual(await perNode(), { a: 10, b: 10, c: 10, d: 10, e: 10 });
    const stuck = (await pods()).find((p) => !p.spec?.nodeName)!;
    assert.equal(
      scheduledCondition(stuck)?.message,
      '0/5 nodes are available: 5 Insufficient cpu. ' +
        'preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.',
    );
  });

  it('reports an unschedulable pod, then binds it when a suitable node appears', async () => {
    await addNode('small', { cpu: '1' });
    await start();
    await addPod(makePod('big', { cpu: '2' }));
    const message =
      '0/1 nodes are available: 1 Insufficient cpu. ' +
      'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    await until(async () => {
      const p = await api.client.get<Pod>(GVR.pods, 'default', 'big');
      return scheduledCondition(p)?.message === message;
    }, 'the PodScheduled condition');
    const p = await api.client.get<Pod>(GVR.pods, 'default', 'big');
    assert.deepEqual(scheduledCondition(p), {
      type: 'PodScheduled',
      status: 'False',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      reason: 'Unschedulable',
      message,
    });
    await until(
      async () => (await events('FailedScheduling')).length === 1,
      'a FailedScheduling event',
    );
    const [event] = await events('FailedScheduling');
    assert.equal(event.type, 'Warning');
    assert.equal(event.message, message);
    assert.equal(event.involvedObject.name, 'big');

    await addNode('large', { cpu: '4' });
    // The node event moves the pod; its 1 s backoff still applies.
    await clock.advance(1_000);
    await until(async () => (await nodeOf('big')) === 'large', 'big bound to large');
  });

  it('does not rewrite an unchanged condition, and aggregates repeated events', async () => {
    await addNode('a', { labels: { disk: 'hdd' } });
    await start();
    await addPod(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
    await until(async () => {
      const p = await api.client.get<Pod>(GVR.pods, 'default', 'p');
      return scheduledCondition(p)?.reason === 'Unschedulable';
    }, 'the PodScheduled condition');
    const before = (await api.client.get<Pod>(GVR.pods, 'default', 'p')).metadata.resourceVersion;
    // A heartbeat changes nothing that matters: no retry.
    const node = await api.client.get<Node>(GVR.nodes, undefined, 'a');
    node.status!.conditions![0].lastHeartbeatTime = '2026-01-01T00:00:05Z';
    await api.client.update(GVR.nodes, undefined, node, { subresource: 'status' });
    await clock.advance(5_000);
    for (let i = 0; i < 20; i++) await settle();
    assert.equal((await events('FailedScheduling'))[0].count, 1);
    // The 60 s flush retries it (each retry bumps the event's count).
    for (let i = 0; i < 3; i++) {
      await clock.advance(60_000);
      await settle();
    }
    await until(async () => (await events('FailedScheduling'))[0]?.count === 4, 'count 4');
    const after = (await api.client.get<Pod>(GVR.pods, 'default', 'p')).metadata.resourceVersion;
    assert.equal(after, before);
    assert.equal((await events('FailedScheduling')).length, 1);
  });

  it('updates the condition when the reason changes', async () => {
    await addNode('a', { labels: { disk: 'hdd' } });
    await start();
    await addPod(makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
    await until(async () => {
      const p = await api.client.get<Pod>(GVR.pods, 'default', 'p');
      return scheduledCondition(p)?.reason === 'Unschedulable';
    }, 'the first condition');
    await addNode('b', { labels: { disk: 'ssd' }, unschedulable: true });
    await clock.advance(1_000);
    const message =
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, " +
      '1 node(s) were unschedulable. ' +
      'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    await until(async () => {
      const p = await api.client.get<Pod>(GVR.pods, 'default', 'p');
      return scheduledCondition(p)?.message === message;
    }, 'the new message');
    // Uncordoning the node lets it in.
    const b = await api.client.get<Node>(GVR.nodes, undefined, 'b');
    await api.client.update(GVR.nodes, undefined, {
      ...b,
      spec: { ...b.spec, unschedulable: false },
    });
    await clock.advance(2_000);
    await until(async () => (await nodeOf('p')) === 'b', 'p bound to b');
  });

  it('binds a pending pod when a pod on a full node is deleted', async () => {
    await addNode('a', { cpu: '1' });
    await addPod(makePod('first', { cpu: '1' }));
    await start();
    await until(async () => (await nodeOf('first')) === 'a', 'first bound');
    await addPod(makePod('second', { cpu: '1' }));
    await until(
      async () =>
        scheduledCondition(await api.client.get<Pod>(GVR.pods, 'default', 'second'))?.reason ===
        'Unschedulable',
      'second unschedulable',
    );
    await api.client.delete(GVR.pods, 'default', 'first', { gracePeriodSeconds: 0 });
    await clock.advance(1_000);
    await until(async () => (await nodeOf('second')) === 'a', 'second bound');
  });

  it('does not retry a pod that only a node change can help when pods go away', async () => {
    await addNode('a', { labels: { disk: 'hdd' } });
    await addPod(makePod('running', { cpu: '100m' }));
    await start();
    await until(async () => (await nodeOf('running')) === 'a', 'running bound');
    await addPod(makePod('picky', { spec: { nodeSelector: { disk: 'ssd' } } }));
    await until(async () => (await events('FailedScheduling')).length === 1, 'the first failure');
    await clock.advance(10_000); // past any backoff
    await api.client.delete(GVR.pods, 'default', 'running', { gracePeriodSeconds: 0 });
    await clock.advance(1_000);
    for (let i = 0; i < 20; i++) await settle();
    assert.equal((await events('FailedScheduling'))[0].count, 1);
    // A node event does retry it.
    await addNode('b', { labels: { disk: 'ssd' } });
    await clock.advance(1_000);
    await until(async () => (await nodeOf('picky')) === 'b', 'picky bound to b');
  });

  it('spreads replicas with required anti-affinity by hostname', async () => {
    for (const n of ['a', 'b', 'c']) await addNode(n);
    const term: PodAffinityTerm = {
      labelSelector: { matchLabels: { app: 'web' } },
      topologyKey: 'kubernetes.io/hostname',
    };
    for (let i = 0; i < 4; i++) {
      await addPod(
        makePod(`web-${i}`, {
          labels: { app: 'web' },
          spec: {
            affinity: {
              podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] },
            },
          },
        }),
      );
    }
    await start();
    await until(
      async () => (await pods()).filter((p) => p.spec?.nodeName).length === 3,
      'three replicas bound',
    );
    assert.deepEqual(await perNode(), { a: 1, b: 1, c: 1 });
    await until(
      async () => (await pods()).some((p) => scheduledCondition(p)?.reason === 'Unschedulable'),
      'the fourth marked unschedulable',
    );
    const stuck = (await pods()).find((p) => !p.spec?.nodeName)!;
    assert.equal(
      scheduledCondition(stuck)?.message,
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. " +
        'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('spreads 6 pods of one owner 2-2-2 over 3 equal nodes', async () => {
    for (const n of ['a', 'b', 'c']) await addNode(n);
    const rs = ownerRef('web');
    for (let i = 0; i < 6; i++) await addPod(makePod(`web-${i}`, { owner: rs, cpu: '100m' }));
    await start();
    await until(async () => (await pods()).every((p) => p.spec?.nodeName), 'all bound');
    assert.deepEqual(await perNode(), { a: 2, b: 2, c: 2 });
  });

  it('leaves pods for other schedulers alone', async () => {
    await addNode('a');
    await start();
    await addPod(makePod('theirs', { spec: { schedulerName: 'other-scheduler' } }));
    await addPod(makePod('ours', { spec: { schedulerName: 'verge-scheduler' } }));
    await until(async () => (await nodeOf('ours')) === 'a', 'ours bound');
    await clock.advance(60_000);
    await settle();
    const theirs = await api.client.get<Pod>(GVR.pods, 'default', 'theirs');
    assert.equal(theirs.spec?.nodeName, undefined);
    assert.equal(scheduledCondition(theirs), undefined);
  });

  it('undoes the assumption of a failed binding and retries after backoff', async () => {
    await addNode('a', { cpu: '1' });
    let failures = 1;
    const real = api.client;
    const flaky = new Proxy(real, {
      get(target, prop) {
        if (prop === 'createSubresource') {
          return async (...args: Parameters<Client['createSubresource']>) => {
            if (failures-- > 0) throw new UnavailableError('etcd is having a bad day');
            return real.createSubresource(...args);
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    await start(flaky);
    await addPod(makePod('p', { cpu: '1' }));
    await until(async () => (await events('FailedScheduling')).length === 1, 'the failure event');
    assert.equal(
      (await events('FailedScheduling'))[0].message,
      'Binding rejected: etcd is having a bad day',
    );
    assert.equal(await nodeOf('p'), undefined);
    await clock.advance(1_000);
    // Had the assumption stayed, the 1-cpu node would look full.
    await until(async () => (await nodeOf('p')) === 'a', 'p bound after the retry');
  });
});

describe('scheduler helpers', () => {
  it('isSchedulable picks unbound, live, ungated pods of this scheduler', () => {
    assert.equal(isSchedulable(makePod('p')), true);
    assert.equal(
      isSchedulable(makePod('p', { spec: { schedulerName: 'default-scheduler' } })),
      true,
    );
    assert.equal(isSchedulable(makePod('p', { spec: { schedulerName: 'custom' } })), false);
    assert.equal(isSchedulable(makePod('p', { nodeName: 'a' })), false);
    assert.equal(isSchedulable(makePod('p', { phase: 'Failed' })), false);
    assert.equal(
      isSchedulable(makePod('p', { spec: { schedulingGates: [{ name: 'g' }] } })),
      false,
    );
    const deleting = makePod('p');
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    assert.equal(isSchedulable(deleting), false);
  });

  it('nodeChangeMatters ignores heartbeats', () => {
    const a = makeNode('a');
    const heartbeat = makeNode('a');
    heartbeat.status!.conditions![0].lastHeartbeatTime = '2026-01-01T00:00:10Z';
    assert.equal(nodeChangeMatters(a, heartbeat), false);
    assert.equal(nodeChangeMatters(a, makeNode('a', { ready: 'False' })), true);
    assert.equal(nodeChangeMatters(a, makeNode('a', { labels: { x: 'y' } })), true);
    assert.equal(nodeChangeMatters(a, makeNode('a', { cpu: '8' })), true);
    assert.equal(nodeChangeMatters(a, makeNode('a', { unschedulable: true })), true);
  });

  it('truncateMessage cuts at 1024 characters with " ..."', () => {
    assert.equal(truncateMessage('short'), 'short');
    const long = truncateMessage('x'.repeat(2000));
    assert.equal(long.length, 1024);
    assert.ok(long.endsWith('x ...'));
  });
});

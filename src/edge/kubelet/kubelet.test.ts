import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Container, Pod, PodSpec, PodStatus } from '../../api/types/core.ts';
import type { KubeObject } from '../../api/types/meta.ts';
import { FakeClock } from '../../util/clock.ts';
import { silentLogger } from '../../util/log.ts';
import { LocalStore, openEdgeDatabase, type EdgeDatabase } from '../local-store.ts';
import {
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
} from '../runtime/types.ts';
import { FakeRuntime } from './fake-runtime.fixture.ts';
import { Kubelet } from './kubelet.ts';

const root = mkdtempSync(join(tmpdir(), 'verge-kubelet-'));
after(() => rmSync(root, { recursive: true, force: true }));
const log = silentLogger();
let n = 0;
let rv = 1;

interface Harness {
  dir: string;
  edb: EdgeDatabase;
  store: LocalStore;
  clock: FakeClock;
  rt: FakeRuntime;
  kubelet: Kubelet;
  updates: { key: string; status: PodStatus }[];
  events: string[];
  deleted: Pod[];
  abort: AbortController;
  newKubelet(): Kubelet;
  put(kind: string, o: KubeObject): void;
  del(kind: string, ns: string, name: string): void;
  status(name?: string): PodStatus;
  until(cond: () => boolean, what: string, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

function setup(): Harness {
  const dir = join(root, `k${n++}`);
  const edb = openEdgeDatabase(join(root, `e${n}.db`), { busyTimeoutMs: 200 });
  const store = new LocalStore(edb, { log });
  const clock = new FakeClock();
  const rt = new FakeRuntime(clock);
  rt.images.add('busybox:1');
  const h: Harness = {
    dir,
    edb,
    store,
    clock,
    rt,
    updates: [],
    events: [],
    deleted: [],
    abort: new AbortController(),
    kubelet: undefined as unknown as Kubelet,
    newKubelet() {
      return new Kubelet({
        nodeName: 'n1',
        store,
        runtime: rt,
        rootDir: dir,
        hostIP: () => '192.168.1.10',
        updateStatus: (pod, status) =>
          h.updates.push({ key: `${pod.metadata.namespace}/${pod.metadata.name}`, status }),
        deletePod: (pod) => h.deleted.push(pod),
        recordEvent: (_pod, type, reason, message) => h.events.push(`${type} ${reason} ${message}`),
        log,
        clock,
      });
    },
    put(kind, o) {
      o.metadata.resourceVersion = String(rv++);
      store.apply([{ type: 'put', kind, object: o }]);
    },
    del(kind, ns, name) {
      store.apply([{ type: 'delete', kind, namespace: ns, name }]);
    },
    status(name = 'p') {
      const s = h.kubelet.podStatuses().get(`default/${name}`);
      assert.ok(s, `no status for default/${name}`);
      return s;
    },
    async until(cond, what, maxMs = 120_000) {
      for (let t = 0; t <= maxMs; t += 250) {
        if (cond()) return;
        await clock.advance(250);
      }
      assert.fail(`timed out (${maxMs} ms of fake time) waiting for: ${what}`);
    },
    async close() {
      h.abort.abort();
      await h.kubelet.stop();
      edb.close();
    },
  };
  h.kubelet = h.newKubelet();
  return h;
}

/** Runs a test body against a fresh harness, closing it afterwards. */
async function withKubelet(body: (h: Harness) => Promise<void>): Promise<void> {
  const h = setup();
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/** Stores the pod (the default one unless given) and starts the kubelet. */
async function startWith(h: Harness, p: Pod = pod({})): Promise<void> {
  h.put('Pod', p);
  await h.kubelet.start(h.abort.signal);
}

function pod(
  spec: Partial<PodSpec> & { containers?: Container[] },
  name = 'p',
  uid = `uid-${name}`,
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid, labels: { app: 'demo' } },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'app', image: 'busybox:1', command: ['sleep', '1000'] }],
      ...spec,
    },
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
    },
  };
}

const cs = (s: PodStatus, name = 'app') => s.containerStatuses!.find((c) => c.name === name)!;
const cond = (s: PodStatus, type: string) => s.conditions?.find((c) => c.type === type)?.status;

describe('Kubelet', () => {
  it('creates a pod and reports it Running with kubectl-ready status; no update when nothing changed', () =>
    withKubelet(async (h) => {
      await startWith(h);
      await h.until(() => h.kubelet.podStatuses().get('default/p')?.phase === 'Running', 'Running');
      const s = h.status();
      const c = cs(s);
      assert.ok(c.state?.running?.startedAt);
      assert.equal(c.ready, true);
      assert.equal(c.started, true);
      assert.equal(c.restartCount, 0);
      assert.match(c.containerID!, /^fake:\/\/c\d+$/);
      assert.equal(c.image, 'busybox:1');
      assert.equal(s.podIP, '10.0.0.5');
      assert.deepEqual(s.podIPs, [{ ip: '10.0.0.5' }]);
      assert.equal(s.hostIP, '192.168.1.10');
      assert.equal(s.qosClass, 'BestEffort');
      assert.ok(s.startTime);
      assert.deepEqual(
        s.conditions!.map((x) => `${x.type}=${x.status}`),
        [
          'PodReadyToStartContainers=True',
          'Initialized=True',
          'Ready=True',
          'ContainersReady=True',
          'PodScheduled=True',
        ],
      );
      assert.ok(
        h.events.includes('Normal Pulled Container image "busybox:1" already present on machine'),
      );
      assert.ok(h.events.includes('Normal Created Created container: app'));
      assert.ok(h.events.includes('Normal Started Started container app'));
      const sb = [...h.rt.sandboxes.values()][0];
      assert.equal(sb.labels[LABEL_POD_UID], 'uid-p');
      assert.equal(sb.labels.app, 'demo');
      const cfg = h.rt.instances('app')[0].config;
      assert.equal(cfg.logPath, 'app/0.log');
      assert.deepEqual(cfg.command, ['sleep', '1000']);
      const count = h.updates.length;
      const ready = s.conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime;
      await h.clock.advance(35_000);
      assert.equal(h.updates.length, count, 'no status update while nothing changes');
      assert.equal(
        h.status().conditions!.find((x) => x.type === 'Ready')!.lastTransitionTime,
        ready,
      );
      assert.equal(h.rt.instances('app').length, 1);
    }));

  it('restarts a crashing container with backoff 10s, 20s (CrashLoopBackOff)', () =>
    withKubelet(async (h) => {
      await startWith(h);
      await h.until(() => h.rt.running('app') !== undefined, 'first start');
      h.rt.exit(h.rt.running('app')!.id, 1);
      // The first restart is immediate, as in the kubelet.
      await h.until(
        () => cs(h.status()).restartCount === 1 && h.rt.running('app') !== undefined,
        'restart 1',
      );
      assert.equal(cs(h.status()).lastState?.terminated?.exitCode, 1);
      h.rt.exit(h.rt.running('app')!.id, 2);
      await h.until(
        () => cs(h.status()).state?.waiting?.reason === 'CrashLoopBackOff',
        'CrashLoopBackOff',
      );
      const c = cs(h.status());
      assert.equal(
        c.state!.waiting!.message,
        'back-off 10s restarting failed container=app pod=p_default(uid-p)',
      );
      assert.equal(c.lastState?.terminated?.exitCode, 2);
      assert.equal(c.restartCount, 1);
      assert.equal(h.status().phase, 'Running');
      assert.ok(
        h.events.includes(
          'Warning BackOff Back-off restarting failed container app in pod p_default(uid-p)',
        ),
      );
      const t0 = h.clock.now();
      await h.until(
        () => cs(h.status()).restartCount === 2 && h.rt.running('app') !== undefined,
        'restart 2',
      );
      const waited = h.clock.now() - t0;
      assert.ok(waited >= 8_000 && waited <= 12_000, `restarted after ${waited} ms`);
      h.rt.exit(h.rt.running('app')!.id, 1);
      await h.until(
        () => cs(h.status()).state?.waiting?.reason === 'CrashLoopBackOff',
        'second CrashLoopBackOff',
      );
      assert.match(cs(h.status()).state!.waiting!.message!, /^back-off 20s /);
      // Old instances are removed: the current one and the previous one stay.
      assert.ok(h.rt.instances('app').length <= 2);
    }));

  it('restartPolicy Never: a failed container makes the pod Failed, no restart', () =>
    withKubelet(async (h) => {
      await startWith(h, pod({ restartPolicy: 'Never' }));
      await h.until(() => h.rt.running('app') !== undefined, 'start');
      h.rt.exit(h.rt.running('app')!.id, 3);
      await h.until(() => h.status().phase === 'Failed', 'Failed');
      const t = cs(h.status()).state!.terminated!;
      assert.equal(t.exitCode, 3);
      assert.equal(t.reason, 'Error');
      assert.equal(cond(h.status(), 'Ready'), 'False');
      await h.clock.advance(60_000);
      assert.equal(h.rt.instances('app').length, 1);
      assert.equal([...h.rt.sandboxes.values()][0].state, 'notready');
    }));

  it('runs init containers in order before the app containers', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          initContainers: [
            { name: 'init1', image: 'busybox:1', command: ['true'] },
            { name: 'init2', image: 'busybox:1', command: ['true'] },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.rt.running('init1') !== undefined, 'init1 runs');
      let s = h.status();
      assert.equal(s.phase, 'Pending');
      assert.equal(cs(s).state?.waiting?.reason, 'PodInitializing');
      assert.equal(s.initContainerStatuses![1].state?.waiting?.reason, 'PodInitializing');
      assert.equal(cond(s, 'Initialized'), 'False');
      assert.equal(h.rt.instances('init2').length, 0);
      h.rt.exit(h.rt.running('init1')!.id, 0);
      await h.until(() => h.rt.running('init2') !== undefined, 'init2 runs');
      assert.equal(h.rt.instances('app').length, 0);
      h.rt.exit(h.rt.running('init2')!.id, 0);
      await h.until(() => h.status().phase === 'Running', 'Running');
      s = h.status();
      assert.equal(cond(s, 'Initialized'), 'True');
      assert.equal(s.initContainerStatuses![0].state?.terminated?.reason, 'Completed');
      assert.equal(s.initContainerStatuses![0].ready, true);
    }));

  it('a failed init container with restartPolicy Never fails the pod', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          restartPolicy: 'Never',
          initContainers: [{ name: 'init', image: 'busybox:1', command: ['false'] }],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.rt.running('init') !== undefined, 'init runs');
      h.rt.exit(h.rt.running('init')!.id, 1);
      await h.until(() => h.status().phase === 'Failed', 'Failed');
      assert.equal(h.rt.instances('app').length, 0);
    }));

  it('env: a missing ConfigMap is CreateContainerConfigError until it appears; values, refs and expansion', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          serviceAccountName: 'sa',
          containers: [
            {
              name: 'app',
              image: 'busybox:1',
              command: ['echo', '$(GREETING)', '$$(GREETING)'],
              resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } },
              envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
              env: [
                { name: 'NAME', value: 'world' },
                { name: 'GREETING', value: 'hello $(NAME) $(UNKNOWN)' },
                { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } },
                {
                  name: 'OPT',
                  valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } },
                },
                { name: 'PASS', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
                { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
                { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
                {
                  name: 'MEM',
                  valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
                },
                {
                  name: 'CPU',
                  valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } },
                },
              ],
            },
          ],
        }),
      );
      h.put('Secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'default', uid: 's1' },
        data: { password: Buffer.from('hunter2').toString('base64') },
      });
      await h.kubelet.start(h.abort.signal);
      await h.until(
        () => cs(h.status()).state?.waiting?.reason === 'CreateContainerConfigError',
        'CreateContainerConfigError',
      );
      assert.equal(cs(h.status()).state!.waiting!.message, 'configmap "cfg" not found');
      assert.equal(h.status().phase, 'Pending');
      assert.ok(h.events.includes('Warning Failed Error: configmap "cfg" not found'));
      h.put('ConfigMap', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: 'default', uid: 'cm1' },
        data: { k: 'v', other: 'o' },
      });
      await h.until(() => h.rt.running('app') !== undefined, 'started once the ConfigMap exists');
      const cfg = h.rt.running('app')!.config;
      const env = Object.fromEntries(cfg.envs.map((e) => [e.name, e.value]));
      assert.deepEqual(env, {
        CFG_k: 'v',
        CFG_other: 'o',
        NAME: 'world',
        GREETING: 'hello world $(UNKNOWN)',
        FROM_CM: 'v',
        PASS: 'hunter2',
        POD: 'p',
        APP: 'demo',
        IP: '10.0.0.5',
        HOST: '192.168.1.10',
        SA: 'sa',
        MEM: '64',
        CPU: '500',
      });
      assert.deepEqual(cfg.command, ['echo', 'hello world $(UNKNOWN)', '$(GREETING)']);
      assert.deepEqual(cfg.resources, {
        cpuShares: 256,
        cpuPeriod: 100000,
        cpuQuota: 50000,
        memoryLimitInBytes: 64 * 1024 * 1024,
      });
    }));

  it('volumes: a missing ConfigMap is FailedMount (Pending, ContainerCreating), then files that follow updates', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          volumes: [
            {
              name: 'cfg',
              configMap: { name: 'settings', items: [{ key: 'a', path: 'dir/a.txt' }] },
            },
            { name: 'all', configMap: { name: 'settings' } },
            { name: 'scratch', emptyDir: {} },
            {
              name: 'info',
              downwardAPI: {
                items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
              },
            },
          ],
          containers: [
            {
              name: 'app',
              image: 'busybox:1',
              command: ['sleep', '1000'],
              volumeMounts: [
                { name: 'cfg', mountPath: '/etc/cfg' },
                { name: 'all', mountPath: '/etc/all' },
                { name: 'scratch', mountPath: '/data', subPath: 'sub' },
                { name: 'info', mountPath: '/etc/info' },
              ],
            },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.events.some((e) => e.startsWith('Warning FailedMount')), 'FailedMount');
      assert.ok(
        h.events.includes(
          'Warning FailedMount MountVolume.SetUp failed for volume "cfg" : configmap "settings" not found',
        ),
      );
      assert.equal(h.status().phase, 'Pending');
      assert.equal(cs(h.status()).state?.waiting?.reason, 'ContainerCreating');
      assert.equal(h.rt.sandboxes.size, 0);
      h.put('ConfigMap', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'default', uid: 'cm1' },
        data: { a: 'one', b: 'two' },
      });
      await h.until(() => h.rt.running('app') !== undefined, 'running after the ConfigMap appears');
      const mounts = h.rt.running('app')!.config.mounts;
      const at = (p: string) => mounts.find((m) => m.containerPath === p)!;
      assert.equal(at('/etc/cfg').readonly, true);
      assert.equal(at('/data').readonly, false);
      assert.match(at('/data').hostPath, /kubernetes\.io~empty-dir\/scratch\/sub$/);
      const file = join(at('/etc/cfg').hostPath, 'dir/a.txt');
      assert.equal(readFileSync(file, 'utf8'), 'one');
      assert.equal(readFileSync(join(at('/etc/all').hostPath, 'b'), 'utf8'), 'two');
      assert.equal(readFileSync(join(at('/etc/info').hostPath, 'labels'), 'utf8'), 'app="demo"');
      h.put('ConfigMap', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'default', uid: 'cm1' },
        data: { a: 'uno', b: 'two' },
      });
      await h.until(() => readFileSync(file, 'utf8') === 'uno', 'the file shows the new value');
      assert.equal(
        h.rt.instances('app').length,
        1,
        'a ConfigMap change does not restart the container',
      );
      // Deleted: the files stay as they were, and a crash is still restarted.
      h.del('ConfigMap', 'default', 'settings');
      h.rt.exit(h.rt.running('app')!.id, 1);
      await h.until(
        () => cs(h.status()).restartCount === 1 && h.rt.running('app') !== undefined,
        'restarted',
      );
      assert.equal(readFileSync(file, 'utf8'), 'uno');
    }));

  it('liveness failure restarts the container; readiness flips Ready; a hanging probe times out', () =>
    withKubelet(async (h) => {
      let healthy = true;
      let ready = false;
      h.rt.execHandler = (_c, o) => {
        const what = o.cmd.join(' ');
        if (what === 'hang') return new Promise(() => {});
        if (what === 'live') return Promise.resolve({ exitCode: healthy ? 0 : 1, timedOut: false });
        return Promise.resolve({ exitCode: ready ? 0 : 1, timedOut: false });
      };
      h.put(
        'Pod',
        pod({
          containers: [
            {
              name: 'app',
              image: 'busybox:1',
              command: ['sleep', '1000'],
              livenessProbe: { exec: { command: ['live'] }, periodSeconds: 5, failureThreshold: 2 },
              readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 2 },
            },
            {
              name: 'slow',
              image: 'busybox:1',
              command: ['sleep', '1000'],
              readinessProbe: { exec: { command: ['hang'] }, periodSeconds: 5, timeoutSeconds: 2 },
            },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.status().phase === 'Running', 'Running');
      assert.equal(cs(h.status()).ready, false);
      assert.equal(cond(h.status(), 'Ready'), 'False');
      ready = true;
      await h.until(() => cs(h.status()).ready, 'app ready');
      await h.until(
        () =>
          h.events.some((e) =>
            e.startsWith('Warning Unhealthy Readiness probe errored: command "hang" timed out'),
          ),
        'hanging probe times out',
      );
      assert.equal(cs(h.status(), 'slow').ready, false);
      assert.equal(cond(h.status(), 'Ready'), 'False');
      ready = false;
      await h.until(() => !cs(h.status()).ready, 'app unready after 3 failures');
      healthy = false;
      await h.until(() => cs(h.status()).restartCount === 1, 'restarted after liveness failures');
      assert.ok(
        h.events.includes('Normal Killing Container app failed liveness probe, will be restarted'),
      );
      assert.ok(h.events.includes('Warning Unhealthy Liveness probe failed: '));
      assert.equal(h.rt.instances('app').filter((c) => c.state === 'running').length, 1);
    }));

  it('graceful deletion stops containers with the grace period, removes the sandbox, then deletePod', () =>
    withKubelet(async (h) => {
      const p = pod({});
      await startWith(h, p);
      await h.until(() => h.status().phase === 'Running', 'Running');
      p.metadata.deletionTimestamp = '2026-01-01T00:01:00Z';
      p.metadata.deletionGracePeriodSeconds = 7;
      h.put('Pod', p);
      await h.until(() => h.deleted.length === 1, 'deletePod');
      assert.ok(h.rt.calls.includes('stop app 7'));
      assert.ok(h.events.includes('Normal Killing Stopping container app'));
      assert.equal(h.rt.sandboxes.size, 0);
      assert.equal(h.rt.containers.size, 0);
      const last = h.updates.at(-1)!.status;
      assert.equal(last.phase, 'Failed');
      assert.equal(cs(last).state?.terminated?.exitCode, 143);
      assert.ok(
        h.rt.calls.indexOf('stop app 7') <
          h.rt.calls.findIndex((c) => c.startsWith('removePodSandbox')),
      );
      await h.clock.advance(30_000);
      assert.equal(h.deleted.length, 1);
    }));

  it('a pod removed from the store is killed and cleaned up', () =>
    withKubelet(async (h) => {
      await startWith(h);
      await h.until(() => h.rt.running('app') !== undefined, 'running');
      h.del('Pod', 'default', 'p');
      await h.until(() => h.rt.sandboxes.size === 0 && h.rt.containers.size === 0, 'cleaned up');
      assert.equal(h.deleted.length, 0);
    }));

  it('adopts what runs after a restart: no duplicate, restartCount and startTime kept; removes orphans', () =>
    withKubelet(async (h) => {
      await startWith(h);
      await h.until(() => h.rt.running('app') !== undefined, 'running');
      h.rt.exit(h.rt.running('app')!.id, 1);
      await h.until(
        () => cs(h.status()).restartCount === 1 && h.rt.running('app') !== undefined,
        'restarted',
      );
      const before = h.status();
      await h.kubelet.stop();
      assert.ok(h.rt.running('app'), 'stop leaves containers running');
      // An orphan: a sandbox and container of a pod this node no longer has.
      const orphanLabels = {
        [LABEL_POD_NAME]: 'gone',
        [LABEL_POD_NAMESPACE]: 'default',
        [LABEL_POD_UID]: 'uid-gone',
      };
      const sb = await h.rt.runPodSandbox({
        metadata: { name: 'gone', namespace: 'default', uid: 'uid-gone', attempt: 0 },
        hostname: 'gone',
        logDirectory: join(h.dir, 'x'),
        hostNetwork: false,
        labels: orphanLabels,
        annotations: {},
      });
      const oc = await h.rt.createContainer(
        sb,
        {
          metadata: { name: 'x', attempt: 0 },
          image: 'busybox:1',
          command: ['sleep'],
          args: [],
          envs: [],
          mounts: [],
          logPath: 'x/0.log',
          stdin: false,
          stdinOnce: false,
          tty: false,
          labels: { ...orphanLabels, [LABEL_CONTAINER_NAME]: 'x' },
          annotations: {},
        },
        {
          metadata: { name: 'gone', namespace: 'default', uid: 'uid-gone', attempt: 0 },
          hostname: 'gone',
          logDirectory: join(h.dir, 'x'),
          hostNetwork: false,
          labels: orphanLabels,
          annotations: {},
        },
      );
      await h.rt.startContainer(oc);
      const creates = h.rt.calls.filter((c) => c.startsWith('create app')).length;
      await h.clock.advance(5_000);
      h.kubelet = h.newKubelet();
      await h.kubelet.start(h.abort.signal);
      assert.equal(h.rt.sandboxes.has(sb), false, 'orphan sandbox removed');
      assert.equal(h.rt.containers.has(oc), false, 'orphan container removed');
      await h.clock.advance(3_000);
      assert.equal(h.rt.calls.filter((c) => c.startsWith('create app')).length, creates);
      assert.equal(h.rt.calls.filter((c) => c.startsWith('runPodSandbox')).length, 2);
      const after = h.status();
      assert.equal(cs(after).restartCount, 1);
      assert.equal(after.startTime, before.startTime);
      assert.equal(cs(after).containerID, cs(before).containerID);
    }));

  it('a command that cannot start is StartError (exit 128), then CrashLoopBackOff', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({ containers: [{ name: 'app', image: 'busybox:1', command: ['/no/such/program'] }] }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(
        () => cs(h.status()).state?.waiting?.reason === 'CrashLoopBackOff',
        'CrashLoopBackOff',
      );
      const c = cs(h.status());
      assert.equal(c.lastState?.terminated?.reason, 'StartError');
      assert.equal(c.lastState?.terminated?.exitCode, 128);
      assert.match(c.lastState!.terminated!.message!, /executable file not found/);
      assert.equal(c.restartCount, 1);
    }));

  it('image pulls: ErrImagePull then ImagePullBackOff; Never without the image is ErrImageNeverPull', () =>
    withKubelet(async (h) => {
      h.rt.pullable = () => false;
      h.put('Pod', pod({ containers: [{ name: 'app', image: 'nope:latest', command: ['x'] }] }));
      h.put(
        'Pod',
        pod(
          {
            containers: [
              { name: 'app', image: 'local:1', imagePullPolicy: 'Never', command: ['x'] },
            ],
          },
          'q',
        ),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => cs(h.status()).state?.waiting?.reason === 'ErrImagePull', 'ErrImagePull');
      assert.ok(h.events.includes('Normal Pulling Pulling image "nope:latest"'));
      assert.ok(
        h.events.includes(
          'Warning Failed Failed to pull image "nope:latest": rpc error: nope:latest: not found',
        ),
      );
      await h.until(
        () => cs(h.status()).state?.waiting?.reason === 'ImagePullBackOff',
        'ImagePullBackOff',
      );
      assert.equal(cs(h.status()).state!.waiting!.message, 'Back-off pulling image "nope:latest"');
      const q = cs(h.status('q'));
      assert.equal(q.state?.waiting?.reason, 'ErrImageNeverPull');
      assert.equal(
        q.state?.waiting?.message,
        'Container image "local:1" is not present with pull policy of Never',
      );
      h.rt.pullable = () => true;
      await h.until(
        () => h.rt.running('app') !== undefined,
        'pulled and started after the backoff',
      );
    }));

  it('an image change restarts the container; activeDeadlineSeconds fails the pod', () =>
    withKubelet(async (h) => {
      const p = pod({ activeDeadlineSeconds: 120 });
      await startWith(h, p);
      await h.until(() => h.rt.running('app') !== undefined, 'running');
      p.spec!.containers[0].image = 'busybox:2';
      h.rt.images.add('busybox:2');
      h.put('Pod', p);
      await h.until(() => h.rt.running('app')?.config.image === 'busybox:2', 'new image runs');
      assert.ok(
        h.events.includes('Normal Killing Container app definition changed, will be restarted'),
      );
      assert.equal(cs(h.status()).restartCount, 1);
      await h.until(() => h.status().phase === 'Failed', 'DeadlineExceeded', 200_000);
      assert.equal(h.status().reason, 'DeadlineExceeded');
      assert.equal(h.rt.running('app'), undefined);
    }));

  it('a sidecar (init container with restartPolicy Always) keeps running beside the app and is restarted', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          initContainers: [
            {
              name: 'side',
              image: 'busybox:1',
              command: ['sleep', '1000'],
              restartPolicy: 'Always',
            },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(
        () => h.status().phase === 'Running' && cond(h.status(), 'Ready') === 'True',
        'Running and Ready',
      );
      assert.ok(h.rt.running('side'));
      assert.equal(cond(h.status(), 'Initialized'), 'True');
      assert.equal(h.status().initContainerStatuses![0].ready, true);
      h.rt.exit(h.rt.running('side')!.id, 1);
      await h.until(
        () => h.status().initContainerStatuses![0].restartCount === 1,
        'sidecar restarted',
      );
      assert.ok(h.rt.running('side'));
      assert.equal(h.rt.instances('app').length, 1, 'the app container is not restarted');
    }));

  it('a startup probe gates liveness and readiness; preStop runs before the stop on deletion', () =>
    withKubelet(async (h) => {
      let startupOk = false;
      h.rt.execHandler = (_c, o) => {
        const what = o.cmd.join(' ');
        if (what === 'startup')
          return Promise.resolve({ exitCode: startupOk ? 0 : 1, timedOut: false });
        return Promise.resolve({ exitCode: 0, timedOut: false });
      };
      const p = pod({
        containers: [
          {
            name: 'app',
            image: 'busybox:1',
            command: ['sleep', '1000'],
            startupProbe: {
              exec: { command: ['startup'] },
              periodSeconds: 1,
              failureThreshold: 30,
            },
            livenessProbe: { exec: { command: ['live'] }, periodSeconds: 1 },
            readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
            lifecycle: { preStop: { exec: { command: ['drain'] } } },
          },
        ],
      });
      await startWith(h, p);
      await h.until(() => h.status().phase === 'Running', 'Running');
      await h.clock.advance(5_000);
      assert.equal(cs(h.status()).started, false);
      assert.equal(cs(h.status()).ready, false);
      assert.ok(!h.rt.calls.some((c) => c === 'exec app live' || c === 'exec app ready'));
      startupOk = true;
      await h.until(() => cs(h.status()).ready, 'ready after startup');
      assert.equal(cs(h.status()).started, true);
      assert.ok(h.rt.calls.includes('exec app live'));
      p.metadata.deletionTimestamp = '2026-01-01T00:10:00Z';
      p.metadata.deletionGracePeriodSeconds = 30;
      h.put('Pod', p);
      await h.until(() => h.deleted.length === 1, 'deleted');
      const drain = h.rt.calls.indexOf('exec app drain');
      assert.ok(drain >= 0, 'preStop ran');
      assert.ok(drain < h.rt.calls.findIndex((c) => c.startsWith('stop app')));
    }));

  it('an adopted container keeps started and ready across an agent restart (no probe rerun, no flap)', () =>
    withKubelet(async (h) => {
      h.rt.execHandler = () => Promise.resolve({ exitCode: 0, timedOut: false });
      const spec = {
        containers: [
          {
            name: 'app',
            image: 'busybox:1',
            command: ['sleep', '1000'],
            startupProbe: { exec: { command: ['startup'] }, periodSeconds: 1 },
            readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1 },
          },
        ],
      };
      await startWith(h, pod(spec));
      await h.until(() => cs(h.status()).ready, 'started and ready');
      await h.kubelet.stop();
      const reported = h.updates.length;
      await h.clock.advance(5_000);
      const probes = h.rt.calls.filter((c) => c === 'exec app startup').length;
      h.kubelet = h.newKubelet();
      await h.kubelet.start(h.abort.signal);
      await h.clock.advance(3_000);
      assert.equal(cs(h.status()).started, true);
      assert.equal(cs(h.status()).ready, true);
      assert.equal(h.rt.calls.filter((c) => c === 'exec app startup').length, probes);
      assert.equal(h.updates.length, reported, 'no NotReady flap, nothing new to report');
    }));

  it('a completed pod is not restarted nor its status rewritten after an agent restart', () =>
    withKubelet(async (h) => {
      await startWith(h, pod({ restartPolicy: 'OnFailure' }));
      await h.until(() => h.rt.running('app') !== undefined, 'running');
      h.rt.exit(h.rt.running('app')!.id, 0);
      await h.until(() => h.status().phase === 'Succeeded', 'Succeeded');
      const final = h.status();
      await h.kubelet.stop();
      // The cloud has the final status now; the store copy carries it.
      const stored = pod({ restartPolicy: 'OnFailure' });
      stored.status = final;
      h.put('Pod', stored);
      h.kubelet = h.newKubelet();
      const before = h.updates.length;
      await h.kubelet.start(h.abort.signal);
      await h.clock.advance(30_000);
      assert.equal(h.rt.instances('app').length, 1);
      assert.equal(h.updates.length, before, 'nothing new to report');
      assert.equal(h.status().phase, 'Succeeded');
    }));

  it('a failing postStart hook kills the container, which is restarted', () =>
    withKubelet(async (h) => {
      let hookExit = 1;
      h.rt.execHandler = () => Promise.resolve({ exitCode: hookExit, timedOut: false });
      h.put(
        'Pod',
        pod({
          containers: [
            {
              name: 'app',
              image: 'busybox:1',
              command: ['sleep', '1000'],
              lifecycle: { postStart: { exec: { command: ['hook'] } } },
            },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(
        () => h.events.some((e) => e.startsWith('Warning FailedPostStartHook')),
        'FailedPostStartHook',
      );
      assert.ok(h.events.includes('Normal Killing FailedPostStartHook'));
      hookExit = 0;
      await h.until(
        () => h.rt.running('app') !== undefined && h.status().phase === 'Running',
        'running once the hook passes',
      );
      assert.ok(cs(h.status()).restartCount >= 1);
    }));

  it('a dead sandbox is replaced: init containers run again, restart counts go on, the old one goes', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({ initContainers: [{ name: 'init', image: 'busybox:1', command: ['true'] }] }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.rt.running('init') !== undefined, 'init runs');
      h.rt.exit(h.rt.running('init')!.id, 0);
      await h.until(() => h.status().phase === 'Running', 'Running');
      // As after a host reboot: the sandbox is not ready and its containers are gone.
      const [old] = [...h.rt.sandboxes.values()];
      await h.rt.stopPodSandbox(old.id);
      await h.until(() => h.rt.running('init') !== undefined, 'init runs again in a new sandbox');
      assert.ok(
        h.events.includes(
          'Normal SandboxChanged Pod sandbox changed, it will be killed and re-created.',
        ),
      );
      const fresh = [...h.rt.sandboxes.values()].find((sb) => sb.state === 'ready')!;
      assert.equal(fresh.metadata.attempt, 1);
      h.rt.exit(h.rt.running('init')!.id, 0);
      await h.until(
        () => h.status().phase === 'Running' && cs(h.status()).state?.running !== undefined,
        'Running again',
      );
      assert.equal(cs(h.status()).restartCount, 1);
      assert.equal(h.rt.running('app')!.podSandboxId, fresh.id);
      await h.until(() => !h.rt.sandboxes.has(old.id), 'the old sandbox is removed');
    }));

  it('a pod replaced by another of the same name (new uid) is torn down and the new one started', () =>
    withKubelet(async (h) => {
      await startWith(h, pod({}, 'p', 'uid-1'));
      await h.until(() => h.rt.running('app') !== undefined, 'running');
      const first = h.rt.running('app')!.id;
      h.put('Pod', pod({}, 'p', 'uid-2'));
      await h.until(
        () => !h.rt.containers.has(first) && h.rt.running('app')?.labels[LABEL_POD_UID] === 'uid-2',
        'the new pod runs, the old one is gone',
      );
      assert.equal(h.rt.sandboxes.size, 1);
      assert.equal(cs(h.status()).restartCount, 0);
    }));

  it('findContainer and findSandbox answer with the kubelet wording', () =>
    withKubelet(async (h) => {
      h.put(
        'Pod',
        pod({
          containers: [
            { name: 'a', image: 'busybox:1', command: ['sleep'] },
            { name: 'b', image: 'busybox:1', command: ['sleep'], stdin: true, tty: true },
          ],
        }),
      );
      await h.kubelet.start(h.abort.signal);
      await h.until(() => h.rt.running('b') !== undefined, 'running');
      await assert.rejects(
        h.kubelet.findContainer('default', 'zz', undefined, {}),
        /pod "zz" not found/,
      );
      await assert.rejects(
        h.kubelet.findContainer('default', 'p', undefined, {}),
        /a container name must be specified for pod p, choose one of: \[a b\]/,
      );
      await assert.rejects(
        h.kubelet.findContainer('default', 'p', 'c', {}),
        /container c is not valid for pod p/,
      );
      await assert.rejects(
        h.kubelet.findContainer('default', 'p', 'a', { previous: true }),
        /previous terminated container "a" in pod "p" not found/,
      );
      const ref = await h.kubelet.findContainer('default', 'p', 'b', { forExec: true });
      assert.equal(ref.running, true);
      assert.equal(ref.tty, true);
      assert.match(ref.logPath, /default_p_uid-p\/b\/0\.log$/);
      assert.equal(await h.kubelet.findSandbox('default', 'p'), [...h.rt.sandboxes.keys()][0]);
    }));
});

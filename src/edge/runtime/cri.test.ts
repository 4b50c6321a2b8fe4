/**
 * The cri driver against a private containerd (test/helpers/containerd.ts):
 * CNI networking, host network, images, resources, streaming. Needs root and
 * containerd; skipped (failed in CI) without them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import {
  containerdAvailable,
  startContainerd,
  TEST_IMAGE,
} from '../../../test/helpers/containerd.ts';
import { eventually } from '../../../test/helpers/cluster.ts';
import { skipUnless } from '../../../test/helpers/require.ts';
import { silentLogger } from '../../util/log.ts';
import { runtimeContract } from './contract.ts';
import { chooseRuntime } from './detect.ts';
import { CriRuntime } from './cri/index.ts';
import {
  ContainerStartError,
  ImagePullError,
  type ContainerConfig,
  type PodSandboxConfig,
} from './types.ts';

function sandboxConfig(
  dir: string,
  name: string,
  extra: Partial<PodSandboxConfig> = {},
): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: join(dir, 'logs', name),
    hostNetwork: false,
    labels: { 'io.kubernetes.pod.name': name },
    annotations: { note: 'kept as given' },
    ...extra,
  };
}

function containerConfig(name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: TEST_IMAGE,
    command: [],
    args: [],
    envs: [],
    mounts: [],
    logPath: `${name}/0.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
    labels: { 'io.kubernetes.container.name': name },
    annotations: {},
    ...extra,
  };
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function httpGet(host: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const HTTPD = [
  '/bin/sh',
  '-c',
  'mkdir -p /www && echo pod-says-hi > /www/index.html && exec httpd -f -p 8080 -h /www',
];

test('cri driver against a private containerd', { timeout: 120_000 }, async (t: TestContext) => {
  if (skipUnless(t, containerdAvailable(), 'containerd not installed (or not root)')) return;
  const dir = mkdtempSync(join(tmpdir(), 'verge-cri-'));
  const ctd = await startContainerd(join(dir, 'ctd')).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const runtime = new CriRuntime({ endpoint: ctd.endpoint });
  t.after(async () => {
    await runtime.close();
    await ctd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sb = sandboxConfig(dir, 'web');
  const sandboxId = await runtime.runPodSandbox(sb);
  const web = await runtime.createContainer(
    sandboxId,
    containerConfig('web', {
      command: HTTPD,
      envs: [{ name: 'GREETING', value: 'hello there' }],
      resources: {
        cpuPeriod: 100_000,
        cpuQuota: 50_000,
        cpuShares: 512,
        memoryLimitInBytes: 64 * 1024 * 1024,
      },
    }),
    sb,
  );
  await runtime.startContainer(web);

  await t.test('version and images', async () => {
    const v = await runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    const image = await runtime.imageStatus(TEST_IMAGE);
    assert.ok(image, 'the test image is present');
    assert.match(image.ref, /^sha256:/);
    assert.deepEqual(image.repoTags, [TEST_IMAGE]);
    assert.equal(await runtime.imageStatus('verge.local/absent:1'), null);
    await assert.rejects(runtime.pullImage('verge.local/absent:1'), (err: unknown) => {
      assert.ok(err instanceof ImagePullError);
      assert.match(err.message, /verge\.local\/absent:1/);
      return true;
    });
  });

  await t.test('sandbox status: CNI pod IP reachable from the host, metadata kept', async () => {
    const status = await runtime.podSandboxStatus(sandboxId);
    assert.equal(status.state, 'ready');
    assert.equal(status.hostNetwork, false);
    assert.deepEqual(status.metadata, sb.metadata);
    assert.deepEqual(status.labels, sb.labels);
    assert.deepEqual(status.annotations, sb.annotations);
    assert.equal(status.logDirectory, sb.logDirectory);
    assert.ok(
      status.ip?.startsWith(ctd.subnet.replace(/0\/24$/, '')),
      `pod IP ${status.ip} in ${ctd.subnet}`,
    );
    const body = await eventually(
      'httpd in the pod to answer',
      () => httpGet(status.ip!, 8080, '/'),
      10_000,
    );
    assert.equal(body, 'pod-says-hi\n');
    assert.ok((await runtime.listPodSandboxes()).some((s) => s.id === sandboxId));
  });

  await t.test('container status and resources', async () => {
    const status = await runtime.containerStatus(web);
    assert.equal(status.state, 'running');
    assert.equal(status.podSandboxId, sandboxId);
    assert.equal(status.image, TEST_IMAGE);
    assert.match(status.imageRef, /^sha256:/);
    assert.equal(status.logPath, join(sb.logDirectory, 'web/0.log'));
    assert.ok(status.startedAt >= status.createdAt && status.createdAt > Date.now() - 60_000);
    const listed = await runtime.listContainers({ podSandboxId: sandboxId, state: 'running' });
    assert.deepEqual(
      listed.map((c) => c.id),
      [web],
    );
    const out = collector();
    const read =
      'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/memory/memory.limit_in_bytes; echo "$GREETING"';
    const res = await runtime.exec(web, {
      cmd: ['sh', '-c', read],
      tty: false,
      stdout: out.stream,
    });
    assert.deepEqual(res, { exitCode: 0, timedOut: false });
    assert.deepEqual(out.text().trim().split('\n'), [
      '512',
      '50000',
      '100000',
      String(64 * 1024 * 1024),
      'hello there',
    ]);
  });

  await t.test('exec: exit code, stderr, timeout (ExecSync)', async () => {
    const out = collector();
    const err = collector();
    const res = await runtime.exec(web, {
      cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      tty: false,
      stdout: out.stream,
      stderr: err.stream,
    });
    assert.deepEqual(res, { exitCode: 3, timedOut: false });
    assert.equal(out.text(), 'out\n');
    assert.equal(err.text(), 'err\n');
    const slow = await runtime.exec(web, { cmd: ['sleep', '30'], tty: false, timeoutMs: 500 });
    assert.equal(slow.timedOut, true);
  });

  await t.test(
    'exec with stdin (ended by EOF) and with a tty (streaming server, SPDY)',
    async () => {
      const stdin = new PassThrough();
      const out = collector();
      const pending = runtime.exec(web, {
        cmd: ['head', '-c', '5'],
        tty: false,
        stdin,
        stdout: out.stream,
      });
      stdin.write('hello world');
      const res = await pending;
      assert.equal(res.exitCode, 0);
      assert.equal(out.text(), 'hello');

      const tty = collector();
      const res2 = await runtime.exec(web, {
        cmd: ['sh', '-c', 'test -t 1 && echo is-a-tty; exit 4'],
        tty: true,
        stdin: new PassThrough(),
        stdout: tty.stream,
      });
      assert.equal(res2.exitCode, 4);
      assert.match(tty.text(), /is-a-tty/);
    },
  );

  await t.test('portForward reaches a port on the pod loopback (inside its netns)', async () => {
    const lo = await runtime.createContainer(
      sandboxId,
      containerConfig('lo', {
        command: [
          '/bin/sh',
          '-c',
          'mkdir -p /lo && echo loopback-only > /lo/index.html && exec httpd -f -p 127.0.0.1:8081 -h /lo',
        ],
      }),
      sb,
    );
    await runtime.startContainer(lo);
    const server = createServer((socket) => {
      runtime.portForward(sandboxId, 8081, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await eventually(
        'the forwarded port to answer',
        () => httpGet('127.0.0.1', port, '/'),
        10_000,
      );
      assert.equal(body, 'loopback-only\n');
    } finally {
      server.close();
    }
  });

  await t.test(
    'attach streams the output until the container exits; logs are CRI format',
    async () => {
      const cfg = containerConfig('talker', {
        command: ['/bin/sh', '-c', 'sleep 1; echo attached-out; echo attached-err >&2; exit 2'],
      });
      const id = await runtime.createContainer(sandboxId, cfg, sb);
      await runtime.startContainer(id);
      const out = collector();
      const err = collector();
      await runtime.attach(id, { tty: false, stdout: out.stream, stderr: err.stream });
      assert.equal(out.text(), 'attached-out\n');
      assert.equal(err.text(), 'attached-err\n');
      const status = await eventually(
        'talker to have exited',
        async () => {
          const s = await runtime.containerStatus(id);
          return s.state === 'exited' ? s : undefined;
        },
        10_000,
      );
      assert.equal(status.exitCode, 2);
      assert.equal(status.reason, 'Error');
      assert.ok(status.finishedAt >= status.startedAt);
      const log = readFileSync(join(sb.logDirectory, 'talker/0.log'), 'utf8');
      assert.match(log, /^\S+ stdout F attached-out$/m);
      assert.match(log, /^\S+ stderr F attached-err$/m);
      await runtime.removeContainer(id);
      await runtime.removeContainer(id);
      await assert.rejects(runtime.containerStatus(id), { name: 'NotFoundError' });
    },
  );

  await t.test('a command that cannot run is a ContainerStartError', async () => {
    const id = await runtime.createContainer(
      sandboxId,
      containerConfig('broken', { command: ['/no/such/binary'] }),
      sb,
    );
    await assert.rejects(runtime.startContainer(id), ContainerStartError);
    const status = await runtime.containerStatus(id);
    assert.equal(status.state, 'exited');
    assert.notEqual(status.exitCode, 0);
    await runtime.removeContainer(id);
  });

  await t.test('host network sandbox', async () => {
    const hsb = sandboxConfig(dir, 'hostnet', { hostNetwork: true });
    const hid = await runtime.runPodSandbox(hsb);
    const status = await runtime.podSandboxStatus(hid);
    assert.equal(status.hostNetwork, true);
    assert.ok(status.ip, 'a host network pod reports the host IP');
    const c = await runtime.createContainer(
      hid,
      containerConfig('h', { command: ['sleep', '300'] }),
      hsb,
    );
    await runtime.startContainer(c);
    const out = collector();
    await runtime.exec(c, { cmd: ['cat', '/proc/net/dev'], tty: false, stdout: out.stream });
    assert.match(
      out.text(),
      new RegExp(ctd.bridge),
      'the host network namespace shows the pod bridge',
    );
    await runtime.stopContainer(c, 0);
    assert.equal((await runtime.containerStatus(c)).state, 'exited');
    await runtime.stopPodSandbox(hid);
    await runtime.stopPodSandbox(hid);
    await runtime.removePodSandbox(hid);
    await runtime.removePodSandbox(hid);
    await assert.rejects(runtime.podSandboxStatus(hid), { name: 'NotFoundError' });
  });

  await t.test('stop and remove the sandbox', async () => {
    await runtime.stopContainer(web, 1);
    await runtime.stopPodSandbox(sandboxId);
    assert.equal((await runtime.podSandboxStatus(sandboxId)).state, 'notready');
    await runtime.removePodSandbox(sandboxId);
    assert.deepEqual(await runtime.listContainers({ podSandboxId: sandboxId }), []);
  });
});

if (containerdAvailable()) {
  runtimeContract('cri', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verge-cri-contract-'));
    const ctd = await startContainerd(join(dir, 'ctd')).catch((err: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    });
    return {
      runtime: new CriRuntime({ endpoint: ctd.endpoint }),
      image: TEST_IMAGE,
      reopen: async () => new CriRuntime({ endpoint: ctd.endpoint }),
      cleanup: async () => {
        await ctd.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
} else {
  test('runtime contract: cri', (t) => {
    skipUnless(t, false, 'containerd not installed (or not root)');
  });
}

test('chooseRuntime picks cri when its socket answers', { timeout: 60_000 }, async (t) => {
  if (skipUnless(t, containerdAvailable(), 'containerd not installed (or not root)')) return;
  const dir = mkdtempSync(join(tmpdir(), 'verge-cri-detect-'));
  const ctd = await startContainerd(join(dir, 'ctd')).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  t.after(async () => {
    await ctd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const log = silentLogger();
  const auto = await chooseRuntime({
    criEndpoint: ctd.endpoint,
    stateDir: join(dir, 'state'),
    log,
  });
  assert.equal(auto.runtime.driver, 'cri');
  assert.match(auto.why, /containerd .* answers at/);
  await auto.runtime.close();
  const explicit = await chooseRuntime({
    runtime: 'cri',
    criEndpoint: ctd.socket,
    stateDir: join(dir, 'state'),
    log,
  });
  assert.equal(explicit.runtime.driver, 'cri');
  await explicit.runtime.close();
});

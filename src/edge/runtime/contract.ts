/**
 * The runtime contract: one node:test suite that every driver runs
 * (`runtimeContract('process', setup)` in process.test.ts, the cri driver's
 * test with containerd), checking the conventions written in ./types.ts.
 *
 * Written so that a real container runtime satisfies it as well as the host
 * process driver:
 * - commands use only busybox `sh`, `echo`, `sleep`, `cat`, `pwd` and `nc`
 *   (`busybox nc` when there is no `nc`);
 * - a mount is read as `${VERGE_ROOT:-}/data/file`: in a container VERGE_ROOT is
 *   unset and the mount is at /data; the process driver exposes mounts under
 *   $VERGE_ROOT;
 * - sandboxes use the host network, so port-forward needs no CNI, and a signal
 *   that a PID 1 would ignore is never relied on (commands trap TERM
 *   explicitly);
 * - the pod log directory and the container's log subdirectory are created
 *   here, as the kubelet does before it calls the runtime.
 *
 * Keeps to ~30 s per driver; waits poll a condition with a deadline.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Duplex, PassThrough, Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isNotFound } from '../../util/errors.ts';
import { readLogs } from './cri-log.ts';
import {
  ContainerStartError,
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerState,
  type ContainerStatus,
  type PodSandboxConfig,
  type Runtime,
} from './types.ts';

export interface ContractEnv {
  runtime: Runtime;
  /** An image with busybox (`sh`, `echo`, `sleep`, `cat`, `nc`); ignored by `process`. */
  image: string;
  /** Releases what setup made (the suite has removed its sandboxes by then). */
  cleanup: () => Promise<void>;
  /**
   * A new driver instance over the same state (as after an agent restart). The
   * suite closes the old one first; the new one serves the rest of the suite.
   */
  reopen?: () => Promise<Runtime>;
}

/** A command that keeps running until TERM, and then exits 0 at once. */
const SERVE_UNTIL_TERM = 'trap "exit 0" TERM; while true; do sleep 1 & wait $!; done';

export function runtimeContract(name: string, setup: () => Promise<ContractEnv>): void {
  describe(`runtime contract: ${name}`, () => {
    let env: ContractEnv;
    let root: string;
    const sandboxes = new Set<string>();
    const rt = (): Runtime => env.runtime;

    before(async () => {
      env = await setup();
      root = mkdtempSync(join(tmpdir(), 'verge-contract-'));
    });

    after(async () => {
      for (const id of sandboxes) {
        await rt()
          .stopPodSandbox(id)
          .catch(() => {});
        await rt()
          .removePodSandbox(id)
          .catch(() => {});
      }
      await rt().close();
      await env.cleanup();
      rmSync(root, { recursive: true, force: true });
    });

    function sandboxConfig(pod: string): PodSandboxConfig {
      const uid = randomUUID();
      const logDirectory = join(root, 'pods', `contract_${pod}_${uid}`);
      mkdirSync(logDirectory, { recursive: true });
      return {
        metadata: { name: pod, namespace: 'contract', uid, attempt: 0 },
        hostname: pod,
        logDirectory,
        hostNetwork: true,
        labels: {
          [LABEL_POD_NAME]: pod,
          [LABEL_POD_NAMESPACE]: 'contract',
          [LABEL_POD_UID]: uid,
          'verge.test/suite': 'contract',
        },
        annotations: { 'verge.test/note': `pod ${pod}` },
      };
    }

    async function runSandbox(pod: string): Promise<{ id: string; config: PodSandboxConfig }> {
      const config = sandboxConfig(pod);
      const id = await rt().runPodSandbox(config);
      sandboxes.add(id);
      return { id, config };
    }

    function containerConfig(
      container: string,
      script: string,
      extra: Partial<ContainerConfig> = {},
    ): ContainerConfig {
      return {
        metadata: { name: container, attempt: 0 },
        image: env.image,
        command: ['sh', '-c', script],
        args: [],
        envs: [],
        mounts: [],
        logPath: `${container}/0.log`,
        stdin: false,
        stdinOnce: false,
        tty: false,
        labels: { [LABEL_CONTAINER_NAME]: container, 'verge.test/container': container },
        annotations: { 'verge.test/note': `container ${container}` },
        ...extra,
      };
    }

    async function create(
      sandbox: { id: string; config: PodSandboxConfig },
      config: ContainerConfig,
    ): Promise<string> {
      mkdirSync(dirname(join(sandbox.config.logDirectory, config.logPath)), { recursive: true });
      return rt().createContainer(sandbox.id, config, sandbox.config);
    }

    async function run(
      sandbox: { id: string; config: PodSandboxConfig },
      config: ContainerConfig,
    ): Promise<string> {
      const id = await create(sandbox, config);
      await rt().startContainer(id);
      return id;
    }

    async function waitFor<T>(
      what: string,
      get: () => Promise<T>,
      ok: (v: T) => boolean,
      ms = 10_000,
    ): Promise<T> {
      const deadline = Date.now() + ms;
      let last: T | undefined;
      for (;;) {
        last = await get();
        if (ok(last)) return last;
        if (Date.now() > deadline) {
          assert.fail(
            `timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    const waitState = (id: string, state: ContainerState, ms?: number): Promise<ContainerStatus> =>
      waitFor(
        `container ${id} to be ${state}`,
        () => rt().containerStatus(id),
        (s) => s.state === state,
        ms,
      );

    async function logs(id: string, stream: 'stdout' | 'stderr' | 'all' = 'all'): Promise<string> {
      const status = await rt().containerStatus(id);
      const sink = new Sink();
      await readLogs(status.logPath, { stream }, sink).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      return sink.text;
    }

    const waitLogs = (id: string, has: string, ms?: number): Promise<string> =>
      waitFor(
        `log of ${id} to contain ${JSON.stringify(has)}`,
        () => logs(id),
        (t) => t.includes(has),
        ms,
      );

    it('reports its version', async () => {
      const v = await rt().version();
      assert.ok(v.runtimeName.length > 0);
      assert.ok(v.runtimeVersion.length > 0);
      assert.equal(v.runtimeApiVersion, 'v1');
      assert.ok(rt().driver === 'process' || rt().driver === 'cri');
    });

    it('runs, lists, stops and removes sandboxes, idempotently, keeping their metadata', async () => {
      const { id, config } = await runSandbox('sandbox');
      const status = await rt().podSandboxStatus(id);
      assert.equal(status.id, id);
      assert.equal(status.state, 'ready');
      assert.deepEqual(status.metadata, config.metadata);
      assert.deepEqual(status.labels, config.labels);
      assert.deepEqual(status.annotations, config.annotations);
      assert.equal(status.hostNetwork, true);
      assert.ok(status.createdAt > 0 && status.createdAt <= Date.now());
      assert.ok(status.ip, 'a ready sandbox has an IP');

      const listed = (await rt().listPodSandboxes()).find((s) => s.id === id);
      assert.ok(listed, 'listPodSandboxes includes the sandbox');
      assert.deepEqual(listed.metadata, config.metadata);
      assert.deepEqual(listed.labels, config.labels);

      await rt().stopPodSandbox(id);
      await rt().stopPodSandbox(id);
      assert.equal((await rt().podSandboxStatus(id)).state, 'notready');
      await rt().removePodSandbox(id);
      await rt().removePodSandbox(id);
      await assert.rejects(rt().podSandboxStatus(id), isNotFound);
      assert.ok(!(await rt().listPodSandboxes()).some((s) => s.id === id));
      await assert.rejects(rt().podSandboxStatus('no-such-sandbox'), isNotFound);
    });

    it('runs a container to completion: states, times, metadata, CRI log, list filters', async () => {
      const sandbox = await runSandbox('lifecycle');
      const config = containerConfig('main', 'echo hello; echo oops >&2; echo world');
      const before = Date.now();
      const id = await create(sandbox, config);
      const created = await rt().containerStatus(id);
      assert.equal(created.state, 'created');
      assert.equal(created.podSandboxId, sandbox.id);
      assert.ok(created.createdAt >= before - 1000);
      assert.equal(created.startedAt, 0);
      assert.equal(created.finishedAt, 0);
      assert.deepEqual(created.metadata, config.metadata);
      assert.deepEqual(created.labels, config.labels);
      assert.deepEqual(created.annotations, config.annotations);
      assert.equal(created.image, env.image);
      assert.equal(created.logPath, join(sandbox.config.logDirectory, config.logPath));

      await rt().startContainer(id);
      const done = await waitState(id, 'exited');
      assert.equal(done.exitCode, 0);
      assert.equal(done.reason, 'Completed');
      assert.ok(done.startedAt >= created.createdAt, 'startedAt after createdAt');
      assert.ok(done.finishedAt >= done.startedAt, 'finishedAt after startedAt');
      assert.ok(done.finishedAt <= Date.now());

      await waitLogs(id, 'world');
      assert.equal(await logs(id, 'stdout'), 'hello\nworld\n');
      assert.equal(await logs(id, 'stderr'), 'oops\n');

      const bySandbox = await rt().listContainers({ podSandboxId: sandbox.id });
      assert.deepEqual(
        bySandbox.map((c) => c.id),
        [id],
      );
      assert.ok((await rt().listContainers({ state: 'exited' })).some((c) => c.id === id));
      assert.ok(!(await rt().listContainers({ state: 'running' })).some((c) => c.id === id));
      assert.deepEqual(
        (await rt().listContainers({ labelSelector: { 'verge.test/container': 'main' } })).map(
          (c) => c.id,
        ),
        [id],
      );
      assert.deepEqual(
        await rt().listContainers({
          podSandboxId: sandbox.id,
          labelSelector: { 'verge.test/container': 'other' },
        }),
        [],
      );

      await rt().removeContainer(id);
      await rt().removeContainer(id);
      await assert.rejects(rt().containerStatus(id), isNotFound);
      await assert.rejects(rt().startContainer(id), isNotFound);
    });

    it('gives the command its env, working directory and mounts', async () => {
      const sandbox = await runSandbox('env');
      const hostDir = join(root, `volume-${randomBytes(4).toString('hex')}`);
      mkdirSync(hostDir);
      writeFileSync(join(hostDir, 'file'), 'from the volume\n');
      const id = await run(
        sandbox,
        containerConfig('main', 'echo "greeting=$GREETING"; pwd; cat ${VERGE_ROOT:-}/data/file', {
          envs: [
            { name: 'GREETING', value: 'hi there' },
            { name: 'OTHER', value: 'x' },
          ],
          workingDir: '/tmp',
          mounts: [{ containerPath: '/data', hostPath: hostDir, readonly: true }],
        }),
      );
      const status = await waitState(id, 'exited');
      await waitLogs(id, 'from the volume');
      assert.equal(await logs(id), 'greeting=hi there\n/tmp\nfrom the volume\n');
      assert.equal(status.exitCode, 0);
    });

    it('reports a non-zero exit code with reason Error', async () => {
      const sandbox = await runSandbox('fail');
      const id = await run(sandbox, containerConfig('main', 'echo failing; exit 3'));
      const status = await waitState(id, 'exited');
      assert.equal(status.exitCode, 3);
      assert.equal(status.reason, 'Error');
      assert.ok(status.finishedAt > 0);
    });

    it('rejects a command that does not exist with ContainerStartError', async () => {
      const sandbox = await runSandbox('nocommand');
      const config = containerConfig('main', '');
      config.command = ['/no/such/verge-contract-binary'];
      await assert.rejects(async () => {
        const id = await create(sandbox, config);
        await rt().startContainer(id);
      }, ContainerStartError);
    });

    it('stops a container with SIGTERM when it honours it', async () => {
      const sandbox = await runSandbox('term');
      const id = await run(
        sandbox,
        containerConfig(
          'main',
          'trap "echo got TERM; exit 0" TERM; echo ready; while true; do sleep 1 & wait $!; done',
        ),
      );
      await waitState(id, 'running');
      await waitLogs(id, 'ready');
      const t0 = Date.now();
      await rt().stopContainer(id, 20);
      assert.ok(Date.now() - t0 < 10_000, 'stopped well before the 20 s grace period');
      const status = await rt().containerStatus(id);
      assert.equal(status.state, 'exited');
      assert.equal(status.exitCode, 0);
      await waitLogs(id, 'got TERM');
      await rt().stopContainer(id, 1); // idempotent
    });

    it('stops a container with SIGKILL after the timeout when it ignores SIGTERM', async () => {
      const sandbox = await runSandbox('kill');
      const id = await run(
        sandbox,
        containerConfig('main', 'trap "" TERM; echo ready; while true; do sleep 1; done'),
      );
      await waitLogs(id, 'ready');
      const t0 = Date.now();
      await rt().stopContainer(id, 1);
      const took = Date.now() - t0;
      assert.ok(took >= 900, `waited the grace period before SIGKILL (took ${took} ms)`);
      const status = await rt().containerStatus(id);
      assert.equal(status.state, 'exited');
      assert.equal(status.exitCode, 137);
      assert.notEqual(status.reason, 'Completed');
    });

    describe('exec', () => {
      let sandbox: { id: string; config: PodSandboxConfig };
      let id: string;
      before(async () => {
        sandbox = await runSandbox('exec');
        id = await run(
          sandbox,
          containerConfig('main', SERVE_UNTIL_TERM, { envs: [{ name: 'WHO', value: 'exec-env' }] }),
        );
        await waitState(id, 'running');
      });

      it('returns stdout, stderr and the exit code, with the container env', async () => {
        const stdout = new Sink();
        const stderr = new Sink();
        const result = await rt().exec(id, {
          cmd: ['sh', '-c', 'echo "out $WHO"; echo err >&2; exit 4'],
          stdout,
          stderr,
          tty: false,
        });
        assert.deepEqual(result, { exitCode: 4, timedOut: false });
        assert.equal(stdout.text, 'out exec-env\n');
        assert.equal(stderr.text, 'err\n');
      });

      it('feeds stdin', async () => {
        const stdout = new Sink();
        const result = await rt().exec(id, {
          cmd: ['cat'],
          stdin: Readable.from([Buffer.from('line one\n'), Buffer.from('line two\n')]),
          stdout,
          tty: false,
        });
        assert.equal(result.exitCode, 0);
        assert.equal(stdout.text, 'line one\nline two\n');
      });

      it('kills the command after timeoutMs and says so', async () => {
        const t0 = Date.now();
        const result = await rt().exec(id, { cmd: ['sleep', '30'], tty: false, timeoutMs: 300 });
        assert.equal(result.timedOut, true);
        assert.ok(Date.now() - t0 < 10_000);
      });

      it('rejects exec into a container that is not running', async () => {
        const exited = await run(sandbox, containerConfig('done', 'exit 0'));
        await waitState(exited, 'exited');
        await assert.rejects(rt().exec(exited, { cmd: ['echo', 'x'], tty: false }));
        await assert.rejects(
          rt().exec('no-such-container', { cmd: ['echo', 'x'], tty: false }),
          isNotFound,
        );
      });
    });

    it('attaches to a running container until it exits', async () => {
      const sandbox = await runSandbox('attach');
      const id = await run(
        sandbox,
        containerConfig('main', 'sleep 1; echo attached; echo to-err >&2'),
      );
      await waitState(id, 'running');
      const stdout = new Sink();
      const stderr = new Sink();
      await rt().attach(id, { stdout, stderr, tty: false, signal: AbortSignal.timeout(15_000) });
      assert.match(stdout.text, /attached\n/);
      assert.match(stderr.text, /to-err\n/);
    });

    it('forwards a port to a server in the sandbox', async () => {
      const sandbox = await runSandbox('portforward');
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const id = await run(
        sandbox,
        containerConfig(
          'main',
          `if command -v nc >/dev/null 2>&1; then NC=nc; else NC="busybox nc"; fi; echo pong | $NC -l -p ${port}`,
        ),
      );
      await waitState(id, 'running');
      const received = await waitFor(
        `a reply through port-forward to ${port}`,
        async () => {
          const toServer = new PassThrough();
          const fromServer = new Sink();
          const stream = Duplex.from({ readable: toServer, writable: fromServer });
          stream.on('error', () => {}); // destroyed below
          toServer.write('ping\n');
          const forwarding = rt().portForward(sandbox.id, port, stream);
          const ok = await Promise.race([
            forwarding.then(
              () => true,
              () => false,
            ),
            waitFor(
              'pong',
              async () => fromServer.text,
              (t) => t.includes('pong'),
              3000,
            ).then(
              () => true,
              () => false,
            ),
          ]);
          toServer.end();
          stream.destroy();
          await forwarding.catch(() => {});
          return ok ? fromServer.text : '';
        },
        (t) => t.includes('pong'),
      );
      assert.match(received, /pong/);
      await waitLogs(id, 'ping');
      await assert.rejects(
        rt().portForward('no-such-sandbox', port, new PassThrough()),
        isNotFound,
      );
    });

    it('stopPodSandbox kills the containers in it', async () => {
      const sandbox = await runSandbox('stopsandbox');
      const id = await run(
        sandbox,
        containerConfig('main', 'trap "" TERM; while true; do sleep 1; done'),
      );
      await waitState(id, 'running');
      await rt().stopPodSandbox(sandbox.id);
      const status = await rt().containerStatus(id);
      assert.equal(status.state, 'exited');
      await rt().removePodSandbox(sandbox.id);
      await assert.rejects(rt().containerStatus(id), isNotFound);
    });

    it('a new driver instance adopts sandboxes and containers, and learns exits it missed', async (t) => {
      if (!env.reopen) {
        t.skip('the driver gives no reopen()');
        return;
      }
      const sandbox = await runSandbox('reopen');
      const runningId = await run(sandbox, containerConfig('running', SERVE_UNTIL_TERM));
      const exitingId = await run(
        sandbox,
        containerConfig('exiting', 'echo before; sleep 1; echo while-away; exit 3'),
      );
      const running = await waitState(runningId, 'running');
      await waitLogs(exitingId, 'before');
      await rt().close();
      // Nothing can be polled while no driver is alive: give the container the
      // time to exit.
      await new Promise((r) => setTimeout(r, 2000));
      env.runtime = await env.reopen();

      const sandboxStatus = (await rt().listPodSandboxes()).find((s) => s.id === sandbox.id);
      assert.ok(sandboxStatus, 'the sandbox is listed again');
      assert.deepEqual(sandboxStatus.metadata, sandbox.config.metadata);
      assert.equal(sandboxStatus.state, 'ready');
      const ids = (await rt().listContainers({ podSandboxId: sandbox.id })).map((c) => c.id).sort();
      assert.deepEqual(ids, [runningId, exitingId].sort());

      const adopted = await rt().containerStatus(runningId);
      assert.equal(adopted.state, 'running');
      assert.equal(adopted.startedAt, running.startedAt, 'adopted, not restarted');
      assert.deepEqual(adopted.metadata, running.metadata);

      const exited = await waitState(exitingId, 'exited');
      assert.equal(exited.exitCode, 3);
      assert.equal(exited.reason, 'Error');
      const log = await waitLogs(exitingId, 'while-away');
      assert.equal(log, 'before\nwhile-away\n', 'no output lost or repeated');

      await rt().stopContainer(runningId, 10);
      assert.equal((await rt().containerStatus(runningId)).exitCode, 0);
    });
  });
}

/** A Writable that keeps what it is given. */
class Sink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString();
  }
}

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../util/log.ts';
import { runtimeContract } from './contract.ts';
import { ProcessRuntime } from './process/index.ts';
import { ContainerStartError, type ContainerConfig, type PodSandboxConfig } from './types.ts';

runtimeContract('process', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'verge-process-runtime-'));
  const open = (): ProcessRuntime =>
    new ProcessRuntime({ stateDir, log: silentLogger(), hostIP: '127.0.0.1', pumpIntervalMs: 50 });
  return {
    runtime: open(),
    image: 'ignored',
    reopen: async () => open(),
    cleanup: async () => rmSync(stateDir, { recursive: true, force: true }),
  };
});

describe('process runtime specifics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verge-process-specific-'));
  const runtime = new ProcessRuntime({
    stateDir: join(dir, 'state'),
    log: silentLogger(),
    pumpIntervalMs: 50,
  });
  after(async () => {
    for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sandboxConfig: PodSandboxConfig = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', attempt: 0 },
    hostname: 'p',
    logDirectory: join(dir, 'logs'),
    hostNetwork: false,
    labels: {},
    annotations: {},
  };
  const config = (command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    metadata: { name: 'c', attempt: 0 },
    image: 'none',
    command,
    args: [],
    envs: [],
    mounts: [],
    logPath: 'c/0.log',
    stdin: false,
    stdinOnce: false,
    tty: false,
    labels: {},
    annotations: {},
    ...extra,
  });

  async function waitExited(id: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await runtime.containerStatus(id)).state !== 'exited') {
      assert.ok(Date.now() < deadline, `container ${id} did not exit`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('needs a command (or args)', async () => {
    const sb = await runtime.runPodSandbox(sandboxConfig);
    await assert.rejects(
      runtime.createContainer(sb, config([]), sandboxConfig),
      ContainerStartError,
    );
    const id = await runtime.createContainer(sb, config([], { args: ['true'] }), sandboxConfig);
    await runtime.startContainer(id);
    await waitExited(id);
    assert.equal((await runtime.containerStatus(id)).exitCode, 0);
  });

  it('reports 137 ContainerStatusUnknown when the wrapper was killed behind its back', async () => {
    const sb = await runtime.runPodSandbox(sandboxConfig);
    const id = await runtime.createContainer(sb, config(['sleep', '30']), sandboxConfig);
    await runtime.startContainer(id);
    const state = JSON.parse(
      readFileSync(join(dir, 'state', 'containers', id, 'container.json'), 'utf8'),
    ) as { pid: number };
    process.kill(-state.pid, 'SIGKILL');
    await waitExited(id);
    const status = await runtime.containerStatus(id);
    assert.equal(status.exitCode, 137);
    assert.equal(status.reason, 'ContainerStatusUnknown');
  });

  it('passes attach stdin through the FIFO to a container created with stdin', async () => {
    const sb = await runtime.runPodSandbox(sandboxConfig);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const id = await runtime.createContainer(
      sb,
      config(['sh', '-c', 'read line; sleep 0.3; echo "got $line"'], { stdin: true }),
      sandboxConfig,
    );
    await runtime.startContainer(id);
    const { PassThrough, Writable } = await import('node:stream');
    const stdin = new PassThrough();
    let out = '';
    const stdout = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const attached = runtime.attach(id, {
      stdin,
      stdout,
      tty: false,
      signal: AbortSignal.timeout(10_000),
    });
    stdin.write('hello\n');
    await attached;
    assert.equal(out, 'got hello\n');
  });
});

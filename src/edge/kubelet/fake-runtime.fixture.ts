/**
 * An in-memory `Runtime` for the kubelet's tests: containers "run" until the
 * test makes them exit (`exit`), sandboxes get a fixed IP, and exec runs a
 * handler the test sets. State lives in the object, so a second Kubelet over
 * the same FakeRuntime sees what the first one left (an agent restart).
 */
import type { Duplex } from 'node:stream';
import type { Clock } from '../../util/clock.ts';
import { NotFoundError } from '../../util/errors.ts';
import {
  ContainerStartError,
  ImagePullError,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type ImageStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type Runtime,
  type RuntimeVersionInfo,
  type StreamOptions,
} from '../runtime/types.ts';

export interface FakeContainer extends ContainerStatus {
  config: ContainerConfig;
}

export type ExecHandler = (c: FakeContainer, options: ExecOptions) => Promise<ExecResult>;

export class FakeRuntime implements Runtime {
  readonly driver = 'process' as const;
  readonly sandboxes = new Map<string, PodSandboxStatus>();
  readonly containers = new Map<string, FakeContainer>();
  /** Images present; `pullable` decides what pullImage can fetch. */
  readonly images = new Set<string>();
  pullable: (image: string) => boolean = () => true;
  /** Commands whose program does not exist (start fails with ContainerStartError). */
  missingPrograms = new Set<string>(['/no/such/program']);
  execHandler: ExecHandler = () => Promise.resolve({ exitCode: 0, timedOut: false });
  /** Calls, for assertions: `create <name>`, `start <name>`, `stop <name>`, `pull <image>`... */
  readonly calls: string[] = [];
  readonly #clock: Clock;
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  exec(id: string, o: ExecOptions): Promise<ExecResult> {
    const c = this.containers.get(id);
    if (c?.state !== 'running') return Promise.reject(new Error(`container ${id} is not running`));
    this.calls.push(`exec ${c.metadata.name} ${o.cmd.join(' ')}`);
    return this.execHandler(c, o);
  }

  version(): Promise<RuntimeVersionInfo> {
    return Promise.resolve({ runtimeName: 'fake', runtimeVersion: '1', runtimeApiVersion: 'v1' });
  }

  imageStatus(image: string): Promise<ImageStatus | null> {
    return Promise.resolve(
      this.images.has(image) ? { ref: `sha256:${image}`, repoTags: [image], size: 1 } : null,
    );
  }

  pullImage(image: string): Promise<string> {
    this.calls.push(`pull ${image}`);
    if (!this.pullable(image)) {
      return Promise.reject(new ImagePullError(`rpc error: ${image}: not found`));
    }
    this.images.add(image);
    return Promise.resolve(`sha256:${image}`);
  }

  runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = `sb${++this.#seq}`;
    this.calls.push(`runPodSandbox ${config.metadata.name}`);
    this.sandboxes.set(id, {
      id,
      metadata: { ...config.metadata },
      state: 'ready',
      createdAt: this.#clock.now(),
      ip: '10.0.0.5',
      hostNetwork: config.hostNetwork,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      logDirectory: config.logDirectory,
    });
    return Promise.resolve(id);
  }

  stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandboxes.get(id);
    if (!sb) return Promise.resolve();
    sb.state = 'notready';
    for (const c of this.containers.values()) {
      if (c.podSandboxId === id && c.state === 'running') this.exit(c.id, 137);
    }
    return Promise.resolve();
  }

  removePodSandbox(id: string): Promise<void> {
    this.calls.push(`removePodSandbox ${id}`);
    this.sandboxes.delete(id);
    for (const c of [...this.containers.values()]) {
      if (c.podSandboxId === id) this.containers.delete(c.id);
    }
    return Promise.resolve();
  }

  podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(id);
    if (!sb) return Promise.reject(new NotFoundError(`sandbox ${id} not found`));
    return Promise.resolve(structuredClone(sb));
  }

  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return Promise.resolve([...this.sandboxes.values()].map((s) => structuredClone(s)));
  }

  createContainer(
    sandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    if (!this.sandboxes.has(sandboxId))
      return Promise.reject(new NotFoundError(`sandbox ${sandboxId} not found`));
    const id = `c${++this.#seq}`;
    this.calls.push(`create ${config.metadata.name}`);
    this.containers.set(id, {
      id,
      podSandboxId: sandboxId,
      metadata: { ...config.metadata },
      state: 'created',
      createdAt: this.#clock.now(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: '',
      message: '',
      image: config.image,
      imageRef: `sha256:${config.image}`,
      logPath: `${sandboxConfig.logDirectory}/${config.logPath}`,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      config: structuredClone(config),
    });
    return Promise.resolve(id);
  }

  startContainer(id: string): Promise<void> {
    const c = this.#container(id);
    this.calls.push(`start ${c.metadata.name}`);
    const program = c.config.command[0] ?? c.config.args[0];
    if (program !== undefined && this.missingPrograms.has(program)) {
      c.state = 'exited';
      c.exitCode = 128;
      c.reason = 'StartError';
      c.finishedAt = this.#clock.now();
      return Promise.reject(
        new ContainerStartError(`exec: "${program}": executable file not found in $PATH`),
      );
    }
    c.state = 'running';
    c.startedAt = this.#clock.now();
    return Promise.resolve();
  }

  /** Makes a running container exit with `code` (the test's "the process ended"). */
  exit(id: string, code: number): void {
    const c = this.#container(id);
    if (c.state !== 'running') return;
    c.state = 'exited';
    c.exitCode = code;
    c.reason = code === 0 ? 'Completed' : 'Error';
    c.finishedAt = this.#clock.now();
  }

  stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return Promise.reject(new NotFoundError(`container ${id} not found`));
    this.calls.push(`stop ${c.metadata.name} ${timeoutSeconds}`);
    this.exit(id, 143);
    return Promise.resolve();
  }

  removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${this.containers.get(id)?.metadata.name ?? id}`);
    this.containers.delete(id);
    return Promise.resolve();
  }

  listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const c of this.containers.values()) {
      if (filter.podSandboxId && c.podSandboxId !== filter.podSandboxId) continue;
      if (filter.state && c.state !== filter.state) continue;
      if (
        filter.labelSelector &&
        Object.entries(filter.labelSelector).some(([k, v]) => c.labels[k] !== v)
      ) {
        continue;
      }
      const { config: _config, ...status } = c;
      out.push(structuredClone(status));
    }
    return Promise.resolve(out);
  }

  containerStatus(id: string): Promise<ContainerStatus> {
    const { config: _config, ...status } = this.#container(id);
    return Promise.resolve(structuredClone(status));
  }

  reopenContainerLog(): Promise<void> {
    return Promise.resolve();
  }

  attach(_id: string, _o: StreamOptions): Promise<void> {
    return Promise.resolve();
  }

  portForward(_sandboxId: string, _port: number, _stream: Duplex): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Containers (with their config) of pod `name`, container `container`, oldest first. */
  instances(container: string): FakeContainer[] {
    return [...this.containers.values()]
      .filter((c) => c.metadata.name === container)
      .sort((a, b) => a.metadata.attempt - b.metadata.attempt);
  }

  running(container: string): FakeContainer | undefined {
    return this.instances(container).find((c) => c.state === 'running');
  }

  #container(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError(`container ${id} not found`);
    return c;
  }
}

/**
 * The `cri` driver: the Runtime seam mapped onto a CRI v1 runtime (containerd's
 * CRI plugin; cri-o speaks the same API) over its unix socket.
 *
 * The runtime owns all state (containers outlive this process; a new driver on
 * the same socket sees them again), so the driver keeps nothing but the gRPC
 * channel. Mapping notes:
 * - Image references are passed through; containerd normalises short names
 *   (`busybox:1` -> `docker.io/library/busybox:1`). `imageRef` in a status is
 *   the runtime's image id (`sha256:...`) or repo digest.
 * - Log paths: the runtime writes CRI-format logs at
 *   `join(sandbox.logDirectory, container.logPath)`; both must be given.
 * - exec without stdin/tty runs through ExecSync (output is collected, then
 *   written to the given streams; a timeout is ExecSync's, in whole seconds);
 *   with stdin or a tty, attach and portForward go through the runtime's
 *   streaming server over SPDY/3.1 (./stream.ts, ./spdy.ts), as kubectl's do.
 */
import { hostIPv4 } from '../../../util/host-ip.ts';
import type { Duplex, Writable } from 'node:stream';
import { isNotFound } from '../../../util/errors.ts';
import {
  ContainerStartError,
  ImagePullError,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerState,
  type ContainerStatus,
  type ExecOptions,
  type ExecResult,
  type ImageStatus,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type PullImageOptions,
  type Runtime,
  type RuntimeVersionInfo,
  type StreamOptions,
} from '../types.ts';
import type {
  WireContainer,
  WireContainerState,
  WireContainerStatus,
  WireImage,
  WirePodSandbox,
  WirePodSandboxStatus,
} from './api.ts';
import { CriClient, grpcCode } from './client.ts';
import { DEFAULT_CRI_ENDPOINT } from '../types.ts';
import { streamAttach, streamExec, streamPortForward } from './stream.ts';

export { DEFAULT_CRI_ENDPOINT } from '../types.ts';

export interface CriRuntimeOptions {
  /** `unix:///run/containerd/containerd.sock` unless given (a bare path works too). */
  endpoint?: string;
  /** RuntimeClass handler for new sandboxes; default "" (the runtime's default). */
  runtimeHandler?: string;
}

const CRI_API_VERSION = 'v1';
const DEADLINE_EXCEEDED = 4;

const toMs = (ns: number): number => (ns > 0 ? Math.round(ns / 1e6) : 0);

const stateFromWire: Record<WireContainerState, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};
const stateToWire: Record<ContainerState, WireContainerState> = {
  created: 'CONTAINER_CREATED',
  running: 'CONTAINER_RUNNING',
  exited: 'CONTAINER_EXITED',
  unknown: 'CONTAINER_UNKNOWN',
};

/** PodSandboxConfig as the wire wants it (also sent again with CreateContainer). */
function sandboxConfigToWire(config: PodSandboxConfig): object {
  return {
    metadata: {
      name: config.metadata.name,
      uid: config.metadata.uid,
      namespace: config.metadata.namespace,
      attempt: config.metadata.attempt,
    },
    hostname: config.hostNetwork ? '' : config.hostname,
    logDirectory: config.logDirectory,
    dnsConfig: {
      servers: config.dnsServers ?? [],
      searches: config.dnsSearches ?? [],
      options: config.dnsOptions ?? [],
    },
    portMappings: (config.portMappings ?? []).map((p) => ({
      protocol: p.protocol,
      containerPort: p.containerPort,
      hostPort: p.hostPort ?? 0,
      hostIp: p.hostIp ?? '',
    })),
    labels: config.labels,
    annotations: config.annotations,
    linux: {
      cgroupParent: config.cgroupParent ?? '',
      securityContext: {
        namespaceOptions: {
          network: config.hostNetwork ? 'NODE' : 'POD',
          pid: 'CONTAINER',
          ipc: 'POD',
        },
      },
    },
  };
}

function containerConfigToWire(config: ContainerConfig): object {
  const r = config.resources;
  return {
    metadata: { name: config.metadata.name, attempt: config.metadata.attempt },
    image: { image: config.image },
    command: config.command,
    args: config.args,
    workingDir: config.workingDir ?? '',
    envs: config.envs.map((e) => ({ key: e.name, value: e.value })),
    mounts: config.mounts.map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readonly: m.readonly,
    })),
    labels: config.labels,
    annotations: config.annotations,
    logPath: config.logPath,
    stdin: config.stdin,
    stdinOnce: config.stdinOnce,
    tty: config.tty,
    linux: {
      resources: r
        ? {
            cpuPeriod: r.cpuPeriod ?? 0,
            cpuQuota: r.cpuQuota ?? 0,
            cpuShares: r.cpuShares ?? 0,
            memoryLimitInBytes: r.memoryLimitInBytes ?? 0,
            oomScoreAdj: r.oomScoreAdj ?? 0,
          }
        : null,
      securityContext: {
        privileged: config.privileged ?? false,
        readonlyRootfs: config.readOnlyRootFilesystem ?? false,
        runAsUser: config.runAsUser === undefined ? null : { value: config.runAsUser },
        runAsGroup: config.runAsGroup === undefined ? null : { value: config.runAsGroup },
        namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
      },
    },
  };
}

/** Exported for its unit test. */
export function containerStatusFromWire(
  s: WireContainerStatus,
  podSandboxId: string,
): ContainerStatus {
  const startedAt = toMs(s.startedAt);
  // containerd stamps startedAt when its Start call returns, but finishedAt
  // with the shim's exit time: a command that exits at once can "finish"
  // before it "started". Report it as finishing when it started.
  const finishedAt = s.finishedAt > 0 ? Math.max(toMs(s.finishedAt), startedAt) : 0;
  return {
    id: s.id,
    podSandboxId,
    metadata: { name: s.metadata?.name ?? '', attempt: s.metadata?.attempt ?? 0 },
    state: stateFromWire[s.state] ?? 'unknown',
    createdAt: toMs(s.createdAt),
    startedAt,
    finishedAt,
    exitCode: s.exitCode,
    reason: s.reason,
    message: s.message,
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    logPath: s.logPath,
    labels: s.labels,
    annotations: s.annotations,
  };
}

/** containerd's verbose sandbox info holds the config it was created with. */
function logDirectoryFromInfo(info: Record<string, string>): string | undefined {
  try {
    const parsed = JSON.parse(info.info ?? '{}') as { config?: { log_directory?: string } };
    return parsed.config?.log_directory || undefined;
  } catch {
    return undefined;
  }
}

async function writeAll(stream: Writable | undefined, data: Buffer): Promise<void> {
  if (!stream || data.length === 0) return;
  if (!stream.write(data)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

export class CriRuntime implements Runtime {
  readonly driver = 'cri' as const;
  readonly #client: CriClient;
  readonly #runtimeHandler: string;

  constructor(options: CriRuntimeOptions = {}) {
    this.#client = new CriClient({ endpoint: options.endpoint ?? DEFAULT_CRI_ENDPOINT });
    this.#runtimeHandler = options.runtimeHandler ?? '';
  }

  get endpoint(): string {
    return this.#client.endpoint;
  }

  /** Version, failing after `timeoutMs` (used by detect.ts to probe the socket). */
  async version(timeoutMs?: number): Promise<RuntimeVersionInfo> {
    const res = await this.#client.call<{
      runtimeName: string;
      runtimeVersion: string;
      runtimeApiVersion: string;
    }>('Version', { version: CRI_API_VERSION }, { timeoutMs });
    return {
      runtimeName: res.runtimeName,
      runtimeVersion: res.runtimeVersion,
      runtimeApiVersion: res.runtimeApiVersion,
    };
  }

  // ---- images ----

  async imageStatus(image: string): Promise<ImageStatus | null> {
    const res = await this.#client.call<{ image: WireImage | null }>('ImageStatus', {
      image: { image },
    });
    if (!res.image || !res.image.id) return null;
    return { ref: res.image.id, repoTags: res.image.repoTags, size: res.image.size };
  }

  async pullImage(image: string, options: PullImageOptions = {}): Promise<string> {
    options.signal?.throwIfAborted();
    try {
      const res = await this.#client.call<{ imageRef: string }>(
        'PullImage',
        { image: { image } },
        { signal: options.signal },
      );
      return res.imageRef;
    } catch (err) {
      options.signal?.throwIfAborted();
      const message = err instanceof Error ? err.message : String(err);
      throw new ImagePullError(message, { cause: err });
    }
  }

  // ---- sandboxes ----

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const res = await this.#client.call<{ podSandboxId: string }>('RunPodSandbox', {
      config: sandboxConfigToWire(config),
      runtimeHandler: this.#runtimeHandler,
    });
    return res.podSandboxId;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.#idempotent(this.#client.call('StopPodSandbox', { podSandboxId: id }));
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.#idempotent(this.#client.call('RemovePodSandbox', { podSandboxId: id }));
  }

  podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return this.#sandboxStatus(id, true);
  }

  /**
   * `verbose` adds containerd's info (the whole OCI spec the sandbox was made
   * with, tens of kB) for logDirectory; lists, which the pod manager polls,
   * go without it.
   */
  async #sandboxStatus(id: string, verbose: boolean): Promise<PodSandboxStatus> {
    const res = await this.#client.call<{
      status: WirePodSandboxStatus | null;
      info: Record<string, string>;
    }>('PodSandboxStatus', { podSandboxId: id, verbose });
    if (!res.status) throw new Error(`cri PodSandboxStatus: no status for ${id}`);
    const s = res.status;
    const hostNetwork = s.linux?.namespaces?.options?.network === 'NODE';
    const status: PodSandboxStatus = {
      id: s.id,
      metadata: {
        name: s.metadata?.name ?? '',
        namespace: s.metadata?.namespace ?? '',
        uid: s.metadata?.uid ?? '',
        attempt: s.metadata?.attempt ?? 0,
      },
      state: s.state === 'SANDBOX_READY' ? 'ready' : 'notready',
      createdAt: toMs(s.createdAt),
      hostNetwork,
      labels: s.labels,
      annotations: s.annotations,
    };
    if (s.network?.ip) status.ip = s.network.ip;
    else if (hostNetwork) status.ip = hostIPv4();
    const additional = (s.network?.additionalIps ?? []).map((a) => a.ip).filter(Boolean);
    if (additional.length > 0) status.additionalIps = additional;
    const logDirectory = logDirectoryFromInfo(res.info);
    if (logDirectory) status.logDirectory = logDirectory;
    return status;
  }

  async listPodSandboxes(): Promise<PodSandboxStatus[]> {
    const res = await this.#client.call<{ items: WirePodSandbox[] }>('ListPodSandbox', {});
    const statuses = await Promise.all(
      res.items.map((item) => this.#sandboxStatus(item.id, false).catch(skipGone)),
    );
    return statuses.filter((s): s is PodSandboxStatus => s !== null);
  }

  // ---- containers ----

  async createContainer(
    sandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.#client.call<{ containerId: string }>('CreateContainer', {
      podSandboxId: sandboxId,
      config: containerConfigToWire(config),
      sandboxConfig: sandboxConfigToWire(sandboxConfig),
    });
    return res.containerId;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.#client.call('StartContainer', { containerId: id });
    } catch (err) {
      // The CRI has no code for "the command cannot run" (containerd says
      // UNKNOWN with runc's message); every start failure but a missing
      // container is one, as the kubelet treats it (StartError).
      if (isNotFound(err)) throw err;
      throw new ContainerStartError(err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.#client.call('StopContainer', {
      containerId: id,
      timeout: Math.max(0, Math.ceil(timeoutSeconds)),
    });
  }

  async removeContainer(id: string): Promise<void> {
    await this.#idempotent(this.#client.call('RemoveContainer', { containerId: id }));
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerStatus[]> {
    const res = await this.#client.call<{ containers: WireContainer[] }>('ListContainers', {
      filter: {
        podSandboxId: filter.podSandboxId ?? '',
        state: filter.state ? { state: stateToWire[filter.state] } : null,
        labelSelector: filter.labelSelector ?? {},
      },
    });
    const statuses = await Promise.all(
      res.containers.map((c) => this.#containerStatus(c.id, c.podSandboxId).catch(skipGone)),
    );
    return statuses.filter((s): s is ContainerStatus => s !== null);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    // ContainerStatus does not name the sandbox; ListContainers by id does.
    const res = await this.#client.call<{ containers: WireContainer[] }>('ListContainers', {
      filter: { id },
    });
    const found = res.containers.find((c) => c.id === id);
    return this.#containerStatus(id, found?.podSandboxId ?? '');
  }

  async #containerStatus(id: string, podSandboxId: string): Promise<ContainerStatus> {
    const res = await this.#client.call<{ status: WireContainerStatus | null }>('ContainerStatus', {
      containerId: id,
    });
    if (!res.status) throw new Error(`cri ContainerStatus: no status for ${id}`);
    return containerStatusFromWire(res.status, podSandboxId);
  }

  async reopenContainerLog(id: string): Promise<void> {
    await this.#client.call('ReopenContainerLog', { containerId: id });
  }

  // ---- streaming ----

  async exec(containerId: string, options: ExecOptions): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    if (options.stdin || options.tty) {
      const { url } = await this.#client.call<{ url: string }>('Exec', {
        containerId,
        cmd: options.cmd,
        tty: options.tty,
        stdin: Boolean(options.stdin),
        stdout: Boolean(options.stdout),
        stderr: !options.tty && Boolean(options.stderr),
      });
      return streamExec(url, options);
    }
    const timeoutSeconds = options.timeoutMs ? Math.max(1, Math.ceil(options.timeoutMs / 1000)) : 0;
    try {
      const res = await this.#client.call<{ stdout: Buffer; stderr: Buffer; exitCode: number }>(
        'ExecSync',
        { containerId, cmd: options.cmd, timeout: timeoutSeconds },
        { signal: options.signal },
      );
      await writeAll(options.stdout, res.stdout);
      await writeAll(options.stderr, res.stderr);
      return { exitCode: res.exitCode, timedOut: false };
    } catch (err) {
      options.signal?.throwIfAborted();
      if (timeoutSeconds > 0 && grpcCode(err) === DEADLINE_EXCEEDED) {
        return { exitCode: 137, timedOut: true };
      }
      throw err;
    }
  }

  async attach(containerId: string, options: StreamOptions): Promise<void> {
    options.signal?.throwIfAborted();
    const { url } = await this.#client.call<{ url: string }>('Attach', {
      containerId,
      stdin: Boolean(options.stdin),
      tty: options.tty,
      stdout: Boolean(options.stdout),
      stderr: !options.tty && Boolean(options.stderr),
    });
    await streamAttach(url, options);
  }

  async portForward(sandboxId: string, port: number, stream: Duplex): Promise<void> {
    const { url } = await this.#client.call<{ url: string }>('PortForward', {
      podSandboxId: sandboxId,
      port: [port],
    });
    await streamPortForward(url, port, stream);
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  /** Stop/remove are idempotent in the seam; some runtimes say NotFound. */
  async #idempotent(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** A list raced with a removal: the item is gone, not an error. */
function skipGone(err: unknown): null {
  if (isNotFound(err)) return null;
  throw err;
}

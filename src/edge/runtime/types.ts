/**
 * The container runtime seam of the edge agent, shaped after the Kubernetes CRI
 * (RuntimeService + ImageService) so that the `cri` driver is a thin mapping and
 * the `process` driver behaves the same way to the pod manager above it.
 *
 * Conventions every driver follows (the contract suite in ./contract.ts checks
 * them against each):
 * - Ids are opaque strings chosen by the driver. Sandboxes and containers carry
 *   the metadata they were created with (pod uid/namespace/name/attempt,
 *   container name/attempt), labels and annotations, so the pod manager can
 *   rebuild everything it needs from `listPodSandboxes` + `listContainers` after
 *   the agent restarts (nothing is kept only in the agent's memory).
 * - Containers outlive the agent: killing the agent (even with SIGKILL) leaves
 *   running containers running; a new driver instance over the same state
 *   directory / socket lists them again, and their exit codes are still known
 *   when they exit while the agent is gone.
 * - Logs are files in the CRI log format (one line per chunk:
 *   `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <text>`), at
 *   `join(sandbox.logDirectory, container.logPath)`. The pod manager reads them
 *   (./cri-log.ts) for `kubectl logs`; drivers only write them.
 * - Times are milliseconds since the epoch; 0 means "not yet".
 * - Errors: a missing sandbox/container/image is a NotFoundError (util/errors);
 *   an image that cannot be pulled is an ImagePullError; a command that cannot
 *   be started (no such file, not executable) is a ContainerStartError. Other
 *   failures are plain Errors with a message a user can act on.
 */
import type { Duplex, Readable, Writable } from 'node:stream';

export interface RuntimeVersionInfo {
  /** `process`, `containerd`, `cri-o`, ... */
  runtimeName: string;
  runtimeVersion: string;
  /** The CRI API version the driver speaks (`v1`). */
  runtimeApiVersion: string;
}

export interface KeyValue {
  name: string;
  value: string;
}

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  /** Incremented each time the sandbox is recreated for the same pod. */
  attempt: number;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  /** Absolute directory for this pod's container logs (kubelet: /var/log/pods/<ns>_<name>_<uid>). */
  logDirectory: string;
  /** Pod uses the host's network namespace (spec.hostNetwork). */
  hostNetwork: boolean;
  dnsServers?: string[];
  dnsSearches?: string[];
  dnsOptions?: string[];
  portMappings?: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Cgroup parent for the pod (cri only; ignored by `process`). */
  cgroupParent?: string;
}

export type SandboxState = 'ready' | 'notready';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: SandboxState;
  createdAt: number;
  /** The pod's IP: the host's for host network and for the `process` driver. */
  ip?: string;
  /** Additional IPs (dual stack). */
  additionalIps?: string[];
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logDirectory?: string;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface LinuxResources {
  /** CFS period/quota from limits.cpu (quota 0 = unlimited). */
  cpuPeriod?: number;
  cpuQuota?: number;
  /** From requests.cpu (kubelet's milliCPU -> shares conversion). */
  cpuShares?: number;
  /** From limits.memory, bytes (0 = unlimited). */
  memoryLimitInBytes?: number;
  oomScoreAdj?: number;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  /** Image reference as written in the pod spec (`busybox:1`, `verge.local/app:2`). */
  image: string;
  /**
   * Kubernetes semantics already applied by the caller's choice of fields:
   * `command` replaces the image's entrypoint, `args` its cmd; empty means
   * "the image's". The `process` driver has no image, so it needs a command
   * (or args whose first element is the program).
   */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory (kubelet: `<container>/<attempt>.log`). */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resources?: LinuxResources;
  /** SecurityContext subset. */
  runAsUser?: number;
  runAsGroup?: number;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerStatus {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  /** Meaningful once exited (128+signal when killed by a signal, like Kubernetes). */
  exitCode: number;
  /** `Completed`, `Error`, `OOMKilled`, `ContainerCannotRun`, ... when exited. */
  reason: string;
  message: string;
  image: string;
  /** Resolved image reference (digest for cri; `process://<command>` for process). */
  imageRef: string;
  /** Absolute path of the CRI-format log file. */
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  podSandboxId?: string;
  state?: ContainerState;
  /** Every label given must match. */
  labelSelector?: Record<string, string>;
}

export interface TerminalSize {
  width: number;
  height: number;
}

/** Streams for exec and attach; absent ones are not connected. */
export interface StreamOptions {
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored with a TTY (output arrives on stdout). */
  stderr?: Writable;
  tty: boolean;
  /** Terminal size changes (tty only). */
  resize?: AsyncIterable<TerminalSize>;
  signal?: AbortSignal;
}

export interface ExecOptions extends StreamOptions {
  cmd: string[];
  /** Kill the command after this long (0 = no limit). Used by exec probes. */
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  /** True when the timeout killed the command (exec probes report a timeout). */
  timedOut: boolean;
}

export interface ImageStatus {
  /** Resolved reference (digest). */
  ref: string;
  repoTags: string[];
  size: number;
}

export interface PullImageOptions {
  signal?: AbortSignal;
}

export interface Runtime {
  /** `process` or `cri`: the driver, for logs and `verge edge` messages. */
  readonly driver: 'process' | 'cri';

  version(): Promise<RuntimeVersionInfo>;

  // ---- images ----
  /** The image if present locally, else null. `process` reports every image as present. */
  imageStatus(image: string): Promise<ImageStatus | null>;
  /** Pulls the image; rejects with ImagePullError (message as the runtime gave it). */
  pullImage(image: string, options?: PullImageOptions): Promise<string>;

  // ---- sandboxes ----
  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container in it (SIGKILL) and releases its network; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes it and its containers; idempotent (no error if already gone). */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(): Promise<PodSandboxStatus[]>;

  // ---- containers ----
  createContainer(
    sandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  /** Rejects with ContainerStartError when the command cannot be run. */
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeoutSeconds`; resolves once exited. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<ContainerStatus[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  /** Asks the runtime to reopen the log file after the caller rotated it. */
  reopenContainerLog(id: string): Promise<void>;

  // ---- streaming ----
  /** Runs a command in a running container; rejects (FailedPrecondition-like Error) if it is not running. */
  exec(containerId: string, options: ExecOptions): Promise<ExecResult>;
  /** Attaches to the main process's stdio; resolves when the container exits or signal aborts. */
  attach(containerId: string, options: StreamOptions): Promise<void>;
  /** Connects `stream` to `port` inside the sandbox's network namespace (127.0.0.1:port for host network / process). */
  portForward(sandboxId: string, port: number, stream: Duplex): Promise<void>;

  /** Releases connections/watchers; leaves containers running. */
  close(): Promise<void>;
}

/** The image could not be pulled (kubelet: ErrImagePull, then ImagePullBackOff). */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
}

/** The container's command could not be started (kubelet: reason StartError / ContainerCannotRun). */
export class ContainerStartError extends Error {
  override name = 'ContainerStartError';
}

/** containerd's default CRI endpoint (`verge edge --cri-endpoint`). */
export const DEFAULT_CRI_ENDPOINT = 'unix:///run/containerd/containerd.sock';

/** Label keys the pod manager puts on sandboxes and containers (as the kubelet does). */
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

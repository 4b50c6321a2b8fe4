/**
 * The subset of the CRI `runtime.v1` API (k8s.io/cri-api, pkg/apis/runtime/v1/
 * api.proto) the cri driver uses, as a protobufjs JSON descriptor. It is data in
 * a .ts module, not a .proto file, so `dist/` (which holds only stripped .ts
 * files) carries it too, and nothing parses proto text at run time.
 *
 * Field numbers are the wire contract and follow api.proto exactly; names are
 * written in camelCase (with `keepCase`) since names never reach the wire.
 * Messages the driver does not send or read are left out; fields of a message
 * that are left out are skipped by the decoder, so a newer runtime is fine.
 */
import type { INamespace, IService } from 'protobufjs';

type Field =
  | { id: number; type: string }
  | { id: number; type: string; rule: 'repeated' }
  | { id: number; type: string; keyType: 'string' };

const one = (id: number, type: string): Field => ({ id, type });
const many = (id: number, type: string): Field => ({ id, type, rule: 'repeated' });
const map = (id: number): Field => ({ id, type: 'string', keyType: 'string' });
const message = (fields: Record<string, Field>) => ({ fields });
const empty = message({});

const messages = {
  VersionRequest: message({ version: one(1, 'string') }),
  VersionResponse: message({
    version: one(1, 'string'),
    runtimeName: one(2, 'string'),
    runtimeVersion: one(3, 'string'),
    runtimeApiVersion: one(4, 'string'),
  }),
  DNSConfig: message({
    servers: many(1, 'string'),
    searches: many(2, 'string'),
    options: many(3, 'string'),
  }),
  PortMapping: message({
    protocol: one(1, 'Protocol'),
    containerPort: one(2, 'int32'),
    hostPort: one(3, 'int32'),
    hostIp: one(4, 'string'),
  }),
  Mount: message({
    containerPath: one(1, 'string'),
    hostPath: one(2, 'string'),
    readonly: one(3, 'bool'),
    selinuxRelabel: one(4, 'bool'),
    propagation: one(5, 'MountPropagation'),
  }),
  NamespaceOption: message({
    network: one(1, 'NamespaceMode'),
    pid: one(2, 'NamespaceMode'),
    ipc: one(3, 'NamespaceMode'),
    targetId: one(4, 'string'),
  }),
  Int64Value: message({ value: one(1, 'int64') }),
  LinuxSandboxSecurityContext: message({
    namespaceOptions: one(1, 'NamespaceOption'),
    runAsUser: one(3, 'Int64Value'),
    readonlyRootfs: one(4, 'bool'),
    privileged: one(6, 'bool'),
    runAsGroup: one(8, 'Int64Value'),
  }),
  LinuxPodSandboxConfig: message({
    cgroupParent: one(1, 'string'),
    securityContext: one(2, 'LinuxSandboxSecurityContext'),
    sysctls: map(3),
  }),
  PodSandboxMetadata: message({
    name: one(1, 'string'),
    uid: one(2, 'string'),
    namespace: one(3, 'string'),
    attempt: one(4, 'uint32'),
  }),
  PodSandboxConfig: message({
    metadata: one(1, 'PodSandboxMetadata'),
    hostname: one(2, 'string'),
    logDirectory: one(3, 'string'),
    dnsConfig: one(4, 'DNSConfig'),
    portMappings: many(5, 'PortMapping'),
    labels: map(6),
    annotations: map(7),
    linux: one(8, 'LinuxPodSandboxConfig'),
  }),
  RunPodSandboxRequest: message({
    config: one(1, 'PodSandboxConfig'),
    runtimeHandler: one(2, 'string'),
  }),
  RunPodSandboxResponse: message({ podSandboxId: one(1, 'string') }),
  StopPodSandboxRequest: message({ podSandboxId: one(1, 'string') }),
  StopPodSandboxResponse: empty,
  RemovePodSandboxRequest: message({ podSandboxId: one(1, 'string') }),
  RemovePodSandboxResponse: empty,
  PodSandboxStatusRequest: message({ podSandboxId: one(1, 'string'), verbose: one(2, 'bool') }),
  PodIP: message({ ip: one(1, 'string') }),
  PodSandboxNetworkStatus: message({ ip: one(1, 'string'), additionalIps: many(2, 'PodIP') }),
  Namespace: message({ options: one(2, 'NamespaceOption') }),
  LinuxPodSandboxStatus: message({ namespaces: one(1, 'Namespace') }),
  PodSandboxStatus: message({
    id: one(1, 'string'),
    metadata: one(2, 'PodSandboxMetadata'),
    state: one(3, 'PodSandboxState'),
    createdAt: one(4, 'int64'),
    network: one(5, 'PodSandboxNetworkStatus'),
    linux: one(6, 'LinuxPodSandboxStatus'),
    labels: map(7),
    annotations: map(8),
    runtimeHandler: one(9, 'string'),
  }),
  PodSandboxStatusResponse: message({ status: one(1, 'PodSandboxStatus'), info: map(2) }),
  PodSandboxStateValue: message({ state: one(1, 'PodSandboxState') }),
  PodSandboxFilter: message({
    id: one(1, 'string'),
    state: one(2, 'PodSandboxStateValue'),
    labelSelector: map(3),
  }),
  ListPodSandboxRequest: message({ filter: one(1, 'PodSandboxFilter') }),
  PodSandbox: message({
    id: one(1, 'string'),
    metadata: one(2, 'PodSandboxMetadata'),
    state: one(3, 'PodSandboxState'),
    createdAt: one(4, 'int64'),
    labels: map(5),
    annotations: map(6),
    runtimeHandler: one(7, 'string'),
  }),
  ListPodSandboxResponse: message({ items: many(1, 'PodSandbox') }),
  ImageSpec: message({ image: one(1, 'string'), annotations: map(2) }),
  KeyValue: message({ key: one(1, 'string'), value: one(2, 'string') }),
  LinuxContainerResources: message({
    cpuPeriod: one(1, 'int64'),
    cpuQuota: one(2, 'int64'),
    cpuShares: one(3, 'int64'),
    memoryLimitInBytes: one(4, 'int64'),
    oomScoreAdj: one(5, 'int64'),
    cpusetCpus: one(6, 'string'),
    cpusetMems: one(7, 'string'),
  }),
  LinuxContainerSecurityContext: message({
    privileged: one(2, 'bool'),
    namespaceOptions: one(3, 'NamespaceOption'),
    runAsUser: one(5, 'Int64Value'),
    runAsUsername: one(6, 'string'),
    readonlyRootfs: one(7, 'bool'),
    runAsGroup: one(12, 'Int64Value'),
  }),
  LinuxContainerConfig: message({
    resources: one(1, 'LinuxContainerResources'),
    securityContext: one(2, 'LinuxContainerSecurityContext'),
  }),
  ContainerMetadata: message({ name: one(1, 'string'), attempt: one(2, 'uint32') }),
  ContainerConfig: message({
    metadata: one(1, 'ContainerMetadata'),
    image: one(2, 'ImageSpec'),
    command: many(3, 'string'),
    args: many(4, 'string'),
    workingDir: one(5, 'string'),
    envs: many(6, 'KeyValue'),
    mounts: many(7, 'Mount'),
    labels: map(9),
    annotations: map(10),
    logPath: one(11, 'string'),
    stdin: one(12, 'bool'),
    stdinOnce: one(13, 'bool'),
    tty: one(14, 'bool'),
    linux: one(15, 'LinuxContainerConfig'),
  }),
  CreateContainerRequest: message({
    podSandboxId: one(1, 'string'),
    config: one(2, 'ContainerConfig'),
    sandboxConfig: one(3, 'PodSandboxConfig'),
  }),
  CreateContainerResponse: message({ containerId: one(1, 'string') }),
  StartContainerRequest: message({ containerId: one(1, 'string') }),
  StartContainerResponse: empty,
  StopContainerRequest: message({ containerId: one(1, 'string'), timeout: one(2, 'int64') }),
  StopContainerResponse: empty,
  RemoveContainerRequest: message({ containerId: one(1, 'string') }),
  RemoveContainerResponse: empty,
  ContainerStateValue: message({ state: one(1, 'ContainerState') }),
  ContainerFilter: message({
    id: one(1, 'string'),
    state: one(2, 'ContainerStateValue'),
    podSandboxId: one(3, 'string'),
    labelSelector: map(4),
  }),
  ListContainersRequest: message({ filter: one(1, 'ContainerFilter') }),
  Container: message({
    id: one(1, 'string'),
    podSandboxId: one(2, 'string'),
    metadata: one(3, 'ContainerMetadata'),
    image: one(4, 'ImageSpec'),
    imageRef: one(5, 'string'),
    state: one(6, 'ContainerState'),
    createdAt: one(7, 'int64'),
    labels: map(8),
    annotations: map(9),
  }),
  ListContainersResponse: message({ containers: many(1, 'Container') }),
  ContainerStatusRequest: message({ containerId: one(1, 'string'), verbose: one(2, 'bool') }),
  ContainerStatus: message({
    id: one(1, 'string'),
    metadata: one(2, 'ContainerMetadata'),
    state: one(3, 'ContainerState'),
    createdAt: one(4, 'int64'),
    startedAt: one(5, 'int64'),
    finishedAt: one(6, 'int64'),
    exitCode: one(7, 'int32'),
    image: one(8, 'ImageSpec'),
    imageRef: one(9, 'string'),
    reason: one(10, 'string'),
    message: one(11, 'string'),
    labels: map(12),
    annotations: map(13),
    mounts: many(14, 'Mount'),
    logPath: one(15, 'string'),
  }),
  ContainerStatusResponse: message({ status: one(1, 'ContainerStatus'), info: map(2) }),
  ReopenContainerLogRequest: message({ containerId: one(1, 'string') }),
  ReopenContainerLogResponse: empty,
  ExecSyncRequest: message({
    containerId: one(1, 'string'),
    cmd: many(2, 'string'),
    timeout: one(3, 'int64'),
  }),
  ExecSyncResponse: message({
    stdout: one(1, 'bytes'),
    stderr: one(2, 'bytes'),
    exitCode: one(3, 'int32'),
  }),
  ExecRequest: message({
    containerId: one(1, 'string'),
    cmd: many(2, 'string'),
    tty: one(3, 'bool'),
    stdin: one(4, 'bool'),
    stdout: one(5, 'bool'),
    stderr: one(6, 'bool'),
  }),
  ExecResponse: message({ url: one(1, 'string') }),
  AttachRequest: message({
    containerId: one(1, 'string'),
    stdin: one(2, 'bool'),
    tty: one(3, 'bool'),
    stdout: one(4, 'bool'),
    stderr: one(5, 'bool'),
  }),
  AttachResponse: message({ url: one(1, 'string') }),
  PortForwardRequest: message({ podSandboxId: one(1, 'string'), port: many(2, 'int32') }),
  PortForwardResponse: message({ url: one(1, 'string') }),
  Image: message({
    id: one(1, 'string'),
    repoTags: many(2, 'string'),
    repoDigests: many(3, 'string'),
    size: one(4, 'uint64'),
    uid: one(5, 'Int64Value'),
    username: one(6, 'string'),
    spec: one(7, 'ImageSpec'),
  }),
  ImageStatusRequest: message({ image: one(1, 'ImageSpec'), verbose: one(2, 'bool') }),
  ImageStatusResponse: message({ image: one(1, 'Image'), info: map(2) }),
  AuthConfig: message({
    username: one(1, 'string'),
    password: one(2, 'string'),
    auth: one(3, 'string'),
    serverAddress: one(4, 'string'),
    identityToken: one(5, 'string'),
    registryToken: one(6, 'string'),
  }),
  PullImageRequest: message({
    image: one(1, 'ImageSpec'),
    auth: one(2, 'AuthConfig'),
    sandboxConfig: one(3, 'PodSandboxConfig'),
  }),
  PullImageResponse: message({ imageRef: one(1, 'string') }),
};

const enums = {
  Protocol: { values: { TCP: 0, UDP: 1, SCTP: 2 } },
  MountPropagation: {
    values: {
      PROPAGATION_PRIVATE: 0,
      PROPAGATION_HOST_TO_CONTAINER: 1,
      PROPAGATION_BIDIRECTIONAL: 2,
    },
  },
  NamespaceMode: { values: { POD: 0, CONTAINER: 1, NODE: 2, TARGET: 3 } },
  PodSandboxState: { values: { SANDBOX_READY: 0, SANDBOX_NOTREADY: 1 } },
  ContainerState: {
    values: {
      CONTAINER_CREATED: 0,
      CONTAINER_RUNNING: 1,
      CONTAINER_EXITED: 2,
      CONTAINER_UNKNOWN: 3,
    },
  },
};

/** Every rpc takes `<Name>Request` and returns `<Name>Response`. */
function service(names: readonly string[]): IService {
  return {
    methods: Object.fromEntries(
      names.map((name) => [
        name,
        { requestType: `${name}Request`, responseType: `${name}Response`, comment: '' },
      ]),
    ),
  };
}

export const RUNTIME_METHODS = [
  'Version',
  'RunPodSandbox',
  'StopPodSandbox',
  'RemovePodSandbox',
  'PodSandboxStatus',
  'ListPodSandbox',
  'CreateContainer',
  'StartContainer',
  'StopContainer',
  'RemoveContainer',
  'ListContainers',
  'ContainerStatus',
  'ReopenContainerLog',
  'ExecSync',
  'Exec',
  'Attach',
  'PortForward',
] as const;
export const IMAGE_METHODS = ['ImageStatus', 'PullImage'] as const;

export const criApiDescriptor: INamespace = {
  nested: {
    runtime: {
      nested: {
        v1: {
          nested: {
            ...messages,
            ...enums,
            RuntimeService: service(RUNTIME_METHODS),
            ImageService: service(IMAGE_METHODS),
          },
        },
      },
    },
  },
};

// ---- the decoded shapes the driver reads (proto-loader: keepCase, enums as
// strings, int64 as numbers, defaults filled in, absent messages null) ----

export interface WireMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface WireNamespaceOption {
  network: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
}

export interface WirePodSandboxStatus {
  id: string;
  metadata: WireMetadata | null;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  createdAt: number;
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: { namespaces: { options: WireNamespaceOption | null } | null } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WirePodSandbox {
  id: string;
}

export type WireContainerState =
  'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface WireContainer {
  id: string;
  podSandboxId: string;
}

export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: WireContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: { image: string } | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
}

export interface WireImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}

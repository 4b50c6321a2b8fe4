/**
 * core/v1 object types: the kinds a kubectl user writes or reads (Pod, Node,
 * Namespace, ConfigMap, Secret, Service, Endpoints, Event, ServiceAccount,
 * Binding, PodTemplate) and every part they contain, named and shaped as the
 * Kubernetes API names them.
 *
 * The contract: a field is optional here exactly where the Kubernetes 1.33 API
 * says it is optional. These are wire shapes (what JSON.parse of a request body
 * gives after validation), not classes: no defaults are implied, and code that
 * reads a field it did not set must allow for its absence. The OpenAPI schema of
 * the same types is src/api/openapi/core.ts; the two are kept in step by hand.
 *
 * Closed string sets that Kubernetes publishes as enums are string-literal unions
 * (`RestartPolicy`); open sets (condition types, resource names) are `string`.
 */
import type { Condition, KubeList, KubeObject, LabelSelector, ObjectMeta } from './meta.ts';

/**
 * A value that is either a number or a string, e.g. a port number or a port
 * name, `25%` or `2` (Kubernetes' `intstr.IntOrString`).
 */
export type IntOrString = number | string;

/**
 * A resource amount in Kubernetes' quantity notation (`100m`, `1Gi`, `2`).
 * Always a string once it has passed the API layer: clients may send a bare JSON
 * number (`cpu: 2`), and the API layer turns it into its canonical string before
 * anything else sees the object.
 */
export type Quantity = string;

/** Amounts of named resources (`cpu`, `memory`, `ephemeral-storage`, extended resources). */
export type ResourceList = Record<string, Quantity>;

/** The status of a condition. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type AppArmorProfileType = 'Localhost' | 'RuntimeDefault' | 'Unconfined';
export type AzureDataDiskCachingMode = 'None' | 'ReadOnly' | 'ReadWrite';
export type AzureDataDiskKind = 'Dedicated' | 'Managed' | 'Shared';
export type DNSPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
export type HostPathType =
  | ''
  | 'BlockDevice'
  | 'CharDevice'
  | 'Directory'
  | 'DirectoryOrCreate'
  | 'File'
  | 'FileOrCreate'
  | 'Socket';
export type IPFamily = '' | 'IPv4' | 'IPv6';
export type IPFamilyPolicy = 'PreferDualStack' | 'RequireDualStack' | 'SingleStack';
export type MountPropagationMode = 'Bidirectional' | 'HostToContainer' | 'None';
export type NamespacePhase = 'Active' | 'Terminating';
export type NodeInclusionPolicy = 'Honor' | 'Ignore';
export type NodePhase = 'Pending' | 'Running' | 'Terminated';
export type NodeSelectorOperator = 'DoesNotExist' | 'Exists' | 'Gt' | 'In' | 'Lt' | 'NotIn';
export type PersistentVolumeAccessMode =
  'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOnce' | 'ReadWriteOncePod';
export type PersistentVolumeMode = 'Block' | 'Filesystem';
export type PodFSGroupChangePolicy = 'Always' | 'OnRootMismatch';
export type PodPhase = 'Failed' | 'Pending' | 'Running' | 'Succeeded' | 'Unknown';
export type PodQOSClass = 'BestEffort' | 'Burstable' | 'Guaranteed';
export type PreemptionPolicy = 'Never' | 'PreemptLowerPriority';
export type ProcMountType = 'Default' | 'Unmasked';
export type Protocol = 'SCTP' | 'TCP' | 'UDP';
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type RestartPolicy = 'Always' | 'Never' | 'OnFailure';
export type SeccompProfileType = 'Localhost' | 'RuntimeDefault' | 'Unconfined';
export type ServiceAffinity = 'ClientIP' | 'None';
export type ServiceExternalTrafficPolicy = 'Cluster' | 'Local';
export type ServiceInternalTrafficPolicy = 'Cluster' | 'Local';
export type ServiceType = 'ClusterIP' | 'ExternalName' | 'LoadBalancer' | 'NodePort';
export type Signal =
  | 'SIGABRT'
  | 'SIGALRM'
  | 'SIGBUS'
  | 'SIGCHLD'
  | 'SIGCLD'
  | 'SIGCONT'
  | 'SIGFPE'
  | 'SIGHUP'
  | 'SIGILL'
  | 'SIGINT'
  | 'SIGIO'
  | 'SIGIOT'
  | 'SIGKILL'
  | 'SIGPIPE'
  | 'SIGPOLL'
  | 'SIGPROF'
  | 'SIGPWR'
  | 'SIGQUIT'
  | 'SIGRTMAX'
  | 'SIGRTMAX-1'
  | 'SIGRTMAX-10'
  | 'SIGRTMAX-11'
  | 'SIGRTMAX-12'
  | 'SIGRTMAX-13'
  | 'SIGRTMAX-14'
  | 'SIGRTMAX-2'
  | 'SIGRTMAX-3'
  | 'SIGRTMAX-4'
  | 'SIGRTMAX-5'
  | 'SIGRTMAX-6'
  | 'SIGRTMAX-7'
  | 'SIGRTMAX-8'
  | 'SIGRTMAX-9'
  | 'SIGRTMIN'
  | 'SIGRTMIN+1'
  | 'SIGRTMIN+10'
  | 'SIGRTMIN+11'
  | 'SIGRTMIN+12'
  | 'SIGRTMIN+13'
  | 'SIGRTMIN+14'
  | 'SIGRTMIN+15'
  | 'SIGRTMIN+2'
  | 'SIGRTMIN+3'
  | 'SIGRTMIN+4'
  | 'SIGRTMIN+5'
  | 'SIGRTMIN+6'
  | 'SIGRTMIN+7'
  | 'SIGRTMIN+8'
  | 'SIGRTMIN+9'
  | 'SIGSEGV'
  | 'SIGSTKFLT'
  | 'SIGSTOP'
  | 'SIGSYS'
  | 'SIGTERM'
  | 'SIGTRAP'
  | 'SIGTSTP'
  | 'SIGTTIN'
  | 'SIGTTOU'
  | 'SIGURG'
  | 'SIGUSR1'
  | 'SIGUSR2'
  | 'SIGVTALRM'
  | 'SIGWINCH'
  | 'SIGXCPU'
  | 'SIGXFSZ';
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';
export type TaintEffect = 'NoExecute' | 'NoSchedule' | 'PreferNoSchedule';
export type TerminationMessagePolicy = 'FallbackToLogsOnError' | 'File';
export type TolerationOperator = 'Equal' | 'Exists';
export type URIScheme = 'HTTP' | 'HTTPS';
export type UnsatisfiableConstraintAction = 'DoNotSchedule' | 'ScheduleAnyway';

/** An AWS EBS volume. */
export interface AWSElasticBlockStoreVolumeSource {
  /** The EBS volume ID. */
  volumeID: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** The partition of the disk to mount; 0 for the whole disk. */
  partition?: number;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** Scheduling rules that relate a pod to nodes and to other pods. */
export interface Affinity {
  /** Rules about which nodes the pod prefers or requires. */
  nodeAffinity?: NodeAffinity;
  /** Rules for placing the pod near other pods. */
  podAffinity?: PodAffinity;
  /** Rules for keeping the pod away from other pods. */
  podAntiAffinity?: PodAntiAffinity;
}

/** An AppArmor profile. */
export interface AppArmorProfile {
  /** Which profile: RuntimeDefault, Unconfined or Localhost. */
  type: AppArmorProfileType;
  /** The name of a profile loaded on the node; only for type Localhost. */
  localhostProfile?: string;
}

/** A volume attached to a node. */
export interface AttachedVolume {
  /** The volume's unique name. */
  name: string;
  /** Where the volume is expected to appear on the node. */
  devicePath: string;
}

/** An Azure data disk. */
export interface AzureDiskVolumeSource {
  /** The name of the data disk. */
  diskName: string;
  /** The URI of the data disk. */
  diskURI: string;
  /** The host caching mode: None, ReadOnly or ReadWrite. */
  cachingMode?: AzureDataDiskCachingMode;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** The kind of disk: Shared, Dedicated or Managed. */
  kind?: AzureDataDiskKind;
}

/** An Azure File share. */
export interface AzureFileVolumeSource {
  /** The Secret holding the storage account name and key. */
  secretName: string;
  /** The share's name. */
  shareName: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** Binds a pod to a node; posted to a pod's binding subresource by a scheduler. */
export interface Binding extends KubeObject {
  /** The node to bind to. */
  target: ObjectReference;
}

/** An ephemeral volume from a CSI driver. */
export interface CSIVolumeSource {
  /** The name of the CSI driver. */
  driver: string;
  /** Whether the volume is read-only. */
  readOnly?: boolean;
  /** The filesystem type to mount, passed to the driver. */
  fsType?: string;
  /** Driver-specific settings. */
  volumeAttributes?: Record<string, string>;
  /** A Secret with credentials the driver needs to publish the volume. */
  nodePublishSecretRef?: LocalObjectReference;
}

/** Linux capabilities to add and drop. */
export interface Capabilities {
  /** Capabilities to add. */
  add?: string[];
  /** Capabilities to remove. */
  drop?: string[];
}

/** A CephFS mount. */
export interface CephFSVolumeSource {
  /** The Ceph monitor addresses. */
  monitors: string[];
  /** The path within the filesystem to mount; the root by default. */
  path?: string;
  /** The RADOS user name. */
  user?: string;
  /** The path to the key ring for the user. */
  secretFile?: string;
  /** A Secret with the user's key, instead of secretFile. */
  secretRef?: LocalObjectReference;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** An OpenStack Cinder volume. */
export interface CinderVolumeSource {
  /** The Cinder volume ID. */
  volumeID: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** A Secret with parameters for connecting to OpenStack. */
  secretRef?: LocalObjectReference;
}

/** Settings of client-IP session affinity. */
export interface ClientIPConfig {
  /** How long a client stays with the same pod, in seconds (1 to 86400); three hours by default. */
  timeoutSeconds?: number;
}

/** Certificates of ClusterTrustBundle objects written to one file. */
export interface ClusterTrustBundleProjection {
  /** A single ClusterTrustBundle to read, by name; excludes signerName and labelSelector. */
  name?: string;
  /** Read every ClusterTrustBundle of this signer (filtered by labelSelector). */
  signerName?: string;
  /** Filters the bundles selected by signerName. */
  labelSelector?: LabelSelector;
  /** Whether the pod may start when no matching bundle exists. */
  optional?: boolean;
  /** The relative file path the certificates are written to. */
  path: string;
}

/** Configuration data as key-value pairs, for pods to read as files, environment variables or arguments. */
export interface ConfigMap extends KubeObject {
  /** Whether the data can no longer change; once true, it cannot be unset. */
  immutable?: boolean;
  /** UTF-8 text entries; keys may not also appear in binaryData. */
  data?: Record<string, string>;
  /** Binary entries, base64 in JSON; keys may not also appear in data. */
  binaryData?: Record<string, string>;
}

/** A ConfigMap whose keys become environment variables. */
export interface ConfigMapEnvSource {
  /** The ConfigMap's name. */
  name?: string;
  /** Whether the container may start when the ConfigMap does not exist. */
  optional?: boolean;
}

/** Selects one key of a ConfigMap. */
export interface ConfigMapKeySelector {
  /** The ConfigMap's name. */
  name?: string;
  /** The key to read. */
  key: string;
  /** Whether the ConfigMap or key may be missing. */
  optional?: boolean;
}

/** A list of ConfigMaps. */
export type ConfigMapList = KubeList<ConfigMap>;

/** Deprecated: a ConfigMap holding kubelet configuration. */
export interface ConfigMapNodeConfigSource {
  /** The namespace of the ConfigMap. */
  namespace: string;
  /** The name of the ConfigMap. */
  name: string;
  /** The UID of the ConfigMap. */
  uid?: string;
  /** The resource version of the ConfigMap. */
  resourceVersion?: string;
  /** The key of the ConfigMap holding the configuration. */
  kubeletConfigKey: string;
}

/** A ConfigMap projected into a volume. */
export interface ConfigMapProjection {
  /** The ConfigMap's name. */
  name?: string;
  /** The keys to project and their paths; every key, at its own name, when absent. */
  items?: KeyToPath[];
  /** Whether the pod may start when the ConfigMap or a listed key is missing. */
  optional?: boolean;
}

/** A ConfigMap whose keys become files. */
export interface ConfigMapVolumeSource {
  /** The ConfigMap's name. */
  name?: string;
  /** The keys to project and their paths; every key, at its own name, when absent. */
  items?: KeyToPath[];
  /** Permission bits of the created files (0000 to 0777); 0644 by default. */
  defaultMode?: number;
  /** Whether the pod may start when the ConfigMap or a listed key is missing. */
  optional?: boolean;
}

/** One application container of a pod. */
export interface Container {
  /** The container's name, unique within the pod (a DNS label). */
  name: string;
  /** The container image reference; may be left empty in templates that something else fills in. */
  image?: string;
  /** The entrypoint, run without a shell; replaces the image's ENTRYPOINT, and $(VAR) references are expanded. */
  command?: string[];
  /** Arguments to the entrypoint; replace the image's CMD, and $(VAR) references are expanded. */
  args?: string[];
  /** The working directory of the container; the image's default when empty. */
  workingDir?: string;
  /** Ports the container exposes; informational, except that named ports can be referenced elsewhere. */
  ports?: ContainerPort[];
  /** Sources (ConfigMaps, Secrets) whose keys all become environment variables; explicit env entries win on conflict. */
  envFrom?: EnvFromSource[];
  /** Environment variables set in the container. */
  env?: EnvVar[];
  /** Compute resources the container requests and its limits. */
  resources?: ResourceRequirements;
  /** How each resource of the container may be resized in place. */
  resizePolicy?: ContainerResizePolicy[];
  /** For init containers only: Always makes the init container a sidecar that keeps running beside the regular containers. */
  restartPolicy?: string;
  /** Pod volumes mounted into the container's filesystem. */
  volumeMounts?: VolumeMount[];
  /** Raw block devices from pod volumes made available in the container. */
  volumeDevices?: VolumeDevice[];
  /** A periodic check; the container is restarted when it fails. */
  livenessProbe?: Probe;
  /** A periodic check; the container receives no service traffic while it fails. */
  readinessProbe?: Probe;
  /** A check that must succeed before the other probes start; the container is restarted if it never does. */
  startupProbe?: Probe;
  /** Actions the system runs right after the container starts and just before it stops. */
  lifecycle?: Lifecycle;
  /** The file in the container whose contents become the termination message. */
  terminationMessagePath?: string;
  /** Where the termination message comes from: File, or FallbackToLogsOnError to use the log tail when the file is empty. */
  terminationMessagePolicy?: TerminationMessagePolicy;
  /** When the image is pulled: Always, Never or IfNotPresent. */
  imagePullPolicy?: PullPolicy;
  /** Security settings for this container, overriding the pod's. */
  securityContext?: SecurityContext;
  /** Whether the container keeps a stdin buffer open for attaching. */
  stdin?: boolean;
  /** Whether stdin is closed after the first attached client disconnects. */
  stdinOnce?: boolean;
  /** Whether the container is given a terminal; requires stdin. */
  tty?: boolean;
}

/** A container image present on a node. */
export interface ContainerImage {
  /** The names (tags and digests) the image is known by. */
  names?: string[];
  /** The size of the image in bytes. */
  sizeBytes?: number;
}

/** A network port of a container. */
export interface ContainerPort {
  /** A name for the port (an IANA service name), unique within the pod, that services can refer to. */
  name?: string;
  /** A port on the node forwarded to this port; rarely needed. */
  hostPort?: number;
  /** The port number the container listens on. */
  containerPort: number;
  /** The port's protocol: TCP (default), UDP or SCTP. */
  protocol?: Protocol;
  /** The node address the host port binds to. */
  hostIP?: string;
}

/** How one resource of a container is resized in place. */
export interface ContainerResizePolicy {
  /** The resource this policy is for, such as cpu or memory. */
  resourceName: string;
  /** Whether changing the resource restarts the container: NotRequired or RestartContainer. */
  restartPolicy: string;
}

/** The state of a container; exactly one field is set, waiting by default. */
export interface ContainerState {
  /** The container is not running yet. */
  waiting?: ContainerStateWaiting;
  /** The container is running. */
  running?: ContainerStateRunning;
  /** The container has exited. */
  terminated?: ContainerStateTerminated;
}

/** A running container. */
export interface ContainerStateRunning {
  /** When the container last started. */
  startedAt?: string;
}

/** A container that has exited. */
export interface ContainerStateTerminated {
  /** The exit status of the last run. */
  exitCode: number;
  /** The signal that ended the last run, if any. */
  signal?: number;
  /** Why it exited, such as Completed, Error or OOMKilled. */
  reason?: string;
  /** More detail on why it exited. */
  message?: string;
  /** When the last run started. */
  startedAt?: string;
  /** When the last run ended. */
  finishedAt?: string;
  /** The ID of the exited container, as runtime://id. */
  containerID?: string;
}

/** A container that is waiting to run. */
export interface ContainerStateWaiting {
  /** Why it is waiting, such as ContainerCreating or ImagePullBackOff. */
  reason?: string;
  /** More detail on why it is waiting. */
  message?: string;
}

/** The observed state of one container of a pod. */
export interface ContainerStatus {
  /** The container's name, as in the pod spec. */
  name: string;
  /** The container's current state. */
  state?: ContainerState;
  /** The state the container was in before its last restart. */
  lastState?: ContainerState;
  /** Whether the container passes its readiness probe. */
  ready: boolean;
  /** How many times the container has been restarted. */
  restartCount: number;
  /** The image the container runs. */
  image: string;
  /** The ID (digest) of the image the container runs. */
  imageID: string;
  /** The container's ID, as runtime://id. */
  containerID?: string;
  /** Whether the container has started and passed its startup probe. */
  started?: boolean;
  /** The resources the node has allocated to the container. */
  allocatedResources?: ResourceList;
  /** The resources the container actually has, after any in-place resize. */
  resources?: ResourceRequirements;
  /** The volume mounts of the container as the runtime reports them. */
  volumeMounts?: VolumeMountStatus[];
  /** The identity the container's first process runs with. */
  user?: ContainerUser;
  /** Health of the devices and resources allocated to the container. */
  allocatedResourcesStatus?: ResourceStatus[];
  /** The signal that will be sent to stop the container. */
  stopSignal?: Signal;
}

/** The identity of a container's first process. */
export interface ContainerUser {
  /** The Linux user and groups. */
  linux?: LinuxContainerUser;
}

/** An endpoint of a daemon. */
export interface DaemonEndpoint {
  /** The port number. */
  Port: number;
}

/** Pod fields and container resources projected into a volume. */
export interface DownwardAPIProjection {
  /** The files to write. */
  items?: DownwardAPIVolumeFile[];
}

/** One file holding a pod field or a container resource value. */
export interface DownwardAPIVolumeFile {
  /** The relative path of the file; may not contain '..'. */
  path: string;
  /** The pod field to write; only metadata fields (name, namespace, labels, annotations, uid) are supported. */
  fieldRef?: ObjectFieldSelector;
  /** The container resource limit or request to write. */
  resourceFieldRef?: ResourceFieldSelector;
  /** The file's permission bits (0000 to 0777); the volume's default mode when absent. */
  mode?: number;
}

/** Pod fields and container resources written as files. */
export interface DownwardAPIVolumeSource {
  /** The files to write. */
  items?: DownwardAPIVolumeFile[];
  /** Permission bits of the created files (0000 to 0777); 0644 by default. */
  defaultMode?: number;
}

/** An empty directory that lives as long as the pod. */
export interface EmptyDirVolumeSource {
  /** The storage medium: empty for the node's default, or Memory for a tmpfs. */
  medium?: string;
  /** The most storage the directory may use. */
  sizeLimit?: Quantity;
}

/** One endpoint address. */
export interface EndpointAddress {
  /** The IP address. */
  ip: string;
  /** The host name of the endpoint. */
  hostname?: string;
  /** The node hosting the endpoint. */
  nodeName?: string;
  /** The object (usually a pod) behind the endpoint. */
  targetRef?: ObjectReference;
}

/** One endpoint port. */
export interface EndpointPort {
  /** The port's name, as in the service. */
  name?: string;
  /** The port number. */
  port: number;
  /** The port's protocol: TCP (default), UDP or SCTP. */
  protocol?: Protocol;
  /** The application protocol of the port. */
  appProtocol?: string;
}

/** Addresses that all serve the same ports. */
export interface EndpointSubset {
  /** Addresses ready to receive traffic. */
  addresses?: EndpointAddress[];
  /** Addresses not ready (or not yet ready) to receive traffic. */
  notReadyAddresses?: EndpointAddress[];
  /** The ports served at each address. */
  ports?: EndpointPort[];
}

/** The addresses and ports that implement a service. */
export interface Endpoints extends KubeObject {
  /** Groups of addresses that share the same ports. */
  subsets?: EndpointSubset[];
}

/** A list of Endpoints. */
export type EndpointsList = KubeList<Endpoints>;

/** A ConfigMap or Secret whose keys all become environment variables. */
export interface EnvFromSource {
  /** A prefix put before every variable name from this source. */
  prefix?: string;
  /** The ConfigMap to read. */
  configMapRef?: ConfigMapEnvSource;
  /** The Secret to read. */
  secretRef?: SecretEnvSource;
}

/** One environment variable of a container. */
export interface EnvVar {
  /** The variable's name. */
  name: string;
  /** The variable's value; $(VAR) references to earlier variables are expanded. */
  value?: string;
  /** Where to read the value from when value is not given. */
  valueFrom?: EnvVarSource;
}

/** Where an environment variable's value comes from; exactly one source is set. */
export interface EnvVarSource {
  /** A field of the pod, such as metadata.name or status.podIP. */
  fieldRef?: ObjectFieldSelector;
  /** A resource limit or request of a container. */
  resourceFieldRef?: ResourceFieldSelector;
  /** A key of a ConfigMap in the pod's namespace. */
  configMapKeyRef?: ConfigMapKeySelector;
  /** A key of a Secret in the pod's namespace. */
  secretKeyRef?: SecretKeySelector;
}

/** A temporary container added to a running pod, for troubleshooting; it has no resource guarantees and is never restarted. */
export interface EphemeralContainer {
  /** The ephemeral container's name, unique among all containers of the pod. */
  name: string;
  /** The container image reference; may be left empty in templates that something else fills in. */
  image?: string;
  /** The entrypoint, run without a shell; replaces the image's ENTRYPOINT, and $(VAR) references are expanded. */
  command?: string[];
  /** Arguments to the entrypoint; replace the image's CMD, and $(VAR) references are expanded. */
  args?: string[];
  /** The working directory of the container; the image's default when empty. */
  workingDir?: string;
  /** Not allowed for ephemeral containers. */
  ports?: ContainerPort[];
  /** Sources (ConfigMaps, Secrets) whose keys all become environment variables; explicit env entries win on conflict. */
  envFrom?: EnvFromSource[];
  /** Environment variables set in the container. */
  env?: EnvVar[];
  /** Not allowed for ephemeral containers: they use the resources already given to the pod. */
  resources?: ResourceRequirements;
  /** Not allowed for ephemeral containers. */
  resizePolicy?: ContainerResizePolicy[];
  /** Not allowed for ephemeral containers. */
  restartPolicy?: string;
  /** Pod volumes mounted into the container; subPath mounts are not allowed. */
  volumeMounts?: VolumeMount[];
  /** Raw block devices from pod volumes made available in the container. */
  volumeDevices?: VolumeDevice[];
  /** Not allowed for ephemeral containers. */
  livenessProbe?: Probe;
  /** Not allowed for ephemeral containers. */
  readinessProbe?: Probe;
  /** Not allowed for ephemeral containers. */
  startupProbe?: Probe;
  /** Not allowed for ephemeral containers. */
  lifecycle?: Lifecycle;
  /** The file in the container whose contents become the termination message. */
  terminationMessagePath?: string;
  /** Where the termination message comes from: File, or FallbackToLogsOnError to use the log tail when the file is empty. */
  terminationMessagePolicy?: TerminationMessagePolicy;
  /** When the image is pulled: Always, Never or IfNotPresent. */
  imagePullPolicy?: PullPolicy;
  /** Security settings for this container, overriding the pod's. */
  securityContext?: SecurityContext;
  /** Whether the container keeps a stdin buffer open for attaching. */
  stdin?: boolean;
  /** Whether stdin is closed after the first attached client disconnects. */
  stdinOnce?: boolean;
  /** Whether the container is given a terminal; requires stdin. */
  tty?: boolean;
  /** The container whose namespaces (such as its process namespace) this container joins. */
  targetContainerName?: string;
}

/** A volume claim made for the pod from a template, deleted with the pod. */
export interface EphemeralVolumeSource {
  /** The template of the claim; it is named after the pod and the volume. */
  volumeClaimTemplate?: PersistentVolumeClaimTemplate;
}

/** A report of something that happened to an object (core/v1 form). */
export interface Event extends KubeObject {
  /** The object the event is about. */
  involvedObject: ObjectReference;
  /** A short CamelCase reason, such as FailedScheduling. */
  reason?: string;
  /** A human-readable description of what happened. */
  message?: string;
  /** The component that reported the event. */
  source?: EventSource;
  /** When the event was first seen. */
  firstTimestamp?: string;
  /** When the event was last seen. */
  lastTimestamp?: string;
  /** How many times the event has occurred. */
  count?: number;
  /** Normal or Warning. */
  type?: string;
  /** When the event was first observed, with microseconds. */
  eventTime?: string;
  /** Data about a series of events of which this is the latest. */
  series?: EventSeries;
  /** What was done, or failed, such as Binding. */
  action?: string;
  /** A second object involved, if any. */
  related?: ObjectReference;
  /** The controller that reported the event, such as kubernetes.io/kubelet. */
  reportingComponent?: string;
  /** The instance of that controller, such as the node name. */
  reportingInstance?: string;
}

/** A list of events. */
export type EventList = KubeList<Event>;

/** A series of repeated events. */
export interface EventSeries {
  /** How many times the event has occurred in the series. */
  count?: number;
  /** When the last occurrence was observed. */
  lastObservedTime?: string;
}

/** Who reported an event. */
export interface EventSource {
  /** The component that reported it. */
  component?: string;
  /** The node it was reported from. */
  host?: string;
}

/** A command run inside the container. */
export interface ExecAction {
  /** The command and its arguments, run without a shell. */
  command?: string[];
}

/** A Fibre Channel disk. */
export interface FCVolumeSource {
  /** The world wide names of the targets. */
  targetWWNs?: string[];
  /** The logical unit number of the target. */
  lun?: number;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** The world wide identifiers of the volume; an alternative to targetWWNs with lun. */
  wwids?: string[];
}

/** A volume provided by a FlexVolume driver. */
export interface FlexVolumeSource {
  /** The name of the driver. */
  driver: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** A Secret passed to the driver. */
  secretRef?: LocalObjectReference;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** Extra options passed to the driver. */
  options?: Record<string, string>;
}

/** A Flocker dataset. */
export interface FlockerVolumeSource {
  /** The dataset's name. */
  datasetName?: string;
  /** The dataset's UUID. */
  datasetUUID?: string;
}

/** A GCE persistent disk. */
export interface GCEPersistentDiskVolumeSource {
  /** The name of the disk. */
  pdName: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** The partition of the disk to mount; 0 for the whole disk. */
  partition?: number;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** A call to the standard gRPC health checking service. */
export interface GRPCAction {
  /** The port number of the gRPC service. */
  port: number;
  /** The service name sent in the health check request; empty checks the server as a whole. */
  service?: string;
}

/** A git repository cloned into the volume. */
export interface GitRepoVolumeSource {
  /** The repository URL. */
  repository: string;
  /** The commit to check out. */
  revision?: string;
  /** The directory to clone into; '.' clones into the volume root. */
  directory?: string;
}

/** A GlusterFS volume. */
export interface GlusterfsVolumeSource {
  /** The name of the Endpoints object listing the GlusterFS servers. */
  endpoints: string;
  /** The GlusterFS volume path. */
  path: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** An HTTP GET request. */
export interface HTTPGetAction {
  /** The path to request. */
  path?: string;
  /** The port number or named container port to connect to. */
  port: IntOrString;
  /** The host to connect to; the pod IP by default (set a Host header instead for virtual hosts). */
  host?: string;
  /** HTTP (default) or HTTPS. */
  scheme?: URIScheme;
  /** Extra headers sent with the request. */
  httpHeaders?: HTTPHeader[];
}

/** One HTTP header. */
export interface HTTPHeader {
  /** The header name. */
  name: string;
  /** The header value. */
  value: string;
}

/** One hosts-file entry: an IP address and the names that resolve to it. */
export interface HostAlias {
  /** The IP address of the entry. */
  ip: string;
  /** Host names that resolve to the IP address. */
  hostnames?: string[];
}

/** One IP address of the node a pod runs on. */
export interface HostIP {
  /** The IP address. */
  ip: string;
}

/** A path on the node. */
export interface HostPathVolumeSource {
  /** The path on the node; a symbolic link is followed. */
  path: string;
  /** What must (or will be made to) exist at the path; empty skips the check. */
  type?: HostPathType;
}

/** An iSCSI disk. */
export interface ISCSIVolumeSource {
  /** The target portal address, as IP or host, with optional port. */
  targetPortal: string;
  /** The iSCSI qualified name of the target. */
  iqn: string;
  /** The logical unit number of the target. */
  lun: number;
  /** The iSCSI interface name for the transport. */
  iscsiInterface?: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** Extra target portal addresses. */
  portals?: string[];
  /** Whether CHAP authentication is used for discovery. */
  chapAuthDiscovery?: boolean;
  /** Whether CHAP authentication is used for the session. */
  chapAuthSession?: boolean;
  /** The Secret with CHAP credentials. */
  secretRef?: LocalObjectReference;
  /** A custom initiator name to use. */
  initiatorName?: string;
}

/** An OCI image or artifact mounted as a read-only volume. */
export interface ImageVolumeSource {
  /** The image or artifact reference to pull. */
  reference?: string;
  /** When the image is pulled: Always, Never or IfNotPresent. */
  pullPolicy?: PullPolicy;
}

/** Maps one key to a file path within a volume. */
export interface KeyToPath {
  /** The key to project. */
  key: string;
  /** The relative file path to write the key to; may not contain '..'. */
  path: string;
  /** The file's permission bits (0000 to 0777); the volume's default mode when absent. */
  mode?: number;
}

/** Actions the system takes at points in a container's lifecycle. */
export interface Lifecycle {
  /** Runs right after the container is created; the container is restarted if it fails. */
  postStart?: LifecycleHandler;
  /** Runs before the container is stopped by an API request or management event; the grace period counts down meanwhile. */
  preStop?: LifecycleHandler;
  /** The signal sent to stop the container, overriding the image's STOPSIGNAL. */
  stopSignal?: Signal;
}

/** One lifecycle action; exactly one kind of action is set. */
export interface LifecycleHandler {
  /** Run a command in the container. */
  exec?: ExecAction;
  /** Send an HTTP GET request. */
  httpGet?: HTTPGetAction;
  /** Deprecated and not supported as a lifecycle handler; kept for compatibility. */
  tcpSocket?: TCPSocketAction;
  /** Wait for a while. */
  sleep?: SleepAction;
}

/** The Linux identity of a container's first process. */
export interface LinuxContainerUser {
  /** The user ID. */
  uid: number;
  /** The primary group ID. */
  gid: number;
  /** The supplementary group IDs. */
  supplementalGroups?: number[];
}

/** One address of a load balancer. */
export interface LoadBalancerIngress {
  /** An IP address. */
  ip?: string;
  /** A DNS name. */
  hostname?: string;
  /** How traffic reaches the service: VIP (to the IP) or Proxy (through the load balancer). */
  ipMode?: string;
  /** The state of each service port at this address. */
  ports?: PortStatus[];
}

/** The state of a load balancer. */
export interface LoadBalancerStatus {
  /** The addresses at which the load balancer receives traffic. */
  ingress?: LoadBalancerIngress[];
}

/** A reference to an object by name, in the same namespace. */
export interface LocalObjectReference {
  /** The name of the object. */
  name?: string;
}

/** An NFS export. */
export interface NFSVolumeSource {
  /** The NFS server's host name or IP address. */
  server: string;
  /** The path exported by the server. */
  path: string;
  /** Whether the export is mounted read-only. */
  readOnly?: boolean;
}

/** A scope for names: most objects live in one, and policies and quotas apply per namespace. */
export interface Namespace extends KubeObject {
  /** The namespace's finalizers. */
  spec?: NamespaceSpec;
  /** The namespace's phase and conditions. */
  status?: NamespaceStatus;
}

/** One aspect of a namespace's state. */
export interface NamespaceCondition {
  /** The kind of condition, such as NamespaceDeletionContentFailure. */
  type: string;
  /** Whether the condition holds: True, False or Unknown. */
  status: ConditionStatus;
  /** When the condition last changed status. */
  lastTransitionTime?: string;
  /** A short CamelCase reason for the last change. */
  reason?: string;
  /** A human-readable explanation of the last change. */
  message?: string;
}

/** A list of namespaces. */
export type NamespaceList = KubeList<Namespace>;

/** The spec of a namespace. */
export interface NamespaceSpec {
  /** Finalizers that must be removed before the namespace is deleted for good. */
  finalizers?: string[];
}

/** The observed state of a namespace. */
export interface NamespaceStatus {
  /** Active, or Terminating while its contents are being deleted. */
  phase?: NamespacePhase;
  /** The namespace's current conditions, mostly about deleting its contents. */
  conditions?: NamespaceCondition[];
}

/** A worker machine that runs pods. */
export interface Node extends KubeObject {
  /** How the node is configured: pod CIDRs, taints, schedulability. */
  spec?: NodeSpec;
  /** What the node last reported about itself. */
  status?: NodeStatus;
}

/** One address of a node. */
export interface NodeAddress {
  /** The kind of address: Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS. */
  type: string;
  /** The address. */
  address: string;
}

/** Node affinity rules of a pod. */
export interface NodeAffinity {
  /** Nodes the pod can only be scheduled onto; not re-checked once the pod runs. */
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  /** Weighted node preferences that the scheduler tries to satisfy. */
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

/** One aspect of a node's state. */
export interface NodeCondition {
  /** The kind of condition, such as Ready or DiskPressure. */
  type: string;
  /** Whether the condition holds: True, False or Unknown. */
  status: ConditionStatus;
  /** When the condition was last reported. */
  lastHeartbeatTime?: string;
  /** When the condition last changed status. */
  lastTransitionTime?: string;
  /** A short CamelCase reason for the last change. */
  reason?: string;
  /** A human-readable explanation of the last change. */
  message?: string;
}

/** Deprecated: a source of dynamic kubelet configuration. */
export interface NodeConfigSource {
  /** The ConfigMap holding the configuration. */
  configMap?: ConfigMapNodeConfigSource;
}

/** Deprecated: status of dynamic kubelet configuration. */
export interface NodeConfigStatus {
  /** The configuration the node was told to use. */
  assigned?: NodeConfigSource;
  /** The configuration the node is using. */
  active?: NodeConfigSource;
  /** The configuration the node falls back to. */
  lastKnownGood?: NodeConfigSource;
  /** An error applying the configuration. */
  error?: string;
}

/** Endpoints of daemons on a node. */
export interface NodeDaemonEndpoints {
  /** The endpoint the kubelet (node agent) serves on. */
  kubeletEndpoint?: DaemonEndpoint;
}

/** Features of a node's runtime. */
export interface NodeFeatures {
  /** Whether the runtime supports the supplementalGroupsPolicy of pods. */
  supplementalGroupsPolicy?: boolean;
}

/** A list of nodes. */
export type NodeList = KubeList<Node>;

/** A runtime handler of the node's container runtime. */
export interface NodeRuntimeHandler {
  /** The handler's name; empty for the default handler. */
  name?: string;
  /** Features the handler supports. */
  features?: NodeRuntimeHandlerFeatures;
}

/** Features of a runtime handler. */
export interface NodeRuntimeHandlerFeatures {
  /** Whether recursive read-only mounts are supported. */
  recursiveReadOnlyMounts?: boolean;
  /** Whether user namespaces are supported for pods. */
  userNamespaces?: boolean;
}

/** A node selector: a node matches when any of its terms matches. */
export interface NodeSelector {
  /** The terms, combined with OR. */
  nodeSelectorTerms: NodeSelectorTerm[];
}

/** One requirement on a node label or field. */
export interface NodeSelectorRequirement {
  /** The label key or field name. */
  key: string;
  /** How the key relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt. */
  operator: NodeSelectorOperator;
  /** The values to compare with; empty for Exists and DoesNotExist, a single integer for Gt and Lt. */
  values?: string[];
}

/** Requirements on a node's labels and fields, combined with AND; an empty term matches nothing. */
export interface NodeSelectorTerm {
  /** Requirements on node labels. */
  matchExpressions?: NodeSelectorRequirement[];
  /** Requirements on node fields. */
  matchFields?: NodeSelectorRequirement[];
}

/** The configuration of a node. */
export interface NodeSpec {
  /** The pod IP range assigned to the node. */
  podCIDR?: string;
  /** The pod IP ranges assigned to the node, at most one per address family, the first equal to podCIDR. */
  podCIDRs?: string[];
  /** The node's ID at its cloud provider. */
  providerID?: string;
  /** Whether new pods are kept off the node (cordoned). */
  unschedulable?: boolean;
  /** Taints that repel pods which do not tolerate them. */
  taints?: Taint[];
  /** Deprecated; no longer used. */
  configSource?: NodeConfigSource;
  /** Deprecated; not used by anything. */
  externalID?: string;
}

/** The observed state of a node. */
export interface NodeStatus {
  /** The total resources of the node. */
  capacity?: ResourceList;
  /** The resources of the node available to pods; defaults to capacity. */
  allocatable?: ResourceList;
  /** Deprecated: the node's lifecycle phase. */
  phase?: NodePhase;
  /** The node's current conditions, such as Ready and MemoryPressure. */
  conditions?: NodeCondition[];
  /** The node's addresses, such as its internal IP and host name. */
  addresses?: NodeAddress[];
  /** Endpoints of daemons running on the node. */
  daemonEndpoints?: NodeDaemonEndpoints;
  /** Identity and version information about the node. */
  nodeInfo?: NodeSystemInfo;
  /** Container images present on the node. */
  images?: ContainerImage[];
  /** Volumes attached and mounted on the node. */
  volumesInUse?: string[];
  /** Volumes attached to the node. */
  volumesAttached?: AttachedVolume[];
  /** Deprecated: status of dynamic kubelet configuration. */
  config?: NodeConfigStatus;
  /** The container runtime handlers available on the node. */
  runtimeHandlers?: NodeRuntimeHandler[];
  /** Features the node's runtime supports. */
  features?: NodeFeatures;
}

/** Swap memory of a node. */
export interface NodeSwapStatus {
  /** The total swap memory in bytes. */
  capacity?: number;
}

/** Identity and versions of a node and its software. */
export interface NodeSystemInfo {
  /** The machine ID of the node. */
  machineID: string;
  /** The system UUID of the node. */
  systemUUID: string;
  /** The ID of the current boot of the node. */
  bootID: string;
  /** The kernel version. */
  kernelVersion: string;
  /** The operating system image, such as Debian GNU/Linux 12. */
  osImage: string;
  /** The container runtime and its version, such as containerd://1.7. */
  containerRuntimeVersion: string;
  /** The node agent's version. */
  kubeletVersion: string;
  /** Deprecated: the kube-proxy version, which is not reliably known. */
  kubeProxyVersion: string;
  /** The operating system, such as linux. */
  operatingSystem: string;
  /** The CPU architecture, such as amd64 or arm64. */
  architecture: string;
  /** Swap memory on the node. */
  swap?: NodeSwapStatus;
}

/** Selects a field of the pod by path. */
export interface ObjectFieldSelector {
  /** The API version the field path is written against; v1 by default. */
  apiVersion?: string;
  /** The path of the field to read, such as metadata.labels['app']. */
  fieldPath: string;
}

/** A reference to any object, with enough to find it. */
export interface ObjectReference {
  /** The kind of the object. */
  kind?: string;
  /** The namespace of the object. */
  namespace?: string;
  /** The name of the object. */
  name?: string;
  /** The UID of the object. */
  uid?: string;
  /** The API version of the object. */
  apiVersion?: string;
  /** The resource version of the object this reference was made to. */
  resourceVersion?: string;
  /** A path to a part of the object, such as one container: spec.containers{name}. */
  fieldPath?: string;
}

/** What storage a claim asks for. */
export interface PersistentVolumeClaimSpec {
  /** How the volume may be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod. */
  accessModes?: PersistentVolumeAccessMode[];
  /** Limits which existing volumes may be bound, by label. */
  selector?: LabelSelector;
  /** The storage the claim needs. */
  resources?: VolumeResourceRequirements;
  /** A specific PersistentVolume to bind. */
  volumeName?: string;
  /** The StorageClass to provision from; empty string means no class. */
  storageClassName?: string;
  /** Filesystem (default) or Block. */
  volumeMode?: PersistentVolumeMode;
  /** An existing object (snapshot or claim) to pre-populate the volume from. */
  dataSource?: TypedLocalObjectReference;
  /** An object, possibly in another namespace or of a custom kind, to pre-populate the volume from. */
  dataSourceRef?: TypedObjectReference;
  /** The VolumeAttributesClass that sets the volume's mutable attributes. */
  volumeAttributesClassName?: string;
}

/** The template of a PersistentVolumeClaim created for an ephemeral volume. */
export interface PersistentVolumeClaimTemplate {
  /** Labels and annotations copied to the created claim. */
  metadata?: ObjectMeta;
  /** The spec copied to the created claim. */
  spec: PersistentVolumeClaimSpec;
}

/** A reference to a PersistentVolumeClaim in the pod's namespace. */
export interface PersistentVolumeClaimVolumeSource {
  /** The claim's name. */
  claimName: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** A Photon Controller persistent disk. */
export interface PhotonPersistentDiskVolumeSource {
  /** The disk's ID. */
  pdID: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
}

/** A group of containers scheduled together onto one node, sharing its network identity and volumes. */
export interface Pod extends KubeObject {
  /** What the pod should run: its containers, volumes and scheduling constraints. */
  spec?: PodSpec;
  /** What the node and the control plane last observed about the pod; may lag behind reality. */
  status?: PodStatus;
}

/** Rules for placing a pod in the same topology domain as other pods. */
export interface PodAffinity {
  /** Terms that must all be satisfied at scheduling time; not re-checked once the pod runs. */
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  /** Weighted terms the scheduler tries to satisfy. */
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** A set of pods and the topology key that defines being near them. */
export interface PodAffinityTerm {
  /** Selects the pods this term is about. */
  labelSelector?: LabelSelector;
  /** Namespaces to look for the pods in; the pod's own namespace when this and namespaceSelector are empty. */
  namespaces?: string[];
  /** The node label whose equal values make two nodes count as the same domain. */
  topologyKey: string;
  /** Selects further namespaces to look for the pods in; an empty selector means all. */
  namespaceSelector?: LabelSelector;
  /** Label keys whose values, taken from the incoming pod, are required to match as well. */
  matchLabelKeys?: string[];
  /** Label keys whose values, taken from the incoming pod, are required not to match. */
  mismatchLabelKeys?: string[];
}

/** Rules for keeping a pod out of the topology domains of other pods. */
export interface PodAntiAffinity {
  /** Terms that must all be satisfied at scheduling time; not re-checked once the pod runs. */
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  /** Weighted terms the scheduler tries to satisfy. */
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

/** One aspect of a pod's state. */
export interface PodCondition {
  /** The kind of condition, such as Ready or PodScheduled. */
  type: string;
  /** The pod generation this condition was set for. */
  observedGeneration?: number;
  /** Whether the condition holds: True, False or Unknown. */
  status: ConditionStatus;
  /** When the condition was last checked. */
  lastProbeTime?: string;
  /** When the condition last changed status. */
  lastTransitionTime?: string;
  /** A short CamelCase reason for the last change. */
  reason?: string;
  /** A human-readable explanation of the last change. */
  message?: string;
}

/** Extra DNS resolver settings for a pod. */
export interface PodDNSConfig {
  /** DNS server addresses added to the resolver configuration. */
  nameservers?: string[];
  /** Search domains added to the resolver configuration. */
  searches?: string[];
  /** Resolver options added to the configuration, replacing same-named options from the DNS policy. */
  options?: PodDNSConfigOption[];
}

/** One DNS resolver option. */
export interface PodDNSConfigOption {
  /** The option's name. */
  name?: string;
  /** The option's value, if it takes one. */
  value?: string;
}

/** One IP address allocated to a pod. */
export interface PodIP {
  /** The IP address. */
  ip: string;
}

/** A list of pods. */
export type PodList = KubeList<Pod>;

/** The operating system a pod needs. */
export interface PodOS {
  /** The operating system name, such as linux or windows. */
  name: string;
}

/** A pod condition that must be true for the pod to be ready. */
export interface PodReadinessGate {
  /** The type of the pod condition to wait for. */
  conditionType: string;
}

/** A named reference from a pod to a ResourceClaim or ResourceClaimTemplate. */
export interface PodResourceClaim {
  /** The name by which containers refer to this claim; unique within the pod. */
  name: string;
  /** An existing ResourceClaim in the pod's namespace to use. */
  resourceClaimName?: string;
  /** A ResourceClaimTemplate from which a claim is created for this pod. */
  resourceClaimTemplateName?: string;
}

/** The ResourceClaim generated for one of a pod's resource claims. */
export interface PodResourceClaimStatus {
  /** The name of the entry in the pod's resourceClaims. */
  name: string;
  /** The name of the generated ResourceClaim, absent when none was needed. */
  resourceClaimName?: string;
}

/** A named gate that keeps a pod from being scheduled while it is present. */
export interface PodSchedulingGate {
  /** The gate's name, unique within the pod. */
  name: string;
}

/** Security settings that apply to every container of a pod. */
export interface PodSecurityContext {
  /** The SELinux context for all containers. */
  seLinuxOptions?: SELinuxOptions;
  /** Windows-specific settings for all containers. */
  windowsOptions?: WindowsSecurityContextOptions;
  /** The user ID the containers' entrypoints run as. */
  runAsUser?: number;
  /** The primary group ID the containers' entrypoints run as. */
  runAsGroup?: number;
  /** Whether the containers must run as a non-root user. */
  runAsNonRoot?: boolean;
  /** Extra group IDs given to the first process of each container. */
  supplementalGroups?: number[];
  /** How supplemental groups are computed: Merge (with the image's groups) or Strict. */
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  /** A group ID that owns supported volumes and is added to every container's groups. */
  fsGroup?: number;
  /** Namespaced kernel parameters set for the pod. */
  sysctls?: Sysctl[];
  /** When volume ownership is changed to fsGroup: Always or OnRootMismatch. */
  fsGroupChangePolicy?: PodFSGroupChangePolicy;
  /** The seccomp profile for all containers. */
  seccompProfile?: SeccompProfile;
  /** The AppArmor profile for all containers. */
  appArmorProfile?: AppArmorProfile;
  /** How SELinux labels are applied to volumes: Recursive or MountOption. */
  seLinuxChangePolicy?: string;
}

/** The desired state of a pod. */
export interface PodSpec {
  /** Volumes the pod's containers can mount. */
  volumes?: Volume[];
  /** Containers that run one after another, each to completion, before the regular containers start; restartable ones act as sidecars. */
  initContainers?: Container[];
  /** The containers of the pod; at least one is required and none can be added or removed after creation. */
  containers: Container[];
  /** Temporary containers added to a running pod for debugging, through the ephemeralcontainers subresource. */
  ephemeralContainers?: EphemeralContainer[];
  /** Whether containers are restarted when they exit: Always (default), OnFailure or Never. */
  restartPolicy?: RestartPolicy;
  /** Seconds between the stop signal and a forced kill when the pod is deleted; 0 kills at once. */
  terminationGracePeriodSeconds?: number;
  /** Seconds after the pod started at which the system marks it failed and kills its containers. */
  activeDeadlineSeconds?: number;
  /** How the pod's DNS resolver is configured: ClusterFirst (default), ClusterFirstWithHostNet, Default or None. */
  dnsPolicy?: DNSPolicy;
  /** Labels a node must carry for the pod to be scheduled onto it. */
  nodeSelector?: Record<string, string>;
  /** The service account whose identity the pod runs with. */
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName. */
  serviceAccount?: string;
  /** Whether a service account token is mounted into the pod's containers automatically. */
  automountServiceAccountToken?: boolean;
  /** The node the pod is bound to; set by the scheduler, or by the user to bypass scheduling. */
  nodeName?: string;
  /** Whether the pod uses the node's network namespace instead of its own. */
  hostNetwork?: boolean;
  /** Whether the pod shares the node's process ID namespace. */
  hostPID?: boolean;
  /** Whether the pod shares the node's IPC namespace. */
  hostIPC?: boolean;
  /** Whether all containers of the pod share one process namespace, so they can see and signal each other's processes. */
  shareProcessNamespace?: boolean;
  /** Security settings for the whole pod; container-level settings override them. */
  securityContext?: PodSecurityContext;
  /** Secrets in the pod's namespace holding registry credentials for pulling its images. */
  imagePullSecrets?: LocalObjectReference[];
  /** The pod's host name; defaults to the pod's name. */
  hostname?: string;
  /** Subdomain that, with hostname, gives the pod a fully qualified DNS name under a headless service. */
  subdomain?: string;
  /** Node affinity, pod affinity and pod anti-affinity rules for scheduling. */
  affinity?: Affinity;
  /** The scheduler that places the pod; the default scheduler when empty. */
  schedulerName?: string;
  /** Taints the pod tolerates, allowing it onto (or keeping it on) tainted nodes. */
  tolerations?: Toleration[];
  /** Extra entries written into the pod's hosts file. */
  hostAliases?: HostAlias[];
  /** The priority class that gives the pod its scheduling priority. */
  priorityClassName?: string;
  /** The pod's priority, filled in from priorityClassName by admission; higher is more important. */
  priority?: number;
  /** Extra DNS settings merged into the resolver configuration that dnsPolicy produces. */
  dnsConfig?: PodDNSConfig;
  /** Extra conditions that must be true before the pod counts as ready. */
  readinessGates?: PodReadinessGate[];
  /** The RuntimeClass that selects the container runtime configuration for the pod. */
  runtimeClassName?: string;
  /** Whether environment variables describing services in the namespace are injected into the containers. */
  enableServiceLinks?: boolean;
  /** Whether this pod may preempt lower-priority pods: PreemptLowerPriority (default) or Never. */
  preemptionPolicy?: PreemptionPolicy;
  /** Resources the pod's sandbox consumes beyond its containers, set from the RuntimeClass by admission. */
  overhead?: ResourceList;
  /** Rules for spreading matching pods evenly across topology domains such as zones or nodes. */
  topologySpreadConstraints?: TopologySpreadConstraint[];
  /** Whether the pod's host name is set to its fully qualified domain name rather than its short name. */
  setHostnameAsFQDN?: boolean;
  /** The operating system the pod's containers need; drives validation of OS-specific fields. */
  os?: PodOS;
  /** Whether the pod uses the host's user namespace; false gives it a user namespace of its own. */
  hostUsers?: boolean;
  /** Gates that hold the pod back from scheduling until every one of them is removed. */
  schedulingGates?: PodSchedulingGate[];
  /** Dynamically allocated resources (DRA claims) the pod needs, by name. */
  resourceClaims?: PodResourceClaim[];
  /** Resource requests and limits for the whole pod, shared by its containers. */
  resources?: ResourceRequirements;
}

/** The most recently observed state of a pod. */
export interface PodStatus {
  /** The pod generation that this status reflects. */
  observedGeneration?: number;
  /** A summary of where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown. */
  phase?: PodPhase;
  /** The pod's current conditions, such as PodScheduled and Ready. */
  conditions?: PodCondition[];
  /** A human-readable explanation of the pod's current state. */
  message?: string;
  /** A short CamelCase reason for the pod's current state, e.g. Evicted. */
  reason?: string;
  /** The node on which this pod is expected to run once preemption victims are gone. */
  nominatedNodeName?: string;
  /** The primary IP address of the node the pod runs on. */
  hostIP?: string;
  /** The IP addresses of the node the pod runs on, primary first. */
  hostIPs?: HostIP[];
  /** The primary IP address allocated to the pod. */
  podIP?: string;
  /** The IP addresses allocated to the pod, primary first, at most one per address family. */
  podIPs?: PodIP[];
  /** When the node acknowledged the pod, before any image was pulled. */
  startTime?: string;
  /** The status of each init container. */
  initContainerStatuses?: ContainerStatus[];
  /** The status of each regular container. */
  containerStatuses?: ContainerStatus[];
  /** The quality-of-service class derived from the containers' requests and limits. */
  qosClass?: PodQOSClass;
  /** The status of each ephemeral container. */
  ephemeralContainerStatuses?: ContainerStatus[];
  /** Progress of an in-place resize of the pod's container resources (deprecated). */
  resize?: string;
  /** The names of the ResourceClaims generated for the pod's resource claims. */
  resourceClaimStatuses?: PodResourceClaimStatus[];
}

/** A stored pod template that other objects can refer to. */
export interface PodTemplate extends KubeObject {
  /** The template for pods created from this object. */
  template?: PodTemplateSpec;
}

/** A list of pod templates. */
export type PodTemplateList = KubeList<PodTemplate>;

/** The pod that a controller creates from a template: its metadata and spec. */
export interface PodTemplateSpec {
  /** Metadata (labels, annotations) that created pods receive. */
  metadata?: ObjectMeta;
  /** The spec that created pods receive. */
  spec?: PodSpec;
}

/** The state of one service port at a load balancer. */
export interface PortStatus {
  /** The port number. */
  port: number;
  /** The port's protocol: TCP, UDP or SCTP. */
  protocol: Protocol;
  /** A CamelCase problem with the port, if there is one. */
  error?: string;
}

/** A Portworx volume. */
export interface PortworxVolumeSource {
  /** The Portworx volume ID. */
  volumeID: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** A weighted node preference. */
export interface PreferredSchedulingTerm {
  /** The weight added to a matching node's score, 1 to 100. */
  weight: number;
  /** The node requirements of this preference. */
  preference: NodeSelectorTerm;
}

/** A check the kubelet runs against a container to learn whether it is alive, ready or started. */
export interface Probe {
  /** Run a command in the container; exit status 0 is success. */
  exec?: ExecAction;
  /** Send an HTTP GET; a status from 200 to 399 is success. */
  httpGet?: HTTPGetAction;
  /** Open a TCP connection; connecting is success. */
  tcpSocket?: TCPSocketAction;
  /** Call the gRPC health checking service. */
  grpc?: GRPCAction;
  /** Seconds after the container starts before the first probe. */
  initialDelaySeconds?: number;
  /** Seconds after which a probe attempt times out; 1 by default. */
  timeoutSeconds?: number;
  /** Seconds between probes; 10 by default. */
  periodSeconds?: number;
  /** Consecutive successes needed after a failure to count as successful again; must be 1 for liveness and startup. */
  successThreshold?: number;
  /** Consecutive failures needed to count as failed; 3 by default. */
  failureThreshold?: number;
  /** Grace period for stopping the container when this probe fails, overriding the pod's. */
  terminationGracePeriodSeconds?: number;
}

/** Several volume sources combined into one directory. */
export interface ProjectedVolumeSource {
  /** The sources to combine. */
  sources?: VolumeProjection[];
  /** Permission bits of the created files (0000 to 0777), unless a source sets its own. */
  defaultMode?: number;
}

/** A Quobyte volume. */
export interface QuobyteVolumeSource {
  /** The Quobyte registry addresses, as host:port, comma-separated. */
  registry: string;
  /** The name of an existing Quobyte volume. */
  volume: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** The user to map volume access to. */
  user?: string;
  /** The group to map volume access to. */
  group?: string;
  /** The tenant owning the volume, for dynamically provisioned volumes. */
  tenant?: string;
}

/** A Ceph RBD image. */
export interface RBDVolumeSource {
  /** The Ceph monitor addresses. */
  monitors: string[];
  /** The RADOS image name. */
  image: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** The RADOS pool name. */
  pool?: string;
  /** The RADOS user name. */
  user?: string;
  /** The path to the key ring for the user. */
  keyring?: string;
  /** A Secret with the user's key, instead of keyring. */
  secretRef?: LocalObjectReference;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** A reference to one of the pod's resource claims. */
export interface ResourceClaim {
  /** The name of an entry in the pod's resourceClaims. */
  name: string;
  /** A single request within that claim; the whole claim when empty. */
  request?: string;
}

/** Selects a resource limit or request of a container, scaled by a divisor. */
export interface ResourceFieldSelector {
  /** The container to read; required for volumes, optional for environment variables. */
  containerName?: string;
  /** The resource to read, such as limits.cpu or requests.memory. */
  resource: string;
  /** The unit the value is expressed in; 1 by default. */
  divisor?: Quantity;
}

/** Health of one allocated device. */
export interface ResourceHealth {
  /** The ID of the device. */
  resourceID: string;
  /** Healthy, Unhealthy or Unknown. */
  health?: string;
}

/** Compute resources a container (or pod) requests and is limited to. */
export interface ResourceRequirements {
  /** The most of each resource that may be used. */
  limits?: ResourceList;
  /** The amount of each resource that is reserved; defaults to the limit when only the limit is set. */
  requests?: ResourceList;
  /** Which of the pod's resource claims this container uses. */
  claims?: ResourceClaim[];
}

/** Health of the devices behind one resource of a container. */
export interface ResourceStatus {
  /** The resource name, as in the container's requests (or claim:<name>/<request> for claims). */
  name: string;
  /** The health of each device allocated for the resource. */
  resources?: ResourceHealth[];
}

/** An SELinux context. */
export interface SELinuxOptions {
  /** The SELinux user. */
  user?: string;
  /** The SELinux role. */
  role?: string;
  /** The SELinux type. */
  type?: string;
  /** The SELinux level. */
  level?: string;
}

/** A ScaleIO volume. */
export interface ScaleIOVolumeSource {
  /** The ScaleIO API gateway address. */
  gateway: string;
  /** The name of the ScaleIO storage system. */
  system: string;
  /** A Secret with the ScaleIO user's credentials. */
  secretRef: LocalObjectReference;
  /** Whether the gateway is reached over SSL. */
  sslEnabled?: boolean;
  /** The ScaleIO protection domain of the storage. */
  protectionDomain?: string;
  /** The ScaleIO storage pool. */
  storagePool?: string;
  /** ThickProvisioned or ThinProvisioned (default). */
  storageMode?: string;
  /** The name of an existing ScaleIO volume. */
  volumeName?: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
}

/** A seccomp profile. */
export interface SeccompProfile {
  /** Which profile: RuntimeDefault, Unconfined or Localhost. */
  type: SeccompProfileType;
  /** The profile file on the node, relative to the kubelet's seccomp directory; only for type Localhost. */
  localhostProfile?: string;
}

/** Confidential data such as passwords, keys and tokens, kept apart from the pods that use it. */
export interface Secret extends KubeObject {
  /** Whether the data can no longer change; once true, it cannot be unset. */
  immutable?: boolean;
  /** The secret entries, each base64-encoded in JSON. */
  data?: Record<string, string>;
  /** Write-only plain-text entries, merged into data on write; wins over data for the same key. */
  stringData?: Record<string, string>;
  /** What the secret holds and which keys it must have, such as Opaque or kubernetes.io/tls. */
  type?: string;
}

/** A Secret whose keys become environment variables. */
export interface SecretEnvSource {
  /** The Secret's name. */
  name?: string;
  /** Whether the container may start when the Secret does not exist. */
  optional?: boolean;
}

/** Selects one key of a Secret. */
export interface SecretKeySelector {
  /** The Secret's name. */
  name?: string;
  /** The key to read. */
  key: string;
  /** Whether the Secret or key may be missing. */
  optional?: boolean;
}

/** A list of Secrets. */
export type SecretList = KubeList<Secret>;

/** A Secret projected into a volume. */
export interface SecretProjection {
  /** The Secret's name. */
  name?: string;
  /** The keys to project and their paths; every key, at its own name, when absent. */
  items?: KeyToPath[];
  /** Whether the pod may start when the Secret or a listed key is missing. */
  optional?: boolean;
}

/** A Secret whose keys become files. */
export interface SecretVolumeSource {
  /** The Secret's name, in the pod's namespace. */
  secretName?: string;
  /** The keys to project and their paths; every key, at its own name, when absent. */
  items?: KeyToPath[];
  /** Permission bits of the created files (0000 to 0777); 0644 by default. */
  defaultMode?: number;
  /** Whether the pod may start when the Secret or a listed key is missing. */
  optional?: boolean;
}

/** Security settings of one container. */
export interface SecurityContext {
  /** Linux capabilities to add to or drop from the container runtime's default set. */
  capabilities?: Capabilities;
  /** Whether the container runs privileged, nearly as root on the host. */
  privileged?: boolean;
  /** The SELinux context of the container. */
  seLinuxOptions?: SELinuxOptions;
  /** Windows-specific settings of the container. */
  windowsOptions?: WindowsSecurityContextOptions;
  /** The user ID the container's entrypoint runs as. */
  runAsUser?: number;
  /** The primary group ID the container's entrypoint runs as. */
  runAsGroup?: number;
  /** Whether the container must run as a non-root user; the kubelet refuses to start it otherwise. */
  runAsNonRoot?: boolean;
  /** Whether the container's root filesystem is read-only. */
  readOnlyRootFilesystem?: boolean;
  /** Whether a process may gain more privileges than its parent (no_new_privs unset). */
  allowPrivilegeEscalation?: boolean;
  /** How /proc is mounted: Default (masked paths) or Unmasked. */
  procMount?: ProcMountType;
  /** The seccomp profile of the container. */
  seccompProfile?: SeccompProfile;
  /** The AppArmor profile of the container. */
  appArmorProfile?: AppArmorProfile;
}

/** A stable virtual address and DNS name for a set of pods, with load balancing among them. */
export interface Service extends KubeObject {
  /** The ports, selector and type of the service. */
  spec?: ServiceSpec;
  /** The observed state of the service, such as its load balancer. */
  status?: ServiceStatus;
}

/** An identity for processes running in pods. */
export interface ServiceAccount extends KubeObject {
  /** Secrets this service account's pods may use; the legacy home of token secrets. */
  secrets?: ObjectReference[];
  /** Registry credentials added to every pod that runs as this service account. */
  imagePullSecrets?: LocalObjectReference[];
  /** Whether pods of this service account get a token mounted by default; a pod's own setting wins. */
  automountServiceAccountToken?: boolean;
}

/** A list of service accounts. */
export type ServiceAccountList = KubeList<ServiceAccount>;

/** A token for the pod's service account, refreshed by the kubelet before it expires. */
export interface ServiceAccountTokenProjection {
  /** The audience the token is for; the API server's own when empty. */
  audience?: string;
  /** How long the token is valid, at least 600 seconds; one hour by default. */
  expirationSeconds?: number;
  /** The relative file path the token is written to. */
  path: string;
}

/** A list of services. */
export type ServiceList = KubeList<Service>;

/** One port of a service. */
export interface ServicePort {
  /** The port's name; required when the service has several ports. */
  name?: string;
  /** The port's protocol: TCP (default), UDP or SCTP. */
  protocol?: Protocol;
  /** The application protocol, such as http or a prefixed custom name. */
  appProtocol?: string;
  /** The port the service listens on. */
  port: number;
  /** The pod port, by number or by container port name, that traffic goes to; defaults to port. */
  targetPort?: IntOrString;
  /** The port on every node that forwards to this port, for NodePort and LoadBalancer services. */
  nodePort?: number;
}

/** The desired state of a service. */
export interface ServiceSpec {
  /** The ports the service exposes. */
  ports?: ServicePort[];
  /** Labels of the pods that receive the service's traffic; no endpoints are managed when empty. */
  selector?: Record<string, string>;
  /** The virtual IP address of the service; usually allocated, None for a headless service. */
  clusterIP?: string;
  /** The virtual IP addresses of the service, at most one per family, the first equal to clusterIP. */
  clusterIPs?: string[];
  /** How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName. */
  type?: ServiceType;
  /** Extra IP addresses, not managed by the cluster, on which nodes accept the service's traffic. */
  externalIPs?: string[];
  /** ClientIP to keep sending a client to the same pod, or None (default). */
  sessionAffinity?: ServiceAffinity;
  /** Deprecated: an IP address requested from the load balancer. */
  loadBalancerIP?: string;
  /** Client address ranges the load balancer lets in. */
  loadBalancerSourceRanges?: string[];
  /** The DNS name that an ExternalName service aliases. */
  externalName?: string;
  /** Whether external traffic goes to any endpoint (Cluster) or only to endpoints on the receiving node (Local). */
  externalTrafficPolicy?: ServiceExternalTrafficPolicy;
  /** The node port on which a load balancer checks for local endpoints, with externalTrafficPolicy Local. */
  healthCheckNodePort?: number;
  /** Whether endpoints of pods that are not ready are published too. */
  publishNotReadyAddresses?: boolean;
  /** Settings of session affinity. */
  sessionAffinityConfig?: SessionAffinityConfig;
  /** The IP families (IPv4, IPv6) of the service's cluster IPs, in order. */
  ipFamilies?: IPFamily[];
  /** SingleStack, PreferDualStack or RequireDualStack. */
  ipFamilyPolicy?: IPFamilyPolicy;
  /** Whether node ports are allocated for a LoadBalancer service; true by default. */
  allocateLoadBalancerNodePorts?: boolean;
  /** The load balancer implementation that should serve this service. */
  loadBalancerClass?: string;
  /** Whether in-cluster traffic goes to any endpoint (Cluster) or only to endpoints on the sending node (Local). */
  internalTrafficPolicy?: ServiceInternalTrafficPolicy;
  /** A preference for how traffic is spread over endpoints, such as PreferClose. */
  trafficDistribution?: string;
}

/** The observed state of a service. */
export interface ServiceStatus {
  /** The load balancer serving the service, if any. */
  loadBalancer?: LoadBalancerStatus;
  /** The service's current conditions. */
  conditions?: Condition[];
}

/** Settings of session affinity. */
export interface SessionAffinityConfig {
  /** Settings of client-IP affinity. */
  clientIP?: ClientIPConfig;
}

/** A pause. */
export interface SleepAction {
  /** How many seconds to wait. */
  seconds: number;
}

/** A StorageOS volume. */
export interface StorageOSVolumeSource {
  /** The volume's name within its namespace. */
  volumeName?: string;
  /** The StorageOS namespace; the pod's namespace by default. */
  volumeNamespace?: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** Whether the volume is mounted read-only. */
  readOnly?: boolean;
  /** A Secret with StorageOS API credentials. */
  secretRef?: LocalObjectReference;
}

/** One kernel parameter. */
export interface Sysctl {
  /** The parameter's name. */
  name: string;
  /** The parameter's value. */
  value: string;
}

/** A TCP connection attempt. */
export interface TCPSocketAction {
  /** The port number or named container port to connect to. */
  port: IntOrString;
  /** The host to connect to; the pod IP by default. */
  host?: string;
}

/** Repels pods that do not tolerate it from a node. */
export interface Taint {
  /** The taint key. */
  key: string;
  /** The taint value. */
  value?: string;
  /** What happens to pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute. */
  effect: TaintEffect;
  /** When a NoExecute taint was added. */
  timeAdded?: string;
}

/** Lets a pod tolerate a taint that matches it by key, value and effect. */
export interface Toleration {
  /** The taint key this toleration matches; empty with operator Exists matches every taint. */
  key?: string;
  /** How key and value are compared: Equal (default) or Exists. */
  operator?: TolerationOperator;
  /** The taint value to match; must be empty when the operator is Exists. */
  value?: string;
  /** The taint effect to match; empty matches every effect. */
  effect?: TaintEffect;
  /** How long a NoExecute taint is tolerated before the pod is evicted; absent means forever. */
  tolerationSeconds?: number;
}

/** How matching pods should be spread over the domains of one topology key. */
export interface TopologySpreadConstraint {
  /** The largest allowed difference in matching pods between any two eligible domains. */
  maxSkew: number;
  /** The node label whose values define the topology domains. */
  topologyKey: string;
  /** What to do when the constraint cannot be met: DoNotSchedule or ScheduleAnyway. */
  whenUnsatisfiable: UnsatisfiableConstraintAction;
  /** Selects the pods that are counted in each domain. */
  labelSelector?: LabelSelector;
  /** The minimum number of eligible domains assumed when computing the skew. */
  minDomains?: number;
  /** Whether the pod's node affinity and node selector limit which nodes count: Honor or Ignore. */
  nodeAffinityPolicy?: NodeInclusionPolicy;
  /** Whether node taints limit which nodes count: Honor or Ignore. */
  nodeTaintsPolicy?: NodeInclusionPolicy;
  /** Label keys whose values, taken from the incoming pod, are added to the label selector. */
  matchLabelKeys?: string[];
}

/** A reference to an object of a given kind in the same namespace. */
export interface TypedLocalObjectReference {
  /** The API group of the object; empty for the core group. */
  apiGroup?: string;
  /** The kind of the object. */
  kind: string;
  /** The name of the object. */
  name: string;
}

/** A reference to an object of a given kind, possibly in another namespace. */
export interface TypedObjectReference {
  /** The API group of the object; empty for the core group. */
  apiGroup?: string;
  /** The kind of the object. */
  kind: string;
  /** The name of the object. */
  name: string;
  /** The namespace of the object; the referrer's namespace when empty. */
  namespace?: string;
}

/** A named volume of a pod that its containers can mount; exactly one source is set. */
export interface Volume {
  /** The volume's name, unique within the pod; volume mounts refer to it. */
  name: string;
  /** A file or directory of the node, mounted into the pod; for system agents, not ordinary workloads. */
  hostPath?: HostPathVolumeSource;
  /** An empty directory that lives as long as the pod does. */
  emptyDir?: EmptyDirVolumeSource;
  /** Deprecated: a GCE persistent disk (use the CSI driver instead). */
  gcePersistentDisk?: GCEPersistentDiskVolumeSource;
  /** Deprecated: an AWS EBS volume (use the CSI driver instead). */
  awsElasticBlockStore?: AWSElasticBlockStoreVolumeSource;
  /** Deprecated: a git repository cloned into an empty directory (clone it in an init container instead). */
  gitRepo?: GitRepoVolumeSource;
  /** The keys of a Secret as files. */
  secret?: SecretVolumeSource;
  /** An NFS export mounted into the pod. */
  nfs?: NFSVolumeSource;
  /** An iSCSI disk attached to the node and mounted into the pod. */
  iscsi?: ISCSIVolumeSource;
  /** Deprecated: a GlusterFS volume. */
  glusterfs?: GlusterfsVolumeSource;
  /** The volume bound to a PersistentVolumeClaim in the pod's namespace. */
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
  /** Deprecated: a Ceph RBD image. */
  rbd?: RBDVolumeSource;
  /** Deprecated: a volume provided by a FlexVolume driver. */
  flexVolume?: FlexVolumeSource;
  /** Deprecated: an OpenStack Cinder volume (use the CSI driver instead). */
  cinder?: CinderVolumeSource;
  /** Deprecated: a CephFS mount. */
  cephfs?: CephFSVolumeSource;
  /** Deprecated: a Flocker dataset. */
  flocker?: FlockerVolumeSource;
  /** Fields of the pod and container resources written as files. */
  downwardAPI?: DownwardAPIVolumeSource;
  /** A Fibre Channel disk attached to the node and mounted into the pod. */
  fc?: FCVolumeSource;
  /** Deprecated: an Azure File share (use the CSI driver instead). */
  azureFile?: AzureFileVolumeSource;
  /** The keys of a ConfigMap as files. */
  configMap?: ConfigMapVolumeSource;
  /** Deprecated: a vSphere disk (use the CSI driver instead). */
  vsphereVolume?: VsphereVirtualDiskVolumeSource;
  /** Deprecated: a Quobyte volume. */
  quobyte?: QuobyteVolumeSource;
  /** Deprecated: an Azure data disk (use the CSI driver instead). */
  azureDisk?: AzureDiskVolumeSource;
  /** Deprecated: a Photon Controller persistent disk. */
  photonPersistentDisk?: PhotonPersistentDiskVolumeSource;
  /** Several sources (Secrets, ConfigMaps, downward API, tokens) combined in one directory. */
  projected?: ProjectedVolumeSource;
  /** Deprecated: a Portworx volume (use the CSI driver instead). */
  portworxVolume?: PortworxVolumeSource;
  /** Deprecated: a ScaleIO volume. */
  scaleIO?: ScaleIOVolumeSource;
  /** Deprecated: a StorageOS volume. */
  storageos?: StorageOSVolumeSource;
  /** An ephemeral volume provided inline by a CSI driver. */
  csi?: CSIVolumeSource;
  /** A volume claim created with the pod and deleted with it, from a template. */
  ephemeral?: EphemeralVolumeSource;
  /** The contents of an OCI image or artifact, mounted read-only. */
  image?: ImageVolumeSource;
}

/** A raw block volume made available inside a container. */
export interface VolumeDevice {
  /** The name of the pod's persistentVolumeClaim volume. */
  name: string;
  /** The device path inside the container. */
  devicePath: string;
}

/** A pod volume mounted into a container. */
export interface VolumeMount {
  /** The name of the pod volume to mount. */
  name: string;
  /** Whether the mount is read-only. */
  readOnly?: boolean;
  /** Whether a read-only mount is also made read-only for its submounts: Disabled, IfPossible or Enabled. */
  recursiveReadOnly?: string;
  /** The path inside the container where the volume is mounted. */
  mountPath: string;
  /** A path within the volume to mount instead of its root. */
  subPath?: string;
  /** How mounts propagate between host and container: None, HostToContainer or Bidirectional. */
  mountPropagation?: MountPropagationMode;
  /** Like subPath, but with $(VAR) references to the container's environment expanded. */
  subPathExpr?: string;
}

/** A volume mount as the runtime reports it. */
export interface VolumeMountStatus {
  /** The name of the mount, as in the container's volumeMounts. */
  name: string;
  /** The path of the mount. */
  mountPath: string;
  /** Whether the mount is read-only. */
  readOnly?: boolean;
  /** Whether submounts are read-only too: Disabled or Enabled. */
  recursiveReadOnly?: string;
}

/** One source of a projected volume; exactly one field is set. */
export interface VolumeProjection {
  /** Keys of a Secret. */
  secret?: SecretProjection;
  /** Pod fields and container resources. */
  downwardAPI?: DownwardAPIProjection;
  /** Keys of a ConfigMap. */
  configMap?: ConfigMapProjection;
  /** A token for the pod's service account. */
  serviceAccountToken?: ServiceAccountTokenProjection;
  /** Certificates from ClusterTrustBundle objects. */
  clusterTrustBundle?: ClusterTrustBundleProjection;
}

/** The storage a volume claim requests and is limited to. */
export interface VolumeResourceRequirements {
  /** The most storage the volume may have. */
  limits?: ResourceList;
  /** The least storage the volume must have. */
  requests?: ResourceList;
}

/** A vSphere virtual disk. */
export interface VsphereVirtualDiskVolumeSource {
  /** The path of the disk. */
  volumePath: string;
  /** The filesystem type to mount, such as ext4 or xfs. */
  fsType?: string;
  /** The name of the storage policy. */
  storagePolicyName?: string;
  /** The ID of the storage policy. */
  storagePolicyID?: string;
}

/** A pod affinity term with a weight. */
export interface WeightedPodAffinityTerm {
  /** The weight added to a matching node's score, 1 to 100. */
  weight: number;
  /** The term. */
  podAffinityTerm: PodAffinityTerm;
}

/** Windows-specific security settings. */
export interface WindowsSecurityContextOptions {
  /** The name of the GMSA credential spec to use. */
  gmsaCredentialSpecName?: string;
  /** The content of the GMSA credential spec, filled in by an admission webhook. */
  gmsaCredentialSpec?: string;
  /** The Windows user name the entrypoint runs as. */
  runAsUserName?: string;
  /** Whether the container runs as a host process on the Windows node. */
  hostProcess?: boolean;
}

/**
 * OpenAPI definitions of the core/v1 types (`io.k8s.api.core.v1.*`): the kinds
 * Pod, Node, Namespace, ConfigMap, Secret, Service, Endpoints, Event,
 * ServiceAccount, Binding and PodTemplate, their list kinds, and every type they
 * contain, as of Kubernetes 1.33.
 *
 * What these must match exactly, because clients and Verge's own machinery act on
 * them: field names and JSON types (`type`/`format`), `required`, `enum`, the
 * strategic-merge-patch keys (`x-kubernetes-patch-strategy`,
 * `x-kubernetes-patch-merge-key`) that kubectl uses for client-side apply, and the
 * server-side-apply keys (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
 * `x-kubernetes-map-type`). These were taken field by field from the Kubernetes
 * 1.33 type declarations; change them only to follow Kubernetes.
 *
 * Descriptions are Verge's own one-line summaries (what `kubectl explain` shows).
 * `default` appears only where Kubernetes declares an explicit default for the
 * field (`+default` in its type declarations: protocol TCP, LocalObjectReference
 * name "", ...). The Go zero values that Kubernetes' v3 documents also print as
 * defaults (`{}` on struct fields, `""`/`0` on required scalars) are left out:
 * they say nothing, and a generic defaulter would turn them into empty objects.
 * The TypeScript shapes of the same types are in src/api/types/core.ts.
 */
import type { Definitions, GroupVersionKind } from '../schema.ts';
import {
  arrayOf,
  atomicList,
  atomicMap,
  bool,
  CORE_V1,
  defaultValue,
  enumStr,
  int32,
  int64,
  intOrString,
  kindObj,
  listKindObj,
  mapList,
  mapOf,
  META_V1,
  microTime,
  obj,
  patch,
  patchMerge,
  quantity,
  ref,
  refTo,
  required,
  resourceList,
  setList,
  str,
  stringList,
  stringMap,
  time,
} from './dsl.ts';

const C = CORE_V1;
const M = META_V1;

function v1(kind: string): GroupVersionKind {
  return { group: '', version: 'v1', kind };
}

// Closed value sets, sorted as Kubernetes publishes them.
const APP_ARMOR_PROFILE_TYPE = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;
const AZURE_DATA_DISK_CACHING_MODE = ['None', 'ReadOnly', 'ReadWrite'] as const;
const AZURE_DATA_DISK_KIND = ['Dedicated', 'Managed', 'Shared'] as const;
const DNS_POLICY = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;
const HOST_PATH_TYPE = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
] as const;
const IP_FAMILY = ['', 'IPv4', 'IPv6'] as const;
const IP_FAMILY_POLICY = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;
const MOUNT_PROPAGATION_MODE = ['Bidirectional', 'HostToContainer', 'None'] as const;
const NAMESPACE_PHASE = ['Active', 'Terminating'] as const;
const NODE_INCLUSION_POLICY = ['Honor', 'Ignore'] as const;
const NODE_PHASE = ['Pending', 'Running', 'Terminated'] as const;
const NODE_SELECTOR_OPERATOR = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] as const;
const PERSISTENT_VOLUME_ACCESS_MODE = [
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOnce',
  'ReadWriteOncePod',
] as const;
const PERSISTENT_VOLUME_MODE = ['Block', 'Filesystem'] as const;
const POD_FS_GROUP_CHANGE_POLICY = ['Always', 'OnRootMismatch'] as const;
const POD_PHASE = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] as const;
const POD_QOS_CLASS = ['BestEffort', 'Burstable', 'Guaranteed'] as const;
const PREEMPTION_POLICY = ['Never', 'PreemptLowerPriority'] as const;
const PROC_MOUNT_TYPE = ['Default', 'Unmasked'] as const;
const PROTOCOL = ['SCTP', 'TCP', 'UDP'] as const;
const PULL_POLICY = ['Always', 'IfNotPresent', 'Never'] as const;
const RESTART_POLICY = ['Always', 'Never', 'OnFailure'] as const;
const SECCOMP_PROFILE_TYPE = ['Localhost', 'RuntimeDefault', 'Unconfined'] as const;
const SERVICE_AFFINITY = ['ClientIP', 'None'] as const;
const SERVICE_EXTERNAL_TRAFFIC_POLICY = ['Cluster', 'Local'] as const;
const SERVICE_INTERNAL_TRAFFIC_POLICY = ['Cluster', 'Local'] as const;
const SERVICE_TYPE = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const SIGNAL = [
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGPIPE',
  'SIGPOLL',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGRTMAX',
  'SIGRTMAX-1',
  'SIGRTMAX-10',
  'SIGRTMAX-11',
  'SIGRTMAX-12',
  'SIGRTMAX-13',
  'SIGRTMAX-14',
  'SIGRTMAX-2',
  'SIGRTMAX-3',
  'SIGRTMAX-4',
  'SIGRTMAX-5',
  'SIGRTMAX-6',
  'SIGRTMAX-7',
  'SIGRTMAX-8',
  'SIGRTMAX-9',
  'SIGRTMIN',
  'SIGRTMIN+1',
  'SIGRTMIN+10',
  'SIGRTMIN+11',
  'SIGRTMIN+12',
  'SIGRTMIN+13',
  'SIGRTMIN+14',
  'SIGRTMIN+15',
  'SIGRTMIN+2',
  'SIGRTMIN+3',
  'SIGRTMIN+4',
  'SIGRTMIN+5',
  'SIGRTMIN+6',
  'SIGRTMIN+7',
  'SIGRTMIN+8',
  'SIGRTMIN+9',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
] as const;
const SUPPLEMENTAL_GROUPS_POLICY = ['Merge', 'Strict'] as const;
const TAINT_EFFECT = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;
const TERMINATION_MESSAGE_POLICY = ['FallbackToLogsOnError', 'File'] as const;
const TOLERATION_OPERATOR = ['Equal', 'Exists'] as const;
const UNSATISFIABLE_CONSTRAINT_ACTION = ['DoNotSchedule', 'ScheduleAnyway'] as const;
const URI_SCHEME = ['HTTP', 'HTTPS'] as const;

export const coreDefinitions: Definitions = {
  [C + 'AWSElasticBlockStoreVolumeSource']: obj(
    'An AWS EBS volume.',
    {
      volumeID: str('The EBS volume ID.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      partition: int32('The partition of the disk to mount; 0 for the whole disk.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('volumeID'),
  ),
  [C + 'Affinity']: obj('Scheduling rules that relate a pod to nodes and to other pods.', {
    nodeAffinity: refTo(C + 'NodeAffinity', 'Rules about which nodes the pod prefers or requires.'),
    podAffinity: refTo(C + 'PodAffinity', 'Rules for placing the pod near other pods.'),
    podAntiAffinity: refTo(
      C + 'PodAntiAffinity',
      'Rules for keeping the pod away from other pods.',
    ),
  }),
  [C + 'AppArmorProfile']: obj(
    'An AppArmor profile.',
    {
      type: enumStr(
        APP_ARMOR_PROFILE_TYPE,
        'Which profile: RuntimeDefault, Unconfined or Localhost.',
      ),
      localhostProfile: str('The name of a profile loaded on the node; only for type Localhost.'),
    },
    required('type'),
    {
      'x-kubernetes-unions': [
        {
          discriminator: 'type',
          'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' },
        },
      ],
    },
  ),
  [C + 'AttachedVolume']: obj(
    'A volume attached to a node.',
    {
      name: str("The volume's unique name."),
      devicePath: str('Where the volume is expected to appear on the node.'),
    },
    required('name', 'devicePath'),
  ),
  [C + 'AzureDiskVolumeSource']: obj(
    'An Azure data disk.',
    {
      diskName: str('The name of the data disk.'),
      diskURI: str('The URI of the data disk.'),
      cachingMode: enumStr(
        AZURE_DATA_DISK_CACHING_MODE,
        'The host caching mode: None, ReadOnly or ReadWrite.',
        defaultValue('ReadWrite'),
      ),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.', defaultValue('ext4')),
      readOnly: bool('Whether the volume is mounted read-only.', defaultValue(false)),
      kind: enumStr(
        AZURE_DATA_DISK_KIND,
        'The kind of disk: Shared, Dedicated or Managed.',
        defaultValue('Shared'),
      ),
    },
    required('diskName', 'diskURI'),
  ),
  [C + 'AzureFileVolumeSource']: obj(
    'An Azure File share.',
    {
      secretName: str('The Secret holding the storage account name and key.'),
      shareName: str("The share's name."),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('secretName', 'shareName'),
  ),
  [C + 'Binding']: kindObj(
    v1('Binding'),
    "Binds a pod to a node; posted to a pod's binding subresource by a scheduler.",
    {
      target: refTo(C + 'ObjectReference', 'The node to bind to.'),
    },
    required('target'),
  ),
  [C + 'CSIVolumeSource']: obj(
    'An ephemeral volume from a CSI driver.',
    {
      driver: str('The name of the CSI driver.'),
      readOnly: bool('Whether the volume is read-only.'),
      fsType: str('The filesystem type to mount, passed to the driver.'),
      volumeAttributes: stringMap('Driver-specific settings.'),
      nodePublishSecretRef: refTo(
        C + 'LocalObjectReference',
        'A Secret with credentials the driver needs to publish the volume.',
      ),
    },
    required('driver'),
  ),
  [C + 'Capabilities']: obj('Linux capabilities to add and drop.', {
    add: stringList('Capabilities to add.', atomicList),
    drop: stringList('Capabilities to remove.', atomicList),
  }),
  [C + 'CephFSVolumeSource']: obj(
    'A CephFS mount.',
    {
      monitors: stringList('The Ceph monitor addresses.', atomicList),
      path: str('The path within the filesystem to mount; the root by default.'),
      user: str('The RADOS user name.'),
      secretFile: str('The path to the key ring for the user.'),
      secretRef: refTo(
        C + 'LocalObjectReference',
        "A Secret with the user's key, instead of secretFile.",
      ),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('monitors'),
  ),
  [C + 'CinderVolumeSource']: obj(
    'An OpenStack Cinder volume.',
    {
      volumeID: str('The Cinder volume ID.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
      secretRef: refTo(
        C + 'LocalObjectReference',
        'A Secret with parameters for connecting to OpenStack.',
      ),
    },
    required('volumeID'),
  ),
  [C + 'ClientIPConfig']: obj('Settings of client-IP session affinity.', {
    timeoutSeconds: int32(
      'How long a client stays with the same pod, in seconds (1 to 86400); three hours by default.',
    ),
  }),
  [C + 'ClusterTrustBundleProjection']: obj(
    'Certificates of ClusterTrustBundle objects written to one file.',
    {
      name: str(
        'A single ClusterTrustBundle to read, by name; excludes signerName and labelSelector.',
      ),
      signerName: str('Read every ClusterTrustBundle of this signer (filtered by labelSelector).'),
      labelSelector: refTo(M + 'LabelSelector', 'Filters the bundles selected by signerName.'),
      optional: bool('Whether the pod may start when no matching bundle exists.'),
      path: str('The relative file path the certificates are written to.'),
    },
    required('path'),
  ),
  [C + 'ConfigMap']: kindObj(
    v1('ConfigMap'),
    'Configuration data as key-value pairs, for pods to read as files, environment variables or arguments.',
    {
      immutable: bool('Whether the data can no longer change; once true, it cannot be unset.'),
      data: stringMap('UTF-8 text entries; keys may not also appear in binaryData.'),
      binaryData: mapOf(
        { type: 'string', format: 'byte' },
        'Binary entries, base64 in JSON; keys may not also appear in data.',
      ),
    },
  ),
  [C + 'ConfigMapEnvSource']: obj('A ConfigMap whose keys become environment variables.', {
    name: str("The ConfigMap's name.", defaultValue('')),
    optional: bool('Whether the container may start when the ConfigMap does not exist.'),
  }),
  [C + 'ConfigMapKeySelector']: obj(
    'Selects one key of a ConfigMap.',
    {
      name: str("The ConfigMap's name.", defaultValue('')),
      key: str('The key to read.'),
      optional: bool('Whether the ConfigMap or key may be missing.'),
    },
    required('key'),
    atomicMap,
  ),
  [C + 'ConfigMapList']: listKindObj(
    v1('ConfigMapList'),
    C + 'ConfigMap',
    'A list of ConfigMaps.',
    'The ConfigMaps.',
  ),
  [C + 'ConfigMapNodeConfigSource']: obj(
    'Deprecated: a ConfigMap holding kubelet configuration.',
    {
      namespace: str('The namespace of the ConfigMap.'),
      name: str('The name of the ConfigMap.'),
      uid: str('The UID of the ConfigMap.'),
      resourceVersion: str('The resource version of the ConfigMap.'),
      kubeletConfigKey: str('The key of the ConfigMap holding the configuration.'),
    },
    required('namespace', 'name', 'kubeletConfigKey'),
  ),
  [C + 'ConfigMapProjection']: obj('A ConfigMap projected into a volume.', {
    name: str("The ConfigMap's name.", defaultValue('')),
    items: arrayOf(
      ref(C + 'KeyToPath'),
      'The keys to project and their paths; every key, at its own name, when absent.',
      atomicList,
    ),
    optional: bool('Whether the pod may start when the ConfigMap or a listed key is missing.'),
  }),
  [C + 'ConfigMapVolumeSource']: obj('A ConfigMap whose keys become files.', {
    name: str("The ConfigMap's name.", defaultValue('')),
    items: arrayOf(
      ref(C + 'KeyToPath'),
      'The keys to project and their paths; every key, at its own name, when absent.',
      atomicList,
    ),
    defaultMode: int32('Permission bits of the created files (0000 to 0777); 0644 by default.'),
    optional: bool('Whether the pod may start when the ConfigMap or a listed key is missing.'),
  }),
  [C + 'Container']: obj(
    'One application container of a pod.',
    {
      name: str("The container's name, unique within the pod (a DNS label)."),
      image: str(
        'The container image reference; may be left empty in templates that something else fills in.',
      ),
      command: stringList(
        "The entrypoint, run without a shell; replaces the image's ENTRYPOINT, and $(VAR) references are expanded.",
        atomicList,
      ),
      args: stringList(
        "Arguments to the entrypoint; replace the image's CMD, and $(VAR) references are expanded.",
        atomicList,
      ),
      workingDir: str("The working directory of the container; the image's default when empty."),
      ports: arrayOf(
        ref(C + 'ContainerPort'),
        'Ports the container exposes; informational, except that named ports can be referenced elsewhere.',
        mapList('containerPort', 'protocol'),
        patchMerge('containerPort'),
      ),
      envFrom: arrayOf(
        ref(C + 'EnvFromSource'),
        'Sources (ConfigMaps, Secrets) whose keys all become environment variables; explicit env entries win on conflict.',
        atomicList,
      ),
      env: arrayOf(
        ref(C + 'EnvVar'),
        'Environment variables set in the container.',
        mapList('name'),
        patchMerge('name'),
      ),
      resources: refTo(
        C + 'ResourceRequirements',
        'Compute resources the container requests and its limits.',
      ),
      resizePolicy: arrayOf(
        ref(C + 'ContainerResizePolicy'),
        'How each resource of the container may be resized in place.',
        atomicList,
      ),
      restartPolicy: str(
        'For init containers only: Always makes the init container a sidecar that keeps running beside the regular containers.',
      ),
      volumeMounts: arrayOf(
        ref(C + 'VolumeMount'),
        "Pod volumes mounted into the container's filesystem.",
        mapList('mountPath'),
        patchMerge('mountPath'),
      ),
      volumeDevices: arrayOf(
        ref(C + 'VolumeDevice'),
        'Raw block devices from pod volumes made available in the container.',
        mapList('devicePath'),
        patchMerge('devicePath'),
      ),
      livenessProbe: refTo(
        C + 'Probe',
        'A periodic check; the container is restarted when it fails.',
      ),
      readinessProbe: refTo(
        C + 'Probe',
        'A periodic check; the container receives no service traffic while it fails.',
      ),
      startupProbe: refTo(
        C + 'Probe',
        'A check that must succeed before the other probes start; the container is restarted if it never does.',
      ),
      lifecycle: refTo(
        C + 'Lifecycle',
        'Actions the system runs right after the container starts and just before it stops.',
      ),
      terminationMessagePath: str(
        'The file in the container whose contents become the termination message.',
      ),
      terminationMessagePolicy: enumStr(
        TERMINATION_MESSAGE_POLICY,
        'Where the termination message comes from: File, or FallbackToLogsOnError to use the log tail when the file is empty.',
      ),
      imagePullPolicy: enumStr(
        PULL_POLICY,
        'When the image is pulled: Always, Never or IfNotPresent.',
      ),
      securityContext: refTo(
        C + 'SecurityContext',
        "Security settings for this container, overriding the pod's.",
      ),
      stdin: bool('Whether the container keeps a stdin buffer open for attaching.'),
      stdinOnce: bool('Whether stdin is closed after the first attached client disconnects.'),
      tty: bool('Whether the container is given a terminal; requires stdin.'),
    },
    required('name'),
  ),
  [C + 'ContainerImage']: obj('A container image present on a node.', {
    names: stringList('The names (tags and digests) the image is known by.', atomicList),
    sizeBytes: int64('The size of the image in bytes.'),
  }),
  [C + 'ContainerPort']: obj(
    'A network port of a container.',
    {
      name: str(
        'A name for the port (an IANA service name), unique within the pod, that services can refer to.',
      ),
      hostPort: int32('A port on the node forwarded to this port; rarely needed.'),
      containerPort: int32('The port number the container listens on.'),
      protocol: enumStr(
        PROTOCOL,
        "The port's protocol: TCP (default), UDP or SCTP.",
        defaultValue('TCP'),
      ),
      hostIP: str('The node address the host port binds to.'),
    },
    required('containerPort'),
  ),
  [C + 'ContainerResizePolicy']: obj(
    'How one resource of a container is resized in place.',
    {
      resourceName: str('The resource this policy is for, such as cpu or memory.'),
      restartPolicy: str(
        'Whether changing the resource restarts the container: NotRequired or RestartContainer.',
      ),
    },
    required('resourceName', 'restartPolicy'),
  ),
  [C + 'ContainerState']: obj(
    'The state of a container; exactly one field is set, waiting by default.',
    {
      waiting: refTo(C + 'ContainerStateWaiting', 'The container is not running yet.'),
      running: refTo(C + 'ContainerStateRunning', 'The container is running.'),
      terminated: refTo(C + 'ContainerStateTerminated', 'The container has exited.'),
    },
  ),
  [C + 'ContainerStateRunning']: obj('A running container.', {
    startedAt: time('When the container last started.'),
  }),
  [C + 'ContainerStateTerminated']: obj(
    'A container that has exited.',
    {
      exitCode: int32('The exit status of the last run.'),
      signal: int32('The signal that ended the last run, if any.'),
      reason: str('Why it exited, such as Completed, Error or OOMKilled.'),
      message: str('More detail on why it exited.'),
      startedAt: time('When the last run started.'),
      finishedAt: time('When the last run ended.'),
      containerID: str('The ID of the exited container, as runtime://id.'),
    },
    required('exitCode'),
  ),
  [C + 'ContainerStateWaiting']: obj('A container that is waiting to run.', {
    reason: str('Why it is waiting, such as ContainerCreating or ImagePullBackOff.'),
    message: str('More detail on why it is waiting.'),
  }),
  [C + 'ContainerStatus']: obj(
    'The observed state of one container of a pod.',
    {
      name: str("The container's name, as in the pod spec."),
      state: refTo(C + 'ContainerState', "The container's current state."),
      lastState: refTo(
        C + 'ContainerState',
        'The state the container was in before its last restart.',
      ),
      ready: bool('Whether the container passes its readiness probe.'),
      restartCount: int32('How many times the container has been restarted.'),
      image: str('The image the container runs.'),
      imageID: str('The ID (digest) of the image the container runs.'),
      containerID: str("The container's ID, as runtime://id."),
      started: bool('Whether the container has started and passed its startup probe.'),
      allocatedResources: resourceList('The resources the node has allocated to the container.'),
      resources: refTo(
        C + 'ResourceRequirements',
        'The resources the container actually has, after any in-place resize.',
      ),
      volumeMounts: arrayOf(
        ref(C + 'VolumeMountStatus'),
        'The volume mounts of the container as the runtime reports them.',
        mapList('mountPath'),
        patchMerge('mountPath'),
      ),
      user: refTo(C + 'ContainerUser', "The identity the container's first process runs with."),
      allocatedResourcesStatus: arrayOf(
        ref(C + 'ResourceStatus'),
        'Health of the devices and resources allocated to the container.',
        mapList('name'),
        patchMerge('name'),
      ),
      stopSignal: enumStr(SIGNAL, 'The signal that will be sent to stop the container.'),
    },
    required('name', 'ready', 'restartCount', 'image', 'imageID'),
  ),
  [C + 'ContainerUser']: obj("The identity of a container's first process.", {
    linux: refTo(C + 'LinuxContainerUser', 'The Linux user and groups.'),
  }),
  [C + 'DaemonEndpoint']: obj(
    'An endpoint of a daemon.',
    {
      Port: int32('The port number.'),
    },
    required('Port'),
  ),
  [C + 'DownwardAPIProjection']: obj(
    'Pod fields and container resources projected into a volume.',
    {
      items: arrayOf(ref(C + 'DownwardAPIVolumeFile'), 'The files to write.', atomicList),
    },
  ),
  [C + 'DownwardAPIVolumeFile']: obj(
    'One file holding a pod field or a container resource value.',
    {
      path: str("The relative path of the file; may not contain '..'."),
      fieldRef: refTo(
        C + 'ObjectFieldSelector',
        'The pod field to write; only metadata fields (name, namespace, labels, annotations, uid) are supported.',
      ),
      resourceFieldRef: refTo(
        C + 'ResourceFieldSelector',
        'The container resource limit or request to write.',
      ),
      mode: int32(
        "The file's permission bits (0000 to 0777); the volume's default mode when absent.",
      ),
    },
    required('path'),
  ),
  [C + 'DownwardAPIVolumeSource']: obj('Pod fields and container resources written as files.', {
    items: arrayOf(ref(C + 'DownwardAPIVolumeFile'), 'The files to write.', atomicList),
    defaultMode: int32('Permission bits of the created files (0000 to 0777); 0644 by default.'),
  }),
  [C + 'EmptyDirVolumeSource']: obj('An empty directory that lives as long as the pod.', {
    medium: str("The storage medium: empty for the node's default, or Memory for a tmpfs."),
    sizeLimit: quantity('The most storage the directory may use.'),
  }),
  [C + 'EndpointAddress']: obj(
    'One endpoint address.',
    {
      ip: str('The IP address.'),
      hostname: str('The host name of the endpoint.'),
      nodeName: str('The node hosting the endpoint.'),
      targetRef: refTo(C + 'ObjectReference', 'The object (usually a pod) behind the endpoint.'),
    },
    required('ip'),
    atomicMap,
  ),
  [C + 'EndpointPort']: obj(
    'One endpoint port.',
    {
      name: str("The port's name, as in the service."),
      port: int32('The port number.'),
      protocol: enumStr(PROTOCOL, "The port's protocol: TCP (default), UDP or SCTP."),
      appProtocol: str('The application protocol of the port.'),
    },
    required('port'),
    atomicMap,
  ),
  [C + 'EndpointSubset']: obj('Addresses that all serve the same ports.', {
    addresses: arrayOf(
      ref(C + 'EndpointAddress'),
      'Addresses ready to receive traffic.',
      atomicList,
    ),
    notReadyAddresses: arrayOf(
      ref(C + 'EndpointAddress'),
      'Addresses not ready (or not yet ready) to receive traffic.',
      atomicList,
    ),
    ports: arrayOf(ref(C + 'EndpointPort'), 'The ports served at each address.', atomicList),
  }),
  [C + 'Endpoints']: kindObj(v1('Endpoints'), 'The addresses and ports that implement a service.', {
    subsets: arrayOf(
      ref(C + 'EndpointSubset'),
      'Groups of addresses that share the same ports.',
      atomicList,
    ),
  }),
  [C + 'EndpointsList']: listKindObj(
    v1('EndpointsList'),
    C + 'Endpoints',
    'A list of Endpoints.',
    'The Endpoints.',
  ),
  [C + 'EnvFromSource']: obj('A ConfigMap or Secret whose keys all become environment variables.', {
    prefix: str('A prefix put before every variable name from this source.'),
    configMapRef: refTo(C + 'ConfigMapEnvSource', 'The ConfigMap to read.'),
    secretRef: refTo(C + 'SecretEnvSource', 'The Secret to read.'),
  }),
  [C + 'EnvVar']: obj(
    'One environment variable of a container.',
    {
      name: str("The variable's name."),
      value: str("The variable's value; $(VAR) references to earlier variables are expanded."),
      valueFrom: refTo(C + 'EnvVarSource', 'Where to read the value from when value is not given.'),
    },
    required('name'),
  ),
  [C + 'EnvVarSource']: obj(
    "Where an environment variable's value comes from; exactly one source is set.",
    {
      fieldRef: refTo(
        C + 'ObjectFieldSelector',
        'A field of the pod, such as metadata.name or status.podIP.',
      ),
      resourceFieldRef: refTo(
        C + 'ResourceFieldSelector',
        'A resource limit or request of a container.',
      ),
      configMapKeyRef: refTo(
        C + 'ConfigMapKeySelector',
        "A key of a ConfigMap in the pod's namespace.",
      ),
      secretKeyRef: refTo(C + 'SecretKeySelector', "A key of a Secret in the pod's namespace."),
    },
  ),
  [C + 'EphemeralContainer']: obj(
    'A temporary container added to a running pod, for troubleshooting; it has no resource guarantees and is never restarted.',
    {
      name: str("The ephemeral container's name, unique among all containers of the pod."),
      image: str(
        'The container image reference; may be left empty in templates that something else fills in.',
      ),
      command: stringList(
        "The entrypoint, run without a shell; replaces the image's ENTRYPOINT, and $(VAR) references are expanded.",
        atomicList,
      ),
      args: stringList(
        "Arguments to the entrypoint; replace the image's CMD, and $(VAR) references are expanded.",
        atomicList,
      ),
      workingDir: str("The working directory of the container; the image's default when empty."),
      ports: arrayOf(
        ref(C + 'ContainerPort'),
        'Not allowed for ephemeral containers.',
        mapList('containerPort', 'protocol'),
        patchMerge('containerPort'),
      ),
      envFrom: arrayOf(
        ref(C + 'EnvFromSource'),
        'Sources (ConfigMaps, Secrets) whose keys all become environment variables; explicit env entries win on conflict.',
        atomicList,
      ),
      env: arrayOf(
        ref(C + 'EnvVar'),
        'Environment variables set in the container.',
        mapList('name'),
        patchMerge('name'),
      ),
      resources: refTo(
        C + 'ResourceRequirements',
        'Not allowed for ephemeral containers: they use the resources already given to the pod.',
      ),
      resizePolicy: arrayOf(
        ref(C + 'ContainerResizePolicy'),
        'Not allowed for ephemeral containers.',
        atomicList,
      ),
      restartPolicy: str('Not allowed for ephemeral containers.'),
      volumeMounts: arrayOf(
        ref(C + 'VolumeMount'),
        'Pod volumes mounted into the container; subPath mounts are not allowed.',
        mapList('mountPath'),
        patchMerge('mountPath'),
      ),
      volumeDevices: arrayOf(
        ref(C + 'VolumeDevice'),
        'Raw block devices from pod volumes made available in the container.',
        mapList('devicePath'),
        patchMerge('devicePath'),
      ),
      livenessProbe: refTo(C + 'Probe', 'Not allowed for ephemeral containers.'),
      readinessProbe: refTo(C + 'Probe', 'Not allowed for ephemeral containers.'),
      startupProbe: refTo(C + 'Probe', 'Not allowed for ephemeral containers.'),
      lifecycle: refTo(C + 'Lifecycle', 'Not allowed for ephemeral containers.'),
      terminationMessagePath: str(
        'The file in the container whose contents become the termination message.',
      ),
      terminationMessagePolicy: enumStr(
        TERMINATION_MESSAGE_POLICY,
        'Where the termination message comes from: File, or FallbackToLogsOnError to use the log tail when the file is empty.',
      ),
      imagePullPolicy: enumStr(
        PULL_POLICY,
        'When the image is pulled: Always, Never or IfNotPresent.',
      ),
      securityContext: refTo(
        C + 'SecurityContext',
        "Security settings for this container, overriding the pod's.",
      ),
      stdin: bool('Whether the container keeps a stdin buffer open for attaching.'),
      stdinOnce: bool('Whether stdin is closed after the first attached client disconnects.'),
      tty: bool('Whether the container is given a terminal; requires stdin.'),
      targetContainerName: str(
        'The container whose namespaces (such as its process namespace) this container joins.',
      ),
    },
    required('name'),
  ),
  [C + 'EphemeralVolumeSource']: obj(
    'A volume claim made for the pod from a template, deleted with the pod.',
    {
      volumeClaimTemplate: refTo(
        C + 'PersistentVolumeClaimTemplate',
        'The template of the claim; it is named after the pod and the volume.',
      ),
    },
  ),
  [C + 'Event']: kindObj(
    v1('Event'),
    'A report of something that happened to an object (core/v1 form).',
    {
      involvedObject: refTo(C + 'ObjectReference', 'The object the event is about.'),
      reason: str('A short CamelCase reason, such as FailedScheduling.'),
      message: str('A human-readable description of what happened.'),
      source: refTo(C + 'EventSource', 'The component that reported the event.'),
      firstTimestamp: time('When the event was first seen.'),
      lastTimestamp: time('When the event was last seen.'),
      count: int32('How many times the event has occurred.'),
      type: str('Normal or Warning.'),
      eventTime: microTime('When the event was first observed, with microseconds.'),
      series: refTo(
        C + 'EventSeries',
        'Data about a series of events of which this is the latest.',
      ),
      action: str('What was done, or failed, such as Binding.'),
      related: refTo(C + 'ObjectReference', 'A second object involved, if any.'),
      reportingComponent: str(
        'The controller that reported the event, such as kubernetes.io/kubelet.',
      ),
      reportingInstance: str('The instance of that controller, such as the node name.'),
    },
    required('metadata', 'involvedObject'),
  ),
  [C + 'EventList']: listKindObj(v1('EventList'), C + 'Event', 'A list of events.', 'The events.'),
  [C + 'EventSeries']: obj('A series of repeated events.', {
    count: int32('How many times the event has occurred in the series.'),
    lastObservedTime: microTime('When the last occurrence was observed.'),
  }),
  [C + 'EventSource']: obj('Who reported an event.', {
    component: str('The component that reported it.'),
    host: str('The node it was reported from.'),
  }),
  [C + 'ExecAction']: obj('A command run inside the container.', {
    command: stringList('The command and its arguments, run without a shell.', atomicList),
  }),
  [C + 'FCVolumeSource']: obj('A Fibre Channel disk.', {
    targetWWNs: stringList('The world wide names of the targets.', atomicList),
    lun: int32('The logical unit number of the target.'),
    fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
    readOnly: bool('Whether the volume is mounted read-only.'),
    wwids: stringList(
      'The world wide identifiers of the volume; an alternative to targetWWNs with lun.',
      atomicList,
    ),
  }),
  [C + 'FlexVolumeSource']: obj(
    'A volume provided by a FlexVolume driver.',
    {
      driver: str('The name of the driver.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      secretRef: refTo(C + 'LocalObjectReference', 'A Secret passed to the driver.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
      options: stringMap('Extra options passed to the driver.'),
    },
    required('driver'),
  ),
  [C + 'FlockerVolumeSource']: obj('A Flocker dataset.', {
    datasetName: str("The dataset's name."),
    datasetUUID: str("The dataset's UUID."),
  }),
  [C + 'GCEPersistentDiskVolumeSource']: obj(
    'A GCE persistent disk.',
    {
      pdName: str('The name of the disk.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      partition: int32('The partition of the disk to mount; 0 for the whole disk.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('pdName'),
  ),
  [C + 'GRPCAction']: obj(
    'A call to the standard gRPC health checking service.',
    {
      port: int32('The port number of the gRPC service.'),
      service: str(
        'The service name sent in the health check request; empty checks the server as a whole.',
        defaultValue(''),
      ),
    },
    required('port'),
  ),
  [C + 'GitRepoVolumeSource']: obj(
    'A git repository cloned into the volume.',
    {
      repository: str('The repository URL.'),
      revision: str('The commit to check out.'),
      directory: str("The directory to clone into; '.' clones into the volume root."),
    },
    required('repository'),
  ),
  [C + 'GlusterfsVolumeSource']: obj(
    'A GlusterFS volume.',
    {
      endpoints: str('The name of the Endpoints object listing the GlusterFS servers.'),
      path: str('The GlusterFS volume path.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('endpoints', 'path'),
  ),
  [C + 'HTTPGetAction']: obj(
    'An HTTP GET request.',
    {
      path: str('The path to request.'),
      port: intOrString('The port number or named container port to connect to.'),
      host: str(
        'The host to connect to; the pod IP by default (set a Host header instead for virtual hosts).',
      ),
      scheme: enumStr(URI_SCHEME, 'HTTP (default) or HTTPS.'),
      httpHeaders: arrayOf(
        ref(C + 'HTTPHeader'),
        'Extra headers sent with the request.',
        atomicList,
      ),
    },
    required('port'),
  ),
  [C + 'HTTPHeader']: obj(
    'One HTTP header.',
    {
      name: str('The header name.'),
      value: str('The header value.'),
    },
    required('name', 'value'),
  ),
  [C + 'HostAlias']: obj(
    'One hosts-file entry: an IP address and the names that resolve to it.',
    {
      ip: str('The IP address of the entry.'),
      hostnames: stringList('Host names that resolve to the IP address.', atomicList),
    },
    required('ip'),
  ),
  [C + 'HostIP']: obj(
    'One IP address of the node a pod runs on.',
    {
      ip: str('The IP address.'),
    },
    required('ip'),
  ),
  [C + 'HostPathVolumeSource']: obj(
    'A path on the node.',
    {
      path: str('The path on the node; a symbolic link is followed.'),
      type: enumStr(
        HOST_PATH_TYPE,
        'What must (or will be made to) exist at the path; empty skips the check.',
      ),
    },
    required('path'),
  ),
  [C + 'ISCSIVolumeSource']: obj(
    'An iSCSI disk.',
    {
      targetPortal: str('The target portal address, as IP or host, with optional port.'),
      iqn: str('The iSCSI qualified name of the target.'),
      lun: int32('The logical unit number of the target.'),
      iscsiInterface: str('The iSCSI interface name for the transport.', defaultValue('default')),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
      portals: stringList('Extra target portal addresses.', atomicList),
      chapAuthDiscovery: bool('Whether CHAP authentication is used for discovery.'),
      chapAuthSession: bool('Whether CHAP authentication is used for the session.'),
      secretRef: refTo(C + 'LocalObjectReference', 'The Secret with CHAP credentials.'),
      initiatorName: str('A custom initiator name to use.'),
    },
    required('targetPortal', 'iqn', 'lun'),
  ),
  [C + 'ImageVolumeSource']: obj('An OCI image or artifact mounted as a read-only volume.', {
    reference: str('The image or artifact reference to pull.'),
    pullPolicy: enumStr(PULL_POLICY, 'When the image is pulled: Always, Never or IfNotPresent.'),
  }),
  [C + 'KeyToPath']: obj(
    'Maps one key to a file path within a volume.',
    {
      key: str('The key to project.'),
      path: str("The relative file path to write the key to; may not contain '..'."),
      mode: int32(
        "The file's permission bits (0000 to 0777); the volume's default mode when absent.",
      ),
    },
    required('key', 'path'),
  ),
  [C + 'Lifecycle']: obj("Actions the system takes at points in a container's lifecycle.", {
    postStart: refTo(
      C + 'LifecycleHandler',
      'Runs right after the container is created; the container is restarted if it fails.',
    ),
    preStop: refTo(
      C + 'LifecycleHandler',
      'Runs before the container is stopped by an API request or management event; the grace period counts down meanwhile.',
    ),
    stopSignal: enumStr(
      SIGNAL,
      "The signal sent to stop the container, overriding the image's STOPSIGNAL.",
    ),
  }),
  [C + 'LifecycleHandler']: obj('One lifecycle action; exactly one kind of action is set.', {
    exec: refTo(C + 'ExecAction', 'Run a command in the container.'),
    httpGet: refTo(C + 'HTTPGetAction', 'Send an HTTP GET request.'),
    tcpSocket: refTo(
      C + 'TCPSocketAction',
      'Deprecated and not supported as a lifecycle handler; kept for compatibility.',
    ),
    sleep: refTo(C + 'SleepAction', 'Wait for a while.'),
  }),
  [C + 'LinuxContainerUser']: obj(
    "The Linux identity of a container's first process.",
    {
      uid: int64('The user ID.'),
      gid: int64('The primary group ID.'),
      supplementalGroups: arrayOf(
        { type: 'integer', format: 'int64' },
        'The supplementary group IDs.',
        atomicList,
      ),
    },
    required('uid', 'gid'),
  ),
  [C + 'LoadBalancerIngress']: obj('One address of a load balancer.', {
    ip: str('An IP address.'),
    hostname: str('A DNS name.'),
    ipMode: str(
      'How traffic reaches the service: VIP (to the IP) or Proxy (through the load balancer).',
    ),
    ports: arrayOf(
      ref(C + 'PortStatus'),
      'The state of each service port at this address.',
      atomicList,
    ),
  }),
  [C + 'LoadBalancerStatus']: obj('The state of a load balancer.', {
    ingress: arrayOf(
      ref(C + 'LoadBalancerIngress'),
      'The addresses at which the load balancer receives traffic.',
      atomicList,
    ),
  }),
  [C + 'LocalObjectReference']: obj(
    'A reference to an object by name, in the same namespace.',
    {
      name: str('The name of the object.', defaultValue('')),
    },
    atomicMap,
  ),
  [C + 'NFSVolumeSource']: obj(
    'An NFS export.',
    {
      server: str("The NFS server's host name or IP address."),
      path: str('The path exported by the server.'),
      readOnly: bool('Whether the export is mounted read-only.'),
    },
    required('server', 'path'),
  ),
  [C + 'Namespace']: kindObj(
    v1('Namespace'),
    'A scope for names: most objects live in one, and policies and quotas apply per namespace.',
    {
      spec: refTo(C + 'NamespaceSpec', "The namespace's finalizers."),
      status: refTo(C + 'NamespaceStatus', "The namespace's phase and conditions."),
    },
  ),
  [C + 'NamespaceCondition']: obj(
    "One aspect of a namespace's state.",
    {
      type: str('The kind of condition, such as NamespaceDeletionContentFailure.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      lastTransitionTime: time('When the condition last changed status.'),
      reason: str('A short CamelCase reason for the last change.'),
      message: str('A human-readable explanation of the last change.'),
    },
    required('type', 'status'),
  ),
  [C + 'NamespaceList']: listKindObj(
    v1('NamespaceList'),
    C + 'Namespace',
    'A list of namespaces.',
    'The namespaces.',
  ),
  [C + 'NamespaceSpec']: obj('The spec of a namespace.', {
    finalizers: stringList(
      'Finalizers that must be removed before the namespace is deleted for good.',
      atomicList,
    ),
  }),
  [C + 'NamespaceStatus']: obj('The observed state of a namespace.', {
    phase: enumStr(NAMESPACE_PHASE, 'Active, or Terminating while its contents are being deleted.'),
    conditions: arrayOf(
      ref(C + 'NamespaceCondition'),
      "The namespace's current conditions, mostly about deleting its contents.",
      mapList('type'),
      patchMerge('type'),
    ),
  }),
  [C + 'Node']: kindObj(v1('Node'), 'A worker machine that runs pods.', {
    spec: refTo(C + 'NodeSpec', 'How the node is configured: pod CIDRs, taints, schedulability.'),
    status: refTo(C + 'NodeStatus', 'What the node last reported about itself.'),
  }),
  [C + 'NodeAddress']: obj(
    'One address of a node.',
    {
      type: str(
        'The kind of address: Hostname, ExternalIP, InternalIP, ExternalDNS or InternalDNS.',
      ),
      address: str('The address.'),
    },
    required('type', 'address'),
  ),
  [C + 'NodeAffinity']: obj('Node affinity rules of a pod.', {
    requiredDuringSchedulingIgnoredDuringExecution: refTo(
      C + 'NodeSelector',
      'Nodes the pod can only be scheduled onto; not re-checked once the pod runs.',
    ),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      ref(C + 'PreferredSchedulingTerm'),
      'Weighted node preferences that the scheduler tries to satisfy.',
      atomicList,
    ),
  }),
  [C + 'NodeCondition']: obj(
    "One aspect of a node's state.",
    {
      type: str('The kind of condition, such as Ready or DiskPressure.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      lastHeartbeatTime: time('When the condition was last reported.'),
      lastTransitionTime: time('When the condition last changed status.'),
      reason: str('A short CamelCase reason for the last change.'),
      message: str('A human-readable explanation of the last change.'),
    },
    required('type', 'status'),
  ),
  [C + 'NodeConfigSource']: obj('Deprecated: a source of dynamic kubelet configuration.', {
    configMap: refTo(C + 'ConfigMapNodeConfigSource', 'The ConfigMap holding the configuration.'),
  }),
  [C + 'NodeConfigStatus']: obj('Deprecated: status of dynamic kubelet configuration.', {
    assigned: refTo(C + 'NodeConfigSource', 'The configuration the node was told to use.'),
    active: refTo(C + 'NodeConfigSource', 'The configuration the node is using.'),
    lastKnownGood: refTo(C + 'NodeConfigSource', 'The configuration the node falls back to.'),
    error: str('An error applying the configuration.'),
  }),
  [C + 'NodeDaemonEndpoints']: obj('Endpoints of daemons on a node.', {
    kubeletEndpoint: refTo(
      C + 'DaemonEndpoint',
      'The endpoint the kubelet (node agent) serves on.',
    ),
  }),
  [C + 'NodeFeatures']: obj("Features of a node's runtime.", {
    supplementalGroupsPolicy: bool(
      'Whether the runtime supports the supplementalGroupsPolicy of pods.',
    ),
  }),
  [C + 'NodeList']: listKindObj(v1('NodeList'), C + 'Node', 'A list of nodes.', 'The nodes.'),
  [C + 'NodeRuntimeHandler']: obj("A runtime handler of the node's container runtime.", {
    name: str("The handler's name; empty for the default handler."),
    features: refTo(C + 'NodeRuntimeHandlerFeatures', 'Features the handler supports.'),
  }),
  [C + 'NodeRuntimeHandlerFeatures']: obj('Features of a runtime handler.', {
    recursiveReadOnlyMounts: bool('Whether recursive read-only mounts are supported.'),
    userNamespaces: bool('Whether user namespaces are supported for pods.'),
  }),
  [C + 'NodeSelector']: obj(
    'A node selector: a node matches when any of its terms matches.',
    {
      nodeSelectorTerms: arrayOf(
        ref(C + 'NodeSelectorTerm'),
        'The terms, combined with OR.',
        atomicList,
      ),
    },
    required('nodeSelectorTerms'),
    atomicMap,
  ),
  [C + 'NodeSelectorRequirement']: obj(
    'One requirement on a node label or field.',
    {
      key: str('The label key or field name.'),
      operator: enumStr(
        NODE_SELECTOR_OPERATOR,
        'How the key relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt.',
      ),
      values: stringList(
        'The values to compare with; empty for Exists and DoesNotExist, a single integer for Gt and Lt.',
        atomicList,
      ),
    },
    required('key', 'operator'),
  ),
  [C + 'NodeSelectorTerm']: obj(
    "Requirements on a node's labels and fields, combined with AND; an empty term matches nothing.",
    {
      matchExpressions: arrayOf(
        ref(C + 'NodeSelectorRequirement'),
        'Requirements on node labels.',
        atomicList,
      ),
      matchFields: arrayOf(
        ref(C + 'NodeSelectorRequirement'),
        'Requirements on node fields.',
        atomicList,
      ),
    },
    atomicMap,
  ),
  [C + 'NodeSpec']: obj('The configuration of a node.', {
    podCIDR: str('The pod IP range assigned to the node.'),
    podCIDRs: stringList(
      'The pod IP ranges assigned to the node, at most one per address family, the first equal to podCIDR.',
      setList,
      patchMerge(),
    ),
    providerID: str("The node's ID at its cloud provider."),
    unschedulable: bool('Whether new pods are kept off the node (cordoned).'),
    taints: arrayOf(
      ref(C + 'Taint'),
      'Taints that repel pods which do not tolerate them.',
      atomicList,
    ),
    configSource: refTo(C + 'NodeConfigSource', 'Deprecated; no longer used.'),
    externalID: str('Deprecated; not used by anything.'),
  }),
  [C + 'NodeStatus']: obj('The observed state of a node.', {
    capacity: resourceList('The total resources of the node.'),
    allocatable: resourceList('The resources of the node available to pods; defaults to capacity.'),
    phase: enumStr(NODE_PHASE, "Deprecated: the node's lifecycle phase."),
    conditions: arrayOf(
      ref(C + 'NodeCondition'),
      "The node's current conditions, such as Ready and MemoryPressure.",
      mapList('type'),
      patchMerge('type'),
    ),
    addresses: arrayOf(
      ref(C + 'NodeAddress'),
      "The node's addresses, such as its internal IP and host name.",
      mapList('type'),
      patchMerge('type'),
    ),
    daemonEndpoints: refTo(C + 'NodeDaemonEndpoints', 'Endpoints of daemons running on the node.'),
    nodeInfo: refTo(C + 'NodeSystemInfo', 'Identity and version information about the node.'),
    images: arrayOf(ref(C + 'ContainerImage'), 'Container images present on the node.', atomicList),
    volumesInUse: stringList('Volumes attached and mounted on the node.', atomicList),
    volumesAttached: arrayOf(
      ref(C + 'AttachedVolume'),
      'Volumes attached to the node.',
      atomicList,
    ),
    config: refTo(C + 'NodeConfigStatus', 'Deprecated: status of dynamic kubelet configuration.'),
    runtimeHandlers: arrayOf(
      ref(C + 'NodeRuntimeHandler'),
      'The container runtime handlers available on the node.',
      atomicList,
    ),
    features: refTo(C + 'NodeFeatures', "Features the node's runtime supports."),
  }),
  [C + 'NodeSwapStatus']: obj('Swap memory of a node.', {
    capacity: int64('The total swap memory in bytes.'),
  }),
  [C + 'NodeSystemInfo']: obj(
    'Identity and versions of a node and its software.',
    {
      machineID: str('The machine ID of the node.'),
      systemUUID: str('The system UUID of the node.'),
      bootID: str('The ID of the current boot of the node.'),
      kernelVersion: str('The kernel version.'),
      osImage: str('The operating system image, such as Debian GNU/Linux 12.'),
      containerRuntimeVersion: str(
        'The container runtime and its version, such as containerd://1.7.',
      ),
      kubeletVersion: str("The node agent's version."),
      kubeProxyVersion: str('Deprecated: the kube-proxy version, which is not reliably known.'),
      operatingSystem: str('The operating system, such as linux.'),
      architecture: str('The CPU architecture, such as amd64 or arm64.'),
      swap: refTo(C + 'NodeSwapStatus', 'Swap memory on the node.'),
    },
    required(
      'machineID',
      'systemUUID',
      'bootID',
      'kernelVersion',
      'osImage',
      'containerRuntimeVersion',
      'kubeletVersion',
      'kubeProxyVersion',
      'operatingSystem',
      'architecture',
    ),
  ),
  [C + 'ObjectFieldSelector']: obj(
    'Selects a field of the pod by path.',
    {
      apiVersion: str('The API version the field path is written against; v1 by default.'),
      fieldPath: str("The path of the field to read, such as metadata.labels['app']."),
    },
    required('fieldPath'),
    atomicMap,
  ),
  [C + 'ObjectReference']: obj(
    'A reference to any object, with enough to find it.',
    {
      kind: str('The kind of the object.'),
      namespace: str('The namespace of the object.'),
      name: str('The name of the object.'),
      uid: str('The UID of the object.'),
      apiVersion: str('The API version of the object.'),
      resourceVersion: str('The resource version of the object this reference was made to.'),
      fieldPath: str(
        'A path to a part of the object, such as one container: spec.containers{name}.',
      ),
    },
    atomicMap,
  ),
  [C + 'PersistentVolumeClaimSpec']: obj('What storage a claim asks for.', {
    accessModes: arrayOf(
      { type: 'string', enum: [...PERSISTENT_VOLUME_ACCESS_MODE] },
      'How the volume may be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.',
      atomicList,
    ),
    selector: refTo(M + 'LabelSelector', 'Limits which existing volumes may be bound, by label.'),
    resources: refTo(C + 'VolumeResourceRequirements', 'The storage the claim needs.'),
    volumeName: str('A specific PersistentVolume to bind.'),
    storageClassName: str('The StorageClass to provision from; empty string means no class.'),
    volumeMode: enumStr(PERSISTENT_VOLUME_MODE, 'Filesystem (default) or Block.'),
    dataSource: refTo(
      C + 'TypedLocalObjectReference',
      'An existing object (snapshot or claim) to pre-populate the volume from.',
    ),
    dataSourceRef: refTo(
      C + 'TypedObjectReference',
      'An object, possibly in another namespace or of a custom kind, to pre-populate the volume from.',
    ),
    volumeAttributesClassName: str(
      "The VolumeAttributesClass that sets the volume's mutable attributes.",
    ),
  }),
  [C + 'PersistentVolumeClaimTemplate']: obj(
    'The template of a PersistentVolumeClaim created for an ephemeral volume.',
    {
      metadata: refTo(M + 'ObjectMeta', 'Labels and annotations copied to the created claim.'),
      spec: refTo(C + 'PersistentVolumeClaimSpec', 'The spec copied to the created claim.'),
    },
    required('spec'),
  ),
  [C + 'PersistentVolumeClaimVolumeSource']: obj(
    "A reference to a PersistentVolumeClaim in the pod's namespace.",
    {
      claimName: str("The claim's name."),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('claimName'),
  ),
  [C + 'PhotonPersistentDiskVolumeSource']: obj(
    'A Photon Controller persistent disk.',
    {
      pdID: str("The disk's ID."),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
    },
    required('pdID'),
  ),
  [C + 'Pod']: kindObj(
    v1('Pod'),
    'A group of containers scheduled together onto one node, sharing its network identity and volumes.',
    {
      spec: refTo(
        C + 'PodSpec',
        'What the pod should run: its containers, volumes and scheduling constraints.',
      ),
      status: refTo(
        C + 'PodStatus',
        'What the node and the control plane last observed about the pod; may lag behind reality.',
      ),
    },
  ),
  [C + 'PodAffinity']: obj('Rules for placing a pod in the same topology domain as other pods.', {
    requiredDuringSchedulingIgnoredDuringExecution: arrayOf(
      ref(C + 'PodAffinityTerm'),
      'Terms that must all be satisfied at scheduling time; not re-checked once the pod runs.',
      atomicList,
    ),
    preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
      ref(C + 'WeightedPodAffinityTerm'),
      'Weighted terms the scheduler tries to satisfy.',
      atomicList,
    ),
  }),
  [C + 'PodAffinityTerm']: obj(
    'A set of pods and the topology key that defines being near them.',
    {
      labelSelector: refTo(M + 'LabelSelector', 'Selects the pods this term is about.'),
      namespaces: stringList(
        "Namespaces to look for the pods in; the pod's own namespace when this and namespaceSelector are empty.",
        atomicList,
      ),
      topologyKey: str(
        'The node label whose equal values make two nodes count as the same domain.',
      ),
      namespaceSelector: refTo(
        M + 'LabelSelector',
        'Selects further namespaces to look for the pods in; an empty selector means all.',
      ),
      matchLabelKeys: stringList(
        'Label keys whose values, taken from the incoming pod, are required to match as well.',
        atomicList,
      ),
      mismatchLabelKeys: stringList(
        'Label keys whose values, taken from the incoming pod, are required not to match.',
        atomicList,
      ),
    },
    required('topologyKey'),
  ),
  [C + 'PodAntiAffinity']: obj(
    'Rules for keeping a pod out of the topology domains of other pods.',
    {
      requiredDuringSchedulingIgnoredDuringExecution: arrayOf(
        ref(C + 'PodAffinityTerm'),
        'Terms that must all be satisfied at scheduling time; not re-checked once the pod runs.',
        atomicList,
      ),
      preferredDuringSchedulingIgnoredDuringExecution: arrayOf(
        ref(C + 'WeightedPodAffinityTerm'),
        'Weighted terms the scheduler tries to satisfy.',
        atomicList,
      ),
    },
  ),
  [C + 'PodCondition']: obj(
    "One aspect of a pod's state.",
    {
      type: str('The kind of condition, such as Ready or PodScheduled.'),
      observedGeneration: int64('The pod generation this condition was set for.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      lastProbeTime: time('When the condition was last checked.'),
      lastTransitionTime: time('When the condition last changed status.'),
      reason: str('A short CamelCase reason for the last change.'),
      message: str('A human-readable explanation of the last change.'),
    },
    required('type', 'status'),
  ),
  [C + 'PodDNSConfig']: obj('Extra DNS resolver settings for a pod.', {
    nameservers: stringList(
      'DNS server addresses added to the resolver configuration.',
      atomicList,
    ),
    searches: stringList('Search domains added to the resolver configuration.', atomicList),
    options: arrayOf(
      ref(C + 'PodDNSConfigOption'),
      'Resolver options added to the configuration, replacing same-named options from the DNS policy.',
      atomicList,
    ),
  }),
  [C + 'PodDNSConfigOption']: obj('One DNS resolver option.', {
    name: str("The option's name."),
    value: str("The option's value, if it takes one."),
  }),
  [C + 'PodIP']: obj(
    'One IP address allocated to a pod.',
    {
      ip: str('The IP address.'),
    },
    required('ip'),
  ),
  [C + 'PodList']: listKindObj(v1('PodList'), C + 'Pod', 'A list of pods.', 'The pods.'),
  [C + 'PodOS']: obj(
    'The operating system a pod needs.',
    {
      name: str('The operating system name, such as linux or windows.'),
    },
    required('name'),
  ),
  [C + 'PodReadinessGate']: obj(
    'A pod condition that must be true for the pod to be ready.',
    {
      conditionType: str('The type of the pod condition to wait for.'),
    },
    required('conditionType'),
  ),
  [C + 'PodResourceClaim']: obj(
    'A named reference from a pod to a ResourceClaim or ResourceClaimTemplate.',
    {
      name: str('The name by which containers refer to this claim; unique within the pod.'),
      resourceClaimName: str("An existing ResourceClaim in the pod's namespace to use."),
      resourceClaimTemplateName: str(
        'A ResourceClaimTemplate from which a claim is created for this pod.',
      ),
    },
    required('name'),
  ),
  [C + 'PodResourceClaimStatus']: obj(
    "The ResourceClaim generated for one of a pod's resource claims.",
    {
      name: str("The name of the entry in the pod's resourceClaims."),
      resourceClaimName: str(
        'The name of the generated ResourceClaim, absent when none was needed.',
      ),
    },
    required('name'),
  ),
  [C + 'PodSchedulingGate']: obj(
    'A named gate that keeps a pod from being scheduled while it is present.',
    {
      name: str("The gate's name, unique within the pod."),
    },
    required('name'),
  ),
  [C + 'PodSecurityContext']: obj('Security settings that apply to every container of a pod.', {
    seLinuxOptions: refTo(C + 'SELinuxOptions', 'The SELinux context for all containers.'),
    windowsOptions: refTo(
      C + 'WindowsSecurityContextOptions',
      'Windows-specific settings for all containers.',
    ),
    runAsUser: int64("The user ID the containers' entrypoints run as."),
    runAsGroup: int64("The primary group ID the containers' entrypoints run as."),
    runAsNonRoot: bool('Whether the containers must run as a non-root user.'),
    supplementalGroups: arrayOf(
      { type: 'integer', format: 'int64' },
      'Extra group IDs given to the first process of each container.',
      atomicList,
    ),
    supplementalGroupsPolicy: enumStr(
      SUPPLEMENTAL_GROUPS_POLICY,
      "How supplemental groups are computed: Merge (with the image's groups) or Strict.",
    ),
    fsGroup: int64(
      "A group ID that owns supported volumes and is added to every container's groups.",
    ),
    sysctls: arrayOf(
      ref(C + 'Sysctl'),
      'Namespaced kernel parameters set for the pod.',
      atomicList,
    ),
    fsGroupChangePolicy: enumStr(
      POD_FS_GROUP_CHANGE_POLICY,
      'When volume ownership is changed to fsGroup: Always or OnRootMismatch.',
    ),
    seccompProfile: refTo(C + 'SeccompProfile', 'The seccomp profile for all containers.'),
    appArmorProfile: refTo(C + 'AppArmorProfile', 'The AppArmor profile for all containers.'),
    seLinuxChangePolicy: str(
      'How SELinux labels are applied to volumes: Recursive or MountOption.',
    ),
  }),
  [C + 'PodSpec']: obj(
    'The desired state of a pod.',
    {
      volumes: arrayOf(
        ref(C + 'Volume'),
        "Volumes the pod's containers can mount.",
        mapList('name'),
        patch('merge,retainKeys', 'name'),
      ),
      initContainers: arrayOf(
        ref(C + 'Container'),
        'Containers that run one after another, each to completion, before the regular containers start; restartable ones act as sidecars.',
        mapList('name'),
        patchMerge('name'),
      ),
      containers: arrayOf(
        ref(C + 'Container'),
        'The containers of the pod; at least one is required and none can be added or removed after creation.',
        mapList('name'),
        patchMerge('name'),
      ),
      ephemeralContainers: arrayOf(
        ref(C + 'EphemeralContainer'),
        'Temporary containers added to a running pod for debugging, through the ephemeralcontainers subresource.',
        mapList('name'),
        patchMerge('name'),
      ),
      restartPolicy: enumStr(
        RESTART_POLICY,
        'Whether containers are restarted when they exit: Always (default), OnFailure or Never.',
      ),
      terminationGracePeriodSeconds: int64(
        'Seconds between the stop signal and a forced kill when the pod is deleted; 0 kills at once.',
      ),
      activeDeadlineSeconds: int64(
        'Seconds after the pod started at which the system marks it failed and kills its containers.',
      ),
      dnsPolicy: enumStr(
        DNS_POLICY,
        "How the pod's DNS resolver is configured: ClusterFirst (default), ClusterFirstWithHostNet, Default or None.",
      ),
      nodeSelector: stringMap(
        'Labels a node must carry for the pod to be scheduled onto it.',
        atomicMap,
      ),
      serviceAccountName: str('The service account whose identity the pod runs with.'),
      serviceAccount: str('Deprecated alias of serviceAccountName.'),
      automountServiceAccountToken: bool(
        "Whether a service account token is mounted into the pod's containers automatically.",
      ),
      nodeName: str(
        'The node the pod is bound to; set by the scheduler, or by the user to bypass scheduling.',
      ),
      hostNetwork: bool("Whether the pod uses the node's network namespace instead of its own."),
      hostPID: bool("Whether the pod shares the node's process ID namespace."),
      hostIPC: bool("Whether the pod shares the node's IPC namespace."),
      shareProcessNamespace: bool(
        "Whether all containers of the pod share one process namespace, so they can see and signal each other's processes.",
      ),
      securityContext: refTo(
        C + 'PodSecurityContext',
        'Security settings for the whole pod; container-level settings override them.',
      ),
      imagePullSecrets: arrayOf(
        ref(C + 'LocalObjectReference'),
        "Secrets in the pod's namespace holding registry credentials for pulling its images.",
        mapList('name'),
        patchMerge('name'),
      ),
      hostname: str("The pod's host name; defaults to the pod's name."),
      subdomain: str(
        'Subdomain that, with hostname, gives the pod a fully qualified DNS name under a headless service.',
      ),
      affinity: refTo(
        C + 'Affinity',
        'Node affinity, pod affinity and pod anti-affinity rules for scheduling.',
      ),
      schedulerName: str('The scheduler that places the pod; the default scheduler when empty.'),
      tolerations: arrayOf(
        ref(C + 'Toleration'),
        'Taints the pod tolerates, allowing it onto (or keeping it on) tainted nodes.',
        atomicList,
      ),
      hostAliases: arrayOf(
        ref(C + 'HostAlias'),
        "Extra entries written into the pod's hosts file.",
        mapList('ip'),
        patchMerge('ip'),
      ),
      priorityClassName: str('The priority class that gives the pod its scheduling priority.'),
      priority: int32(
        "The pod's priority, filled in from priorityClassName by admission; higher is more important.",
      ),
      dnsConfig: refTo(
        C + 'PodDNSConfig',
        'Extra DNS settings merged into the resolver configuration that dnsPolicy produces.',
      ),
      readinessGates: arrayOf(
        ref(C + 'PodReadinessGate'),
        'Extra conditions that must be true before the pod counts as ready.',
        atomicList,
      ),
      runtimeClassName: str(
        'The RuntimeClass that selects the container runtime configuration for the pod.',
      ),
      enableServiceLinks: bool(
        'Whether environment variables describing services in the namespace are injected into the containers.',
      ),
      preemptionPolicy: enumStr(
        PREEMPTION_POLICY,
        'Whether this pod may preempt lower-priority pods: PreemptLowerPriority (default) or Never.',
      ),
      overhead: resourceList(
        "Resources the pod's sandbox consumes beyond its containers, set from the RuntimeClass by admission.",
      ),
      topologySpreadConstraints: arrayOf(
        ref(C + 'TopologySpreadConstraint'),
        'Rules for spreading matching pods evenly across topology domains such as zones or nodes.',
        mapList('topologyKey', 'whenUnsatisfiable'),
        patchMerge('topologyKey'),
      ),
      setHostnameAsFQDN: bool(
        "Whether the pod's host name is set to its fully qualified domain name rather than its short name.",
      ),
      os: refTo(
        C + 'PodOS',
        "The operating system the pod's containers need; drives validation of OS-specific fields.",
      ),
      hostUsers: bool(
        "Whether the pod uses the host's user namespace; false gives it a user namespace of its own.",
      ),
      schedulingGates: arrayOf(
        ref(C + 'PodSchedulingGate'),
        'Gates that hold the pod back from scheduling until every one of them is removed.',
        mapList('name'),
        patchMerge('name'),
      ),
      resourceClaims: arrayOf(
        ref(C + 'PodResourceClaim'),
        'Dynamically allocated resources (DRA claims) the pod needs, by name.',
        mapList('name'),
        patch('merge,retainKeys', 'name'),
      ),
      resources: refTo(
        C + 'ResourceRequirements',
        'Resource requests and limits for the whole pod, shared by its containers.',
      ),
    },
    required('containers'),
  ),
  [C + 'PodStatus']: obj('The most recently observed state of a pod.', {
    observedGeneration: int64('The pod generation that this status reflects.'),
    phase: enumStr(
      POD_PHASE,
      'A summary of where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.',
    ),
    conditions: arrayOf(
      ref(C + 'PodCondition'),
      "The pod's current conditions, such as PodScheduled and Ready.",
      mapList('type'),
      patchMerge('type'),
    ),
    message: str("A human-readable explanation of the pod's current state."),
    reason: str("A short CamelCase reason for the pod's current state, e.g. Evicted."),
    nominatedNodeName: str(
      'The node on which this pod is expected to run once preemption victims are gone.',
    ),
    hostIP: str('The primary IP address of the node the pod runs on.'),
    hostIPs: arrayOf(
      ref(C + 'HostIP'),
      'The IP addresses of the node the pod runs on, primary first.',
      atomicList,
      patchMerge('ip'),
    ),
    podIP: str('The primary IP address allocated to the pod.'),
    podIPs: arrayOf(
      ref(C + 'PodIP'),
      'The IP addresses allocated to the pod, primary first, at most one per address family.',
      mapList('ip'),
      patchMerge('ip'),
    ),
    startTime: time('When the node acknowledged the pod, before any image was pulled.'),
    initContainerStatuses: arrayOf(
      ref(C + 'ContainerStatus'),
      'The status of each init container.',
      atomicList,
    ),
    containerStatuses: arrayOf(
      ref(C + 'ContainerStatus'),
      'The status of each regular container.',
      atomicList,
    ),
    qosClass: enumStr(
      POD_QOS_CLASS,
      "The quality-of-service class derived from the containers' requests and limits.",
    ),
    ephemeralContainerStatuses: arrayOf(
      ref(C + 'ContainerStatus'),
      'The status of each ephemeral container.',
      atomicList,
    ),
    resize: str("Progress of an in-place resize of the pod's container resources (deprecated)."),
    resourceClaimStatuses: arrayOf(
      ref(C + 'PodResourceClaimStatus'),
      "The names of the ResourceClaims generated for the pod's resource claims.",
      mapList('name'),
      patch('merge,retainKeys', 'name'),
    ),
  }),
  [C + 'PodTemplate']: kindObj(
    v1('PodTemplate'),
    'A stored pod template that other objects can refer to.',
    {
      template: refTo(C + 'PodTemplateSpec', 'The template for pods created from this object.'),
    },
  ),
  [C + 'PodTemplateList']: listKindObj(
    v1('PodTemplateList'),
    C + 'PodTemplate',
    'A list of pod templates.',
    'The pod templates.',
  ),
  [C + 'PodTemplateSpec']: obj(
    'The pod that a controller creates from a template: its metadata and spec.',
    {
      metadata: refTo(
        M + 'ObjectMeta',
        'Metadata (labels, annotations) that created pods receive.',
      ),
      spec: refTo(C + 'PodSpec', 'The spec that created pods receive.'),
    },
  ),
  [C + 'PortStatus']: obj(
    'The state of one service port at a load balancer.',
    {
      port: int32('The port number.'),
      protocol: enumStr(PROTOCOL, "The port's protocol: TCP, UDP or SCTP."),
      error: str('A CamelCase problem with the port, if there is one.'),
    },
    required('port', 'protocol'),
  ),
  [C + 'PortworxVolumeSource']: obj(
    'A Portworx volume.',
    {
      volumeID: str('The Portworx volume ID.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('volumeID'),
  ),
  [C + 'PreferredSchedulingTerm']: obj(
    'A weighted node preference.',
    {
      weight: int32("The weight added to a matching node's score, 1 to 100."),
      preference: refTo(C + 'NodeSelectorTerm', 'The node requirements of this preference.'),
    },
    required('weight', 'preference'),
  ),
  [C + 'Probe']: obj(
    'A check the kubelet runs against a container to learn whether it is alive, ready or started.',
    {
      exec: refTo(C + 'ExecAction', 'Run a command in the container; exit status 0 is success.'),
      httpGet: refTo(C + 'HTTPGetAction', 'Send an HTTP GET; a status from 200 to 399 is success.'),
      tcpSocket: refTo(C + 'TCPSocketAction', 'Open a TCP connection; connecting is success.'),
      grpc: refTo(C + 'GRPCAction', 'Call the gRPC health checking service.'),
      initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
      timeoutSeconds: int32('Seconds after which a probe attempt times out; 1 by default.'),
      periodSeconds: int32('Seconds between probes; 10 by default.'),
      successThreshold: int32(
        'Consecutive successes needed after a failure to count as successful again; must be 1 for liveness and startup.',
      ),
      failureThreshold: int32('Consecutive failures needed to count as failed; 3 by default.'),
      terminationGracePeriodSeconds: int64(
        "Grace period for stopping the container when this probe fails, overriding the pod's.",
      ),
    },
  ),
  [C + 'ProjectedVolumeSource']: obj('Several volume sources combined into one directory.', {
    sources: arrayOf(ref(C + 'VolumeProjection'), 'The sources to combine.', atomicList),
    defaultMode: int32(
      'Permission bits of the created files (0000 to 0777), unless a source sets its own.',
    ),
  }),
  [C + 'QuobyteVolumeSource']: obj(
    'A Quobyte volume.',
    {
      registry: str('The Quobyte registry addresses, as host:port, comma-separated.'),
      volume: str('The name of an existing Quobyte volume.'),
      readOnly: bool('Whether the volume is mounted read-only.'),
      user: str('The user to map volume access to.'),
      group: str('The group to map volume access to.'),
      tenant: str('The tenant owning the volume, for dynamically provisioned volumes.'),
    },
    required('registry', 'volume'),
  ),
  [C + 'RBDVolumeSource']: obj(
    'A Ceph RBD image.',
    {
      monitors: stringList('The Ceph monitor addresses.', atomicList),
      image: str('The RADOS image name.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      pool: str('The RADOS pool name.', defaultValue('rbd')),
      user: str('The RADOS user name.', defaultValue('admin')),
      keyring: str('The path to the key ring for the user.', defaultValue('/etc/ceph/keyring')),
      secretRef: refTo(
        C + 'LocalObjectReference',
        "A Secret with the user's key, instead of keyring.",
      ),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('monitors', 'image'),
  ),
  [C + 'ResourceClaim']: obj(
    "A reference to one of the pod's resource claims.",
    {
      name: str("The name of an entry in the pod's resourceClaims."),
      request: str('A single request within that claim; the whole claim when empty.'),
    },
    required('name'),
  ),
  [C + 'ResourceFieldSelector']: obj(
    'Selects a resource limit or request of a container, scaled by a divisor.',
    {
      containerName: str(
        'The container to read; required for volumes, optional for environment variables.',
      ),
      resource: str('The resource to read, such as limits.cpu or requests.memory.'),
      divisor: quantity('The unit the value is expressed in; 1 by default.'),
    },
    required('resource'),
    atomicMap,
  ),
  [C + 'ResourceHealth']: obj(
    'Health of one allocated device.',
    {
      resourceID: str('The ID of the device.'),
      health: str('Healthy, Unhealthy or Unknown.'),
    },
    required('resourceID'),
  ),
  [C + 'ResourceRequirements']: obj(
    'Compute resources a container (or pod) requests and is limited to.',
    {
      limits: resourceList('The most of each resource that may be used.'),
      requests: resourceList(
        'The amount of each resource that is reserved; defaults to the limit when only the limit is set.',
      ),
      claims: arrayOf(
        ref(C + 'ResourceClaim'),
        "Which of the pod's resource claims this container uses.",
        mapList('name'),
      ),
    },
  ),
  [C + 'ResourceStatus']: obj(
    'Health of the devices behind one resource of a container.',
    {
      name: str(
        "The resource name, as in the container's requests (or claim:<name>/<request> for claims).",
      ),
      resources: arrayOf(
        ref(C + 'ResourceHealth'),
        'The health of each device allocated for the resource.',
        mapList('resourceID'),
      ),
    },
    required('name'),
  ),
  [C + 'SELinuxOptions']: obj('An SELinux context.', {
    user: str('The SELinux user.'),
    role: str('The SELinux role.'),
    type: str('The SELinux type.'),
    level: str('The SELinux level.'),
  }),
  [C + 'ScaleIOVolumeSource']: obj(
    'A ScaleIO volume.',
    {
      gateway: str('The ScaleIO API gateway address.'),
      system: str('The name of the ScaleIO storage system.'),
      secretRef: refTo(C + 'LocalObjectReference', "A Secret with the ScaleIO user's credentials."),
      sslEnabled: bool('Whether the gateway is reached over SSL.'),
      protectionDomain: str('The ScaleIO protection domain of the storage.'),
      storagePool: str('The ScaleIO storage pool.'),
      storageMode: str(
        'ThickProvisioned or ThinProvisioned (default).',
        defaultValue('ThinProvisioned'),
      ),
      volumeName: str('The name of an existing ScaleIO volume.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.', defaultValue('xfs')),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    required('gateway', 'system', 'secretRef'),
  ),
  [C + 'SeccompProfile']: obj(
    'A seccomp profile.',
    {
      type: enumStr(
        SECCOMP_PROFILE_TYPE,
        'Which profile: RuntimeDefault, Unconfined or Localhost.',
      ),
      localhostProfile: str(
        "The profile file on the node, relative to the kubelet's seccomp directory; only for type Localhost.",
      ),
    },
    required('type'),
    {
      'x-kubernetes-unions': [
        {
          discriminator: 'type',
          'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' },
        },
      ],
    },
  ),
  [C + 'Secret']: kindObj(
    v1('Secret'),
    'Confidential data such as passwords, keys and tokens, kept apart from the pods that use it.',
    {
      immutable: bool('Whether the data can no longer change; once true, it cannot be unset.'),
      data: mapOf(
        { type: 'string', format: 'byte' },
        'The secret entries, each base64-encoded in JSON.',
      ),
      stringData: stringMap(
        'Write-only plain-text entries, merged into data on write; wins over data for the same key.',
      ),
      type: str(
        'What the secret holds and which keys it must have, such as Opaque or kubernetes.io/tls.',
      ),
    },
  ),
  [C + 'SecretEnvSource']: obj('A Secret whose keys become environment variables.', {
    name: str("The Secret's name.", defaultValue('')),
    optional: bool('Whether the container may start when the Secret does not exist.'),
  }),
  [C + 'SecretKeySelector']: obj(
    'Selects one key of a Secret.',
    {
      name: str("The Secret's name.", defaultValue('')),
      key: str('The key to read.'),
      optional: bool('Whether the Secret or key may be missing.'),
    },
    required('key'),
    atomicMap,
  ),
  [C + 'SecretList']: listKindObj(
    v1('SecretList'),
    C + 'Secret',
    'A list of Secrets.',
    'The Secrets.',
  ),
  [C + 'SecretProjection']: obj('A Secret projected into a volume.', {
    name: str("The Secret's name.", defaultValue('')),
    items: arrayOf(
      ref(C + 'KeyToPath'),
      'The keys to project and their paths; every key, at its own name, when absent.',
      atomicList,
    ),
    optional: bool('Whether the pod may start when the Secret or a listed key is missing.'),
  }),
  [C + 'SecretVolumeSource']: obj('A Secret whose keys become files.', {
    secretName: str("The Secret's name, in the pod's namespace."),
    items: arrayOf(
      ref(C + 'KeyToPath'),
      'The keys to project and their paths; every key, at its own name, when absent.',
      atomicList,
    ),
    defaultMode: int32('Permission bits of the created files (0000 to 0777); 0644 by default.'),
    optional: bool('Whether the pod may start when the Secret or a listed key is missing.'),
  }),
  [C + 'SecurityContext']: obj('Security settings of one container.', {
    capabilities: refTo(
      C + 'Capabilities',
      "Linux capabilities to add to or drop from the container runtime's default set.",
    ),
    privileged: bool('Whether the container runs privileged, nearly as root on the host.'),
    seLinuxOptions: refTo(C + 'SELinuxOptions', 'The SELinux context of the container.'),
    windowsOptions: refTo(
      C + 'WindowsSecurityContextOptions',
      'Windows-specific settings of the container.',
    ),
    runAsUser: int64("The user ID the container's entrypoint runs as."),
    runAsGroup: int64("The primary group ID the container's entrypoint runs as."),
    runAsNonRoot: bool(
      'Whether the container must run as a non-root user; the kubelet refuses to start it otherwise.',
    ),
    readOnlyRootFilesystem: bool("Whether the container's root filesystem is read-only."),
    allowPrivilegeEscalation: bool(
      'Whether a process may gain more privileges than its parent (no_new_privs unset).',
    ),
    procMount: enumStr(
      PROC_MOUNT_TYPE,
      'How /proc is mounted: Default (masked paths) or Unmasked.',
    ),
    seccompProfile: refTo(C + 'SeccompProfile', 'The seccomp profile of the container.'),
    appArmorProfile: refTo(C + 'AppArmorProfile', 'The AppArmor profile of the container.'),
  }),
  [C + 'Service']: kindObj(
    v1('Service'),
    'A stable virtual address and DNS name for a set of pods, with load balancing among them.',
    {
      spec: refTo(C + 'ServiceSpec', 'The ports, selector and type of the service.'),
      status: refTo(
        C + 'ServiceStatus',
        'The observed state of the service, such as its load balancer.',
      ),
    },
  ),
  [C + 'ServiceAccount']: kindObj(
    v1('ServiceAccount'),
    'An identity for processes running in pods.',
    {
      secrets: arrayOf(
        ref(C + 'ObjectReference'),
        "Secrets this service account's pods may use; the legacy home of token secrets.",
        mapList('name'),
        patchMerge('name'),
      ),
      imagePullSecrets: arrayOf(
        ref(C + 'LocalObjectReference'),
        'Registry credentials added to every pod that runs as this service account.',
        atomicList,
      ),
      automountServiceAccountToken: bool(
        "Whether pods of this service account get a token mounted by default; a pod's own setting wins.",
      ),
    },
  ),
  [C + 'ServiceAccountList']: listKindObj(
    v1('ServiceAccountList'),
    C + 'ServiceAccount',
    'A list of service accounts.',
    'The service accounts.',
  ),
  [C + 'ServiceAccountTokenProjection']: obj(
    "A token for the pod's service account, refreshed by the kubelet before it expires.",
    {
      audience: str("The audience the token is for; the API server's own when empty."),
      expirationSeconds: int64(
        'How long the token is valid, at least 600 seconds; one hour by default.',
      ),
      path: str('The relative file path the token is written to.'),
    },
    required('path'),
  ),
  [C + 'ServiceList']: listKindObj(
    v1('ServiceList'),
    C + 'Service',
    'A list of services.',
    'The services.',
  ),
  [C + 'ServicePort']: obj(
    'One port of a service.',
    {
      name: str("The port's name; required when the service has several ports."),
      protocol: enumStr(
        PROTOCOL,
        "The port's protocol: TCP (default), UDP or SCTP.",
        defaultValue('TCP'),
      ),
      appProtocol: str('The application protocol, such as http or a prefixed custom name.'),
      port: int32('The port the service listens on.'),
      targetPort: intOrString(
        'The pod port, by number or by container port name, that traffic goes to; defaults to port.',
      ),
      nodePort: int32(
        'The port on every node that forwards to this port, for NodePort and LoadBalancer services.',
      ),
    },
    required('port'),
  ),
  [C + 'ServiceSpec']: obj('The desired state of a service.', {
    ports: arrayOf(
      ref(C + 'ServicePort'),
      'The ports the service exposes.',
      mapList('port', 'protocol'),
      patchMerge('port'),
    ),
    selector: stringMap(
      "Labels of the pods that receive the service's traffic; no endpoints are managed when empty.",
      atomicMap,
    ),
    clusterIP: str(
      'The virtual IP address of the service; usually allocated, None for a headless service.',
    ),
    clusterIPs: stringList(
      'The virtual IP addresses of the service, at most one per family, the first equal to clusterIP.',
      atomicList,
    ),
    type: enumStr(
      SERVICE_TYPE,
      'How the service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.',
    ),
    externalIPs: stringList(
      "Extra IP addresses, not managed by the cluster, on which nodes accept the service's traffic.",
      atomicList,
    ),
    sessionAffinity: enumStr(
      SERVICE_AFFINITY,
      'ClientIP to keep sending a client to the same pod, or None (default).',
    ),
    loadBalancerIP: str('Deprecated: an IP address requested from the load balancer.'),
    loadBalancerSourceRanges: stringList(
      'Client address ranges the load balancer lets in.',
      atomicList,
    ),
    externalName: str('The DNS name that an ExternalName service aliases.'),
    externalTrafficPolicy: enumStr(
      SERVICE_EXTERNAL_TRAFFIC_POLICY,
      'Whether external traffic goes to any endpoint (Cluster) or only to endpoints on the receiving node (Local).',
    ),
    healthCheckNodePort: int32(
      'The node port on which a load balancer checks for local endpoints, with externalTrafficPolicy Local.',
    ),
    publishNotReadyAddresses: bool(
      'Whether endpoints of pods that are not ready are published too.',
    ),
    sessionAffinityConfig: refTo(C + 'SessionAffinityConfig', 'Settings of session affinity.'),
    ipFamilies: arrayOf(
      { type: 'string', enum: [...IP_FAMILY] },
      "The IP families (IPv4, IPv6) of the service's cluster IPs, in order.",
      atomicList,
    ),
    ipFamilyPolicy: enumStr(IP_FAMILY_POLICY, 'SingleStack, PreferDualStack or RequireDualStack.'),
    allocateLoadBalancerNodePorts: bool(
      'Whether node ports are allocated for a LoadBalancer service; true by default.',
    ),
    loadBalancerClass: str('The load balancer implementation that should serve this service.'),
    internalTrafficPolicy: enumStr(
      SERVICE_INTERNAL_TRAFFIC_POLICY,
      'Whether in-cluster traffic goes to any endpoint (Cluster) or only to endpoints on the sending node (Local).',
    ),
    trafficDistribution: str(
      'A preference for how traffic is spread over endpoints, such as PreferClose.',
    ),
  }),
  [C + 'ServiceStatus']: obj('The observed state of a service.', {
    loadBalancer: refTo(C + 'LoadBalancerStatus', 'The load balancer serving the service, if any.'),
    conditions: arrayOf(
      ref(M + 'Condition'),
      "The service's current conditions.",
      mapList('type'),
      patchMerge('type'),
    ),
  }),
  [C + 'SessionAffinityConfig']: obj('Settings of session affinity.', {
    clientIP: refTo(C + 'ClientIPConfig', 'Settings of client-IP affinity.'),
  }),
  [C + 'SleepAction']: obj(
    'A pause.',
    {
      seconds: int64('How many seconds to wait.'),
    },
    required('seconds'),
  ),
  [C + 'StorageOSVolumeSource']: obj('A StorageOS volume.', {
    volumeName: str("The volume's name within its namespace."),
    volumeNamespace: str("The StorageOS namespace; the pod's namespace by default."),
    fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
    readOnly: bool('Whether the volume is mounted read-only.'),
    secretRef: refTo(C + 'LocalObjectReference', 'A Secret with StorageOS API credentials.'),
  }),
  [C + 'Sysctl']: obj(
    'One kernel parameter.',
    {
      name: str("The parameter's name."),
      value: str("The parameter's value."),
    },
    required('name', 'value'),
  ),
  [C + 'TCPSocketAction']: obj(
    'A TCP connection attempt.',
    {
      port: intOrString('The port number or named container port to connect to.'),
      host: str('The host to connect to; the pod IP by default.'),
    },
    required('port'),
  ),
  [C + 'Taint']: obj(
    'Repels pods that do not tolerate it from a node.',
    {
      key: str('The taint key.'),
      value: str('The taint value.'),
      effect: enumStr(
        TAINT_EFFECT,
        'What happens to pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute.',
      ),
      timeAdded: time('When a NoExecute taint was added.'),
    },
    required('key', 'effect'),
  ),
  [C + 'Toleration']: obj('Lets a pod tolerate a taint that matches it by key, value and effect.', {
    key: str(
      'The taint key this toleration matches; empty with operator Exists matches every taint.',
    ),
    operator: enumStr(
      TOLERATION_OPERATOR,
      'How key and value are compared: Equal (default) or Exists.',
    ),
    value: str('The taint value to match; must be empty when the operator is Exists.'),
    effect: enumStr(TAINT_EFFECT, 'The taint effect to match; empty matches every effect.'),
    tolerationSeconds: int64(
      'How long a NoExecute taint is tolerated before the pod is evicted; absent means forever.',
    ),
  }),
  [C + 'TopologySpreadConstraint']: obj(
    'How matching pods should be spread over the domains of one topology key.',
    {
      maxSkew: int32(
        'The largest allowed difference in matching pods between any two eligible domains.',
      ),
      topologyKey: str('The node label whose values define the topology domains.'),
      whenUnsatisfiable: enumStr(
        UNSATISFIABLE_CONSTRAINT_ACTION,
        'What to do when the constraint cannot be met: DoNotSchedule or ScheduleAnyway.',
      ),
      labelSelector: refTo(
        M + 'LabelSelector',
        'Selects the pods that are counted in each domain.',
      ),
      minDomains: int32('The minimum number of eligible domains assumed when computing the skew.'),
      nodeAffinityPolicy: enumStr(
        NODE_INCLUSION_POLICY,
        "Whether the pod's node affinity and node selector limit which nodes count: Honor or Ignore.",
      ),
      nodeTaintsPolicy: enumStr(
        NODE_INCLUSION_POLICY,
        'Whether node taints limit which nodes count: Honor or Ignore.',
      ),
      matchLabelKeys: stringList(
        'Label keys whose values, taken from the incoming pod, are added to the label selector.',
        atomicList,
      ),
    },
    required('maxSkew', 'topologyKey', 'whenUnsatisfiable'),
  ),
  [C + 'TypedLocalObjectReference']: obj(
    'A reference to an object of a given kind in the same namespace.',
    {
      apiGroup: str('The API group of the object; empty for the core group.'),
      kind: str('The kind of the object.'),
      name: str('The name of the object.'),
    },
    required('kind', 'name'),
    atomicMap,
  ),
  [C + 'TypedObjectReference']: obj(
    'A reference to an object of a given kind, possibly in another namespace.',
    {
      apiGroup: str('The API group of the object; empty for the core group.'),
      kind: str('The kind of the object.'),
      name: str('The name of the object.'),
      namespace: str("The namespace of the object; the referrer's namespace when empty."),
    },
    required('kind', 'name'),
  ),
  [C + 'Volume']: obj(
    'A named volume of a pod that its containers can mount; exactly one source is set.',
    {
      name: str("The volume's name, unique within the pod; volume mounts refer to it."),
      hostPath: refTo(
        C + 'HostPathVolumeSource',
        'A file or directory of the node, mounted into the pod; for system agents, not ordinary workloads.',
      ),
      emptyDir: refTo(
        C + 'EmptyDirVolumeSource',
        'An empty directory that lives as long as the pod does.',
      ),
      gcePersistentDisk: refTo(
        C + 'GCEPersistentDiskVolumeSource',
        'Deprecated: a GCE persistent disk (use the CSI driver instead).',
      ),
      awsElasticBlockStore: refTo(
        C + 'AWSElasticBlockStoreVolumeSource',
        'Deprecated: an AWS EBS volume (use the CSI driver instead).',
      ),
      gitRepo: refTo(
        C + 'GitRepoVolumeSource',
        'Deprecated: a git repository cloned into an empty directory (clone it in an init container instead).',
      ),
      secret: refTo(C + 'SecretVolumeSource', 'The keys of a Secret as files.'),
      nfs: refTo(C + 'NFSVolumeSource', 'An NFS export mounted into the pod.'),
      iscsi: refTo(
        C + 'ISCSIVolumeSource',
        'An iSCSI disk attached to the node and mounted into the pod.',
      ),
      glusterfs: refTo(C + 'GlusterfsVolumeSource', 'Deprecated: a GlusterFS volume.'),
      persistentVolumeClaim: refTo(
        C + 'PersistentVolumeClaimVolumeSource',
        "The volume bound to a PersistentVolumeClaim in the pod's namespace.",
      ),
      rbd: refTo(C + 'RBDVolumeSource', 'Deprecated: a Ceph RBD image.'),
      flexVolume: refTo(
        C + 'FlexVolumeSource',
        'Deprecated: a volume provided by a FlexVolume driver.',
      ),
      cinder: refTo(
        C + 'CinderVolumeSource',
        'Deprecated: an OpenStack Cinder volume (use the CSI driver instead).',
      ),
      cephfs: refTo(C + 'CephFSVolumeSource', 'Deprecated: a CephFS mount.'),
      flocker: refTo(C + 'FlockerVolumeSource', 'Deprecated: a Flocker dataset.'),
      downwardAPI: refTo(
        C + 'DownwardAPIVolumeSource',
        'Fields of the pod and container resources written as files.',
      ),
      fc: refTo(
        C + 'FCVolumeSource',
        'A Fibre Channel disk attached to the node and mounted into the pod.',
      ),
      azureFile: refTo(
        C + 'AzureFileVolumeSource',
        'Deprecated: an Azure File share (use the CSI driver instead).',
      ),
      configMap: refTo(C + 'ConfigMapVolumeSource', 'The keys of a ConfigMap as files.'),
      vsphereVolume: refTo(
        C + 'VsphereVirtualDiskVolumeSource',
        'Deprecated: a vSphere disk (use the CSI driver instead).',
      ),
      quobyte: refTo(C + 'QuobyteVolumeSource', 'Deprecated: a Quobyte volume.'),
      azureDisk: refTo(
        C + 'AzureDiskVolumeSource',
        'Deprecated: an Azure data disk (use the CSI driver instead).',
      ),
      photonPersistentDisk: refTo(
        C + 'PhotonPersistentDiskVolumeSource',
        'Deprecated: a Photon Controller persistent disk.',
      ),
      projected: refTo(
        C + 'ProjectedVolumeSource',
        'Several sources (Secrets, ConfigMaps, downward API, tokens) combined in one directory.',
      ),
      portworxVolume: refTo(
        C + 'PortworxVolumeSource',
        'Deprecated: a Portworx volume (use the CSI driver instead).',
      ),
      scaleIO: refTo(C + 'ScaleIOVolumeSource', 'Deprecated: a ScaleIO volume.'),
      storageos: refTo(C + 'StorageOSVolumeSource', 'Deprecated: a StorageOS volume.'),
      csi: refTo(C + 'CSIVolumeSource', 'An ephemeral volume provided inline by a CSI driver.'),
      ephemeral: refTo(
        C + 'EphemeralVolumeSource',
        'A volume claim created with the pod and deleted with it, from a template.',
      ),
      image: refTo(
        C + 'ImageVolumeSource',
        'The contents of an OCI image or artifact, mounted read-only.',
      ),
    },
    required('name'),
  ),
  [C + 'VolumeDevice']: obj(
    'A raw block volume made available inside a container.',
    {
      name: str("The name of the pod's persistentVolumeClaim volume."),
      devicePath: str('The device path inside the container.'),
    },
    required('name', 'devicePath'),
  ),
  [C + 'VolumeMount']: obj(
    'A pod volume mounted into a container.',
    {
      name: str('The name of the pod volume to mount.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str(
        'Whether a read-only mount is also made read-only for its submounts: Disabled, IfPossible or Enabled.',
      ),
      mountPath: str('The path inside the container where the volume is mounted.'),
      subPath: str('A path within the volume to mount instead of its root.'),
      mountPropagation: enumStr(
        MOUNT_PROPAGATION_MODE,
        'How mounts propagate between host and container: None, HostToContainer or Bidirectional.',
      ),
      subPathExpr: str(
        "Like subPath, but with $(VAR) references to the container's environment expanded.",
      ),
    },
    required('name', 'mountPath'),
  ),
  [C + 'VolumeMountStatus']: obj(
    'A volume mount as the runtime reports it.',
    {
      name: str("The name of the mount, as in the container's volumeMounts."),
      mountPath: str('The path of the mount.'),
      readOnly: bool('Whether the mount is read-only.'),
      recursiveReadOnly: str('Whether submounts are read-only too: Disabled or Enabled.'),
    },
    required('name', 'mountPath'),
  ),
  [C + 'VolumeProjection']: obj('One source of a projected volume; exactly one field is set.', {
    secret: refTo(C + 'SecretProjection', 'Keys of a Secret.'),
    downwardAPI: refTo(C + 'DownwardAPIProjection', 'Pod fields and container resources.'),
    configMap: refTo(C + 'ConfigMapProjection', 'Keys of a ConfigMap.'),
    serviceAccountToken: refTo(
      C + 'ServiceAccountTokenProjection',
      "A token for the pod's service account.",
    ),
    clusterTrustBundle: refTo(
      C + 'ClusterTrustBundleProjection',
      'Certificates from ClusterTrustBundle objects.',
    ),
  }),
  [C + 'VolumeResourceRequirements']: obj(
    'The storage a volume claim requests and is limited to.',
    {
      limits: resourceList('The most storage the volume may have.'),
      requests: resourceList('The least storage the volume must have.'),
    },
  ),
  [C + 'VsphereVirtualDiskVolumeSource']: obj(
    'A vSphere virtual disk.',
    {
      volumePath: str('The path of the disk.'),
      fsType: str('The filesystem type to mount, such as ext4 or xfs.'),
      storagePolicyName: str('The name of the storage policy.'),
      storagePolicyID: str('The ID of the storage policy.'),
    },
    required('volumePath'),
  ),
  [C + 'WeightedPodAffinityTerm']: obj(
    'A pod affinity term with a weight.',
    {
      weight: int32("The weight added to a matching node's score, 1 to 100."),
      podAffinityTerm: refTo(C + 'PodAffinityTerm', 'The term.'),
    },
    required('weight', 'podAffinityTerm'),
  ),
  [C + 'WindowsSecurityContextOptions']: obj('Windows-specific security settings.', {
    gmsaCredentialSpecName: str('The name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str(
      'The content of the GMSA credential spec, filled in by an admission webhook.',
    ),
    runAsUserName: str('The Windows user name the entrypoint runs as.'),
    hostProcess: bool('Whether the container runs as a host process on the Windows node.'),
  }),
};

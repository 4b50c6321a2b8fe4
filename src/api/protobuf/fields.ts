/**
 * Protobuf field numbers of the built-in types, keyed by OpenAPI definition name
 * (`io.k8s.api.core.v1.PodSpec`), for decoding `application/vnd.kubernetes.protobuf`
 * request bodies (see decode.ts).
 *
 * Facts as of Kubernetes 1.33 (k8s.io/api, k8s.io/apimachinery and
 * k8s.io/apiextensions-apiserver v0.33.9): numbers from each group's
 * generated.proto; JSON names, pointers and `omitempty` from the Go struct tags.
 * Every definition of `builtinDefinitions` that has a protobuf message has an
 * entry, except the types that decode.ts decodes by name with their own fixed
 * numbers (Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1 and
 * the apiextensions JSON / JSONSchemaPropsOr{Array,Bool,StringArray} wrappers).
 * Three keys name Go structs that have no definition of their own because JSON
 * inlines them (`VolumeSource`, `ProbeHandler`, `EphemeralContainerCommon`).
 *
 * Format: one string per message, space-separated tokens, in field-number order:
 * - `N:name`  field N is JSON property `name`; its type comes from the OpenAPI
 *   schema of the definition. A scalar present with its zero value ("", 0,
 *   false, empty bytes) is dropped, as Go's `omitempty` drops it.
 * - `N:name!` a scalar kept even when zero (a Go pointer, or no `omitempty`).
 * - `N:name~` a list carried as a message holding `repeated items = 1`
 *   (Go's named slice types such as `Verbs`).
 * - `N:^Key`  a message whose fields are JSON properties of this object (Go's
 *   `json:",inline"` embedding); `Key` is the entry listing them, typed by the
 *   schema of the enclosing definition.
 * Only scalars carry `!`: messages, lists and maps present on the wire always
 * appear in the JSON, as in Go.
 */

/** Message layouts by definition name; read through `protobufFields`, not directly. */
export const protobufFieldTable: Readonly<Record<string, string>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup':
    '1:name! 2:versions 3:preferredVersion 4:serverAddressByClientCIDRs',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList': '1:groups',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource':
    '1:name! 2:namespaced! 3:kind! 4:verbs~ 5:shortNames 6:singularName! 7:categories 8:group 9:version 10:storageVersionHash',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList': '1:groupVersion! 2:resources',
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions': '1:versions 2:serverAddressByClientCIDRs',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition':
    '1:type! 2:status! 3:observedGeneration 4:lastTransitionTime 5:reason! 6:message!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions':
    '1:gracePeriodSeconds! 2:preconditions 3:orphanDependents! 4:propagationPolicy! 5:dryRun 6:ignoreStoreReadErrorWithClusterBreakingPotential!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement': '1:key! 2:operator! 3:values',
  'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery': '1:groupVersion! 2:version!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': '1:matchLabels 2:matchExpressions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': '1:key! 2:operator! 3:values',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta':
    '1:selfLink 2:resourceVersion 3:continue 4:remainingItemCount!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry':
    '1:manager 2:operation 3:apiVersion 4:time 6:fieldsType 7:fieldsV1 8:subresource',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta':
    '1:name 2:generateName 3:namespace 4:selfLink 5:uid 6:resourceVersion 7:generation 8:creationTimestamp 9:deletionTimestamp 10:deletionGracePeriodSeconds! 11:labels 12:annotations 13:ownerReferences 14:finalizers 17:managedFields',
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference':
    '1:kind! 3:name! 4:uid! 5:apiVersion! 6:controller! 7:blockOwnerDeletion!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': '1:uid! 2:resourceVersion!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR':
    '1:clientCIDR! 2:serverAddress!',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status':
    '1:metadata 2:status 3:message 4:reason 5:details 6:code',
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': '1:reason 2:message 3:field',
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails':
    '1:name 2:group 3:kind 4:causes 5:retryAfterSeconds 6:uid',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': '1:type! 2:object',
  'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource':
    '1:volumeID! 2:fsType 3:partition 4:readOnly',
  'io.k8s.api.core.v1.Affinity': '1:nodeAffinity 2:podAffinity 3:podAntiAffinity',
  'io.k8s.api.core.v1.AppArmorProfile': '1:type! 2:localhostProfile!',
  'io.k8s.api.core.v1.AttachedVolume': '1:name! 2:devicePath!',
  'io.k8s.api.core.v1.AzureDiskVolumeSource':
    '1:diskName! 2:diskURI! 3:cachingMode! 4:fsType! 5:readOnly! 6:kind!',
  'io.k8s.api.core.v1.AzureFileVolumeSource': '1:secretName! 2:shareName! 3:readOnly',
  'io.k8s.api.core.v1.Binding': '1:metadata 2:target',
  'io.k8s.api.core.v1.CSIVolumeSource':
    '1:driver! 2:readOnly! 3:fsType! 4:volumeAttributes 5:nodePublishSecretRef',
  'io.k8s.api.core.v1.Capabilities': '1:add 2:drop',
  'io.k8s.api.core.v1.CephFSVolumeSource':
    '1:monitors 2:path 3:user 4:secretFile 5:secretRef 6:readOnly',
  'io.k8s.api.core.v1.CinderVolumeSource': '1:volumeID! 2:fsType 3:readOnly 4:secretRef',
  'io.k8s.api.core.v1.ClientIPConfig': '1:timeoutSeconds!',
  'io.k8s.api.core.v1.ClusterTrustBundleProjection':
    '1:name! 2:signerName! 3:labelSelector 4:path! 5:optional!',
  'io.k8s.api.core.v1.ConfigMap': '1:metadata 2:data 3:binaryData 4:immutable!',
  'io.k8s.api.core.v1.ConfigMapEnvSource': '1:^io.k8s.api.core.v1.LocalObjectReference 2:optional!',
  'io.k8s.api.core.v1.ConfigMapKeySelector':
    '1:^io.k8s.api.core.v1.LocalObjectReference 2:key! 3:optional!',
  'io.k8s.api.core.v1.ConfigMapList': '1:metadata 2:items',
  'io.k8s.api.core.v1.ConfigMapNodeConfigSource':
    '1:namespace! 2:name! 3:uid 4:resourceVersion 5:kubeletConfigKey!',
  'io.k8s.api.core.v1.ConfigMapProjection':
    '1:^io.k8s.api.core.v1.LocalObjectReference 2:items 4:optional!',
  'io.k8s.api.core.v1.ConfigMapVolumeSource':
    '1:^io.k8s.api.core.v1.LocalObjectReference 2:items 3:defaultMode! 4:optional!',
  'io.k8s.api.core.v1.Container':
    '1:name! 2:image 3:command 4:args 5:workingDir 6:ports 7:env 8:resources 9:volumeMounts 10:livenessProbe 11:readinessProbe 12:lifecycle 13:terminationMessagePath 14:imagePullPolicy 15:securityContext 16:stdin 17:stdinOnce 18:tty 19:envFrom 20:terminationMessagePolicy 21:volumeDevices 22:startupProbe 23:resizePolicy 24:restartPolicy!',
  'io.k8s.api.core.v1.ContainerImage': '1:names 2:sizeBytes',
  'io.k8s.api.core.v1.ContainerPort': '1:name 2:hostPort 3:containerPort! 4:protocol 5:hostIP',
  'io.k8s.api.core.v1.ContainerResizePolicy': '1:resourceName! 2:restartPolicy!',
  'io.k8s.api.core.v1.ContainerState': '1:waiting 2:running 3:terminated',
  'io.k8s.api.core.v1.ContainerStateRunning': '1:startedAt',
  'io.k8s.api.core.v1.ContainerStateTerminated':
    '1:exitCode! 2:signal 3:reason 4:message 5:startedAt 6:finishedAt 7:containerID',
  'io.k8s.api.core.v1.ContainerStateWaiting': '1:reason 2:message',
  'io.k8s.api.core.v1.ContainerStatus':
    '1:name! 2:state 3:lastState 4:ready! 5:restartCount! 6:image! 7:imageID! 8:containerID 9:started! 10:allocatedResources 11:resources 12:volumeMounts 13:user 14:allocatedResourcesStatus 15:stopSignal!',
  'io.k8s.api.core.v1.ContainerUser': '1:linux',
  'io.k8s.api.core.v1.DaemonEndpoint': '1:Port!',
  'io.k8s.api.core.v1.DownwardAPIProjection': '1:items',
  'io.k8s.api.core.v1.DownwardAPIVolumeFile': '1:path! 2:fieldRef 3:resourceFieldRef 4:mode!',
  'io.k8s.api.core.v1.DownwardAPIVolumeSource': '1:items 2:defaultMode!',
  'io.k8s.api.core.v1.EmptyDirVolumeSource': '1:medium 2:sizeLimit',
  'io.k8s.api.core.v1.EndpointAddress': '1:ip! 2:targetRef 3:hostname 4:nodeName!',
  'io.k8s.api.core.v1.EndpointPort': '1:name 2:port! 3:protocol 4:appProtocol!',
  'io.k8s.api.core.v1.EndpointSubset': '1:addresses 2:notReadyAddresses 3:ports',
  'io.k8s.api.core.v1.Endpoints': '1:metadata 2:subsets',
  'io.k8s.api.core.v1.EndpointsList': '1:metadata 2:items',
  'io.k8s.api.core.v1.EnvFromSource': '1:prefix 2:configMapRef 3:secretRef',
  'io.k8s.api.core.v1.EnvVar': '1:name! 2:value 3:valueFrom',
  'io.k8s.api.core.v1.EnvVarSource':
    '1:fieldRef 2:resourceFieldRef 3:configMapKeyRef 4:secretKeyRef',
  'io.k8s.api.core.v1.EphemeralContainer':
    '1:^io.k8s.api.core.v1.EphemeralContainerCommon 2:targetContainerName',
  'io.k8s.api.core.v1.EphemeralVolumeSource': '1:volumeClaimTemplate',
  'io.k8s.api.core.v1.Event':
    '1:metadata 2:involvedObject 3:reason 4:message 5:source 6:firstTimestamp 7:lastTimestamp 8:count 9:type 10:eventTime 11:series 12:action 13:related 14:reportingComponent! 15:reportingInstance!',
  'io.k8s.api.core.v1.EventList': '1:metadata 2:items',
  'io.k8s.api.core.v1.EventSeries': '1:count 2:lastObservedTime',
  'io.k8s.api.core.v1.EventSource': '1:component 2:host',
  'io.k8s.api.core.v1.ExecAction': '1:command',
  'io.k8s.api.core.v1.FCVolumeSource': '1:targetWWNs 2:lun! 3:fsType 4:readOnly 5:wwids',
  'io.k8s.api.core.v1.FlexVolumeSource': '1:driver! 2:fsType 3:secretRef 4:readOnly 5:options',
  'io.k8s.api.core.v1.FlockerVolumeSource': '1:datasetName 2:datasetUUID',
  'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource': '1:pdName! 2:fsType 3:partition 4:readOnly',
  'io.k8s.api.core.v1.GRPCAction': '1:port! 2:service!',
  'io.k8s.api.core.v1.GitRepoVolumeSource': '1:repository! 2:revision 3:directory',
  'io.k8s.api.core.v1.GlusterfsVolumeSource': '1:endpoints! 2:path! 3:readOnly',
  'io.k8s.api.core.v1.HTTPGetAction': '1:path 2:port 3:host 4:scheme 5:httpHeaders',
  'io.k8s.api.core.v1.HTTPHeader': '1:name! 2:value!',
  'io.k8s.api.core.v1.HostAlias': '1:ip! 2:hostnames',
  'io.k8s.api.core.v1.HostIP': '1:ip!',
  'io.k8s.api.core.v1.HostPathVolumeSource': '1:path! 2:type!',
  'io.k8s.api.core.v1.ISCSIVolumeSource':
    '1:targetPortal! 2:iqn! 3:lun! 4:iscsiInterface 5:fsType 6:readOnly 7:portals 8:chapAuthDiscovery 10:secretRef 11:chapAuthSession 12:initiatorName!',
  'io.k8s.api.core.v1.ImageVolumeSource': '1:reference 2:pullPolicy',
  'io.k8s.api.core.v1.KeyToPath': '1:key! 2:path! 3:mode!',
  'io.k8s.api.core.v1.Lifecycle': '1:postStart 2:preStop 3:stopSignal!',
  'io.k8s.api.core.v1.LifecycleHandler': '1:exec 2:httpGet 3:tcpSocket 4:sleep',
  'io.k8s.api.core.v1.LinuxContainerUser': '1:uid! 2:gid! 3:supplementalGroups',
  'io.k8s.api.core.v1.LoadBalancerIngress': '1:ip 2:hostname 3:ipMode! 4:ports',
  'io.k8s.api.core.v1.LoadBalancerStatus': '1:ingress',
  'io.k8s.api.core.v1.LocalObjectReference': '1:name',
  'io.k8s.api.core.v1.NFSVolumeSource': '1:server! 2:path! 3:readOnly',
  'io.k8s.api.core.v1.Namespace': '1:metadata 2:spec 3:status',
  'io.k8s.api.core.v1.NamespaceCondition':
    '1:type! 2:status! 4:lastTransitionTime 5:reason 6:message',
  'io.k8s.api.core.v1.NamespaceList': '1:metadata 2:items',
  'io.k8s.api.core.v1.NamespaceSpec': '1:finalizers',
  'io.k8s.api.core.v1.NamespaceStatus': '1:phase 2:conditions',
  'io.k8s.api.core.v1.Node': '1:metadata 2:spec 3:status',
  'io.k8s.api.core.v1.NodeAddress': '1:type! 2:address!',
  'io.k8s.api.core.v1.NodeAffinity':
    '1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution',
  'io.k8s.api.core.v1.NodeCondition':
    '1:type! 2:status! 3:lastHeartbeatTime 4:lastTransitionTime 5:reason 6:message',
  'io.k8s.api.core.v1.NodeConfigSource': '2:configMap',
  'io.k8s.api.core.v1.NodeConfigStatus': '1:assigned 2:active 3:lastKnownGood 4:error',
  'io.k8s.api.core.v1.NodeDaemonEndpoints': '1:kubeletEndpoint',
  'io.k8s.api.core.v1.NodeFeatures': '1:supplementalGroupsPolicy!',
  'io.k8s.api.core.v1.NodeList': '1:metadata 2:items',
  'io.k8s.api.core.v1.NodeRuntimeHandler': '1:name! 2:features',
  'io.k8s.api.core.v1.NodeRuntimeHandlerFeatures': '1:recursiveReadOnlyMounts! 2:userNamespaces!',
  'io.k8s.api.core.v1.NodeSelector': '1:nodeSelectorTerms',
  'io.k8s.api.core.v1.NodeSelectorRequirement': '1:key! 2:operator! 3:values',
  'io.k8s.api.core.v1.NodeSelectorTerm': '1:matchExpressions 2:matchFields',
  'io.k8s.api.core.v1.NodeSpec':
    '1:podCIDR 2:externalID 3:providerID 4:unschedulable 5:taints 6:configSource 7:podCIDRs',
  'io.k8s.api.core.v1.NodeStatus':
    '1:capacity 2:allocatable 3:phase 4:conditions 5:addresses 6:daemonEndpoints 7:nodeInfo 8:images 9:volumesInUse 10:volumesAttached 11:config 12:runtimeHandlers 13:features',
  'io.k8s.api.core.v1.NodeSwapStatus': '1:capacity!',
  'io.k8s.api.core.v1.NodeSystemInfo':
    '1:machineID! 2:systemUUID! 3:bootID! 4:kernelVersion! 5:osImage! 6:containerRuntimeVersion! 7:kubeletVersion! 8:kubeProxyVersion! 9:operatingSystem! 10:architecture! 11:swap',
  'io.k8s.api.core.v1.ObjectFieldSelector': '1:apiVersion 2:fieldPath!',
  'io.k8s.api.core.v1.ObjectReference':
    '1:kind 2:namespace 3:name 4:uid 5:apiVersion 6:resourceVersion 7:fieldPath',
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec':
    '1:accessModes 2:resources 3:volumeName 4:selector 5:storageClassName! 6:volumeMode! 7:dataSource 8:dataSourceRef 9:volumeAttributesClassName!',
  'io.k8s.api.core.v1.PersistentVolumeClaimTemplate': '1:metadata 2:spec',
  'io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource': '1:claimName! 2:readOnly',
  'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource': '1:pdID! 2:fsType',
  'io.k8s.api.core.v1.Pod': '1:metadata 2:spec 3:status',
  'io.k8s.api.core.v1.PodAffinity':
    '1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution',
  'io.k8s.api.core.v1.PodAffinityTerm':
    '1:labelSelector 2:namespaces 3:topologyKey! 4:namespaceSelector 5:matchLabelKeys 6:mismatchLabelKeys',
  'io.k8s.api.core.v1.PodAntiAffinity':
    '1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution',
  'io.k8s.api.core.v1.PodCondition':
    '1:type! 2:status! 3:lastProbeTime 4:lastTransitionTime 5:reason 6:message 7:observedGeneration',
  'io.k8s.api.core.v1.PodDNSConfig': '1:nameservers 2:searches 3:options',
  'io.k8s.api.core.v1.PodDNSConfigOption': '1:name 2:value!',
  'io.k8s.api.core.v1.PodIP': '1:ip!',
  'io.k8s.api.core.v1.PodList': '1:metadata 2:items',
  'io.k8s.api.core.v1.PodOS': '1:name!',
  'io.k8s.api.core.v1.PodReadinessGate': '1:conditionType!',
  'io.k8s.api.core.v1.PodResourceClaim':
    '1:name! 3:resourceClaimName! 4:resourceClaimTemplateName!',
  'io.k8s.api.core.v1.PodResourceClaimStatus': '1:name! 2:resourceClaimName!',
  'io.k8s.api.core.v1.PodSchedulingGate': '1:name!',
  'io.k8s.api.core.v1.PodSecurityContext':
    '1:seLinuxOptions 2:runAsUser! 3:runAsNonRoot! 4:supplementalGroups 5:fsGroup! 6:runAsGroup! 7:sysctls 8:windowsOptions 9:fsGroupChangePolicy! 10:seccompProfile 11:appArmorProfile 12:supplementalGroupsPolicy! 13:seLinuxChangePolicy!',
  'io.k8s.api.core.v1.PodSpec':
    '1:volumes 2:containers 3:restartPolicy 4:terminationGracePeriodSeconds! 5:activeDeadlineSeconds! 6:dnsPolicy 7:nodeSelector 8:serviceAccountName 9:serviceAccount 10:nodeName 11:hostNetwork 12:hostPID 13:hostIPC 14:securityContext 15:imagePullSecrets 16:hostname 17:subdomain 18:affinity 19:schedulerName 20:initContainers 21:automountServiceAccountToken! 22:tolerations 23:hostAliases 24:priorityClassName 25:priority! 26:dnsConfig 27:shareProcessNamespace! 28:readinessGates 29:runtimeClassName! 30:enableServiceLinks! 31:preemptionPolicy! 32:overhead 33:topologySpreadConstraints 34:ephemeralContainers 35:setHostnameAsFQDN! 36:os 37:hostUsers! 38:schedulingGates 39:resourceClaims 40:resources',
  'io.k8s.api.core.v1.PodStatus':
    '1:phase 2:conditions 3:message 4:reason 5:hostIP 6:podIP 7:startTime 8:containerStatuses 9:qosClass 10:initContainerStatuses 11:nominatedNodeName 12:podIPs 13:ephemeralContainerStatuses 14:resize 15:resourceClaimStatuses 16:hostIPs 17:observedGeneration',
  'io.k8s.api.core.v1.PodTemplate': '1:metadata 2:template',
  'io.k8s.api.core.v1.PodTemplateList': '1:metadata 2:items',
  'io.k8s.api.core.v1.PodTemplateSpec': '1:metadata 2:spec',
  'io.k8s.api.core.v1.PortStatus': '1:port! 2:protocol! 3:error!',
  'io.k8s.api.core.v1.PortworxVolumeSource': '1:volumeID! 2:fsType 3:readOnly',
  'io.k8s.api.core.v1.PreferredSchedulingTerm': '1:weight! 2:preference',
  'io.k8s.api.core.v1.Probe':
    '1:^io.k8s.api.core.v1.ProbeHandler 2:initialDelaySeconds 3:timeoutSeconds 4:periodSeconds 5:successThreshold 6:failureThreshold 7:terminationGracePeriodSeconds!',
  'io.k8s.api.core.v1.ProjectedVolumeSource': '1:sources 2:defaultMode!',
  'io.k8s.api.core.v1.QuobyteVolumeSource':
    '1:registry! 2:volume! 3:readOnly 4:user 5:group 6:tenant',
  'io.k8s.api.core.v1.RBDVolumeSource':
    '1:monitors 2:image! 3:fsType 4:pool 5:user 6:keyring 7:secretRef 8:readOnly',
  'io.k8s.api.core.v1.ResourceClaim': '1:name! 2:request',
  'io.k8s.api.core.v1.ResourceFieldSelector': '1:containerName 2:resource! 3:divisor',
  'io.k8s.api.core.v1.ResourceHealth': '1:resourceID! 2:health',
  'io.k8s.api.core.v1.ResourceRequirements': '1:limits 2:requests 3:claims',
  'io.k8s.api.core.v1.ResourceStatus': '1:name! 2:resources',
  'io.k8s.api.core.v1.SELinuxOptions': '1:user 2:role 3:type 4:level',
  'io.k8s.api.core.v1.ScaleIOVolumeSource':
    '1:gateway! 2:system! 3:secretRef 4:sslEnabled 5:protectionDomain 6:storagePool 7:storageMode 8:volumeName 9:fsType 10:readOnly',
  'io.k8s.api.core.v1.SeccompProfile': '1:type! 2:localhostProfile!',
  'io.k8s.api.core.v1.Secret': '1:metadata 2:data 3:type 4:stringData 5:immutable!',
  'io.k8s.api.core.v1.SecretEnvSource': '1:^io.k8s.api.core.v1.LocalObjectReference 2:optional!',
  'io.k8s.api.core.v1.SecretKeySelector':
    '1:^io.k8s.api.core.v1.LocalObjectReference 2:key! 3:optional!',
  'io.k8s.api.core.v1.SecretList': '1:metadata 2:items',
  'io.k8s.api.core.v1.SecretProjection':
    '1:^io.k8s.api.core.v1.LocalObjectReference 2:items 4:optional!',
  'io.k8s.api.core.v1.SecretVolumeSource': '1:secretName 2:items 3:defaultMode! 4:optional!',
  'io.k8s.api.core.v1.SecurityContext':
    '1:capabilities 2:privileged! 3:seLinuxOptions 4:runAsUser! 5:runAsNonRoot! 6:readOnlyRootFilesystem! 7:allowPrivilegeEscalation! 8:runAsGroup! 9:procMount! 10:windowsOptions 11:seccompProfile 12:appArmorProfile',
  'io.k8s.api.core.v1.Service': '1:metadata 2:spec 3:status',
  'io.k8s.api.core.v1.ServiceAccount':
    '1:metadata 2:secrets 3:imagePullSecrets 4:automountServiceAccountToken!',
  'io.k8s.api.core.v1.ServiceAccountList': '1:metadata 2:items',
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': '1:audience 2:expirationSeconds! 3:path!',
  'io.k8s.api.core.v1.ServiceList': '1:metadata 2:items',
  'io.k8s.api.core.v1.ServicePort':
    '1:name 2:protocol 3:port! 4:targetPort 5:nodePort 6:appProtocol!',
  'io.k8s.api.core.v1.ServiceSpec':
    '1:ports 2:selector 3:clusterIP 4:type 5:externalIPs 7:sessionAffinity 8:loadBalancerIP 9:loadBalancerSourceRanges 10:externalName 11:externalTrafficPolicy 12:healthCheckNodePort 13:publishNotReadyAddresses 14:sessionAffinityConfig 17:ipFamilyPolicy! 18:clusterIPs 19:ipFamilies 20:allocateLoadBalancerNodePorts! 21:loadBalancerClass! 22:internalTrafficPolicy! 23:trafficDistribution!',
  'io.k8s.api.core.v1.ServiceStatus': '1:loadBalancer 2:conditions',
  'io.k8s.api.core.v1.SessionAffinityConfig': '1:clientIP',
  'io.k8s.api.core.v1.SleepAction': '1:seconds!',
  'io.k8s.api.core.v1.StorageOSVolumeSource':
    '1:volumeName 2:volumeNamespace 3:fsType 4:readOnly 5:secretRef',
  'io.k8s.api.core.v1.Sysctl': '1:name! 2:value!',
  'io.k8s.api.core.v1.TCPSocketAction': '1:port 2:host',
  'io.k8s.api.core.v1.Taint': '1:key! 2:value 3:effect! 4:timeAdded',
  'io.k8s.api.core.v1.Toleration': '1:key 2:operator 3:value 4:effect 5:tolerationSeconds!',
  'io.k8s.api.core.v1.TopologySpreadConstraint':
    '1:maxSkew! 2:topologyKey! 3:whenUnsatisfiable! 4:labelSelector 5:minDomains! 6:nodeAffinityPolicy! 7:nodeTaintsPolicy! 8:matchLabelKeys',
  'io.k8s.api.core.v1.TypedLocalObjectReference': '1:apiGroup! 2:kind! 3:name!',
  'io.k8s.api.core.v1.TypedObjectReference': '1:apiGroup! 2:kind! 3:name! 4:namespace!',
  'io.k8s.api.core.v1.Volume': '1:name! 2:^io.k8s.api.core.v1.VolumeSource',
  'io.k8s.api.core.v1.VolumeDevice': '1:name! 2:devicePath!',
  'io.k8s.api.core.v1.VolumeMount':
    '1:name! 2:readOnly 3:mountPath! 4:subPath 5:mountPropagation! 6:subPathExpr 7:recursiveReadOnly!',
  'io.k8s.api.core.v1.VolumeMountStatus': '1:name! 2:mountPath! 3:readOnly 4:recursiveReadOnly!',
  'io.k8s.api.core.v1.VolumeProjection':
    '1:secret 2:downwardAPI 3:configMap 4:serviceAccountToken 5:clusterTrustBundle',
  'io.k8s.api.core.v1.VolumeResourceRequirements': '1:limits 2:requests',
  'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource':
    '1:volumePath! 2:fsType 3:storagePolicyName 4:storagePolicyID',
  'io.k8s.api.core.v1.WeightedPodAffinityTerm': '1:weight! 2:podAffinityTerm',
  'io.k8s.api.core.v1.WindowsSecurityContextOptions':
    '1:gmsaCredentialSpecName! 2:gmsaCredentialSpec! 3:runAsUserName! 4:hostProcess!',
  'io.k8s.api.apps.v1.Deployment': '1:metadata 2:spec 3:status',
  'io.k8s.api.apps.v1.DeploymentSpec':
    '1:replicas! 2:selector 3:template 4:strategy 5:minReadySeconds 6:revisionHistoryLimit! 7:paused 9:progressDeadlineSeconds!',
  'io.k8s.api.apps.v1.DeploymentStrategy': '1:type 2:rollingUpdate',
  'io.k8s.api.apps.v1.RollingUpdateDeployment': '1:maxUnavailable 2:maxSurge',
  'io.k8s.api.apps.v1.DeploymentStatus':
    '1:observedGeneration 2:replicas 3:updatedReplicas 4:availableReplicas 5:unavailableReplicas 6:conditions 7:readyReplicas 8:collisionCount! 9:terminatingReplicas!',
  'io.k8s.api.apps.v1.DeploymentCondition':
    '1:type! 2:status! 4:reason 5:message 6:lastUpdateTime 7:lastTransitionTime',
  'io.k8s.api.apps.v1.DeploymentList': '1:metadata 2:items',
  'io.k8s.api.apps.v1.ReplicaSet': '1:metadata 2:spec 3:status',
  'io.k8s.api.apps.v1.ReplicaSetSpec': '1:replicas! 2:selector 3:template 4:minReadySeconds',
  'io.k8s.api.apps.v1.ReplicaSetStatus':
    '1:replicas! 2:fullyLabeledReplicas 3:observedGeneration 4:readyReplicas 5:availableReplicas 6:conditions 7:terminatingReplicas!',
  'io.k8s.api.apps.v1.ReplicaSetCondition':
    '1:type! 2:status! 3:lastTransitionTime 4:reason 5:message',
  'io.k8s.api.apps.v1.ReplicaSetList': '1:metadata 2:items',
  'io.k8s.api.apps.v1.DaemonSet': '1:metadata 2:spec 3:status',
  'io.k8s.api.apps.v1.DaemonSetSpec':
    '1:selector 2:template 3:updateStrategy 4:minReadySeconds 6:revisionHistoryLimit!',
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': '1:type 2:rollingUpdate',
  'io.k8s.api.apps.v1.RollingUpdateDaemonSet': '1:maxUnavailable 2:maxSurge',
  'io.k8s.api.apps.v1.DaemonSetStatus':
    '1:currentNumberScheduled! 2:numberMisscheduled! 3:desiredNumberScheduled! 4:numberReady! 5:observedGeneration 6:updatedNumberScheduled 7:numberAvailable 8:numberUnavailable 9:collisionCount! 10:conditions',
  'io.k8s.api.apps.v1.DaemonSetCondition':
    '1:type! 2:status! 3:lastTransitionTime 4:reason 5:message',
  'io.k8s.api.apps.v1.DaemonSetList': '1:metadata 2:items',
  'io.k8s.api.apps.v1.ControllerRevision': '1:metadata 2:data 3:revision!',
  'io.k8s.api.apps.v1.ControllerRevisionList': '1:metadata 2:items',
  'io.k8s.api.autoscaling.v1.Scale': '1:metadata 2:spec 3:status',
  'io.k8s.api.autoscaling.v1.ScaleSpec': '1:replicas',
  'io.k8s.api.autoscaling.v1.ScaleStatus': '1:replicas! 2:selector',
  'io.k8s.api.coordination.v1.Lease': '1:metadata 2:spec',
  'io.k8s.api.coordination.v1.LeaseSpec':
    '1:holderIdentity! 2:leaseDurationSeconds! 3:acquireTime 4:renewTime 5:leaseTransitions! 6:strategy! 7:preferredHolder!',
  'io.k8s.api.coordination.v1.LeaseList': '1:metadata 2:items',
  'io.k8s.api.events.v1.Event':
    '1:metadata 2:eventTime 3:series 4:reportingController 5:reportingInstance 6:action 7:reason 8:regarding 9:related 10:note 11:type 12:deprecatedSource 13:deprecatedFirstTimestamp 14:deprecatedLastTimestamp 15:deprecatedCount',
  'io.k8s.api.events.v1.EventSeries': '1:count! 2:lastObservedTime',
  'io.k8s.api.events.v1.EventList': '1:metadata 2:items',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': '1:metadata 2:spec 3:status',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec':
    '1:resourceAttributes 2:nonResourceAttributes',
  'io.k8s.api.authorization.v1.ResourceAttributes':
    '1:namespace 2:verb 3:group 4:version 5:resource 6:subresource 7:name 8:fieldSelector 9:labelSelector',
  'io.k8s.api.authorization.v1.FieldSelectorAttributes': '1:rawSelector 2:requirements',
  'io.k8s.api.authorization.v1.LabelSelectorAttributes': '1:rawSelector 2:requirements',
  'io.k8s.api.authorization.v1.NonResourceAttributes': '1:path 2:verb',
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus':
    '1:allowed! 2:reason 3:evaluationError 4:denied',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': '1:metadata 2:spec 3:status',
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': '1:namespace',
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus':
    '1:resourceRules 2:nonResourceRules 3:incomplete! 4:evaluationError',
  'io.k8s.api.authorization.v1.ResourceRule': '1:verbs 2:apiGroups 3:resources 4:resourceNames',
  'io.k8s.api.authorization.v1.NonResourceRule': '1:verbs 2:nonResourceURLs',
  'io.k8s.api.authentication.v1.SelfSubjectReview': '1:metadata 2:status',
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': '1:userInfo',
  'io.k8s.api.authentication.v1.UserInfo': '1:username 2:uid 3:groups 4:extra',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition':
    '1:metadata 2:spec 3:status',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList':
    '1:metadata 2:items',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec':
    '1:group! 3:names 4:scope! 7:versions 9:conversion 10:preserveUnknownFields',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames':
    '1:plural! 2:singular 3:shortNames 4:kind! 5:listKind 6:categories',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion':
    '1:name! 2:served! 3:storage! 4:schema 5:subresources 6:additionalPrinterColumns 7:deprecated 8:deprecationWarning! 9:selectableFields',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceValidation':
    '1:openAPIV3Schema',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresources':
    '1:status 2:scale',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceStatus': '',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceScale':
    '1:specReplicasPath! 2:statusReplicasPath! 3:labelSelectorPath!',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceColumnDefinition':
    '1:name! 2:type! 3:format 4:description 5:priority 6:jsonPath!',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.SelectableField': '1:jsonPath!',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion':
    '1:strategy! 2:webhook',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookConversion':
    '2:clientConfig 3:conversionReviewVersions',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig':
    '1:service 2:caBundle 3:url!',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference':
    '1:namespace! 2:name! 3:path! 4:port!',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus':
    '1:conditions 2:acceptedNames 3:storedVersions',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition':
    '1:type! 2:status! 3:lastTransitionTime 4:reason 5:message',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps':
    '1:id 2:$schema 3:$ref! 4:description 5:type 6:format 7:title 8:default 9:maximum! 10:exclusiveMaximum 11:minimum! 12:exclusiveMinimum 13:maxLength! 14:minLength! 15:pattern 16:maxItems! 17:minItems! 18:uniqueItems 19:multipleOf! 20:enum 21:maxProperties! 22:minProperties! 23:required 24:items 25:allOf 26:oneOf 27:anyOf 28:not 29:properties 30:additionalProperties 31:patternProperties 32:dependencies 33:additionalItems 34:definitions 35:externalDocs 36:example 37:nullable 38:x-kubernetes-preserve-unknown-fields! 39:x-kubernetes-embedded-resource 40:x-kubernetes-int-or-string 41:x-kubernetes-list-map-keys 42:x-kubernetes-list-type! 43:x-kubernetes-map-type! 44:x-kubernetes-validations',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ExternalDocumentation':
    '1:description 2:url',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule':
    '1:rule! 2:message 3:messageExpression 4:reason! 5:fieldPath 6:optionalOldSelf!',
  'io.k8s.api.core.v1.EphemeralContainerCommon':
    '1:name! 2:image 3:command 4:args 5:workingDir 6:ports 7:env 8:resources 9:volumeMounts 10:livenessProbe 11:readinessProbe 12:lifecycle 13:terminationMessagePath 14:imagePullPolicy 15:securityContext 16:stdin 17:stdinOnce 18:tty 19:envFrom 20:terminationMessagePolicy 21:volumeDevices 22:startupProbe 23:resizePolicy 24:restartPolicy!',
  'io.k8s.api.core.v1.ProbeHandler': '1:exec 2:httpGet 3:tcpSocket 4:grpc',
  'io.k8s.api.core.v1.VolumeSource':
    '1:hostPath 2:emptyDir 3:gcePersistentDisk 4:awsElasticBlockStore 5:gitRepo 6:secret 7:nfs 8:iscsi 9:glusterfs 10:persistentVolumeClaim 11:rbd 12:flexVolume 13:cinder 14:cephfs 15:flocker 16:downwardAPI 17:fc 18:azureFile 19:configMap 20:vsphereVolume 21:quobyte 22:azureDisk 23:photonPersistentDisk 24:portworxVolume 25:scaleIO 26:projected 27:storageos 28:csi 29:ephemeral 30:image',
};

/** One token of a message's entry in `protobufFieldTable`. */
export type ProtobufField =
  | {
      readonly kind: 'field';
      /** The JSON property name. */
      readonly name: string;
      /** Keep a scalar that is present with its zero value (`!`). */
      readonly keepZero: boolean;
      /** The list arrives wrapped in a message with `repeated items = 1` (`~`). */
      readonly wrappedList: boolean;
    }
  | {
      readonly kind: 'inline';
      /** Key of `protobufFieldTable` naming the inlined message's fields. */
      readonly table: string;
    };

const parsed = new Map<string, ReadonlyMap<number, ProtobufField>>();

/**
 * The fields of message `name` by field number, or undefined when the table has
 * no entry for it. Parsed on first use and cached; the result is shared, so
 * callers must not change it.
 */
export function protobufFields(name: string): ReadonlyMap<number, ProtobufField> | undefined {
  const cached = parsed.get(name);
  if (cached !== undefined) return cached;
  if (!Object.hasOwn(protobufFieldTable, name)) return undefined;
  const fields = new Map<number, ProtobufField>();
  for (const token of protobufFieldTable[name].split(' ')) {
    if (token === '') continue;
    const colon = token.indexOf(':');
    const num = Number(token.slice(0, colon));
    let rest = token.slice(colon + 1);
    if (rest.startsWith('^')) {
      fields.set(num, { kind: 'inline', table: rest.slice(1) });
      continue;
    }
    const keepZero = rest.endsWith('!');
    const wrappedList = rest.endsWith('~');
    if (keepZero || wrappedList) rest = rest.slice(0, -1);
    fields.set(num, { kind: 'field', name: rest, keepZero, wrappedList });
  }
  parsed.set(name, fields);
  return fields;
}

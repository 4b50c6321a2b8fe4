/**
 * Defaulting of the built-in kinds, as the Kubernetes 1.33 API server fills in
 * what a client left out (the v1 `SetDefaults_*` functions, plus the few values
 * its create strategies and admission set that every stored object shows:
 * a Pod's priority, phase and QoS class; a Namespace's `kubernetes` finalizer).
 *
 * Contract: mutates `obj` in place; idempotent (defaulting a defaulted object
 * changes nothing); never throws, whatever the object holds (malformed parts are
 * left for validation to report). Resource quantities that parse are rewritten in
 * canonical form (`0.5` -> `500m`), as Kubernetes stores them.
 *
 * Not done here (the API layer's job): cluster IP and node port allocation, the
 * ServiceAccount admission (`serviceAccountName: default` and its token volume),
 * name generation.
 */
import type { GroupVersionKind } from '../schema.ts';
import type { KubeObject } from '../types/meta.ts';
import { isObject, isSet, list, map, str, type JsonObject } from './access.ts';
import { parseIP } from './names.ts';
import { VOLUME_SOURCE_FIELDS } from './pod.ts';
import { canonicalQuantity, compareQuantities, parseQuantity, type Quantity } from './quantity.ts';

/** The object at `parent[key]`, created (as {}) when missing or not an object. */
function child(parent: JsonObject, key: string): JsonObject {
  const v = parent[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setIfUnset(o: JsonObject, key: string, value: unknown): void {
  if (!isSet(o[key]) || o[key] === '') o[key] = value;
}

const objects = (v: unknown): JsonObject[] => list<unknown>(v).filter(isObject);

/** Rewrites every parseable amount of a resource list in canonical form. */
function canonicalResourceList(list: unknown): void {
  if (!isObject(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const c = canonicalQuantity(v);
    if (c !== undefined) list[k] = c;
  }
}

/**
 * The tag Kubernetes reads from an image reference: the part after the last
 * `:` of the name (not a registry port), `latest` when there is neither tag nor
 * digest, "" when there is only a digest or the reference does not parse.
 */
export function imageTag(image: string): string {
  if (image === '' || /\s/.test(image)) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const repo = hasTag ? name.slice(0, colon) : name;
  // Repository path components are lower case (the registry host may not be).
  const parts = repo.split('/');
  const path = parts.length > 1 && /[.:]|^localhost$/.test(parts[0]) ? parts.slice(1) : parts;
  if (path.some((p) => !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/.test(p))) return '';
  if (hasTag) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultHTTPGet(handler: unknown): void {
  if (!isObject(handler) || !isObject(handler.httpGet)) return;
  setIfUnset(handler.httpGet, 'path', '/');
  setIfUnset(handler.httpGet, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  for (const [k, v] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (!isSet(probe[k]) || probe[k] === 0) probe[k] = v;
  }
  defaultHTTPGet(probe);
  if (isObject(probe.grpc) && !isSet(probe.grpc.service)) probe.grpc.service = '';
}

function defaultFieldRef(ref: unknown): void {
  if (isObject(ref)) setIfUnset(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: JsonObject): void {
  if (!isSet(c.imagePullPolicy) || c.imagePullPolicy === '') {
    c.imagePullPolicy = imageTag(str(c.image)) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  setIfUnset(c, 'terminationMessagePath', '/dev/termination-log');
  setIfUnset(c, 'terminationMessagePolicy', 'File');
  for (const p of objects(c.ports)) setIfUnset(p, 'protocol', 'TCP');
  for (const e of objects(c.env)) if (isObject(e.valueFrom)) defaultFieldRef(e.valueFrom.fieldRef);
  if (isObject(c.resources)) {
    canonicalResourceList(c.resources.limits);
    canonicalResourceList(c.resources.requests);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObject(c.lifecycle)) {
    defaultHTTPGet(c.lifecycle.postStart);
    defaultHTTPGet(c.lifecycle.preStop);
  }
}

function defaultVolume(v: JsonObject): void {
  if (!VOLUME_SOURCE_FIELDS.some((f) => isSet(v[f]))) v.emptyDir = {};
  if (isObject(v.emptyDir) && isSet(v.emptyDir.sizeLimit)) {
    const c = canonicalQuantity(v.emptyDir.sizeLimit);
    if (c !== undefined) v.emptyDir.sizeLimit = c;
  }
  if (isObject(v.hostPath) && !isSet(v.hostPath.type)) v.hostPath.type = '';
  for (const kind of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = v[kind];
    if (isObject(src) && !isSet(src.defaultMode)) src.defaultMode = 420;
  }
  if (isObject(v.downwardAPI))
    for (const item of objects(v.downwardAPI.items)) defaultFieldRef(item.fieldRef);
  if (isObject(v.projected)) {
    for (const s of objects(v.projected.sources)) {
      if (isObject(s.downwardAPI))
        for (const item of objects(s.downwardAPI.items)) defaultFieldRef(item.fieldRef);
      if (isObject(s.serviceAccountToken))
        setIfUnset(s.serviceAccountToken, 'expirationSeconds', 3600);
    }
  }
  if (isObject(v.iscsi)) setIfUnset(v.iscsi, 'iscsiInterface', 'default');
  if (isObject(v.rbd)) {
    setIfUnset(v.rbd, 'pool', 'rbd');
    setIfUnset(v.rbd, 'user', 'admin');
    setIfUnset(v.rbd, 'keyring', '/etc/ceph/keyring');
  }
  if (isObject(v.azureDisk)) {
    setIfUnset(v.azureDisk, 'cachingMode', 'ReadWrite');
    setIfUnset(v.azureDisk, 'fsType', 'ext4');
    if (!isSet(v.azureDisk.readOnly)) v.azureDisk.readOnly = false;
    setIfUnset(v.azureDisk, 'kind', 'Shared');
  }
  if (isObject(v.scaleIO)) {
    setIfUnset(v.scaleIO, 'storageMode', 'ThinProvisioned');
    setIfUnset(v.scaleIO, 'fsType', 'xfs');
  }
  if (isObject(v.ephemeral) && isObject(v.ephemeral.volumeClaimTemplate)) {
    const spec = child(v.ephemeral.volumeClaimTemplate, 'spec');
    setIfUnset(spec, 'volumeMode', 'Filesystem');
    if (isObject(spec.resources)) {
      canonicalResourceList(spec.resources.limits);
      canonicalResourceList(spec.resources.requests);
    }
  }
}

/** Defaults of a PodSpec wherever it appears (pods and pod templates). */
export function defaultPodSpec(spec: JsonObject): void {
  setIfUnset(spec, 'dnsPolicy', 'ClusterFirst');
  setIfUnset(spec, 'restartPolicy', 'Always');
  if (!isSet(spec.securityContext)) spec.securityContext = {};
  if (!isSet(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = 30;
  setIfUnset(spec, 'schedulerName', 'default-scheduler');
  // v1 keeps the deprecated `serviceAccount` in step with `serviceAccountName`.
  if (str(spec.serviceAccountName) === '' && str(spec.serviceAccount) !== '')
    spec.serviceAccountName = spec.serviceAccount;
  if (str(spec.serviceAccountName) !== '') spec.serviceAccount = spec.serviceAccountName;
  for (const v of objects(spec.volumes)) defaultVolume(v);
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of objects(spec[kind])) defaultContainer(c);
  }
  canonicalResourceList(spec.overhead);
  if (isObject(spec.resources)) {
    canonicalResourceList(spec.resources.limits);
    canonicalResourceList(spec.resources.requests);
  }
}

function defaultPodTemplate(template: unknown): void {
  if (isObject(template)) defaultPodSpec(child(template, 'spec'));
}

/** Requests a container leaves out default to its limits (Pods only, not templates). */
function defaultRequestsFromLimits(c: JsonObject): void {
  if (!isObject(c.resources) || !isObject(c.resources.limits)) return;
  const requests = child(c.resources, 'requests');
  for (const [k, v] of Object.entries(c.resources.limits)) if (!isSet(requests[k])) requests[k] = v;
}

function sumRequests(acc: Map<string, bigint>, resources: unknown, found?: Set<string>): void {
  if (!isObject(resources)) return;
  for (const [name, value] of Object.entries(resources)) {
    if (name !== 'cpu' && name !== 'memory') continue;
    let q: Quantity;
    try {
      q = parseQuantity(value as string);
    } catch {
      continue;
    }
    if (q.milli <= 0n) continue;
    found?.add(name);
    acc.set(name, (acc.get(name) ?? 0n) + q.milli);
  }
}

/** Kubernetes' QoS class of a pod: from the cpu and memory requests and limits of all its containers. */
export function podQOSClass(spec: JsonObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...objects(spec.initContainers), ...objects(spec.containers)]) {
    const res = map(c.resources) ?? {};
    sumRequests(requests, res.requests);
    const found = new Set<string>();
    sumRequests(limits, res.limits, found);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, q] of requests) {
      const limit = limits.get(name);
      if (
        limit === undefined ||
        compareQuantities(
          { milli: q, format: 'DecimalSI' },
          { milli: limit, format: 'DecimalSI' },
        ) !== 0
      ) {
        guaranteed = false;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function defaultPod(pod: JsonObject): void {
  const spec = child(pod, 'spec');
  for (const kind of ['containers', 'initContainers'])
    for (const c of objects(spec[kind])) defaultRequestsFromLimits(c);
  if (!isSet(spec.enableServiceLinks)) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const kind of ['containers', 'initContainers']) {
      for (const c of objects(spec[kind])) {
        for (const p of objects(c.ports))
          if (!isSet(p.hostPort) || p.hostPort === 0) p.hostPort = p.containerPort;
      }
    }
  }
  defaultPodSpec(spec);
  // What the Priority admission plugin sets when no PriorityClass applies.
  if (str(spec.priorityClassName) === '') {
    if (!isSet(spec.priority)) spec.priority = 0;
    setIfUnset(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  const status = child(pod, 'status');
  setIfUnset(status, 'phase', 'Pending');
  setIfUnset(status, 'qosClass', podQOSClass(spec));
}

function defaultService(svc: JsonObject): void {
  const spec = child(svc, 'spec');
  setIfUnset(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = map(spec.sessionAffinityConfig);
    const clientIP = map(config?.clientIP);
    if (!clientIP || !isSet(clientIP.timeoutSeconds))
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setIfUnset(spec, 'type', 'ClusterIP');
  const type = str(spec.type);
  for (const p of objects(spec.ports)) {
    setIfUnset(p, 'protocol', 'TCP');
    if (!isSet(p.targetPort) || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external =
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && list(spec.externalIPs).length > 0);
  if (external) setIfUnset(spec, 'externalTrafficPolicy', 'Cluster');
  if (
    !isSet(spec.internalTrafficPolicy) &&
    (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')
  ) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts))
    spec.allocateLoadBalancerNodePorts = true;
  // clusterIP and clusterIPs are kept in step (a client may set only the old singular field).
  const clusterIP = str(spec.clusterIP);
  if (clusterIP !== '' && list(spec.clusterIPs).length === 0) spec.clusterIPs = [clusterIP];
  if (type !== 'ExternalName') {
    setIfUnset(spec, 'ipFamilyPolicy', 'SingleStack');
    if (list(spec.ipFamilies).length === 0) {
      const first = str(list<unknown>(spec.clusterIPs)[0]);
      const ip = first === 'None' ? undefined : parseIP(first);
      if (first === 'None') spec.ipFamilies = ['IPv4'];
      else if (ip) spec.ipFamilies = [ip.family === 6 && !isMapped(ip.bytes) ? 'IPv6' : 'IPv4'];
    }
  }
}

function isMapped(bytes: number[]): boolean {
  return (
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  );
}

function defaultSecret(secret: JsonObject): void {
  setIfUnset(secret, 'type', 'Opaque');
  // Kubernetes never stores stringData: it is written into data (winning over it).
  const stringData = map(secret.stringData);
  if (stringData) {
    const data = child(secret, 'data');
    for (const [k, v] of Object.entries(stringData))
      data[k] = Buffer.from(str(v), 'utf8').toString('base64');
  }
  delete secret.stringData;
}

function defaultNamespace(ns: JsonObject): void {
  const meta = child(ns, 'metadata');
  const name = str(meta.name);
  if (name !== '') child(meta, 'labels')['kubernetes.io/metadata.name'] = name;
  // Added on create; once deletion has begun, the namespace controller removes it.
  if (!isSet(meta.deletionTimestamp)) {
    const spec = child(ns, 'spec');
    const finalizers = list<unknown>(spec.finalizers);
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  }
  setIfUnset(child(ns, 'status'), 'phase', 'Active');
}

function defaultNode(node: JsonObject): void {
  const spec = map(node.spec);
  if (spec) {
    const cidrs = list<unknown>(spec.podCIDRs);
    if (cidrs.length === 0 && str(spec.podCIDR) !== '') spec.podCIDRs = [spec.podCIDR];
    else if (cidrs.length > 0) spec.podCIDR = cidrs[0];
  }
  const status = map(node.status);
  if (status) {
    canonicalResourceList(status.capacity);
    canonicalResourceList(status.allocatable);
    if (!isSet(status.allocatable) && isObject(status.capacity))
      status.allocatable = { ...status.capacity };
  }
}

function defaultDeployment(d: JsonObject): void {
  const spec = child(d, 'spec');
  if (!isSet(spec.replicas)) spec.replicas = 1;
  const strategy = child(spec, 'strategy');
  setIfUnset(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (!isSet(ru.maxUnavailable)) ru.maxUnavailable = '25%';
    if (!isSet(ru.maxSurge)) ru.maxSurge = '25%';
  }
  if (!isSet(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (!isSet(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(child(spec, 'template'));
}

function defaultDaemonSet(ds: JsonObject): void {
  const spec = child(ds, 'spec');
  const strategy = child(spec, 'updateStrategy');
  setIfUnset(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (!isSet(ru.maxUnavailable)) ru.maxUnavailable = 1;
    if (!isSet(ru.maxSurge)) ru.maxSurge = 0;
  }
  if (!isSet(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(child(spec, 'template'));
}

function defaultReplicaSet(rs: JsonObject): void {
  const spec = child(rs, 'spec');
  if (!isSet(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(child(spec, 'template'));
}

function defaultEndpoints(ep: JsonObject): void {
  for (const ss of objects(ep.subsets))
    for (const p of objects(ss.ports)) setIfUnset(p, 'protocol', 'TCP');
}

/** Fills in defaults in place, as the Kubernetes API server does on create and update. */
export function applyDefaults(gvk: GroupVersionKind, obj: KubeObject): void {
  const o = obj as JsonObject;
  if (gvk.group === '' && gvk.version === 'v1') {
    switch (gvk.kind) {
      case 'Pod':
        return defaultPod(o);
      case 'PodTemplate':
        return defaultPodTemplate(child(o, 'template'));
      case 'Service':
        return defaultService(o);
      case 'Secret':
        return defaultSecret(o);
      case 'Namespace':
        return defaultNamespace(o);
      case 'Node':
        return defaultNode(o);
      case 'Endpoints':
        return defaultEndpoints(o);
    }
    return;
  }
  if (gvk.group === 'apps' && gvk.version === 'v1') {
    switch (gvk.kind) {
      case 'Deployment':
        return defaultDeployment(o);
      case 'DaemonSet':
        return defaultDaemonSet(o);
      case 'ReplicaSet':
        return defaultReplicaSet(o);
    }
  }
}

/**
 * Validation of the core/v1 kinds other than Pod (pod.ts): Service, ConfigMap,
 * Secret, Namespace, Node, Endpoints, ServiceAccount, PodTemplate; with
 * Kubernetes 1.33's messages and field paths (quirks included: node taints are
 * reported under `metadata.taints`, as Kubernetes does).
 *
 * Metadata is checked by index.ts; these functions check the rest. Objects are
 * expected to be defaulted (defaults.ts) and, for Services, to carry the
 * cluster IPs and node ports the API layer allocated.
 */
import type { FieldCause } from '../../util/errors.ts';
import { fieldError, FieldPath } from '../field-errors.ts';
import type {
  ConfigMap,
  Endpoints,
  Namespace,
  Node,
  PodTemplate,
  Secret,
  Service,
} from '../types/core.ts';
import {
  isObject,
  isSet,
  jsonEqual,
  list,
  map,
  num,
  sortedKeys,
  str,
  type JsonObject,
} from './access.ts';
import { duplicateRaw, goQuote, goStringSlice, invalidRaw } from './format.ts';
import {
  FIELD_IMMUTABLE,
  validateFinalizers,
  validateKubeFinalizerName,
  validateLabelName,
  validateLabels,
} from './meta.ts';
import {
  byteLength,
  CIDR_ERROR,
  IP_ERROR,
  isConfigMapKey,
  isDns1123Label,
  isDns1123Subdomain,
  isIPv6String,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  parseCIDR,
  parseIP,
} from './names.ts';
import { validatePodTemplateSpec, validateTaintEffect } from './pod.ts';
import { parseQuantity, quantityToString } from './quantity.ts';

type Causes = FieldCause[];

/** ConfigMap and Secret payloads are limited to 1 MiB. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const root = (name: string): FieldPath => FieldPath.root(name);
const objects = (v: unknown): JsonObject[] => list<unknown>(v).map((x) => (isObject(x) ? x : {}));

function labelCauses(value: string, path: FieldPath): Causes {
  return isDns1123Label(value).map((m) => fieldError.invalid(path, value, m));
}

function subdomainCauses(value: string, path: FieldPath): Causes {
  return isDns1123Subdomain(value).map((m) => fieldError.invalid(path, value, m));
}

function qualifiedNameCauses(value: string, path: FieldPath): Causes {
  return isQualifiedName(value).map((m) => fieldError.invalid(path, value, m));
}

function ipCauses(value: string, path: FieldPath): Causes {
  return parseIP(value) ? [] : [fieldError.invalid(path, value, IP_ERROR)];
}

function cidrCauses(value: string, path: FieldPath): Causes {
  return parseCIDR(value) ? [] : [fieldError.invalid(path, value, CIDR_ERROR)];
}

/** IPv4 view of an address (plain or IPv4-mapped), as Go's To4 gives it. */
function ipv4Bytes(bytes: number[]): number[] | undefined {
  if (bytes.length === 4) return bytes;
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return bytes.slice(12);
  return undefined;
}

/** Addresses that make no sense as endpoints (Kubernetes' ValidateEndpointIP). */
function endpointIPCauses(value: string, path: FieldPath): Causes {
  const ip = parseIP(value);
  if (!ip) return [fieldError.invalid(path, value, 'must be a valid IP address')];
  const out: Causes = [];
  const v4 = ipv4Bytes(ip.bytes);
  const b = ip.bytes;
  const unspecified = v4 ? v4.every((x) => x === 0) : b.every((x) => x === 0);
  const loopback = v4 ? v4[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4
    ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0
    : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  if (unspecified) out.push(fieldError.invalid(path, value, `may not be unspecified (${value})`));
  if (loopback)
    out.push(
      fieldError.invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'),
    );
  if (linkLocal)
    out.push(
      fieldError.invalid(
        path,
        value,
        'may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      ),
    );
  if (linkLocalMulticast) {
    out.push(
      fieldError.invalid(
        path,
        value,
        'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ),
    );
  }
  return out;
}

// ------------------------------------------------------------------ Service

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

function isHeadless(spec: JsonObject): boolean {
  const ips = list<unknown>(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

function externallyAccessible(spec: JsonObject): boolean {
  const type = str(spec.type);
  return (
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && list(spec.externalIPs).length > 0)
  );
}

function needsHealthCheck(spec: JsonObject): boolean {
  return str(spec.type) === 'LoadBalancer' && str(spec.externalTrafficPolicy) === 'Local';
}

function goServicePort(protocol: string, port: number): string {
  return (
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
    'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
  );
}

function validatePortNumOrName(port: unknown, path: FieldPath): Causes {
  if (typeof port === 'string')
    return isValidPortName(port).map((m) => fieldError.invalid(path, port, m));
  const n = num(port) ?? 0;
  return isValidPortNum(n).map((m) => fieldError.invalid(path, n, m));
}

function validateServicePort(
  sp: JsonObject,
  requireName: boolean,
  names: Set<string>,
  path: FieldPath,
): Causes {
  const out: Causes = [];
  const name = str(sp.name);
  if (requireName && name === '') out.push(fieldError.required(path.child('name')));
  else if (name !== '') {
    out.push(...labelCauses(name, path.child('name')));
    if (names.has(name)) out.push(fieldError.duplicate(path.child('name'), name));
    else names.add(name);
  }
  const port = num(sp.port) ?? 0;
  for (const m of isValidPortNum(port)) out.push(fieldError.invalid(path.child('port'), port, m));
  const protocol = str(sp.protocol);
  if (protocol === '') out.push(fieldError.required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol))
    out.push(fieldError.notSupported(path.child('protocol'), protocol, PROTOCOLS));
  out.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (isSet(sp.appProtocol))
    out.push(...qualifiedNameCauses(str(sp.appProtocol), path.child('appProtocol')));
  return out;
}

function validateClusterIPFields(spec: JsonObject, oldSpec: JsonObject | undefined): Causes {
  if (str(spec.type) === 'ExternalName') return [];
  const out: Causes = [];
  const specPath = root('spec');
  const ipsPath = specPath.child('clusterIPs');
  const clusterIP = str(spec.clusterIP);
  const clusterIPs = list<unknown>(spec.clusterIPs).map(str);
  if (clusterIP !== '') {
    if (clusterIPs.length === 0) out.push(fieldError.required(ipsPath));
    else if (clusterIPs[0] !== clusterIP)
      out.push(
        invalidRaw(ipsPath, goStringSlice(clusterIPs), 'first value must match `clusterIP`'),
      );
  } else if (clusterIPs.length !== 0) {
    out.push(
      invalidRaw(
        ipsPath,
        goStringSlice(clusterIPs),
        'must be empty when `clusterIP` is not specified',
      ),
    );
  }
  const families = list<unknown>(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    const p = specPath.child('ipFamilies').index(i);
    if (!IP_FAMILIES.includes(f)) out.push(fieldError.notSupported(p, f, IP_FAMILIES));
    if (seen.has(f)) out.push(fieldError.duplicate(p, f));
    seen.add(f);
  });
  if (isSet(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
    out.push(
      fieldError.notSupported(
        specPath.child('ipFamilyPolicy'),
        spec.ipFamilyPolicy,
        IP_FAMILY_POLICIES,
      ),
    );
  }
  const existing = list<unknown>(oldSpec?.clusterIPs).map(str);
  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        out.push(
          invalidRaw(ipsPath, goStringSlice(clusterIPs), "'None' must be the first and only value"),
        );
      }
      return;
    }
    if (existing.includes(ip)) return;
    const errs = ipCauses(ip, ipsPath.index(i));
    if (errs.length) invalidIPs = true;
    out.push(...errs);
  });
  if (clusterIPs.length > 2)
    out.push(invalidRaw(ipsPath, goStringSlice(clusterIPs), 'may only hold up to 2 values'));
  if (invalidIPs) return out;
  if (clusterIPs.length > 1) {
    const dual =
      clusterIPs.length === 2 && isIPv6String(clusterIPs[0]) !== isIPv6String(clusterIPs[1]);
    if (!dual)
      out.push(
        invalidRaw(
          ipsPath,
          goStringSlice(clusterIPs),
          'may specify no more than one IP for each IP family',
        ),
      );
  }
  if (!isHeadless(spec) && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      if (families[i] === 'IPv4' && isIPv6String(ip)) {
        out.push(
          fieldError.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
      if (families[i] === 'IPv6' && !isIPv6String(ip)) {
        out.push(
          fieldError.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
    });
  }
  return out;
}

export function validateService(svc: Service, old?: Service): Causes {
  const out: Causes = [];
  const spec = (map(svc.spec) ?? {}) as JsonObject;
  const oldSpec = old ? ((map(old.spec) ?? {}) as JsonObject) : undefined;
  const specPath = root('spec');
  const type = str(spec.type);
  const annotations = map(svc.metadata?.annotations) ?? {};

  if (old && oldSpec) out.push(...validateServiceUpdate(spec, oldSpec));

  if (
    TOPOLOGY_MODE in annotations &&
    TOPOLOGY_HINTS in annotations &&
    annotations[TOPOLOGY_MODE] !== annotations[TOPOLOGY_HINTS]
  ) {
    out.push(
      fieldError.invalid(
        root('metadata').child('annotations').key(TOPOLOGY_MODE),
        str(annotations[TOPOLOGY_MODE]),
        `must match annotations[${TOPOLOGY_HINTS}] when both are specified`,
      ),
    );
  }
  const ports = objects(spec.ports);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName')
    out.push(fieldError.required(specPath.child('ports')));
  const firstIP = str(list<unknown>(spec.clusterIPs)[0]);
  switch (type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (isHeadless(spec)) {
        out.push(
          fieldError.invalid(
            specPath.child('clusterIPs').index(0),
            firstIP,
            `may not be set to 'None' for ${type} services`,
          ),
        );
      }
      break;
    case 'ExternalName': {
      if (list(spec.clusterIPs).length > 0)
        out.push(
          fieldError.forbidden(
            specPath.child('clusterIPs'),
            'may not be set for ExternalName services',
          ),
        );
      if (list(spec.ipFamilies).length > 0)
        out.push(
          fieldError.forbidden(
            specPath.child('ipFamilies'),
            'may not be set for ExternalName services',
          ),
        );
      if (isSet(spec.ipFamilyPolicy))
        out.push(
          fieldError.forbidden(
            specPath.child('ipFamilyPolicy'),
            'may not be set for ExternalName services',
          ),
        );
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname !== '') out.push(...subdomainCauses(cname, specPath.child('externalName')));
      else out.push(fieldError.required(specPath.child('externalName')));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) =>
    out.push(...validateServicePort(p, ports.length > 1, names, specPath.child('ports').index(i))),
  );
  if (isSet(spec.selector)) out.push(...validateLabels(spec.selector, specPath.child('selector')));

  const affinity = str(spec.sessionAffinity);
  if (affinity === '') out.push(fieldError.required(specPath.child('sessionAffinity')));
  else if (!SESSION_AFFINITIES.includes(affinity))
    out.push(
      fieldError.notSupported(specPath.child('sessionAffinity'), affinity, SESSION_AFFINITIES),
    );
  const configPath = specPath.child('sessionAffinityConfig');
  if (affinity === 'ClientIP') {
    const config = map(spec.sessionAffinityConfig);
    const clientIP = map(config?.clientIP);
    const detail = 'when session affinity type is ClientIP';
    if (!config) out.push(fieldError.required(configPath, detail));
    else if (!clientIP) out.push(fieldError.required(configPath.child('clientIP'), detail));
    else if (!isSet(clientIP.timeoutSeconds))
      out.push(fieldError.required(configPath.child('clientIP').child('timeoutSeconds'), detail));
    else {
      const t = num(clientIP.timeoutSeconds) ?? 0;
      if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) {
        out.push(
          fieldError.invalid(
            configPath.child('clientIP').child('timeoutSeconds'),
            t,
            `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`,
          ),
        );
      }
    }
  } else if (affinity === 'None' && isSet(spec.sessionAffinityConfig)) {
    out.push(fieldError.forbidden(configPath, 'must not be set when session affinity is None'));
  }

  out.push(...validateClusterIPFields(spec, oldSpec));

  const existingExternal = list<unknown>(oldSpec?.externalIPs).map(str);
  list<unknown>(spec.externalIPs).forEach((ip, i) => {
    const p = specPath.child('externalIPs').index(i);
    const value = str(ip);
    if (existingExternal.includes(value)) return;
    const errs = ipCauses(value, p);
    out.push(...(errs.length ? errs : endpointIPCauses(value, p)));
  });

  if (type === '') out.push(fieldError.required(specPath.child('type')));
  else if (!SERVICE_TYPES.includes(type))
    out.push(fieldError.notSupported(specPath.child('type'), type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((num(p.nodePort) ?? 0) !== 0) {
        out.push(
          fieldError.forbidden(
            specPath.child('ports').index(i).child('nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = num(p.nodePort) ?? 0;
    if (nodePort === 0) return;
    const key = `${str(p.protocol)}/${nodePort}`;
    if (nodePorts.has(key))
      out.push(fieldError.duplicate(specPath.child('ports').index(i).child('nodePort'), nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (portKeys.has(key))
      out.push(
        duplicateRaw(
          specPath.child('ports').index(i),
          goServicePort(str(p.protocol), num(p.port) ?? 0),
        ),
      );
    portKeys.add(key);
  });

  const sourceRanges = list<unknown>(spec.loadBalancerSourceRanges).map(str);
  if (sourceRanges.length > 0) {
    const p = specPath.child('LoadBalancerSourceRanges');
    if (type !== 'LoadBalancer')
      out.push(fieldError.forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const existing = list<unknown>(oldSpec?.loadBalancerSourceRanges).map((v) => str(v).trim());
    sourceRanges.forEach((r, i) => {
      const v = r.trim();
      if (!existing.includes(v)) out.push(...cidrCauses(v, p.index(i)));
    });
  } else if (LB_SOURCE_RANGES in annotations) {
    const p = root('metadata').child('annotations').key(LB_SOURCE_RANGES);
    if (type !== 'LoadBalancer')
      out.push(fieldError.forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = str(annotations[LB_SOURCE_RANGES]).trim();
    const oldVal = old ? map(old.metadata?.annotations)?.[LB_SOURCE_RANGES] : undefined;
    if (val !== '' && oldVal !== annotations[LB_SOURCE_RANGES]) {
      for (const c of val.split(',')) out.push(...cidrCauses(c.trim(), p));
    }
  }
  if (isSet(spec.allocateLoadBalancerNodePorts) && type !== 'LoadBalancer') {
    out.push(
      fieldError.forbidden(
        specPath.child('allocateLoadBalancerNodePorts'),
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }
  if (type === 'LoadBalancer' && !isSet(spec.allocateLoadBalancerNodePorts)) {
    // Kubernetes reports this one without the `spec.` prefix.
    out.push(fieldError.required('allocateLoadBalancerNodePorts'));
  }
  if (type === 'LoadBalancer') {
    if (isSet(spec.loadBalancerClass))
      out.push(
        ...qualifiedNameCauses(str(spec.loadBalancerClass), specPath.child('loadBalancerClass')),
      );
  } else if (isSet(spec.loadBalancerClass)) {
    out.push(
      fieldError.forbidden(
        specPath.child('loadBalancerClass'),
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }

  const etp = str(spec.externalTrafficPolicy);
  if (!externallyAccessible(spec)) {
    if (etp !== '')
      out.push(
        fieldError.invalid(
          specPath.child('externalTrafficPolicy'),
          etp,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (etp === '') {
    out.push(fieldError.required(specPath.child('externalTrafficPolicy')));
  } else if (!TRAFFIC_POLICIES.includes(etp)) {
    out.push(
      fieldError.notSupported(specPath.child('externalTrafficPolicy'), etp, TRAFFIC_POLICIES),
    );
  }
  const hcnp = num(spec.healthCheckNodePort) ?? 0;
  const hcPath = specPath.child('healthCheckNodePort');
  if (!needsHealthCheck(spec)) {
    if (hcnp !== 0) {
      out.push(
        fieldError.invalid(
          hcPath,
          hcnp,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  } else if (hcnp === 0) {
    out.push(fieldError.required(hcPath));
  } else {
    for (const m of isValidPortNum(hcnp)) out.push(fieldError.invalid(hcPath, hcnp, m));
  }
  if (!isSet(spec.internalTrafficPolicy)) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') {
      out.push(fieldError.required(specPath.child('internalTrafficPolicy')));
    }
  } else if (!TRAFFIC_POLICIES.includes(str(spec.internalTrafficPolicy))) {
    out.push(
      fieldError.notSupported(
        specPath.child('internalTrafficPolicy'),
        spec.internalTrafficPolicy,
        TRAFFIC_POLICIES,
      ),
    );
  }
  if (isSet(spec.trafficDistribution) && spec.trafficDistribution !== 'PreferClose') {
    out.push(
      fieldError.notSupported(specPath.child('trafficDistribution'), spec.trafficDistribution, [
        'PreferClose',
      ]),
    );
  }
  return out;
}

/** Cluster IPs and IP families may only be added or released (not changed); some fields may not change once set. */
function validateServiceUpdate(spec: JsonObject, oldSpec: JsonObject): Causes {
  const out: Causes = [];
  const specPath = root('spec');
  const type = str(spec.type);
  const oldType = str(oldSpec.type);
  const shownIPs = goStringSlice(
    isSet(spec.clusterIPs) ? list<unknown>(spec.clusterIPs).map(str) : null,
  );
  if (
    type !== 'ExternalName' &&
    oldType !== 'ExternalName' &&
    !(isHeadless(spec) && isHeadless(oldSpec))
  ) {
    const ips = list<unknown>(spec.clusterIPs).map(str);
    const oldIPs = list<unknown>(oldSpec.clusterIPs).map(str);
    const ipsPath = specPath.child('clusterIPs');
    const shown = shownIPs;
    if (ips.length === oldIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== ips[i]) out.push(invalidRaw(ipsPath.index(i), shown, 'may not change once set'));
      });
    } else if (oldIPs.length > ips.length) {
      if (ips.length === 0)
        out.push(invalidRaw(ipsPath.index(0), shown, 'primary clusterIP can not be unset'));
      if (oldIPs.length > 0 && ips.length > 0 && ips[0] !== oldIPs[0])
        out.push(invalidRaw(ipsPath.index(0), shown, 'may not change once set'));
      if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        out.push(
          fieldError.invalid(
            specPath.child('ipFamilyPolicy'),
            spec.ipFamilyPolicy ?? null,
            "must be set to 'SingleStack' when releasing the secondary clusterIP",
          ),
        );
      }
    } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
      out.push(invalidRaw(ipsPath.index(0), shown, 'may not change once set'));
    }
  }
  if (
    type !== 'ExternalName' &&
    oldType !== 'ExternalName' &&
    isHeadless(spec) === isHeadless(oldSpec) &&
    !isHeadless(spec)
  ) {
    const fams = list<unknown>(spec.ipFamilies).map(str);
    const oldFams = list<unknown>(oldSpec.ipFamilies).map(str);
    const famPath = specPath.child('ipFamilies').index(0);
    const shownFams = isSet(spec.ipFamilies)
      ? `[]core.IPFamily{${fams.map(goQuote).join(', ')}}`
      : '[]core.IPFamily(nil)';
    if (fams.length === oldFams.length) {
      oldFams.forEach((f, i) => {
        if (f !== fams[i]) out.push(invalidRaw(famPath, shownFams, 'may not change once set'));
      });
    } else if (oldFams.length > fams.length) {
      if (list(spec.clusterIPs).length === 0)
        out.push(invalidRaw(famPath, shownFams, 'primary ipFamily can not be unset'));
      if (fams.length > 0 && fams[0] !== oldFams[0]) {
        out.push(invalidRaw(famPath, shownIPs, 'may not change once set'));
      }
      if (fams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        out.push(
          fieldError.invalid(
            specPath.child('ipFamilyPolicy'),
            spec.ipFamilyPolicy ?? null,
            "must be set to 'SingleStack' when releasing the secondary ipFamily",
          ),
        );
      }
    } else if (oldFams.length > 0 && fams.length > 0 && fams[0] !== oldFams[0]) {
      out.push(invalidRaw(famPath, shownIPs, 'may not change once set'));
    }
  }
  if (
    type === 'LoadBalancer' &&
    oldType === 'LoadBalancer' &&
    (spec.loadBalancerClass ?? null) !== (oldSpec.loadBalancerClass ?? null)
  ) {
    out.push(
      fieldError.invalid(
        specPath.child('loadBalancerClass'),
        spec.loadBalancerClass ?? null,
        'may not change once set',
      ),
    );
  }
  if (
    needsHealthCheck(spec) &&
    needsHealthCheck(oldSpec) &&
    spec.healthCheckNodePort !== oldSpec.healthCheckNodePort
  ) {
    out.push(fieldError.forbidden(specPath.child('healthCheckNodePort'), FIELD_IMMUTABLE));
  }
  return out;
}

// ------------------------------------------------------------------ ConfigMap, Secret

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Length of the bytes a base64 string decodes to, or an error as Go's decoder words it. */
export function decodeBase64(s: string): { bytes: number } | { error: string } {
  const clean = s.replace(/[\r\n]/g, '');
  if (!BASE64_RE.test(clean) || clean.length % 4 !== 0) {
    const bad = [...clean].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    let at = bad >= 0 ? bad : clean.length - (clean.length % 4 || 4);
    const firstPad = clean.indexOf('=');
    if (bad < 0 && firstPad >= 0 && firstPad < clean.length - 2) at = firstPad;
    return { error: `illegal base64 data at input byte ${Math.max(0, at)}` };
  }
  return { bytes: Buffer.from(clean, 'base64').length };
}

export function validateConfigMap(cm: ConfigMap, old?: ConfigMap): Causes {
  const out: Causes = [];
  if (old?.immutable === true) {
    if (cm.immutable !== true)
      out.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(cm.data ?? null, old.data ?? null))
      out.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'));
    if (!jsonEqual(cm.binaryData ?? null, old.binaryData ?? null)) {
      out.push(fieldError.forbidden('binaryData', 'field is immutable when `immutable` is set'));
    }
  }
  const data = map(cm.data) ?? {};
  const binary = map(cm.binaryData) ?? {};
  let total = 0;
  for (const key of sortedKeys(data)) {
    const p = root('data').key(key);
    for (const m of isConfigMapKey(key)) out.push(fieldError.invalid(p, key, m));
    if (key in binary)
      out.push(fieldError.invalid(p, key, 'duplicate of key present in binaryData'));
    total += byteLength(str(data[key]));
  }
  for (const key of sortedKeys(binary)) {
    const p = root('binaryData').key(key);
    for (const m of isConfigMapKey(key)) out.push(fieldError.invalid(p, key, m));
    const decoded = decodeBase64(str(binary[key]));
    if ('error' in decoded) out.push(fieldError.invalid(p, str(binary[key]), decoded.error));
    else total += decoded.bytes;
  }
  // Kubernetes names the whole object with an empty path, printed `[]`.
  if (total > MAX_SECRET_SIZE) out.push(fieldError.tooLong('[]', MAX_SECRET_SIZE));
  return out;
}

const REDACTED = '<secret contents redacted>';

export function validateSecret(secret: Secret, old?: Secret): Causes {
  const out: Causes = [];
  if (old) {
    if (str(secret.type) !== str(old.type))
      out.push(fieldError.invalid('type', str(secret.type), FIELD_IMMUTABLE));
    if (old.immutable === true) {
      if (secret.immutable !== true)
        out.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!jsonEqual(secret.data ?? null, old.data ?? null))
        out.push(fieldError.forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  const dataPath = root('data');
  const data = map(secret.data) ?? {};
  const decoded = new Map<string, Buffer>();
  let total = 0;
  for (const key of sortedKeys(data)) {
    const p = dataPath.key(key);
    for (const m of isConfigMapKey(key)) out.push(fieldError.invalid(p, key, m));
    const d = decodeBase64(str(data[key]));
    if ('error' in d) {
      out.push(fieldError.invalid(p, REDACTED, d.error));
      continue;
    }
    total += d.bytes;
    decoded.set(key, Buffer.from(str(data[key]).replace(/[\r\n]/g, ''), 'base64'));
  }
  // stringData is merged into data by defaulting; count it if it is still here.
  const stringData = map(secret.stringData) ?? {};
  for (const key of sortedKeys(stringData)) {
    for (const m of isConfigMapKey(key)) out.push(fieldError.invalid(dataPath.key(key), key, m));
    const bytes = Buffer.from(str(stringData[key]), 'utf8');
    if (!decoded.has(key)) total += bytes.length;
    decoded.set(key, bytes);
  }
  if (total > MAX_SECRET_SIZE) out.push(fieldError.tooLong(dataPath, MAX_SECRET_SIZE));

  const annotations = map(secret.metadata?.annotations) ?? {};
  const jsonObject = (key: string): void => {
    const bytes = decoded.get(key);
    if (!bytes) {
      out.push(fieldError.required(dataPath.key(key)));
      return;
    }
    try {
      const v: unknown = JSON.parse(bytes.toString('utf8'));
      if (!isObject(v)) {
        const kind = Array.isArray(v)
          ? 'array'
          : v === null
            ? 'null'
            : typeof v === 'object'
              ? 'object'
              : typeof v;
        out.push(
          fieldError.invalid(
            dataPath.key(key),
            REDACTED,
            `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
          ),
        );
      }
    } catch (err) {
      out.push(fieldError.invalid(dataPath.key(key), REDACTED, (err as Error).message));
    }
  };
  switch (str(secret.type)) {
    case 'kubernetes.io/service-account-token':
      if (str(annotations['kubernetes.io/service-account.name']) === '') {
        out.push(
          fieldError.required(
            root('metadata').child('annotations').key('kubernetes.io/service-account.name'),
          ),
        );
      }
      break;
    case 'kubernetes.io/dockercfg':
      jsonObject('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonObject('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!decoded.has('username') && !decoded.has('password')) {
        out.push(fieldError.required(dataPath.key('username')));
        out.push(fieldError.required(dataPath.key('password')));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((decoded.get('ssh-privatekey')?.length ?? 0) === 0)
        out.push(fieldError.required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!decoded.has('tls.crt')) out.push(fieldError.required(dataPath.key('tls.crt')));
      if (!decoded.has('tls.key')) out.push(fieldError.required(dataPath.key('tls.key')));
      break;
  }
  return out;
}

// ------------------------------------------------------------------ Namespace, ServiceAccount, PodTemplate

export function validateNamespace(ns: Namespace): Causes {
  const out: Causes = [];
  const spec = map(ns.spec) ?? {};
  const path = root('spec').child('finalizers');
  for (const f of list<unknown>(spec.finalizers).map(str)) {
    out.push(...validateFinalizers([f], path));
    out.push(...validateKubeFinalizerName(f, path));
  }
  return out;
}

export function validatePodTemplate(pt: PodTemplate): Causes {
  return validatePodTemplateSpec(pt.template, root('template'));
}

// ------------------------------------------------------------------ Node

function goTaint(t: JsonObject): string {
  const added = isSet(t.timeAdded)
    ? `&v1.Time{Time:${goQuote(str(t.timeAdded))}}`
    : '(*v1.Time)(nil)';
  return `core.Taint{Key:${goQuote(str(t.key))}, Value:${goQuote(str(t.value))}, Effect:${goQuote(str(t.effect))}, TimeAdded:${added}}`;
}

/** Taints: key and value formats, effect, unique by (key, effect). */
export function validateNodeTaints(taints: unknown, path: FieldPath): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  objects(taints).forEach((t, i) => {
    const p = path.index(i);
    const key = str(t.key);
    const value = str(t.value);
    const effect = str(t.effect);
    out.push(...validateLabelName(key, p.child('key')));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length)
      out.push(fieldError.invalid(p.child('value'), value, valueErrs.join(';')));
    out.push(...validateTaintEffect(effect, false, p.child('effect')));
    const id = `${effect}\u0000${key}`;
    if (seen.has(id)) {
      out.push(duplicateRaw(p, goTaint(t), 'taints must be unique by key and effect pair'));
      return;
    }
    seen.add(id);
  });
  return out;
}

function validateNodeResources(status: JsonObject): Causes {
  const out: Causes = [];
  for (const field of ['capacity', 'allocatable'] as const) {
    const resources = map(status[field]) ?? {};
    for (const name of sortedKeys(resources)) {
      const p = root('status').child(field, name);
      try {
        const q = parseQuantity(resources[name] as string);
        if (q.milli < 0n)
          out.push(
            fieldError.invalid(p, quantityToString(q), 'must be greater than or equal to 0'),
          );
      } catch (err) {
        out.push(fieldError.invalid(p, resources[name], (err as Error).message));
      }
    }
  }
  return out;
}

export function validateNode(node: Node, old?: Node): Causes {
  const out: Causes = [];
  const spec = (map(node.spec) ?? {}) as JsonObject;
  const status = (map(node.status) ?? {}) as JsonObject;
  // Kubernetes reports taints under metadata, not spec.
  out.push(...validateNodeTaints(spec.taints, root('metadata').child('taints')));
  out.push(...validateNodeResources(status));
  const cidrs = list<unknown>(spec.podCIDRs).map(str);
  const cidrPath = root('spec').child('podCIDRs');
  if (!old) {
    cidrs.forEach((c, i) => out.push(...cidrCauses(c, cidrPath.index(i))));
    if (cidrs.length > 1) {
      const fams = cidrs.map((c) => parseCIDR(c)?.family);
      if (cidrs.length > 2 || fams[0] === undefined || fams[0] === fams[1]) {
        out.push(
          invalidRaw(
            cidrPath,
            goStringSlice(cidrs),
            'may specify no more than one CIDR for each IP family',
          ),
        );
      }
    }
    return out;
  }
  const oldSpec = (map(old.spec) ?? {}) as JsonObject;
  const seen: JsonObject[] = [];
  objects(status.addresses).forEach((a, i) => {
    if (seen.some((s) => s.type === a.type && s.address === a.address)) {
      out.push(
        duplicateRaw(
          root('status').child('addresses').index(i),
          `core.NodeAddress{Type:${goQuote(str(a.type))}, Address:${goQuote(str(a.address))}}`,
        ),
      );
    }
    seen.push(a);
  });
  const oldCidrs = list<unknown>(oldSpec.podCIDRs).map(str);
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCidrs.length > 0) {
    if (oldCidrs.length !== cidrs.length) out.push(fieldError.forbidden(cidrPath, cidrMsg));
    else
      oldCidrs.forEach(
        (c, i) => c !== cidrs[i] && out.push(fieldError.forbidden(cidrPath, cidrMsg)),
      );
  }
  const providerID = str(oldSpec.providerID);
  if (providerID !== '' && providerID !== str(spec.providerID)) {
    out.push(
      fieldError.forbidden(
        root('spec').child('providerID'),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  if (str(spec.externalID) !== str(oldSpec.externalID))
    out.push(fieldError.forbidden(root('spec').child('externalID'), 'may not be updated'));
  return out;
}

// ------------------------------------------------------------------ Endpoints

export function validateEndpoints(ep: Endpoints, old?: Endpoints): Causes {
  if (old && jsonEqual(ep.subsets ?? null, old.subsets ?? null)) return [];
  const out: Causes = [];
  const path = root('subsets');
  objects(ep.subsets).forEach((ss, i) => {
    const p = path.index(i);
    if (list(ss.addresses).length === 0 && list(ss.notReadyAddresses).length === 0) {
      out.push(fieldError.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const kind of ['addresses', 'notReadyAddresses'] as const) {
      objects(ss[kind]).forEach((a, j) => {
        const ap = p.child(kind).index(j);
        const ip = str(a.ip);
        out.push(...ipCauses(ip, ap.child('ip')));
        if (str(a.hostname) !== '') out.push(...labelCauses(str(a.hostname), ap.child('hostname')));
        if (isSet(a.nodeName)) out.push(...subdomainCauses(str(a.nodeName), ap.child('nodeName')));
        out.push(...endpointIPCauses(ip, ap.child('ip')));
      });
    }
    const ports = objects(ss.ports);
    ports.forEach((pt, j) => {
      const pp = p.child('ports').index(j);
      const name = str(pt.name);
      if (ports.length > 1 && name === '') out.push(fieldError.required(pp.child('name')));
      else if (name !== '') out.push(...labelCauses(name, pp.child('name')));
      const port = num(pt.port) ?? 0;
      for (const m of isValidPortNum(port)) out.push(fieldError.invalid(pp.child('port'), port, m));
      const protocol = str(pt.protocol);
      if (protocol === '') out.push(fieldError.required(pp.child('protocol')));
      else if (!PROTOCOLS.includes(protocol))
        out.push(fieldError.notSupported(pp.child('protocol'), protocol, PROTOCOLS));
      if (isSet(pt.appProtocol))
        out.push(...qualifiedNameCauses(str(pt.appProtocol), pp.child('appProtocol')));
    });
  });
  return out;
}

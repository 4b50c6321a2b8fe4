/**
 * A container's environment as the kubelet builds it: `envFrom` sources first,
 * then `env` entries (later names win), `$(VAR)` references expanded against
 * what is defined so far, and the downward API (`fieldRef`, `resourceFieldRef`).
 * Also the downward API values the volume plugins write, and the conversion of
 * a container's resources to the runtime's Linux resources.
 *
 * Missing required ConfigMaps, Secrets and keys are `InvalidError`s whose
 * message is the kubelet's (`configmap "x" not found`); the pod manager shows
 * them as the container's CreateContainerConfigError.
 *
 * Not done: service links (`enableServiceLinks` environment variables), since
 * the edge has no Services in its view.
 */
import { availableParallelism, totalmem } from 'node:os';
import type {
  ConfigMap,
  Container,
  Pod,
  ResourceFieldSelector,
  Secret,
} from '../../api/types/core.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import { InvalidError } from '../../util/errors.ts';
import type { KeyValue, LinuxResources } from '../runtime/types.ts';

/** Where ConfigMaps and Secrets are read from (the local store). */
export interface ObjectSource {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

/** The pod's addresses, known only once its sandbox runs. */
export interface PodAddresses {
  hostIP: string;
  podIPs: string[];
}

/**
 * Expands `$(NAME)` references with `lookup` as Kubernetes does: an unknown
 * name is left as written, `$$` is a literal `$`, and an unterminated `$(` is
 * kept as is.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += lookup(name) ?? `$(${name})`;
      i = close + 1;
    } else {
      out += '$' + next;
      i += 2;
    }
  }
  return out;
}

function decodeSecret(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The value of a pod field for `fieldRef`, or throws for an unsupported path. */
export function podFieldValue(pod: Pod, path: string, addr: PodAddresses): string {
  const meta = pod.metadata;
  const indexed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (indexed) {
    const map = indexed[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[indexed[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? pod.spec?.serviceAccount ?? '';
    case 'status.hostIP':
      return addr.hostIP;
    case 'status.hostIPs':
      return addr.hostIP;
    case 'status.podIP':
      return addr.podIPs[0] ?? '';
    case 'status.podIPs':
      return addr.podIPs.join(',');
    default:
      throw new InvalidError(`unsupported fieldRef path ${JSON.stringify(path)}`);
  }
}

/** `key="value"` lines in key order, as the downward API writes labels and annotations. */
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new InvalidError('resourceFieldRef divisor must be positive');
  return a <= 0n ? 0n : (a + b - 1n) / b;
}

/**
 * The value of `resource` (`limits.cpu`, `requests.memory`, ...) of `container`,
 * divided by `divisor` and rounded up; an unset limit is the node's capacity
 * (the kubelet uses node allocatable), an unset request the limit or 0.
 */
export function resourceFieldValue(container: Container, sel: ResourceFieldSelector): string {
  const [kind, name] = sel.resource.split('.', 2) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !name) {
    throw new InvalidError(`unsupported resourceFieldRef resource ${JSON.stringify(sel.resource)}`);
  }
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  let q = kind === 'limits' ? limits[name] : (requests[name] ?? limits[name]);
  if (q === undefined && kind === 'limits') {
    if (name === 'cpu') q = String(availableParallelism());
    else if (name === 'memory') q = String(totalmem());
  }
  const milli = q === undefined ? 0n : parseQuantity(q).milli;
  const divisor = parseQuantity(sel.divisor ?? '1').milli;
  if (name === 'cpu') return String(ceilDiv(milli, divisor));
  // Memory and storage are whole bytes: both sides in units, not milli-units.
  return String(ceilDiv(ceilDiv(milli, 1000n), ceilDiv(divisor, 1000n)));
}

/**
 * The container's environment, in definition order (a redefined name keeps its
 * first position and takes the last value). Throws `InvalidError` with the
 * kubelet's message when a required source or key is missing.
 */
export function containerEnv(
  pod: Pod,
  container: Container,
  objects: ObjectSource,
  addr: PodAddresses,
): KeyValue[] {
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = objects.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new InvalidError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const secret = objects.secret(ns, name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new InvalidError(`secret "${name}" not found`);
      }
      for (const [k, v] of Object.entries(secret.data ?? {})) env.set(prefix + k, decodeSecret(v));
    }
  }
  const lookup = (name: string): string | undefined => env.get(name);
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env.set(e.name, expand(e.value ?? '', lookup));
      continue;
    }
    if (from.fieldRef) {
      env.set(e.name, podFieldValue(pod, from.fieldRef.fieldPath, addr));
    } else if (from.resourceFieldRef) {
      const target = from.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
            (c) => c.name === from.resourceFieldRef!.containerName,
          )
        : container;
      if (!target) {
        throw new InvalidError(
          `resourceFieldRef: container "${from.resourceFieldRef.containerName}" not found in pod`,
        );
      }
      env.set(e.name, resourceFieldValue(target, from.resourceFieldRef));
    } else if (from.configMapKeyRef) {
      const { name = '', key, optional } = from.configMapKeyRef;
      const cm = objects.configMap(ns, name);
      if (!cm) {
        if (optional) continue;
        throw new InvalidError(`configmap "${name}" not found`);
      }
      const value =
        cm.data?.[key] ??
        (cm.binaryData?.[key] === undefined ? undefined : decodeSecret(cm.binaryData[key]));
      if (value === undefined) {
        if (optional) continue;
        throw new InvalidError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
      }
      env.set(e.name, value);
    } else if (from.secretKeyRef) {
      const { name = '', key, optional } = from.secretKeyRef;
      const secret = objects.secret(ns, name);
      if (!secret) {
        if (optional) continue;
        throw new InvalidError(`secret "${name}" not found`);
      }
      const value = secret.data?.[key];
      if (value === undefined) {
        if (optional) continue;
        throw new InvalidError(`couldn't find key ${key} in Secret ${ns}/${name}`);
      }
      env.set(e.name, decodeSecret(value));
    }
  }
  return [...env].map(([name, value]) => ({ name, value }));
}

/** `command` and `args` with `$(VAR)` expanded against the final environment. */
export function expandCommand(
  container: Container,
  env: KeyValue[],
): { command: string[]; args: string[] } {
  const values = new Map(env.map((e) => [e.name, e.value]));
  const lookup = (name: string): string | undefined => values.get(name);
  return {
    command: (container.command ?? []).map((s) => expand(s, lookup)),
    args: (container.args ?? []).map((s) => expand(s, lookup)),
  };
}

/** CFS period the kubelet uses (100 ms). */
const CPU_PERIOD = 100_000;

/**
 * The runtime's Linux resources from the container's resources, as the kubelet
 * converts them: limits.cpu -> CFS quota over a 100 ms period (at least 1 ms),
 * requests.cpu (or the limit when only that is set) -> shares (milli*1024/1000,
 * at least 2), limits.memory -> bytes.
 */
export function linuxResources(container: Container): LinuxResources {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const out: LinuxResources = {};
  const reqCpu = requests.cpu ?? limits.cpu;
  const reqMilli = reqCpu === undefined ? 0n : parseQuantity(reqCpu).milli;
  out.cpuShares = Math.max(2, Number((reqMilli * 1024n) / 1000n));
  if (limits.cpu !== undefined) {
    const milli = parseQuantity(limits.cpu).milli;
    out.cpuPeriod = CPU_PERIOD;
    out.cpuQuota = Math.max(1000, Number((milli * BigInt(CPU_PERIOD)) / 1000n));
  }
  if (limits.memory !== undefined) {
    out.memoryLimitInBytes = Number(ceilDiv(parseQuantity(limits.memory).milli, 1000n));
  }
  return out;
}
